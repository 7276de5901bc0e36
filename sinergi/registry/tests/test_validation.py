"""The batch validator (imports) and the one-record validators (API, web form) agree."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.lib.crypto import decrypt
from sinergi.registry.forms import ActorForm
from sinergi.registry.models import Actor
from sinergi.registry.records import (
    ACTOR_FIELDS,
    LEGALITY_FIELDS,
    SKIP,
    ActorRecord,
    clean_fields,
    validate_actor,
    validate_actors,
)
from sinergi.test import KENDAL_VILLAGE, REMBANG_VILLAGE, ActorFactory, Personas, valid_nik

pytestmark = pytest.mark.django_db
BORN = date(1985, 3, 12)


@pytest.fixture(autouse=True)
def in_english() -> Any:
    with translation.override("en"):
        yield


def row(**overrides: Any) -> dict[str, Any]:
    data = {
        "nik": valid_nik(REMBANG_VILLAGE, BORN),
        "name": "Ibu Baru",
        "sex": "F",
        "birth_date": BORN.isoformat(),
        "village_code": REMBANG_VILLAGE,
        "business_name": "Keripik",
        "sector": "jasa",
    }
    data.update(overrides)
    return data


def bad_rows(personas: Personas) -> dict[str, dict[str, Any]]:
    mine = ActorFactory(name="Ibu Terdaftar")
    theirs = ActorFactory(name="Ibu Kendal", village_code=KENDAL_VILLAGE)
    ActorFactory(name="Ibu Kembar", birth_date=date(1990, 1, 2))
    return {
        "valid": row(),
        "bad_nik": row(nik="33170A5203850001"),
        "short_nik": row(nik="331704"),
        "nik_in_db": row(nik=_nik_of(mine)),
        "nik_in_db_elsewhere": row(nik=_nik_of(theirs)),
        "village_out_of_scope": row(
            nik=valid_nik(KENDAL_VILLAGE, BORN), village_code=KENDAL_VILLAGE
        ),
        "village_unknown": row(village_code="33.17.04.9999"),
        "possible_twin": row(
            nik=valid_nik(REMBANG_VILLAGE, date(1990, 1, 2)),
            name="  ibu KEMBAR ",
            birth_date="02/01/1990",
        ),
        "unknown_nik_region": row(nik="9999" + valid_nik(REMBANG_VILLAGE, BORN)[4:]),
        "unknown_facilitator": row(facilitator="nobody"),
        "facilitator": row(facilitator=personas.pendamping.username),
        "many_errors": row(nik="", sector="mining", phone="12", village_code="nowhere"),
        "bad_legality": row(),
    }


def _nik_of(actor: Actor) -> str:
    return decrypt(actor.nik_encrypted)


LEGALITY = {"bad_legality": [{"kind": "nib", "number": "123"}, {"kind": "pirt", "number": ""}]}


def outcome(result: tuple[Any, dict[str, list[str]]]) -> tuple[dict[str, list[str]], list[str]]:
    valid, errors = result
    return errors, (valid.warnings if valid is not None else [])


def test_the_batch_path_gives_the_same_errors_and_warnings_as_one_record(
    personas: Personas,
) -> None:
    rows = bad_rows(personas)
    batch = validate_actors(
        user=personas.rembang,
        records=[ActorRecord(data, LEGALITY.get(key)) for key, data in rows.items()],
        warn_duplicates=True,
    )
    single = [
        validate_actor(
            user=personas.rembang, data=data, legality=LEGALITY.get(key), warn_duplicates=True
        )
        for key, data in rows.items()
    ]
    assert [outcome(r) for r in batch] == [outcome(r) for r in single]
    by_key = dict(zip(rows, (outcome(r) for r in batch), strict=True))
    assert by_key["valid"] == ({}, [])
    assert by_key["bad_nik"][0] == {"nik": ["NIK must contain digits only."]}
    assert "already registered: Ibu Terdaftar" in by_key["nik_in_db"][0]["nik"][0]
    assert "in another region" in by_key["nik_in_db_elsewhere"][0]["nik"][0]
    assert "outside your region" in by_key["village_out_of_scope"][0]["village_code"][0]
    assert "Possible duplicate: Ibu Kembar" in by_key["possible_twin"][1][0]
    assert "NIK region 99.99" in by_key["unknown_nik_region"][1][0]
    assert by_key["unknown_facilitator"][0] == {
        "facilitator": ["nobody is not an active facilitator."]
    }
    assert by_key["facilitator"] == ({}, [])
    assert list(by_key["many_errors"][0]) == ["nik", "phone", "village_code", "sector"]
    assert list(by_key["bad_legality"][0]) == ["legality.0.number"]


def test_the_web_form_gives_the_same_errors_and_warnings(personas: Personas) -> None:
    rows = bad_rows(personas)
    del rows["bad_legality"]  # legality items are a formset on the web
    batch = validate_actors(
        user=personas.rembang,
        records=[ActorRecord(data) for data in rows.values()],
        warn_duplicates=True,
    )
    for data, result in zip(rows.values(), batch, strict=True):
        form = ActorForm(data, user=personas.rembang)
        form.is_valid()
        errors = {name: list(messages) for name, messages in form.errors.items()}
        assert (errors, form.warnings) == outcome(result)


def test_a_facilitator_outside_the_village_region_is_refused_the_same_way(
    personas: Personas,
) -> None:
    data = row(
        nik=valid_nik(KENDAL_VILLAGE, BORN),
        village_code=KENDAL_VILLAGE,
        facilitator=personas.pendamping.username,
    )
    [batch] = validate_actors(user=personas.admin, records=[ActorRecord(data)])
    single = validate_actor(user=personas.admin, data=data)
    assert outcome(batch) == outcome(single)
    assert outcome(batch)[0] == {
        "facilitator": ["This facilitator does not work in the village's region."]
    }


def test_an_edit_is_checked_the_same_way_in_a_batch(personas: Personas) -> None:
    actor = ActorFactory(name="Ibu Lama", birth_date=BORN)
    ActorFactory(name="Ibu Kembar", birth_date=BORN)
    changes = [{"name": "Ibu Kembar"}, {"birth_date": "1986-03-12"}, {"name": "Ibu Lama"}]
    batch = validate_actors(
        user=personas.rembang,
        records=[ActorRecord(data, None, actor) for data in changes],
        warn_duplicates=True,
    )
    single = [
        validate_actor(user=personas.rembang, data=data, instance=actor, warn_duplicates=True)
        for data in changes
    ]
    assert [outcome(r) for r in batch] == [outcome(r) for r in single]
    assert "Possible duplicate" in outcome(batch[0])[1][0]
    assert "does not match the birth date" in outcome(batch[1])[0]["nik"][0]
    assert outcome(batch[2]) == ({}, [])


def test_a_batch_reads_the_database_the_same_number_of_times_for_any_size(
    personas: Personas,
) -> None:
    def queries(size: int) -> int:
        records = [
            ActorRecord(
                row(
                    nik=valid_nik(REMBANG_VILLAGE, BORN),
                    name=f"Ibu {size} {n}",
                    facilitator=personas.pendamping.username,
                )
            )
            for n in range(size)
        ]
        with CaptureQueriesContext(connection) as captured:
            validate_actors(user=personas.rembang, records=records, warn_duplicates=True)
        return len(captured)

    queries(1)  # memberships, read once per user
    assert queries(10) == queries(100) <= 5


def _django_clean(column: Any, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the form's own field and the field rule make of the data."""
    try:
        value = column.field.clean(column.read(data, {}, column.name))
        return {column.name: value if column.rule is None else column.rule(value, None)}, {}
    except ValidationError as exc:
        return {}, {column.name: exc.messages}


