"""The registry in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from sinergi.accounts.choices import Role
from sinergi.test import (
    KENDAL_VILLAGE,
    PASSWORD,
    REMBANG_VILLAGE,
    ActorFactory,
    make_user,
    valid_nik,
)

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PAGE_BUDGET = 150 * 1024


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_an_officer_registers_an_actor_after_fixing_her_nik(
    page: Page, live_server: Any, live_regions: None
) -> None:
    make_user("dinas-rembang", Role.REGENCY_OFFICER, "33.17")
    for i in range(30):
        ActorFactory(name=f"Ibu Sumarni {i}", village_code=REMBANG_VILLAGE)
    ActorFactory(name="Ibu Kendal Saja", village_code=KENDAL_VILLAGE)
    base = live_server.url
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    log_in(page, base, "dinas-rembang")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#actor-rows")).to_contain_text("Ibu Sumarni")
    expect(page.locator("#actor-rows")).not_to_contain_text("Ibu Kendal Saja")

    page.fill("#id_q", "Sumarni 7")
    page.keyboard.press("Enter")
    expect(page.locator("#actor-rows tbody tr")).to_have_count(1)

    page.click("#register-actor")
    nik = valid_nik(REMBANG_VILLAGE, born=date(1979, 8, 21))
    page.fill("#id_nik", nik[:15])
    page.fill("#id_name", "Ibu Warsini")
    page.fill("#id_birth_date", "1979-08-21")
    page.fill("#id_village_code", REMBANG_VILLAGE)
    page.fill("#id_business_name", "Terasi Warsini")
    page.select_option("#id_sector", "makanan-minuman")
    page.click("form button[type=submit]")
    nik_error = page.locator("#id_nik ~ .errorlist")
    expect(nik_error).to_contain_text("15")

    page.fill("#id_nik", nik)
    page.click("form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Ibu Warsini")
    expect(page.locator("#nik")).to_contain_text(nik[:4] + "••••••••••••")
    # The untouched empty legality row must not have become an item.
    expect(page.locator("main")).to_contain_text("No legality items recorded")
    detail_url = page.url

    page.goto(f"{base}/actors/?q=Warsini")
    expect(page.locator("#actor-rows")).to_contain_text("Ibu Warsini")
    page.goto(f"{base}/actors/")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height, label in ((390, 844, "phone"), (1280, 900, "desktop")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/actors/")
        page.screenshot(path=str(SCREENSHOTS / f"actor-list-{label}.png"), full_page=True)
        page.goto(detail_url)
        page.screenshot(path=str(SCREENSHOTS / f"actor-detail-{label}.png"), full_page=True)

    own_host = urlparse(base).netloc
    assert {urlparse(url).netloc for url in requests} == {own_host}


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/actors/",
        "/actors/new/",
        "/actors/{actor}/",
        "/regions/",
        "/regions/?code=33.17",
        "/regions/model/",
        "/accounts/users/",
        "/audit/",
        "/collect/actors/import/",
        "/about/",
    ],
)
def test_pages_stay_under_the_weight_budget_and_on_our_host(
    page: Page, live_server: Any, live_regions: None, path: str
) -> None:
    make_user("admin-pusat", Role.NATIONAL_ADMIN, None)
    actors = [ActorFactory(name=f"Ibu Ratna {i}") for i in range(25)]
    if path != "/accounts/login/":
        log_in(page, live_server.url, "admin-pusat")
        page.wait_for_url("**/actors/")
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    url = f"{live_server.url}{path.format(actor=actors[0].pk)}"
    response = page.goto(url, wait_until="networkidle")
    assert response is not None
    assert response.status == 200
    sizes = {
        r.url: r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in requests
    }
    assert 0 < sum(sizes.values()) < PAGE_BUDGET, sizes
    assert {urlparse(url).netloc for url in sizes} == {urlparse(live_server.url).netloc}
