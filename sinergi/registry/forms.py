"""Validation of actor data: the one validator behind the web form, the API and imports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership, User
from sinergi.accounts.scoping import Do, may_act_on_actor, may_create_actor_in
from sinergi.lib.crypto import decrypt, lookup_hash
from sinergi.regions.choices import Level
from sinergi.regions.codes import ancestors, normalise
from sinergi.regions.models import Region
from sinergi.registry import rules
from sinergi.registry.choices import LegalityKind, Sector, Sex, Status
from sinergi.registry.models import Actor

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
_PHONE = re.compile(r"^\+?\d{8,15}$")


def explain(problem: rules.Problem) -> str:
    """A rule's problem in the reader's language."""
    return _t(problem.text) % problem.params if problem.params else _t(problem.text)


def name_key(name: str) -> str:
    """Case- and space-insensitive form of a name, for duplicate detection."""
    return " ".join(name.lower().split())


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


class ActorForm(forms.Form):
    """Checks one actor record. `instance` set means an edit: a blank NIK keeps the stored one."""

    nik = forms.CharField(
        label=_("NIK"), max_length=40, required=False, help_text=_("16 digits, as on the KTP.")
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.FEMALE)
    birth_date = forms.DateField(
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
    consent_date = forms.DateField(
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
        self.warnings: list[str] = []
        self.village: Region | None = None
        self.facilitator_user: User | None = None
        self.existing_actor: Actor | None = None
        self.possible_duplicate: Actor | None = None

    def clean_nik(self) -> str:
        nik: str = self.cleaned_data["nik"].strip().replace(" ", "")
        if not nik and self.instance is None:
            raise forms.ValidationError(_("NIK is required."), code="required")
        return nik

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError(
                _("Phone must be 8 to 15 digits, optionally starting with +.")
            )
        return phone

    def clean_birth_date(self) -> date:
        born: date = self.cleaned_data["birth_date"]
        today = date.today()
        if born > today:
            raise forms.ValidationError(_("Birth date cannot be in the future."))
        if born.year < today.year - 110:
            raise forms.ValidationError(_("Birth date is more than 110 years ago."))
        return born

    def clean_year_started(self) -> int | None:
        year: int | None = self.cleaned_data["year_started"]
        if year is not None and year > date.today().year:
            raise forms.ValidationError(_("Year started cannot be in the future."))
        return year

    def clean_consent_date(self) -> date | None:
        when: date | None = self.cleaned_data["consent_date"]
        if when is not None and when > date.today():
            raise forms.ValidationError(_("Consent date cannot be in the future."))
        return when

    def clean_village_code(self) -> str:
        raw = self.cleaned_data["village_code"]
        code = normalise(raw)
        if not code or code.count(".") != 3:
            raise forms.ValidationError(
                _("'%(code)s' is not a village code (format 33.17.04.2001)."), params={"code": raw}
            )
        village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
        if village is None:
            raise forms.ValidationError(
                _("Village code %(code)s does not exist."), params={"code": code}
            )
        if not may_create_actor_in(self.user, code) and not (
            self.instance is not None and self.instance.village_id == code
        ):
            raise forms.ValidationError(
                _("Village %(code)s is outside your region."), params={"code": code}
            )
        self.village = village
        return code

    def clean_facilitator(self) -> str:
        username = self.cleaned_data["facilitator"].strip()
        if not username:
            return ""
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not Membership.objects.filter(user=user, role=Role.FACILITATOR).exists():
            raise forms.ValidationError(
                _("%(name)s is not an active facilitator."), params={"name": username}
            )
        self.facilitator_user = user
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("status"):
            data["status"] = self.instance.status if self.instance else Status.ACTIVE
        if data.get("nik"):
            self._check_nik(data["nik"], data, new=True)
        elif self.instance is not None and "nik" in data:
            # A kept NIK must still agree with a changed sex or birth date.
            self._check_nik(decrypt(self.instance.nik_encrypted), data, new=False)
        if self.village is not None and self.facilitator_user is not None:
            regions = Membership.objects.filter(
                user=self.facilitator_user, role=Role.FACILITATOR
            ).values_list("region_id", flat=True)
            if not any(r is None or r in ancestors(self.village.code) for r in regions):
                self.add_error(
                    "facilitator", _("This facilitator does not work in the village's region.")
                )
        if self.warn_duplicates and not self.errors and not data.get("confirm_duplicate"):
            self._warn_possible_duplicate(data)
        return data

    def _check_nik(self, nik: str, data: dict[str, Any], *, new: bool) -> None:
        check = rules.check_nik(nik, sex=data.get("sex"), birth_date=data.get("birth_date"))
        for problem in check.errors:
            self.add_error("nik", explain(problem))
        if not check.ok or not new:
            return
        clash = Actor.objects.filter(nik_hash=lookup_hash(nik))
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        existing = clash.first()
        if existing is not None:
            self.existing_actor = existing
            if may_act_on_actor(self.user, existing, Do.VIEW):
                self.add_error(
                    "nik",
                    _("An actor with this NIK is already registered: %(name)s (#%(id)s).")
                    % {"name": existing.name, "id": existing.pk},
                )
            else:
                self.add_error(
                    "nik",
                    _(
                        "An actor with this NIK is already registered in another "
                        "region; ask its regency officer."
                    ),
                )
            return
        if not Region.objects.filter(code=check.region_prefix).exists():
            self.warnings.append(
                _t("NIK region %(code)s is not in the current region list (it may be an old code).")
                % {"code": check.region_prefix}
            )

    def _warn_possible_duplicate(self, data: dict[str, Any]) -> None:
        if not data.get("name") or not data.get("birth_date") or self.village is None:
            return
        twins = Actor.objects.filter(
            name_key=name_key(data["name"]), birth_date=data["birth_date"], village=self.village
        )
        if self.instance is not None:
            twins = twins.exclude(pk=self.instance.pk)
        twin = twins.first()
        if twin is not None:
            self.possible_duplicate = twin
            self.warnings.append(
                _t(
                    "Possible duplicate: %(name)s (#%(id)s) has the same name, birth date and "
                    "village."
                )
                % {"name": twin.name, "id": twin.pk}
            )


class LegalityForm(forms.Form):
    """One legality item; NIB and P-IRT numbers are checked against their formats."""

    kind = forms.ChoiceField(label=_("Type"), choices=LegalityKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issued_on = forms.DateField(
        label=_("Issue date"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, number = data.get("kind"), (data.get("number") or "").strip()
        if kind == LegalityKind.NIB and number:
            reason = rules.check_nib(number)
            if reason:
                self.add_error("number", explain(reason))
        elif kind == LegalityKind.PIRT and number:
            digits, reason = rules.normalise_pirt(number)
            if reason:
                self.add_error("number", explain(reason))
            else:
                number = rules.format_pirt(digits)
        data["number"] = number
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("Expiry date is before the issue date."))
        if issued and issued > date.today():
            self.add_error("issued_on", _("Issue date cannot be in the future."))
        return data


LegalityFormSet = forms.formset_factory(
    LegalityForm, extra=1, can_delete=True, max_num=20, validate_max=True
)


@dataclass
class ValidActor:
    """An actor record that passed every check, ready for the registry services."""

    data: dict[str, Any]
    village: Region | None
    facilitator: User | None
    legality: list[dict[str, Any]] | None
    warnings: list[str]


def initial_from(actor: Actor) -> dict[str, Any]:
    """Form data equal to the stored actor (NIK blank: kept unless replaced)."""
    values = {
        name: getattr(actor, name)
        for name in ActorForm.base_fields
        if hasattr(actor, name) and name not in ("nik", "facilitator")
    }
    values.update(
        nik="",
        village_code=actor.village_id,
        facilitator=actor.facilitator.username if actor.facilitator_id else "",
    )
    return values


def validate_actor(
    *,
    user: Any,
    data: dict[str, Any],
    legality: list[dict[str, Any]] | None = None,
    instance: Actor | None = None,
    warn_duplicates: bool = False,
) -> tuple[ValidActor | None, dict[str, list[str]]]:
    """Validate raw actor data (strings or typed values) for the API and imports.

    On an edit, fields not given keep their stored values. Errors are keyed by field name,
    legality errors by `legality.N.field`.
    """
    merged = {**initial_from(instance), **data} if instance is not None else dict(data)
    form = ActorForm(merged, user=user, instance=instance, warn_duplicates=warn_duplicates)
    errors: dict[str, list[str]] = {k: [str(m) for m in v] for k, v in form.errors.items()}
    cleaned_items: list[dict[str, Any]] | None = None
    if legality is not None:
        cleaned_items = []
        for index, item in enumerate(legality):
            item_form = LegalityForm(item)
            if item_form.is_valid():
                cleaned_items.append(item_form.cleaned_data)
            for field_name, messages in item_form.errors.items():
                errors[f"legality.{index}.{field_name}"] = [str(m) for m in messages]
    if errors:
        return None, errors
    cleaned = {k: v for k, v in form.cleaned_data.items() if k != "confirm_duplicate"}
    if instance is not None:
        village = (
            form.village if form.village and form.village.code != instance.village_id else None
        )
    else:
        village = form.village
    return ValidActor(cleaned, village, form.facilitator_user, cleaned_items, form.warnings), {}
