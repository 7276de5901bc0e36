"""The bulk validator of actor records, beside the services that save what it passes.

validate_actor (one record: the API) and validate_actors (a chunk of records: imports) parse
with the field objects the web form has too (fields.py), without building a form per record
(a fast parser takes the common well-formed values first), and read the database through one
query per kind for the whole chunk. They apply the same rules and checks as the web form,
from registry.validation, so a record gets the same errors whichever door it comes through.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core import validators
from django.utils.datastructures import MultiValueDict

from sinergi.accounts.models import User
from sinergi.regions.models import Region
from sinergi.registry.fields import (
    ISO_DATE,
    NO,
    YES,
    ActorFields,
    DateField,
    LegalityFields,
    YesNoCheckbox,
    YesNoField,
    initial_from,
)
from sinergi.registry.models import Actor
from sinergi.registry.validation import (
    FIELD_RULES,
    ChunkLookups,
    DatabaseLookups,
    Facilitator,
    Lookups,
    check_legality,
    check_record,
    name_key,
    resolve_facilitator,
    resolve_village,
)


@dataclass
class ValidActor:
    """An actor record that passed every check, ready for the registry services."""

    data: dict[str, Any]
    village: Region | None
    facilitator: User | None
    legality: list[dict[str, Any]] | None
    warnings: list[str]
    nik_hash: str = ""  # the lookup hash of data["nik"] when the validator computed it


@dataclass
class ActorRecord:
    """One record to validate: raw data, its legality items (None: leave them), the actor it
    edits (None: a new actor)."""

    data: dict[str, Any]
    legality: list[dict[str, Any]] | None = None
    instance: Actor | None = None


Errors = dict[str, list[str]]
_Reader = Callable[[Any, Any, str], Any]
_Rule = Callable[[Any, Actor | None], Any] | None
_Fast = Callable[[Mapping[str, Any]], Any]
_NO_FILES: MultiValueDict[str, Any] = MultiValueDict()
# What a fast parser returns for a value it leaves to the Django field.
SKIP: Any = object()


def _skip_all(data: Mapping[str, Any]) -> Any:
    return SKIP


def _reads_plainly(field: forms.Field) -> bool:
    """The widget reads data[name] (None when absent), as Widget.value_from_datadict does."""
    read = type(field.widget).value_from_datadict
    return read is forms.Widget.value_from_datadict or (
        read is forms.Select.value_from_datadict and not field.widget.allow_multiple_selected
    )


def _fast_char(name: str, field: forms.CharField) -> _Fast:
    known = {type(v) for v in field.validators}
    if not field.strip or field.min_length or not _reads_plainly(field):
        return _skip_all
    if not known <= {validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator}:
        return _skip_all
    required, empty, limit = field.required, field.empty_value, field.max_length

    def parse(data: Mapping[str, Any]) -> Any:
        value: Any = data.get(name)
        if type(value) is str:
            text = value.strip()
            if not text:
                return SKIP if required else empty
            if (limit is None or len(text) <= limit) and "\x00" not in text:
                return text
        elif value is None and not required:
            return empty
        return SKIP

    return parse


def _fast_choice(name: str, field: forms.ChoiceField) -> _Fast:
    choices: Any = field.choices
    if field.validators or not _reads_plainly(field):
        return _skip_all
    if any(isinstance(label, list | tuple) for _code, label in choices):
        return _skip_all  # option groups
    required = field.required
    codes = frozenset(str(code) for code, _label in choices)

    def parse(data: Mapping[str, Any]) -> Any:
        value: Any = data.get(name)
        if type(value) is str:
            if value in codes:
                return value
            if not value and not required:
                return ""
        elif value is None and not required:
            return ""
        return SKIP

    return parse


def _fast_date(name: str, field: DateField) -> _Fast:
    if field.validators or "%Y-%m-%d" not in field.input_formats or not _reads_plainly(field):
        return _skip_all
    required = field.required

    def parse(data: Mapping[str, Any]) -> Any:
        value: Any = data.get(name)
        kind = type(value)
        if kind is date:
            return value
        if kind is str:
            if len(value) == 10 and ISO_DATE.fullmatch(value):
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    return SKIP
            if not value and not required:
                return None
        elif value is None and not required:
            return None
        return SKIP

    return parse


def _fast_integer(name: str, field: forms.IntegerField) -> _Fast:
    known = {type(v) for v in field.validators}
    if field.localize or field.step_size is not None or not _reads_plainly(field):
        return _skip_all
    if not known <= {validators.MinValueValidator, validators.MaxValueValidator}:
        return _skip_all
    required, low, high = field.required, field.min_value, field.max_value

    def parse(data: Mapping[str, Any]) -> Any:
        value: Any = data.get(name)
        kind = type(value)
        if kind is str:
            if not value:
                return SKIP if required else None
            if not (value.isascii() and value.isdigit()):
                return SKIP
            value = int(value)
        elif value is None:
            return SKIP if required else None
        elif kind is not int:
            return SKIP
        if (low is None or value >= low) and (high is None or value <= high):
            return value
        return SKIP

    return parse


def _fast_yes_no(name: str, field: YesNoField) -> _Fast:
    widget: Any = field.widget  # an instance; the class attribute names its class
    if field.validators or type(widget) is not YesNoCheckbox:
        return _skip_all
    required = field.required

    def parse(data: Mapping[str, Any]) -> Any:
        value: Any = data.get(name, False)
        if type(value) is str:
            text = value.strip().lower()
            value = True if text in YES else False if text in NO else SKIP
        elif type(value) is not bool:
            return SKIP
        return SKIP if required and not value else value

    return parse


def _fast_checkbox(name: str, field: forms.BooleanField) -> _Fast:
    if field.validators or type(field.widget) is not forms.CheckboxInput:
        return _skip_all
    required = field.required

    def parse(data: Mapping[str, Any]) -> Any:
        return SKIP if required or name in data else False

    return parse


# By the field's exact class: a subclass may clean differently.
_FAST: dict[type[forms.Field], Callable[[str, Any], _Fast]] = {
    forms.CharField: _fast_char,
    forms.ChoiceField: _fast_choice,
    DateField: _fast_date,
    forms.IntegerField: _fast_integer,
    YesNoField: _fast_yes_no,
    forms.BooleanField: _fast_checkbox,
}


def fast_parser(name: str, field: forms.Field) -> _Fast:
    """A parser giving what `field.clean` gives for the common well-formed values (ISO dates,
    date objects, plain choice codes, digit strings, blank optional fields) at a fraction of
    its cost, and SKIP for anything else, which the field itself then cleans. Fields of
    other kinds, or with validators or widgets it does not know, are left to the field."""
    build = _FAST.get(type(field))
    return _skip_all if build is None else build(name, field)


class _Field(NamedTuple):
    """One form field as the validators clean it: the fast parser, then the field itself."""

    name: str
    field: forms.Field
    read: _Reader
    rule: _Rule
    fast: _Fast


def _fields(form: type[forms.Form], rules: Mapping[str, Any]) -> list[_Field]:
    """The form's own fields, read and cleaned as the form would, with their field rules."""
    return [
        _Field(
            name, field, field.widget.value_from_datadict, rules.get(name), fast_parser(name, field)
        )
        for name, field in form.base_fields.items()
    ]


