from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership, User
from sinergi.audit.models import Action, AuditEvent
from sinergi.test import PASSWORD, Personas, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kopi-tubruk-lasem-77"


def client_for(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def user_data(*rows: tuple[str, str, bool], **fields: Any) -> dict[str, Any]:
    """POST data for the user form: user fields, then one formset row per membership."""
    data: dict[str, Any] = {
        "username": "baru",
        "first_name": "Sri",
        "last_name": "Wahyuni",
        "email": "sri@example.org",
        "is_active": "on",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "10",
    }
    for index, (role, region, reveal) in enumerate(rows):
        data[f"memberships-{index}-role"] = role
        data[f"memberships-{index}-region"] = region
        if reveal:
            data[f"memberships-{index}-may_reveal_nik"] = "on"
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def listed(user: User, query: str = "") -> set[str]:
    response = client_for(user).get(f"/accounts/users/{query}")
    assert response.status_code == 200
    return {person.username for person in response.context["page"]}


def row_errors(response: Any, index: int = 0) -> dict[str, Any]:
    return dict(response.context["formset"].errors[index])


# Who may open the pages


def test_anonymous_is_sent_to_login() -> None:
    for url in ("/accounts/users/", "/accounts/users/new/", "/accounts/users/1/"):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["pendamping", "viewer"])
def test_non_managers_get_403(personas: Personas, persona: str) -> None:
    client = client_for(getattr(personas, persona))
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/accounts/users/new/").status_code == 403
    assert (
        client.post("/accounts/users/new/", user_data(("viewer", "33.17", False))).status_code
        == 403
    )
    assert client.get(f"/accounts/users/{personas.viewer.pk}/").status_code == 403
    assert not User.objects.filter(username="baru").exists()


def test_out_of_scope_and_missing_users_are_404(personas: Personas) -> None:
    kendal = client_for(personas.kendal)
    assert kendal.get(f"/accounts/users/{personas.pendamping.pk}/").status_code == 404
    assert kendal.get(f"/accounts/users/{personas.rembang.pk}/").status_code == 404
    assert kendal.get(f"/accounts/users/{personas.kendal.pk}/").status_code == 404
    assert kendal.get("/accounts/users/999999/").status_code == 404
    jateng = client_for(personas.jateng)
    assert jateng.get(f"/accounts/users/{personas.admin.pk}/").status_code == 404
    assert (
        jateng.post(
            f"/accounts/users/{personas.admin.pk}/", user_data(("viewer", "33", False))
        ).status_code
        == 404
    )
    assert jateng.get(f"/accounts/users/{personas.rembang.pk}/").status_code == 200


def test_wrong_methods_get_405(personas: Personas) -> None:
    client = client_for(personas.admin)
    assert client.post("/accounts/users/").status_code == 405
    assert client.delete("/accounts/users/new/").status_code == 405
    assert client.put(f"/accounts/users/{personas.viewer.pk}/").status_code == 405


def test_each_manager_lists_whom_she_may_manage(personas: Personas) -> None:
    everyone = {u.username for u in User.objects.all()}
    assert listed(personas.admin) == everyone
    assert listed(personas.jateng) == {
        "rani-rembang",
        "kiki-kendal",
        "fitri-pendamping",
        "vina-viewer",
    }
    assert listed(personas.rembang) == {"fitri-pendamping", "vina-viewer"}
    assert listed(personas.kendal) == set()


def test_a_user_with_one_role_out_of_reach_is_not_listed(personas: Personas) -> None:
    Membership.objects.create(user=personas.pendamping, role=Role.FACILITATOR, region_id="33.24")
    make_user("nasional-viewer", Role.VIEWER, None)
    assert listed(personas.rembang) == {"vina-viewer"}
    assert "nasional-viewer" not in listed(personas.jateng)
    assert "fitri-pendamping" in listed(personas.jateng)


def test_the_list_filters_by_role_region_and_search(personas: Personas) -> None:
    assert listed(personas.admin, "?role=facilitator") == {"fitri-pendamping"}
    assert listed(personas.admin, "?region=33.24") == {"kiki-kendal"}
    assert listed(personas.admin, "?region=3317&role=viewer") == {"vina-viewer"}
    assert listed(personas.admin, "?region=33") == {
        "jane-jateng",
        "rani-rembang",
        "kiki-kendal",
        "fitri-pendamping",
        "vina-viewer",
    }
    assert listed(personas.admin, "?q=KENDAL") == {"kiki-kendal"}


