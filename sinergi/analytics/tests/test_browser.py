"""The dashboards in a real browser (Debian's chromium, Playwright) over the demo scenario:
the national admin drills down nation → province → kab/kota and back, a kab/kota officer
lands on her own kab/kota; screenshots for the docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from sinergi.demo.scenario import load_demo

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PAGE_BUDGET = 150 * 1024


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "id-ID"}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "sinergi-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_admin_drills_down_and_a_regency_officer_lands_on_her_regency(
    page: Page, live_server: Any, live_regions: None
) -> None:
    with override_settings(DEMO_MODE=True):
        load_demo()
    base = live_server.url
    hosts: set[str] = set()
    sizes: list[int] = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    log_in(page, base, "admin")
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
    page.click("#nav-dashboard")
    title = page.locator("#dashboard-title")
    expect(title).to_have_text("Indonesia — Pemetaan 2018")
    page.wait_for_load_state("networkidle")
    assert 0 < sum(sizes) < PAGE_BUDGET
    page.screenshot(path=SCREENSHOTS / "dashboard-levels-nation.png", full_page=True)

    page.click("#children-table >> text=Jawa Tengah")
    expect(title).to_have_text("Jawa Tengah — Pemetaan 2018")
    page.click("#children-table >> text=Kabupaten Rembang")
    expect(title).to_have_text("Kabupaten Rembang — Pemetaan 2018")
    crumbs = page.locator("nav.breadcrumb li")
    expect(crumbs).to_have_text(["Indonesia", "Jawa Tengah", "Kabupaten Rembang"])

    page.click("#to-transitions")
    expect(page.locator("#matrix-heading")).to_contain_text("Pemetaan 2016")
    page.get_by_role("link", name="Naik kelas", exact=True).click()  # sort, through htmx
    expect(page.locator("#children-table th[aria-sort=ascending]")).to_have_count(1)
    assert "sort=up" in page.url
    page.screenshot(path=SCREENSHOTS / "dashboard-transitions-regency.png", full_page=True)

    page.click("nav.breadcrumb >> text=Indonesia")
    expect(title).to_have_text("Indonesia — Pemetaan 2018")
    expect(page.locator("#step-IR1-IR2")).to_have_text("547")
    expect(page.locator("#step-IR2-IR3")).to_have_text("546")
    page.screenshot(path=SCREENSHOTS / "dashboard-transitions-nation.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SCREENSHOTS / "dashboard-transitions-phone.png")
    page.context.clear_cookies()

    log_in(page, base, "dinas-rembang")
    page.click("#nav-dashboard")
    expect(title).to_have_text("Kabupaten Rembang — Pemetaan 2018")
    expect(crumbs).to_have_text(["Kabupaten Rembang"])
    assert hosts == {urlparse(base).netloc}
