"""The form that asks for a re-scoring run: which periods, which region."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.assessments.models import Period
from sinergi.regions.codes import normalise
from sinergi.regions.models import Region


class RescoreForm(forms.Form):
    periods = forms.ModelMultipleChoiceField(
        label=_("Periods"),
        queryset=Period.objects.order_by("-starts_on"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        error_messages={
            "required": _("Choose at least one period."),
            "invalid_choice": _("Unknown period %(value)s."),
            "invalid_pk_value": _("Unknown period %(pk)s."),
        },
    )
    region_code = forms.CharField(
        label=_("Region code"),
        required=False,
        max_length=13,
        help_text=_(
            "A province, regency, district or village code (33.17); empty for the whole country."
        ),
    )

    def clean_region_code(self) -> str:
        raw: str = self.cleaned_data["region_code"].strip()
        if not raw:
            return ""
        code = normalise(raw)
        if not code:
            raise forms.ValidationError(
                _("Write a region code like 33 or 33.17 (got '%(value)s')."),
                params={"value": raw},
            )
        if not Region.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("No region has the code %(code)s."), params={"code": code}
            )
        return code

    def as_service_arguments(self) -> dict[str, Any]:
        return {
            "periods": list(self.cleaned_data["periods"]),
            "region_code": self.cleaned_data["region_code"],
        }