def test_a_bad_filter_names_the_field(personas: Personas) -> None:
    response = client_for(personas.admin).get("/accounts/users/?region=abc")
    assert response.status_code == 200
    assert "region" in response.context["filters"].errors
    assert "Region code: &#x27;abc&#x27; is not a region code" in response.content.decode()


def test_htmx_gets_only_the_rows(personas: Personas) -> None:
    response = client_for(personas.admin).get("/accounts/users/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body
    assert "<html" not in body


def test_the_user_list_query_count_does_not_grow(
    personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        user = make_user(f"pendamping-{n}", Role.FACILITATOR, "33.17.04")
        Membership.objects.create(user=user, role=Role.VIEWER, region_id="33.17")
    for manager in (personas.admin, personas.jateng, personas.rembang):
        client = client_for(manager)
        with django_assert_max_num_queries(8):  # the menu asks once whether she writes news
            response = client.get("/accounts/users/")
        assert len(response.context["page"].object_list) >= 32


# Creating and editing


def test_a_regency_officer_creates_a_facilitator_in_her_regency(personas: Personas) -> None:
    client = client_for(personas.rembang)
    response = client.post(
        "/accounts/users/new/",
        user_data(("facilitator", "33.17.04", True), ("viewer", "3317", False)),
    )
    assert response.status_code == 302, response.context and response.context["formset"].errors
    user = User.objects.get(username="baru")
    assert user.check_password(NEW_PASSWORD)
    assert user.get_full_name() == "Sri Wahyuni"
    assert sorted(user.memberships.values_list("role", "region_id", "may_reveal_nik")) == [
        ("facilitator", "33.17.04", True),
        ("viewer", "33.17", False),
    ]
    event = AuditEvent.objects.get(action=Action.CREATE, object_type="user")
    assert event.username == "rani-rembang"
    assert event.region_code == "33.17.04"
    assert (
        client_for(None)
        .post("/accounts/login/", {"username": "baru", "password": NEW_PASSWORD})
        .status_code
        == 302
    )


@pytest.mark.parametrize(
    ("manager", "row", "field", "fragment"),
    [
        ("jateng", ("national_admin", "", False), "role", "may not grant the role"),
        ("jateng", ("regency_officer", "61.08", False), "region", "outside the area"),
        ("jateng", ("province_officer", "33", False), "role", "may not grant the role"),
        ("jateng", ("viewer", "", False), "region", "outside the area"),
        ("rembang", ("regency_officer", "33.17", False), "role", "may not grant the role"),
        ("rembang", ("facilitator", "33.24", False), "region", "outside the area"),
        ("rembang", ("facilitator", "33.17.04.9999", False), "region", "does not exist"),
        ("rembang", ("facilitator", "xx", False), "region", "not a region code"),
        ("admin", ("province_officer", "33.17", False), "region", "must be: Province"),
        ("admin", ("regency_officer", "33", False), "region", "must be: Regency/city"),
        ("admin", ("facilitator", "", False), "region", "Regency/city, District, Village"),
        ("admin", ("national_admin", "33", False), "region", "empty (the whole country)"),
        ("admin", ("viewer", "33.17.04.2001", False), "region", "must be: empty"),
        ("admin", ("", "33.17", False), "role", "Choose a role"),
    ],
)
def test_it_refuses_what_the_manager_may_not_grant(
    personas: Personas, manager: str, row: tuple[str, str, bool], field: str, fragment: str
) -> None:
    response = client_for(getattr(personas, manager)).post("/accounts/users/new/", user_data(row))
    assert response.status_code == 400
    errors = row_errors(response)
    assert list(errors) == [field]
    assert fragment in " ".join(errors[field])
    assert not User.objects.filter(username="baru").exists()


def test_the_national_admin_may_grant_anything_in_its_level(personas: Personas) -> None:
    response = client_for(personas.admin).post(
        "/accounts/users/new/",
        user_data(("national_admin", "", False), ("viewer", "", False)),
    )
    assert response.status_code == 302
    assert User.objects.get(username="baru").memberships.count() == 2


def test_a_user_needs_one_role_and_no_duplicates(personas: Personas) -> None:
    client = client_for(personas.admin)
    empty = client.post("/accounts/users/new/", user_data(("", "", False)))
    assert empty.status_code == 400
    assert "at least one role" in str(empty.context["formset"].non_form_errors())
    twice = client.post(
        "/accounts/users/new/", user_data(("viewer", "33", False), ("viewer", "33", True))
    )
    assert twice.status_code == 400
    assert "appears twice" in str(twice.context["formset"].non_form_errors())


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "numeric"),
        ({"password2": "something-else-1"}, "password2", "differ"),
        ({"password1": "", "password2": ""}, "password1", "required"),
        ({"username": "jane-jateng"}, "username", "already taken"),
        ({"username": "Jane-Jateng"}, "username", "already taken"),
        ({"username": "has space"}, "username", "valid username"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_it_validates_the_user_fields(
    personas: Personas, fields: dict[str, str], field: str, fragment: str
) -> None:
    response = client_for(personas.admin).post(
        "/accounts/users/new/", user_data(("viewer", "33", False), **fields)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert fragment in " ".join(errors[field])


def test_editing_shows_the_current_values(personas: Personas) -> None:
    response = client_for(personas.rembang).get(f"/accounts/users/{personas.pendamping.pk}/")
    assert response.status_code == 200
    assert response.context["form"].initial["username"] == "fitri-pendamping"
    assert response.context["formset"].initial == [
        {"role": "facilitator", "region": "33.17", "may_reveal_nik": True}
    ]
    body = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'value="national_admin"' not in body


def test_editing_keeps_the_password_when_blank_and_audits_the_change(
    personas: Personas,
) -> None:
    target = personas.pendamping
    response = client_for(personas.rembang).post(
        f"/accounts/users/{target.pk}/",
        user_data(
            ("facilitator", "33.17.01", False),
            username=target.username,
            password1="",
            password2="",
            is_active=None,
        ),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert not target.is_active
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(target.pk))
    assert event.before is not None
    assert event.after is not None
    assert event.before["is_active"] is True
    assert event.after["memberships"] == [
        {"role": "facilitator", "region": "33.17.01", "may_reveal_nik": False}
    ]


def test_a_manager_resets_a_password(personas: Personas) -> None:
    target = personas.viewer
    response = client_for(personas.jateng).post(
        f"/accounts/users/{target.pk}/",
        user_data(("viewer", "33.17", False), username=target.username),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(NEW_PASSWORD)


def test_a_regency_officer_cannot_move_her_facilitator_elsewhere(personas: Personas) -> None:
    target = personas.pendamping
    response = client_for(personas.rembang).post(
        f"/accounts/users/{target.pk}/",
        user_data(("facilitator", "33.24", False), username=target.username),
    )
    assert response.status_code == 400
    assert "region" in row_errors(response)
    assert target.memberships.get().region_id == "33.17"


def test_the_national_admin_changing_her_own_password_stays_logged_in(
    personas: Personas,
) -> None:
    client = client_for(personas.admin)
    response = client.post(
        f"/accounts/users/{personas.admin.pk}/",
        user_data(("national_admin", "", False), username=personas.admin.username),
    )
    assert response.status_code == 302
    assert client.get("/accounts/users/").status_code == 200


@pytest.mark.parametrize("persona", ["admin", "jateng", "rembang", "kendal"])
def test_managers_open_the_list_and_the_blank_form(personas: Personas, persona: str) -> None:
    client = client_for(getattr(personas, persona))
    assert client.get("/accounts/users/").status_code == 200
    response = client.get("/accounts/users/new/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert "style=" not in body
    assert "<script>" not in body


def test_a_province_officer_creates_a_regency_officer_in_her_province(
    personas: Personas,
) -> None:
    response = client_for(personas.jateng).post(
        "/accounts/users/new/", user_data(("regency_officer", "33.24", True))
    )
    assert response.status_code == 302
    assert "baru" in listed(personas.jateng)
    assert "baru" not in listed(personas.kendal)


def test_only_someone_who_may_reveal_niks_can_grant_it(personas: Personas) -> None:
    no_nik = make_user("dinas-tanpa-nik", Role.REGENCY_OFFICER, "33.17", may_reveal_nik=False)
    refused = client_for(no_nik).post(
        "/accounts/users/new/", user_data(("facilitator", "33.17.04", True))
    )
    assert refused.status_code == 400
    assert list(row_errors(refused)) == ["may_reveal_nik"]
    allowed = client_for(no_nik).post(
        "/accounts/users/new/", user_data(("facilitator", "33.17.04", False))
    )
    assert allowed.status_code == 302


def test_no_manager_edits_her_own_account_here(personas: Personas) -> None:
    # Her own roles are granted by someone above her; she changes only her password.
    for manager in (personas.admin, personas.jateng, personas.rembang):
        response = client_for(manager).get(f"/accounts/users/{manager.pk}/edit/")
        assert response.status_code == 404
