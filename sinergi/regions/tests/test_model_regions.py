from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from sinergi.audit.models import Action, AuditEvent
from sinergi.regions.models import ModelRegion
from sinergi.test import Personas

pytestmark = pytest.mark.django_db

LIST = "/regions/model/"
NEW = "/regions/model/new/"
EDIT = "/regions/model/33.17/edit/"
DELETE = "/regions/model/33.17/delete/"
NOT_ADMINS = ["jateng", "rembang", "kendal", "pendamping", "viewer"]


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def mark_rembang(**overrides: Any) -> ModelRegion:
    values = {"region_id": "33.17", "start_year": 2020, "mou_number": "MoU-1"}
    values.update(overrides)
    return ModelRegion.objects.create(**values)


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "region_code": "33.24",
        "mou_number": "001/MoU/KPPPA/2021",
        "mou_date": "2021-03-08",
        "start_year": "2021",
        "end_year": "2025",
        "phase": "replication",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("method", "url"), [("get", LIST), ("get", NEW), ("get", EDIT), ("post", NEW), ("post", DELETE)]
)
def test_anonymous_is_sent_to_login(method: str, url: str) -> None:
    mark_rembang()
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", NOT_ADMINS)
@pytest.mark.parametrize(
    ("method", "url"), [("get", LIST), ("get", NEW), ("get", EDIT), ("post", NEW), ("post", EDIT)]
)
def test_anyone_but_the_national_admin_gets_404(
    personas: Personas, who: str, method: str, url: str
) -> None:
    mark_rembang()
    response = getattr(client_for(getattr(personas, who)), method)(url, form_data())
    assert response.status_code == 404
    assert ModelRegion.objects.count() == 1


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_anyone_but_the_national_admin_cannot_delete(personas: Personas, who: str) -> None:
    mark_rembang()
    assert client_for(getattr(personas, who)).post(DELETE).status_code == 404
    assert ModelRegion.objects.filter(region_id="33.17").exists()


@pytest.mark.parametrize("url", [LIST, NEW, EDIT])
def test_the_national_admin_may_open_every_page(personas: Personas, url: str) -> None:
    mark_rembang()
    assert client_for(personas.admin).get(url).status_code == 200


def test_the_delete_url_refuses_get(personas: Personas) -> None:
    mark_rembang()
    assert client_for(personas.admin).get(DELETE).status_code == 405
    assert ModelRegion.objects.count() == 1


def test_an_unknown_model_region_is_404(personas: Personas) -> None:
    client = client_for(personas.admin)
    assert client.get("/regions/model/33.24/edit/").status_code == 404
    assert client.post("/regions/model/33.24/delete/").status_code == 404
    assert client.get("/regions/model/nonsense/edit/").status_code == 404


def test_the_list_shows_every_column(personas: Personas) -> None:
    mark_rembang(mou_date=date(2020, 2, 3), end_year=2024, phase="model", illustrative=True)
    response = client_for(personas.admin).get(LIST)
    page = response.content.decode()
    for text in ("Kabupaten Rembang", "Jawa Tengah", "MoU-1", "3 February 2020", "2020–2024"):
        assert text in page
    assert '<td data-label="Phase">Model</td>' in page
    assert '<span class="badge">Illustrative</span>' in page
    assert 'href="/regions/model/33.17/edit/"' in page


def test_an_open_ended_model_region_shows_only_its_start_year(personas: Personas) -> None:
    mark_rembang()
    page = client_for(personas.admin).get(LIST).content.decode()
    assert "2020–</td>" in page
    assert "None" not in page


def test_the_list_query_count_does_not_grow_with_rows(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for code in ("33.17", "33.24", "61.08", "11.01", "32.01"):
        ModelRegion.objects.create(region_id=code, start_year=2020)
    client = client_for(personas.admin)
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert len(response.context["model_regions"]) == 5


def test_it_creates_a_model_region_through_the_service(personas: Personas) -> None:
    response = client_for(personas.admin).post(NEW, form_data(region_code="3324"))
    assert response.status_code == 302
    assert response["Location"] == LIST
    created = ModelRegion.objects.get(region_id="33.24")
    assert (created.start_year, created.end_year, created.phase) == (2021, 2025, "replication")
    assert created.mou_date == date(2021, 3, 8)
    event = AuditEvent.objects.get(object_type="model_region", object_id="33.24")
    assert event.action == Action.CREATE
    assert event.user == personas.admin


def test_it_edits_a_model_region_but_never_its_regency(personas: Personas) -> None:
    mark_rembang()
    response = client_for(personas.admin).post(
        EDIT, form_data(region_code="33.24", mou_number="MoU-2", illustrative="on")
    )
    assert response.status_code == 302
    changed = ModelRegion.objects.get()
    assert (changed.region_id, changed.mou_number, changed.illustrative) == ("33.17", "MoU-2", True)
    event = AuditEvent.objects.get(object_type="model_region", action=Action.UPDATE)
    assert event.before is not None
    assert event.after is not None
    assert event.before["mou_number"] == "MoU-1"
    assert event.after["mou_number"] == "MoU-2"


def test_it_deletes_a_model_region_and_audits_it(personas: Personas) -> None:
    mark_rembang()
    response = client_for(personas.admin).post(DELETE)
    assert response.status_code == 302
    assert not ModelRegion.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="model_region", object_id="33.17", action=Action.DELETE, user=personas.admin
    ).exists()


def test_the_edit_form_offers_deletion_with_a_csrf_token(personas: Personas) -> None:
    mark_rembang()
    page = client_for(personas.admin).get(EDIT).content.decode()
    assert f'action="{DELETE}"' in page
    assert page.count("csrfmiddlewaretoken") >= 3  # language switch, edit form, delete form


def test_it_accepts_next_year_as_start_and_no_end_year(personas: Personas) -> None:
    next_year = date.today().year + 1
    response = client_for(personas.admin).post(
        NEW, form_data(start_year=str(next_year), end_year="", mou_number="", mou_date="")
    )
    assert response.status_code == 302
    created = ModelRegion.objects.get(region_id="33.24")
    assert (created.start_year, created.end_year, created.mou_date) == (next_year, None, None)


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"region_code": "33"}, "region_code", "not a regency/city code"),
        ({"region_code": "33.17.04"}, "region_code", "not a regency/city code"),
        ({"region_code": "33.99"}, "region_code", "does not exist"),
        ({"region_code": "33.17"}, "region_code", "already a model region"),
        ({"region_code": ""}, "region_code", "required"),
        ({"start_year": "1999"}, "start_year", "between 2000 and"),
        ({"start_year": str(date.today().year + 2)}, "start_year", "between 2000 and"),
        ({"start_year": "twenty"}, "start_year", "whole number"),
        ({"end_year": "2020"}, "end_year", "before the start year (2021)"),
        ({"mou_date": (date.today() + timedelta(days=1)).isoformat()}, "mou_date", "future"),
        ({"mou_date": "2021-02-30"}, "mou_date", "valid date"),
        ({"phase": "pilot"}, "phase", "valid choice"),
    ],
)
def test_it_names_the_field_and_reason_for_bad_input(
    personas: Personas, overrides: dict[str, str], field: str, fragment: str
) -> None:
    mark_rembang()
    response = client_for(personas.admin).post(NEW, form_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert fragment in " ".join(errors[field]).lower()
    assert "Please correct the fields marked below." in response.content.decode()
    assert not ModelRegion.objects.filter(region_id="33.24").exists()
