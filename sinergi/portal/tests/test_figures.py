"""The public figures from a publication: small counts read "<5", others are withheld where
a small one could be worked out, the page is the same for everyone and names no actor."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from sinergi.assessments import services as assessments
from sinergi.assessments.choices import PeriodStatus
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.portal.models import PublicCell
from sinergi.portal.publication import publish_figures
from sinergi.test import KENDAL_VILLAGE, ActorFactory, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(personas: Personas) -> None:
    assessments.load_default_instrument()
    period = assessments.create_period(
        user=None,
        code="2019",
        name="Pemetaan 2019",
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )
    for index in range(7):  # Rembang: 7 at IR 1, 1 at IR 3
        actor = ActorFactory(name=f"Ibu Rahasia {index}")
        assessments.submit_assessment(user=None, actor=actor, period=period, answers=BEGINNER)
    advanced = ActorFactory(name="Ibu Maju Rembang")
    assessments.submit_assessment(user=None, actor=advanced, period=period, answers=ADVANCED)
    for index in range(6):  # Kendal: 6 at IR 1
        actor = ActorFactory(name=f"Ibu Kendal {index}", village_code=KENDAL_VILLAGE)
        assessments.submit_assessment(user=None, actor=actor, period=period, answers=BEGINNER)
    assessments.set_period_status(user=personas.admin, period=period, status=PeriodStatus.CLOSED)
    publish_figures(user=personas.admin)


def test_a_small_count_reads_below_the_threshold_and_is_not_recoverable(published: None) -> None:
    cells = {(c.region, c.key): c for c in PublicCell.objects.filter(table="levels", period="2019")}
    assert cells[("33.17", "IR3")].value is None
    assert cells[("33.17", "IR3")].state == "small"
    # Rembang's total (8) less its IR 1 (7) would give the 1 away: one of them is withheld.
    assert cells[("33.17", "IR1")].value is None or cells[("33.17", "total")].value is None
    assert cells[("33.17", "IR2")].value == 0
    assert cells[("33.24", "IR1")].value == 6
    page = Client().get("/figures/33/").content.decode()
    assert "&lt;5" in page
    assert "Rembang" in page
    assert "Ibu Maju Rembang" not in page
    assert "Ibu Rahasia" not in page


def test_public_pages_are_the_same_for_everyone_and_cached(published: None) -> None:
    client = Client()
    first = client.get("/figures/")
    again = client.get("/figures/")
    assert first.status_code == again.status_code == 200
    assert first["X-Sinergi-Cache"] == "miss"
    assert again["X-Sinergi-Cache"] == "hit"
    assert first.content == again.content
    assert client.get("/figures/99.99/").status_code == 404
    assert Client().get("/").status_code == 200


def test_the_command_publishes_and_the_catalogue_reads_the_same_cells(
    published: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management import call_command

    from sinergi.opendata.sources import build

    call_command("publish_figures")
    assert "Published" in capsys.readouterr().out
    table = build("levels")
    rows = {(r[0], r[1], r[3]): r[4] for r in table.rows}
    assert rows[("2019", "33.24", "IR1")] == 6
    assert rows[("2019", "33.17", "IR3")] == "<5"
    assert "Ibu Rahasia" not in repr(table.rows)