# Form fields are not changed by cleaning (the form deep-copies them only so that a view may
# change one form's fields), so the class's own fields serve every record.
ACTOR_FIELDS = _fields(ActorFields, FIELD_RULES)
LEGALITY_FIELDS = _fields(LegalityFields, {})


def clean_fields(
    fields: list[_Field], data: Any, instance: Actor | None
) -> tuple[dict[str, Any], Errors]:
    cleaned: dict[str, Any] = {}
    errors: Errors = {}
    for name, field, read, rule, fast in fields:
        try:
            value = fast(data)
            if value is SKIP:
                value = field.clean(read(data, _NO_FILES, name))
            cleaned[name] = value if rule is None else rule(value, instance)
        except forms.ValidationError as exc:
            errors[name] = exc.messages
    return cleaned, errors


@dataclass
class _Parsed:
    """A record after its field rules, before the checks that need the database."""

    record: ActorRecord
    cleaned: dict[str, Any]
    errors: Errors
    legality: list[dict[str, Any]] | None
    legality_errors: Errors


def _parse(record: ActorRecord) -> _Parsed:
    instance = record.instance
    data = {**initial_from(instance), **record.data} if instance is not None else record.data
    cleaned, errors = clean_fields(ACTOR_FIELDS, data, instance)
    items: list[dict[str, Any]] | None = None
    legality_errors: Errors = {}
    if record.legality is not None:
        items = []
        for index, item in enumerate(record.legality):
            cleaned_item, item_errors = clean_fields(LEGALITY_FIELDS, item, None)
            for name, message in check_legality(cleaned_item):
                item_errors.setdefault(name, []).append(message)
            if not item_errors:
                items.append(cleaned_item)
            for name, messages in item_errors.items():
                legality_errors[f"legality.{index}.{name}"] = messages
    return _Parsed(record, cleaned, errors, items, legality_errors)


