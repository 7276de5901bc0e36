"""The fields of an actor record and of a legality item, and how each reads a raw value.

The web form (forms.py), the API and imports (records.py) all parse with these field
objects, so a date, a yes/no word or a choice reads the same whichever door it comes
through. Dates in ISO form and yes/no words in Indonesian or English are what API clients
and spreadsheets send.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.registry.choices import LegalityKind, Sector, Sex, Status
from sinergi.registry.models import Actor

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateField(forms.DateField):
    """A date field that reads ISO dates (what the API and most sheets send) without
    strptime, which is slow; the result is the same, and other text goes through the input
    formats as usual. Day-first formats are accepted, and the page shows a date picker."""

    input_formats = DATE_FORMATS
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def strptime(self, value: str, format: str) -> date:
        if format == "%Y-%m-%d" and ISO_DATE.fullmatch(value):
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


class ActorFields(forms.Form):
    """The fields of an actor record, in the order errors are reported."""

    nik = forms.CharField(
        label=_("NIK"), max_length=40, required=False, help_text=_("16 digits, as on the KTP.")
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.FEMALE)
    birth_date = DateField(
        label=_("Birth date"),
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


class LegalityFields(forms.Form):
    """The fields of one legality item."""

    kind = forms.ChoiceField(label=_("Type"), choices=LegalityKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issued_on = DateField(
        label=_("Issue date"),
        required=False,
    )
    expires_on = DateField(
        label=_("Expiry date"),
        required=False,
    )


def initial_from(actor: Actor) -> dict[str, Any]:
    """Form data equal to the stored actor (NIK blank: kept unless replaced)."""
    values = {
        name: getattr(actor, name)
        for name in ActorFields.base_fields
        if hasattr(actor, name) and name not in ("nik", "facilitator")
    }
    facilitator = actor.facilitator
    values.update(
        nik="",
        village_code=actor.village_id,
        facilitator=facilitator.username if facilitator is not None else "",
    )
    return values
