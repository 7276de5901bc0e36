"""Partners in a real browser (Debian's chromium driven by Playwright): a Dinas officer maps
a partner, publishes an offer, matches the IR 1 actors and sends them referrals in one
batch; the partner's staff accepts and serves one; the referral list shows it served."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sinergi.accounts.choices import Role
from sinergi.assessments import services as assessments
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.lib.crypto import decrypt
from sinergi.registry.models import Actor
from sinergi.test import PASSWORD, REMBANG_VILLAGE_2, ActorFactory, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
STAFF_PASSWORD = "Koperasi-Sejahtera-2026"


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def log_out(page: Page) -> None:
    page.click("header button:has-text('Log out')")


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"partners-{name}.png"), full_page=True)


def mapped_actors() -> list[Actor]:
    """Three IR 1 actors in Rembang (one without consent to sharing with partners) and an
    IR 3 actor, mapped in 2026."""
    assessments.load_default_instrument()
    period = assessments.create_period(
        user=None,
        code="2026",
        name="Pemetaan 2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    actors: list[Actor] = [
        ActorFactory(name="Ibu Sulastri", consent_partners=True),
        ActorFactory(name="Ibu Wartini", consent_partners=True, village_code=REMBANG_VILLAGE_2),
        ActorFactory(name="Ibu Murni", consent_partners=False),
        ActorFactory(name="Ibu Handayani", consent_partners=True),
    ]
    for actor, answers in zip(actors, (BEGINNER, BEGINNER, BEGINNER, ADVANCED), strict=True):
        assessments.submit_assessment(user=None, actor=actor, period=period, answers=answers)
    return actors


def test_an_officer_refers_ir1_actors_and_the_partner_serves_one(
    page: Page, live_server: Any, live_regions: None
) -> None:
    make_user("dinas-rembang", Role.REGENCY_OFFICER, "33.17")
    actors = mapped_actors()
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    # The officer maps a potential partner in her regency.
    log_in(page, base, "dinas-rembang")
    page.click("nav >> text=Partners")
    page.click("#map-partner")
    expect(page.locator("#id_region")).to_have_value("33.17")
    page.fill("#id_name", "Koperasi Wanita Sejahtera")
    page.select_option("#id_kind", "association")
    page.fill("#id_contact_name", "Ibu Ketua")
    page.click("form.card button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Koperasi Wanita Sejahtera")
    expect(page.locator("#agreements")).to_contain_text("potential partner")

    # She publishes an offer of capital for IR 1 that answers bookkeeping and capital.
    page.click("#publish-offer")
    page.fill("#id_title", "Modal bergulir koperasi")
    page.select_option("#id_category", "capital")
    page.check("input[name=levels][value=IR1]")
    page.check("input[name=items][value=bookkeeping]")
    page.check("input[name=items][value=capital]")
    page.fill("#id_capacity", "10")
    page.click("form.card button[type=submit]")
    expect(page.locator("#offers")).to_contain_text("Modal bergulir koperasi")

    # And gives the partner's staff an account.
    page.click("#add-staff")
    page.fill("#id_username", "mitra-koperasi")
    page.fill("#id_first_name", "Sari")
    page.fill("#id_password1", STAFF_PASSWORD)
    page.fill("#id_password2", STAFF_PASSWORD)
    page.check("#id_manages_webhooks")
    page.click("form.card button[type=submit]")
    expect(page.locator("#staff")).to_contain_text("mitra-koperasi")
    shot(page, "detail")

    # The matching page: the IR 1 actors of Rembang, each with the offer and why.
    page.click("nav >> text=Matching")
    page.select_option("#id_level", "IR1")
    page.fill("#id_region", "33.17")
    page.click("form.filters button[type=submit]")
    rows = page.locator("#matches tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#matches")).not_to_contain_text("Ibu Handayani")
    expect(page.locator("#matches")).to_contain_text("Modal bergulir koperasi")
    expect(page.locator("#matches .reasons").first).to_contain_text("Bookkeeping")
    shot(page, "matching")

    # Select all, send the top match to each: a batch with its progress.
    page.check("#select-all")
    expect(page.locator("input[name=actors]:checked")).to_have_count(3)
    page.fill("#id_note", "Mohon dihubungi minggu ini")
    page.click("#send-selected")
    # The batch runs in the request here (the job queue is immediate in tests): on a loaded
    # machine its page can take longer than an assertion's usual five seconds.
    expect(page).to_have_url(re.compile(r"/partners/batches/\d+/$"), timeout=60_000)
    expect(page.locator("#batch-status")).to_have_text("Done", timeout=30_000)
    expect(page.locator("#sent-count")).to_have_text("2")
    expect(page.locator("#proposed-count")).to_have_text("1")
    expect(page.locator("#batch-progress")).to_contain_text("sharing with partners")
    shot(page, "batch")
    log_out(page)

    # The partner's staff lands on her inbox: the two referrals sent, no NIK anywhere.
    log_in(page, base, "mitra-koperasi", STAFF_PASSWORD)
    expect(page).to_have_url(f"{base}/partners/inbox/")
    expect(page.locator("#inbox-rows tbody tr")).to_have_count(2)
    expect(page.locator("nav")).not_to_contain_text("Actors")
    shot(page, "inbox")
    page.click("#inbox-rows >> text=Ibu Sulastri")
    page.click("#step-accepted")
    expect(page.locator("#referral-status")).to_have_text("Accepted")
    page.fill("#id_served-date", timezone.localdate().isoformat())
    page.fill("#id_served-amount", "1250000")
    page.click("#step-served")
    expect(page.locator("#referral-status")).to_have_text("Served")
    expect(page.locator("main")).to_contain_text("Rp1.250.000")
    shot(page, "answer")
    for actor in actors:
        for secret in (decrypt(actor.nik_encrypted), actor.nik_masked):
            assert secret not in page.content()
    log_out(page)

    # The officer's referral list shows it served.
    log_in(page, base, "dinas-rembang")
    page.goto(f"{base}/partners/referrals/")
    row = page.locator("#referral-rows tr", has_text="Ibu Sulastri")
    expect(row).to_contain_text("Served")
    expect(page.locator("#referral-rows tr", has_text="Ibu Wartini")).to_contain_text("Sent")
    expect(page.locator("#referral-rows tr", has_text="Ibu Murni")).to_contain_text("Proposed")
    shot(page, "referrals")
    page.click("#referral-rows >> text=Ibu Sulastri")
    expect(page.locator("ol.timeline li")).to_have_count(4)
    shot(page, "referral")

    # The referral dashboard counts it: three referrals, two sent, one served, its credit.
    page.click("#nav-referral-dashboard")
    expect(page).to_have_url(f"{base}/partners/monitoring/")
    expect(page.locator("#referrals")).to_have_text("3")
    expect(page.locator("#sent")).to_have_text("2")
    expect(page.locator("#status-served")).to_have_text("1")
    expect(page.locator("#credit")).to_have_text("Rp1.250.000")
    shot(page, "monitoring")