def _check(
    parsed: _Parsed, *, user: User | AnonymousUser, lookups: Lookups, warn_duplicates: bool
) -> tuple[ValidActor | None, Errors]:
    """The database checks, in the order the form makes them, and the record's outcome."""
    instance = parsed.record.instance
    cleaned = parsed.cleaned
    errors = parsed.errors
    village: Region | None = None
    facilitator: Facilitator | None = None
    late: Errors = {}
    try:
        if "village_code" in cleaned:
            village = resolve_village(
                cleaned["village_code"], user=user, instance=instance, lookups=lookups
            )
    except forms.ValidationError as exc:
        late["village_code"] = exc.messages
    try:
        if "facilitator" in cleaned:
            facilitator = resolve_facilitator(cleaned["facilitator"], lookups)
    except forms.ValidationError as exc:
        late["facilitator"] = exc.messages
    if late:
        for name in late:
            del cleaned[name]
        errors = {
            name: errors.get(name) or late[name]
            for name in ActorFields.base_fields
            if name in errors or name in late
        }
    found = check_record(
        cleaned,
        user=user,
        instance=instance,
        village=village,
        facilitator=facilitator,
        lookups=lookups,
        warn_duplicates=warn_duplicates,
        fields_valid=not errors,
    )
    for name, message in found.errors:
        errors.setdefault(name, []).append(message)
    errors.update(parsed.legality_errors)
    if errors:
        return None, errors
    data = {k: v for k, v in cleaned.items() if k != "confirm_duplicate"}
    if instance is not None and village is not None and village.code == instance.village_id:
        village = None
    return ValidActor(
        data,
        village,
        facilitator.user if facilitator else None,
        parsed.legality,
        found.warnings,
        lookups.hash_of(data["nik"]) if data.get("nik") else "",
    ), {}


def validate_actor(
    *,
    user: User | AnonymousUser,
    data: dict[str, Any],
    legality: list[dict[str, Any]] | None = None,
    instance: Actor | None = None,
    warn_duplicates: bool = False,
    lookups: Lookups | None = None,
) -> tuple[ValidActor | None, Errors]:
    """Validate raw actor data (strings or typed values) for the API.

    On an edit, fields not given keep their stored values. Errors are keyed by field name,
    legality errors by `legality.N.field`. The checks ask `lookups` what the database
    knows (by default, one query per question).
    """
    parsed = _parse(ActorRecord(data, legality, instance))
    return _check(
        parsed,
        user=user,
        lookups=DatabaseLookups() if lookups is None else lookups,
        warn_duplicates=warn_duplicates,
    )


def validate_actors(
    *,
    user: User | AnonymousUser,
    records: Sequence[ActorRecord],
    warn_duplicates: bool = False,
    districts: Collection[str] | None = None,
    known_actors: Mapping[str, Actor | None] | None = None,
    known_hashes: Mapping[str, str] | None = None,
    villages: dict[str, Region] | None = None,
) -> list[tuple[ValidActor | None, Errors]]:
    """validate_actor for many records at once (imports), with the same errors and warnings.

    The database is read once per kind for all of them. A caller that validates many chunks
    may pass `districts` (all district codes) and a `villages` cache (by code, filled as
    chunks need them); `known_actors` are actors (None: no actor) it already read by NIK,
    `known_hashes` the NIKs' lookup hashes it already computed.
    """
    parsed = [_parse(record) for record in records]
    lookups = ChunkLookups.load(
        village_codes={p.cleaned["village_code"] for p in parsed if "village_code" in p.cleaned},
        niks={p.cleaned["nik"] for p in parsed if p.cleaned.get("nik")},
        people={
            (name_key(p.cleaned["name"]), p.cleaned["birth_date"], p.cleaned["village_code"])
            for p in parsed
            if warn_duplicates
            and p.cleaned.get("name")
            and p.cleaned.get("birth_date")
            and p.cleaned.get("village_code")
        },
        usernames={p.cleaned["facilitator"] for p in parsed if p.cleaned.get("facilitator")},
        districts=districts,
        known_actors=known_actors,
        known_hashes=known_hashes,
        villages=villages,
    )
    return [_check(p, user=user, lookups=lookups, warn_duplicates=warn_duplicates) for p in parsed]
