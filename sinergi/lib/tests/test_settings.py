import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import formats, translation

from sinergi.lib import env
from sinergi.lib.formatting import rupiah, thousands

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    test_only = ("SINERGI_DEMO", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "HUEY_IMMEDIATE")
    base = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(  # noqa: S603 - fixed command, test-controlled arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **extra_env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_check() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-1234567890",
        FIELD_ENCRYPTION_KEY="production-field-key",
        ALLOWED_HOSTS="sinergi.example.id",
        SECURE_HTTPS="1",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_outside_demo_mode() -> None:
    result = run_manage("check", SECRET_KEY="", FIELD_ENCRYPTION_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_env_helpers_reject_malformed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    monkeypatch.setenv("X_SMALL", "0")
    with pytest.raises(env.ConfigError, match="X_BOOL"):
        env.env_bool("X_BOOL")
    with pytest.raises(env.ConfigError, match="X_INT"):
        env.env_int("X_INT", 1)
    with pytest.raises(env.ConfigError, match="at least 1"):
        env.env_int("X_SMALL", 1, minimum=1)


def test_money_and_numbers_are_formatted_for_indonesia() -> None:
    assert rupiah(1_250_000) == "Rp1.250.000"
    assert rupiah(-5000) == "-Rp5.000"
    assert thousands(83762) == "83.762"


@pytest.mark.parametrize(
    ("language", "number", "count"),
    [("id", "12.345,5", "83.762"), ("en", "12,345.5", "83,762")],
)
def test_numbers_follow_the_language_and_money_stays_indonesian(
    language: str, number: str, count: str
) -> None:
    template = Template("{% load sinergi %}{{ count|thousands }} {{ money|rupiah }}")
    with translation.override(language):
        assert formats.number_format(Decimal("12345.5"), 1, force_grouping=True) == number
        assert formats.date_format(date(2026, 11, 29)) == "29 November 2026"
        rendered = template.render(Context({"count": 83762, "money": 1_250_000}))
        assert rendered == f"{count} Rp1.250.000"


@pytest.mark.django_db
def test_healthz_answers_ok() -> None:
    response = Client().get("/healthz")
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy() -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_indonesian_is_the_default_language_and_english_is_available() -> None:
    assert 'lang="id"' in Client().get("/accounts/login/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert 'lang="en"' in english
