"""The assessment form on a phone whose connection comes and goes (Playwright, 390 by 844)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from sinergi.accounts.choices import Role
from sinergi.assessments import services
from sinergi.assessments.models import Assessment
from sinergi.assessments.tests.test_browser import browser_context_args as browser_context_args
from sinergi.assessments.tests.test_results import BEGINNER
from sinergi.registry.models import Actor
from sinergi.registry.tests.test_browser import log_in
from sinergi.test import PASSWORD, ActorFactory, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def actor(live_regions: None) -> Actor:
    services.load_default_instrument()
    services.create_period(
        user=None, code="2019", name="Pemetaan 2019", starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )  # fmt: skip
    fitri = make_user("pendamping-rembang", Role.FACILITATOR, "33.17")
    found: Actor = ActorFactory(name="Ibu Warsini", facilitator=fitri)
    return found


def drafts(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage)"
        ".filter(k => k.startsWith('sinergi-draft:')).map(k => [k, JSON.parse(localStorage[k])]))"
    )
    return found


def test_a_draft_survives_a_reload_and_is_sent_when_the_connection_returns(
    page: Page, context: BrowserContext, live_server: Any, actor: Actor
) -> None:
    log_in(page, live_server.url, "pendamping-rembang")
    page.goto(f"{live_server.url}/mapping/actors/{actor.pk}/assess/")
    page.fill("#id_workers", "3")
    page.fill("#id_monthly_turnover", "20000000")
    page.check("input[name=production][value=daily]")
    page.check("input[name=legality][value=nib]")

    page.reload()
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.locator("#draft-restored")).to_contain_text("Draf dipulihkan")
    expect(page.locator("#id_workers")).to_have_value("3")
    expect(page.locator("#id_monthly_turnover")).to_have_value("20000000")
    expect(page.locator("input[name=production][value=daily]")).to_be_checked()
    expect(page.locator("input[name=legality][value=nib]")).to_be_checked()
    expect(page.locator("input[name=legality][value=pirt]")).not_to_be_checked()
    expect(page.locator("#score")).to_contain_text("IR 1 Pemula")  # the live score follows

    page.fill("#id_capital", "60000000")
    for code, value in (
        ("equipment", "machine"),
        ("market_reach", "wider"),
        ("bookkeeping", "separate"),
        ("network", "partner"),
        ("digital", "marketplace"),
    ):
        page.check(f"input[name={code}][value={value}]")
    page.check("input[name=legality][value=pirt]")

    context.set_offline(True)
    page.click("#save-assessment")
    expect(page.locator("#draft-offline")).to_be_visible()
    expect(page.locator("#draft-offline")).to_contain_text("Tidak ada sambungan")
    [draft] = drafts(page).values()
    assert draft["pending"] is True
    assert draft["values"]["legality"] == ["nib", "pirt"]
    assert Assessment.objects.count() == 0

    context.set_offline(False)  # the browser fires "online": the draft goes out by itself
    expect(page.locator("#result-level")).to_contain_text("IR 3 Maju")
    expect(page).to_have_url(re.compile(r"/mapping/results/\d+/$"))
    assert drafts(page) == {}
    stored = Assessment.objects.get()
    assert (stored.actor_id, stored.level, stored.answers["capital"]) == (
        actor.pk,
        "IR3",
        60_000_000,
    )


def test_a_draft_kept_across_a_new_login_is_sent_with_a_fresh_token(
    page: Page, context: BrowserContext, live_server: Any, actor: Actor
) -> None:
    """A login rotates the CSRF secret, so the token in a page loaded before it is refused."""
    log_in(page, live_server.url, "pendamping-rembang")
    page.goto(f"{live_server.url}/mapping/actors/{actor.pk}/assess/")
    for code, value in BEGINNER.items():
        if isinstance(value, int):
            page.fill(f"#id_{code}", str(value))
        elif code != "legality":
            page.check(f"input[name={code}][value={value}]")
    page.check("input[name=legality][value='']")
    context.set_offline(True)
    page.click("#save-assessment")
    expect(page.locator("#draft-offline")).to_be_visible()
    page.click("#draft-retry")  # still no connection: the notice stays
    expect(page.locator("#draft-offline")).to_be_visible()
    # Meanwhile she logged in again elsewhere, which gave the browser a new CSRF secret.
    context.add_cookies([{"name": "csrftoken", "value": "N" * 32, "url": live_server.url}])
    context.set_offline(False)
    expect(page.locator("#result-level")).to_contain_text("IR 1 Pemula")
    assert drafts(page) == {}
    assert Assessment.objects.get().answers == BEGINNER


def test_a_draft_waits_through_a_new_login_when_the_session_ended(
    page: Page, context: BrowserContext, live_server: Any, actor: Actor
) -> None:
    log_in(page, live_server.url, "pendamping-rembang")
    page.goto(f"{live_server.url}/mapping/actors/{actor.pk}/assess/")
    for code, value in BEGINNER.items():
        if isinstance(value, int):
            page.fill(f"#id_{code}", str(value))
        elif code != "legality":
            page.check(f"input[name={code}][value={value}]")
    page.check("input[name=legality][value='']")
    context.clear_cookies(name="sessionid")
    page.click("#save-assessment")
    expect(page.locator("#draft-login")).to_be_visible()
    assert [draft["pending"] for draft in drafts(page).values()] == [True]
    page.fill("#id_username", "pendamping-rembang")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("#result-level")).to_contain_text("IR 1 Pemula")
    assert drafts(page) == {}
    assert Assessment.objects.count() == 1