def _typed(result: tuple[dict[str, Any], dict[str, Any]]) -> Any:
    cleaned, errors = result
    return {name: (type(value), value) for name, value in cleaned.items()}, errors


_ISO_LIKE = r"\s?[0-9]{4}-[0-9]{2}-[0-9]{2}\s?"
_WORDS = ["ya", "Tidak", " YES ", "no", "1", "0", "true", "benar", "on", "off", "maybe", ""]
_CODES = [
    code
    for column in ACTOR_FIELDS + LEGALITY_FIELDS
    for code, _label in getattr(column.field, "choices", [])
]
_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=3000),
    st.floats(allow_nan=False),
    st.dates(),
    st.datetimes(),
    st.from_regex(_ISO_LIKE, fullmatch=True),
    st.from_regex(r"\s?[0-9]{1,6}\s?", fullmatch=True),
    st.sampled_from(_CODES + [c.upper() for c in _CODES] + [f" {c}" for c in _CODES] + _WORDS),
    st.text(max_size=20),
    st.text(alphabet="ab \t\x00", min_size=145, max_size=160),
)


@pytest.mark.parametrize("column", ACTOR_FIELDS + LEGALITY_FIELDS, ids=lambda column: column.name)
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cell=_cells, absent=st.booleans())
def test_the_fast_parser_cleans_every_value_as_the_django_field_does(
    column: Any, cell: Any, absent: bool
) -> None:
    data = {} if absent else {column.name: cell}
    try:
        expected = _typed(_django_clean(column, data))
    except Exception as exc:  # noqa: BLE001 - Django's crashes (a bool as a date) must stay
        with pytest.raises(type(exc)):
            clean_fields([column], data, None)
        return
    assert _typed(clean_fields([column], data, None)) == expected


def test_a_well_formed_import_row_never_reaches_the_django_fields() -> None:
    data = {
        **row(phone="081234567890", year_started="2015", consent_date=date(2024, 1, 15)),
        "consent_programme": True,
        "consent_partners": "tidak",
        "status": "",
        "address": "",
    }
    item = {"kind": "nib", "number": "1234567890123"}
    skipped = [c.name for c in ACTOR_FIELDS if c.fast(data) is SKIP]
    skipped += [c.name for c in LEGALITY_FIELDS if c.fast(item) is SKIP]
    assert skipped == []
