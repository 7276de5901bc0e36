"""Forms of the privacy pages: a request by the person, an erasure with its legal basis."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.privacy.choices import ErasureBasis, RequestKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    requester = forms.CharField(
        label=_("Asked by"),
        max_length=150,
        help_text=_("The person herself, or who asked for her (and in what capacity)."),
    )
    details = forms.CharField(label=_("What was asked"), required=False, widget=forms.Textarea)
    received_at = forms.DateTimeField(
        label=_("Received"),
        required=False,
        help_text=_("When the request reached the office; empty: now."),
    )


class DoneForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea)


class ErasureForm(forms.Form):
    basis = forms.ChoiceField(label=_("Legal basis"), choices=ErasureBasis.choices)
    note = forms.CharField(label=_("Explanation"), required=False, widget=forms.Textarea)
    confirm = forms.BooleanField(
        label=_("I understand that her name, NIK and contact details are removed for good."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("basis") == ErasureBasis.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Explain the legal basis when it is 'other'."))
        return data
