from datetime import date

import pytest
from django.test import Client

from sinergi.audit.models import Action, AuditEvent
from sinergi.lib.crypto import decrypt
from sinergi.registry.models import Actor
from sinergi.test import (
    KENDAL_VILLAGE,
    PASSWORD,
    REMBANG_VILLAGE,
    ActorFactory,
    Personas,
    valid_nik,
)

pytestmark = pytest.mark.django_db


def login(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "nik": valid_nik(REMBANG_VILLAGE, date(1990, 1, 2)),
        "name": "Ibu Kartini",
        "sex": "F",
        "birth_date": "1990-01-02",
        "village_code": REMBANG_VILLAGE,
        "business_name": "Jamu Kartini",
        "sector": "makanan-minuman",
        "status": "active",
        "legality-TOTAL_FORMS": "1",
        "legality-INITIAL_FORMS": "0",
        "legality-0-kind": "",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login() -> None:
    for path in ("/actors/", "/actors/new/", "/actors/1/", "/actors/1/edit/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_out_of_scope_actor_pages_are_404(personas: Personas) -> None:
    actor = ActorFactory(village_code=KENDAL_VILLAGE)
    client = login(personas.rembang)
    for path in (f"/actors/{actor.pk}/", f"/actors/{actor.pk}/edit/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/actors/{actor.pk}/nik/").status_code == 404


def test_a_viewer_reads_but_gets_403_on_writes(personas: Personas) -> None:
    actor = ActorFactory()
    client = login(personas.viewer)
    assert client.get(f"/actors/{actor.pk}/").status_code == 200
    assert client.get("/actors/new/").status_code == 403
    assert client.get(f"/actors/{actor.pk}/edit/").status_code == 403
    assert client.post(f"/actors/{actor.pk}/nik/").status_code == 403


def test_reveal_is_post_only(personas: Personas) -> None:
    actor = ActorFactory()
    assert login(personas.rembang).get(f"/actors/{actor.pk}/nik/").status_code == 405


def test_a_facilitator_sees_only_her_caseload(personas: Personas) -> None:
    mine = ActorFactory(facilitator=personas.pendamping)
    other = ActorFactory()
    client = login(personas.pendamping)
    assert client.get(f"/actors/{mine.pk}/").status_code == 200
    assert client.get(f"/actors/{other.pk}/").status_code == 404
    page = client.get("/actors/").content.decode()
    assert mine.name in page
    assert other.name not in page


def test_the_list_shows_masked_nik_and_filters(personas: Personas) -> None:
    actor = ActorFactory(name="Ibu Marni")
    ActorFactory(name="Ibu Lain", sector="kerajinan")
    page = login(personas.rembang).get("/actors/?sector=makanan-minuman").content.decode()
    assert actor.nik_masked in page
    assert decrypt(actor.nik_encrypted) not in page
    assert "Ibu Lain" not in page


def test_the_list_query_count_does_not_grow(
    personas: Personas, django_assert_max_num_queries: object
) -> None:
    client = login(personas.rembang)
    for _ in range(30):
        ActorFactory()
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert client.get("/actors/").status_code == 200


def test_htmx_gets_only_the_rows(personas: Personas) -> None:
    ActorFactory(name="Ibu Htmx")
    response = login(personas.rembang).get("/actors/?q=htmx", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Ibu Htmx" in body
    assert "<html" not in body


def test_revealing_the_nik_shows_it_and_is_audited(personas: Personas) -> None:
    actor = ActorFactory()
    response = login(personas.rembang).post(f"/actors/{actor.pk}/nik/")
    assert decrypt(actor.nik_encrypted) in response.content.decode()
    event = AuditEvent.objects.get(action=Action.VIEW_PERSONAL, note="reveal NIK")
    assert event.user == personas.rembang
    assert event.object_id == str(actor.pk)


def test_viewing_a_detail_is_audited(personas: Personas) -> None:
    actor = ActorFactory()
    login(personas.jateng).get(f"/actors/{actor.pk}/")
    assert AuditEvent.objects.filter(
        action=Action.VIEW_PERSONAL, object_id=str(actor.pk), user=personas.jateng
    ).exists()


def test_a_bad_nik_is_explained_and_nothing_is_saved(personas: Personas) -> None:
    response = login(personas.rembang).post("/actors/new/", form_data(nik="12345"))
    assert response.status_code == 400
    assert "16 digits" in response.content.decode()
    assert Actor.objects.count() == 0


def test_an_officer_registers_and_edits_an_actor(personas: Personas) -> None:
    client = login(personas.rembang)
    response = client.post(
        "/actors/new/",
        form_data(**{"legality-0-kind": "pirt", "legality-0-number": "P-IRT 206331701012327"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    actor = Actor.objects.get()
    assert actor.legality_items.get().number == "P-IRT No. 2063317010123-27"
    edit = form_data(nik="", name="Ibu R.A. Kartini", **{"legality-TOTAL_FORMS": "0"})
    assert client.post(f"/actors/{actor.pk}/edit/", edit).status_code == 302
    actor.refresh_from_db()
    assert actor.name == "Ibu R.A. Kartini"
    assert actor.legality_items.count() == 0


def test_a_kept_nik_must_still_match_a_changed_birth_date(personas: Personas) -> None:
    actor = ActorFactory(birth_date=date(1985, 3, 12))
    edit = form_data(nik="", birth_date="1986-03-12", **{"legality-TOTAL_FORMS": "0"})
    response = login(personas.rembang).post(f"/actors/{actor.pk}/edit/", edit)
    assert response.status_code == 400
    assert "does not match the birth date" in response.content.decode()


def test_a_possible_duplicate_needs_confirmation(personas: Personas) -> None:
    twin = ActorFactory(name="Ibu Kartini", birth_date=date(1990, 1, 2))
    client = login(personas.rembang)
    response = client.post("/actors/new/", form_data())
    assert "Possible duplicate" in response.content.decode()
    assert f"#{twin.pk}" in response.content.decode()
    assert Actor.objects.count() == 1
    confirmed = client.post("/actors/new/", form_data(confirm_duplicate="on"))
    assert confirmed.status_code == 302
    assert Actor.objects.count() == 2


def test_an_unknown_nik_region_is_only_a_warning(personas: Personas) -> None:
    nik = "9999" + valid_nik(REMBANG_VILLAGE, date(1990, 1, 2))[4:]
    response = login(personas.rembang).post("/actors/new/", form_data(nik=nik), follow=True)
    assert Actor.objects.count() == 1
    assert "99.99" in response.content.decode()


def test_the_list_pages_keep_the_filters(personas: Personas) -> None:
    for i in range(30):
        ActorFactory(name=f"Ibu Paging {i}")
    page = login(personas.rembang).get("/actors/?q=paging").content.decode()
    assert "Page 1 of 2" in page
    assert 'href="?q=paging&amp;page=2"' in page


def test_the_empty_legality_row_starts_without_a_type(personas: Personas) -> None:
    page = login(personas.rembang).get("/actors/new/").content.decode()
    select = page[page.index('name="legality-0-kind"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>' in select


def test_a_legality_row_with_a_number_but_no_type_is_refused(personas: Personas) -> None:
    response = login(personas.rembang).post(
        "/actors/new/", form_data(**{"legality-0-number": "1234567890123"})
    )
    assert response.status_code == 400
    assert Actor.objects.count() == 0
