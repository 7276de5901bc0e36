"""Filters on the audit page; an invalid value names its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.audit.models import Action, AuditEvent
from sinergi.lib.scope import ScopedQuerySet
from sinergi.regions.codes import normalise

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All")), *Action.choices], required=False
    )
    object_type = forms.CharField(label=_("Object type"), max_length=50, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=64, required=False)
    region = forms.CharField(label=_("Region code"), max_length=13, required=False)
    date_from = _date_field(_("From date"))
    date_to = _date_field(_("To date"))

    def clean_region(self) -> str:
        raw = self.cleaned_data["region"].strip()
        code = normalise(raw) if raw else ""
        if raw and not code:
            raise forms.ValidationError(
                _("'%(code)s' is not a region code (format 33.17)."), params={"code": raw}
            )
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def apply(self, events: ScopedQuerySet[AuditEvent]) -> ScopedQuerySet[AuditEvent]:
        data = self.cleaned_data
        exact = {
            "username": data["username"].strip(),
            "action": data["action"],
            "object_type": data["object_type"].strip(),
            "object_id": data["object_id"].strip(),
        }
        events = events.filter(**{field: value for field, value in exact.items() if value})
        if data["region"]:
            events = events.within(data["region"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
        return events
