from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.opendata import sources
from sinergi.opendata.models import Dataset

# Paths under /data/ that are not datasets.
RESERVED = {"manage", "catalog"}

# django-stubs types ModelForm generically; at run time it is not subscriptable.
if TYPE_CHECKING:
    _Base = forms.ModelForm[Dataset]
else:
    _Base = forms.ModelForm


class DatasetForm(_Base):
    source = forms.ChoiceField(label=_("Source"))
    license_url = forms.URLField(label=_("licence address"), assume_scheme="https")

    class Meta:
        model = Dataset
        fields = [
            "slug",
            "title",
            "description",
            "source",
            "producer",
            "custodian",
            "spatial",
            "temporal",
            "frequency",
            "license_id",
            "license_title",
            "license_url",
            "contact_name",
            "contact_email",
            "keywords",
            "published",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(name, name) for name in sources.names()]  # type: ignore[attr-defined]

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if slug in RESERVED:
            raise forms.ValidationError(_("This name is reserved; choose another."))
        return slug
