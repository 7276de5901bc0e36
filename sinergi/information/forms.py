"""Forms of the information app: the public's request and status lookup, the staff's
actions and publications."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.information import services
from sinergi.information.choices import Category, Delivery, ObjectionReason, Outcome


def refused_into(form: forms.Form, refused: services.Refused) -> None:
    """A service's refusal shown on the form, by field (others above the form)."""
    for name, messages in refused.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class RequestForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), help_text=_("You need it to follow your request."))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    address = forms.CharField(label=_("Address (optional)"), max_length=255, required=False)
    occupation = forms.CharField(label=_("Occupation (optional)"), max_length=100, required=False)
    information = forms.CharField(
        label=_("Information requested"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the information as precisely as you can."),
    )
    purpose = forms.CharField(
        label=_("Purpose of the request"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    delivery = forms.ChoiceField(
        label=_("How do you want to receive it?"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
    )

    def data_for_service(self) -> services.RequestData:
        return services.RequestData(**self.cleaned_data)


class StatusForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=20, help_text=_("For example KIP-2026-000123.")
    )
    email = forms.EmailField(label=_("Email given with the request"))


class ObjectionForm(StatusForm):
    """An objection (keberatan): the request named again by tracking number and email."""

    reason = forms.ChoiceField(
        label=_("Reason of the objection"),
        choices=ObjectionReason.choices,
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("What you object to"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tracking_number"].widget = forms.HiddenInput()
        self.fields["email"].widget = forms.HiddenInput()


class ObjectionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the objection"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("How the requester withdrew it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Answer to the requester"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    refusal_reason = forms.CharField(
        label=_("Exemption reason (Article 17)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the information is refused or granted in part."),
    )


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    link = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    document = forms.FileField(label=_("PDF document"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def data_for_service(self) -> services.EntryData:
        return services.EntryData(**self.cleaned_data)


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=150)
