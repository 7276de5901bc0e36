"""Validation of actor data: the one validator behind the web form, the API and imports.

ActorForm serves the web. validate_actor (one record: the API) and validate_actors (a chunk
of records: imports) parse with the form's own field objects, without building a form per
record, and read the database through one query per kind for the whole chunk. All three
apply the same rules and checks, from registry.validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django import forms
from django.core import validators
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import User
from sinergi.regions.models import Region
from sinergi.registry import conflicts
from sinergi.registry.choices import LegalityKind, Sector, Sex, Status
from sinergi.registry.models import Actor
from sinergi.registry.validation import (
    FIELD_RULES,
    ChunkLookups,
    DatabaseLookups,
    Facilitator,
    Lookups,
    check_legality,
    check_record,
    resolve_facilitator,
    resolve_village,
)
from sinergi.registry.validation import explain as explain
from sinergi.registry.validation import name_key as name_key

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateField(forms.DateField):
    """A date field that reads ISO dates (what the API and most sheets send) without
    strptime, which is slow; the result is the same, and other text goes through the input
    formats as usual."""

    def strptime(self, value: str, format: str) -> date:
        if format == "%Y-%m-%d" and _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
        parsed: date = super().strptime(value, format)
        return parsed


YES = frozenset({"ya", "y", "yes", "1", "true", "benar", "on"})
NO = frozenset({"tidak", "t", "no", "n", "0", "false", "salah", "off", ""})


class YesNoCheckbox(forms.CheckboxInput):
    """A checkbox on the web; the raw word from an API or a spreadsheet goes to the field."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name, False)


class YesNoField(forms.BooleanField):
    """A yes/no answer in Indonesian or English; anything else is an error, never a silent yes."""

    widget = YesNoCheckbox

    def to_python(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise forms.ValidationError(
            _("'%(value)s' is not yes or no (ya/tidak)."), code="invalid", params={"value": value}
        )


def _by_rule(name: str) -> Callable[[ActorForm], Any]:
    """The form's clean_<name>: the field rule the batch validator applies too."""

    def clean(form: ActorForm) -> Any:
        return form._rule(name)

    return clean


class ActorForm(forms.Form):
    """Checks one actor record. `instance` set means an edit: a blank NIK keeps the stored one."""

    nik = forms.CharField(
        label=_("NIK"), max_length=40, required=False, help_text=_("16 digits, as on the KTP.")
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.FEMALE)
    birth_date = DateField(
        label=_("Birth date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    village_code = forms.CharField(
        label=_("Village code"), max_length=13, help_text=_("Kemendagri code, e.g. 33.17.04.2001.")
    )
    business_name = forms.CharField(label=_("Business name"), max_length=150)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    products = forms.CharField(label=_("Products"), max_length=255, required=False)
    year_started = forms.IntegerField(label=_("Year started"), required=False, min_value=1945)
    consent_date = DateField(
        label=_("Consent date"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    consent_programme = YesNoField(
        label=_("Consents to the programme using her data"), required=False
    )
    consent_partners = YesNoField(label=_("Consents to sharing with partners"), required=False)
    consent_publication = YesNoField(label=_("Consents to publication"), required=False)
    facilitator = forms.CharField(label=_("Facilitator (username)"), max_length=150, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=Status.choices, initial=Status.ACTIVE, required=False
    )
    confirm_duplicate = forms.BooleanField(
        label=_("I checked: this is a different person"), required=False
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        instance: Actor | None = None,
        warn_duplicates: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.warn_duplicates = warn_duplicates
        self.lookups: Lookups = DatabaseLookups()
        self.warnings: list[str] = []
        self.village: Region | None = None
        self.found_facilitator: Facilitator | None = None
        self.existing_actor: Actor | None = None
        self.possible_duplicate: Actor | None = None

    @property
    def facilitator_user(self) -> User | None:
        return self.found_facilitator.user if self.found_facilitator else None

    def _rule(self, name: str) -> Any:
        return FIELD_RULES[name](self.cleaned_data[name], self.instance)

    clean_nik = _by_rule("nik")
    clean_name = _by_rule("name")
    clean_address = _by_rule("address")
    clean_business_name = _by_rule("business_name")
    clean_products = _by_rule("products")
    clean_phone = _by_rule("phone")
    clean_birth_date = _by_rule("birth_date")
    clean_year_started = _by_rule("year_started")
    clean_consent_date = _by_rule("consent_date")

    def clean_village_code(self) -> str:
        code: str = self._rule("village_code")
        self.village = resolve_village(
            code, user=self.user, instance=self.instance, lookups=self.lookups
        )
        return code

    def clean_facilitator(self) -> str:
        username: str = self._rule("facilitator")
        self.found_facilitator = resolve_facilitator(username, self.lookups)
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("nik"):
            try:
                conflicts.check_allowance(self.user)
            except conflicts.TooManyConflicts as exc:
                self.add_error("nik", str(exc))
                return data
        found = check_record(
            data,
            user=self.user,
            instance=self.instance,
            village=self.village,
            facilitator=self.found_facilitator,
            lookups=self.lookups,
            warn_duplicates=self.warn_duplicates,
            fields_valid=not self.errors,
        )
        for name, message in found.errors:
            self.add_error(name, message)
        self.warnings.extend(found.warnings)
        self.existing_actor = found.existing_actor
        self.possible_duplicate = found.possible_duplicate
        return data


class LegalityForm(forms.Form):
    """One legality item; NIB and P-IRT numbers are checked against their formats."""

    kind = forms.ChoiceField(label=_("Type"), choices=LegalityKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issued_on = DateField(
        label=_("Issue date"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expires_on = DateField(
        label=_("Expiry date"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in check_legality(data):
            self.add_error(name, message)
        return data


class LegalityRowForm(LegalityForm):
    """A row of the web form's legality table. Its type starts blank, so an untouched empty
    row stays empty instead of submitting the first type as a new item."""

    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *LegalityKind.choices])


LegalityFormSet = forms.formset_factory(
    LegalityRowForm, extra=1, can_delete=True, max_num=20, validate_max=True
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


def initial_from(actor: Actor) -> dict[str, Any]:
    """Form data equal to the stored actor (NIK blank: kept unless replaced)."""
    values = {
        name: getattr(actor, name)
        for name in ActorForm.base_fields
        if hasattr(actor, name) and name not in ("nik", "facilitator")
    }
    facilitator = actor.facilitator
    values.update(
        nik="",
        village_code=actor.village_id,
        facilitator=facilitator.username if facilitator is not None else "",
    )
    return values


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
            if len(value) == 10 and _ISO_DATE.fullmatch(value):
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
ACTOR_FIELDS = _fields(ActorForm, FIELD_RULES)
LEGALITY_FIELDS = _fields(LegalityForm, {})


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
    parsed: _Parsed, *, user: Any, lookups: Lookups, warn_duplicates: bool
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
            for name in ActorForm.base_fields
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
    user: Any,
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
    user: Any,
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
