"""Assessing an actor on a phone: Debian's chromium driven by Playwright, at 390 by 844."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from sinergi.accounts.choices import Role
from sinergi.assessments import services
from sinergi.assessments.models import Assessment
from sinergi.registry.tests.test_browser import PAGE_BUDGET, log_in
from sinergi.test import ActorFactory, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A phone, in Bahasa Indonesia (the users' language)."""
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "locale": "id-ID",
        "has_touch": True,
    }


def test_a_facilitator_assesses_her_actor_on_a_phone(
    page: Page, live_server: Any, live_regions: None
) -> None:
    services.load_default_instrument()
    services.create_period(
        user=None,
        code="2019",
        name="Pemetaan 2019",
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )
    fitri = make_user("pendamping-rembang", Role.FACILITATOR, "33.17")
    actor = ActorFactory(name="Ibu Warsini", business_name="Terasi Warsini", facilitator=fitri)
    ActorFactory(name="Ibu Lain")  # not hers
    base = live_server.url
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))

    log_in(page, base, "pendamping-rembang")
    expect(page.locator("#actor-rows")).to_contain_text("Ibu Warsini")
    expect(page.locator("#actor-rows")).not_to_contain_text("Ibu Lain")
    page.click("text=Ibu Warsini")
    expect(page.locator("h1")).to_contain_text("Ibu Warsini")
    requests.clear()
    page.click("#assess-actor")
    expect(page.locator("#id_period")).to_have_value("2019")
    page.wait_for_load_state("networkidle")
    sizes = [r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in requests]
    assert 0 < sum(sizes) < PAGE_BUDGET

    score = page.locator("#score")
    page.fill("#id_workers", "3")
    page.fill("#id_monthly_turnover", "20000000")
    page.fill("#id_capital", "60000000")
    page.check("input[name=production][value=daily]")
    expect(score).to_contain_text("IR 1 Pemula")
    expect(page.locator("#score-total")).to_have_text(re.compile(r"^12\b"))
    for code, value in (
        ("equipment", "machine"),
        ("market_reach", "wider"),
        ("network", "partner"),
    ):
        page.check(f"input[name={code}][value={value}]")
    expect(score).to_contain_text("IR 2 Berkembang")
    page.check("input[name=digital][value=marketplace]")
    page.check("input[name=bookkeeping][value=simple]")
    page.check("input[name=legality][value=nib]")
    page.check("input[name=legality][value=pirt]")
    expect(score).to_contain_text("IR 3 Maju")
    expect(page.locator("#score-total")).to_have_text(re.compile(r"^29\b"))
    # Bookkeeping is a gate of IR 3: mixed household money brings her back to IR 2.
    page.check("input[name=bookkeeping][value=none]")
    expect(score).to_contain_text("IR 2 Berkembang")
    expect(page.locator("#score-total")).to_have_text(re.compile(r"^28\b"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "assessment-form-phone.png"), full_page=True)

    page.click("#save-assessment")
    expect(page.locator("#result-level")).to_contain_text("IR 2 Berkembang")
    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("Total 28 sudah cukup untuk IR 3")
    expect(explanation).to_contain_text("mulai catat pemasukan dan pengeluaran usaha")
    page.screenshot(path=str(SCREENSHOTS / "assessment-result-phone.png"), full_page=True)

    stored = Assessment.objects.get()
    assert (stored.actor_id, stored.level, stored.total_score) == (actor.pk, "IR2", 28)
    page.click("text=Kembali ke pelaku")
    expect(page.locator("#results")).to_contain_text("2019")
    expect(page.locator("#current-level")).to_have_text("IR2")
    assert {urlparse(r.url).netloc for r in requests} == {urlparse(base).netloc}
