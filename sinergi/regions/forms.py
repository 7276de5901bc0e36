"""Validation of model-region records (the MoU a regency signed to run the IR model)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.regions.choices import Level, Phase
from sinergi.regions.codes import normalise
from sinergi.regions.models import ModelRegion, Region

FIRST_YEAR = 2000
LAST_END_YEAR = 2100
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


class ModelRegionForm(forms.Form):
    """One model region. `instance` set means an edit: the regency itself cannot change."""

    region_code = forms.CharField(
        label=_("Regency/city code"),
        max_length=13,
        help_text=_("Kemendagri code of a regency or city, e.g. 33.17 or 3317."),
    )
    mou_number = forms.CharField(label=_("MoU number"), max_length=100, required=False)
    mou_date = forms.DateField(
        label=_("MoU date"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_year = forms.IntegerField(label=_("Start year"))
    end_year = forms.IntegerField(
        label=_("End year"), required=False, min_value=FIRST_YEAR, max_value=LAST_END_YEAR
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices, initial=Phase.MODEL)
    illustrative = forms.BooleanField(
        label=_("Illustrative (demo data, not from a public source)"), required=False
    )

    def __init__(self, *args: Any, instance: ModelRegion | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", initial_from(instance))
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.region: Region | None = instance.region if instance is not None else None
        if instance is not None:
            self.fields["region_code"].disabled = True

    def clean_region_code(self) -> str:
        raw: str = self.cleaned_data["region_code"]
        if self.instance is not None:
            return self.instance.region_id
        code = normalise(raw)
        if not code or code.count(".") != 1:
            raise forms.ValidationError(
                _("'%(code)s' is not a regency/city code (format 33.17)."), params={"code": raw}
            )
        region = Region.objects.filter(code=code, level=Level.REGENCY).first()
        if region is None:
            raise forms.ValidationError(
                _("Regency/city code %(code)s does not exist."), params={"code": code}
            )
        if ModelRegion.objects.filter(region=region).exists():
            raise forms.ValidationError(
                _("%(region)s is already a model region; edit it instead."),
                params={"region": region.name},
            )
        self.region = region
        return code

    def clean_mou_date(self) -> date | None:
        signed: date | None = self.cleaned_data["mou_date"]
        if signed is not None and signed > date.today():
            raise forms.ValidationError(_("MoU date cannot be in the future."))
        return signed

    def clean_start_year(self) -> int:
        year: int = self.cleaned_data["start_year"]
        last = date.today().year + 1
        if not FIRST_YEAR <= year <= last:
            raise forms.ValidationError(
                _("Start year must be between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": last},
            )
        return year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_year"), data.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error(
                "end_year",
                forms.ValidationError(
                    _("End year cannot be before the start year (%(start)s)."),
                    params={"start": start},
                ),
            )
        return data


def initial_from(model_region: ModelRegion) -> dict[str, Any]:
    return {
        "region_code": model_region.region_id,
        "mou_number": model_region.mou_number,
        "mou_date": model_region.mou_date,
        "start_year": model_region.start_year,
        "end_year": model_region.end_year,
        "phase": model_region.phase,
        "illustrative": model_region.illustrative,
    }
