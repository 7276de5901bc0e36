"""The form of a webhook on the partner admin's pages (the rules are the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.partners.choices import WebhookEvent
from sinergi.partners.models import Partner
from sinergi.partners.webhook_services import URL_MAX_LENGTH


class WebhookForm(forms.Form):
    """A new webhook (with its secret) or a change of one; the partner is chosen only by
    the national admin (`partners`), staff register for their own."""

    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), label=_("Partner"))
    url = forms.CharField(
        label=_("URL"),
        max_length=URL_MAX_LENGTH,
        help_text=_(
            "Where your system receives the events: https://, or plain http:// for a host "
            "the administrator allowed."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=False,
        max_length=200,
        help_text=_(
            "From 16 to 100 characters, to verify our signature. Leave it empty to have one "
            "generated; it is shown once."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, partners: QuerySet[Partner] | None, creating: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners  # type: ignore[attr-defined]  # a ModelChoiceField
        if not creating:
            del self.fields["secret"]
