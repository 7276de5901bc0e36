"""Forms of the newsroom: they validate what a person typed; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from sinergi.newsroom import services
from sinergi.newsroom.choices import Category, MemberRole, OrganisationKind
from sinergi.newsroom.models import Article, Organisation
from sinergi.partners.forms import RegionCodesField
from sinergi.regions.models import Region

_LOCAL = {"type": "datetime-local"}


def refused_into(form: forms.Form, refused: services.Refused) -> None:
    """A service's refusal shown on the form, by field (others above the form)."""
    for name, messages in refused.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class ArticleForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    lead = forms.CharField(
        label=_("Lead"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown in lists, feeds and link previews."),
    )
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "HTML: paragraphs, headings (h2, h3), lists, bold, italic, quotes and links. "
            "Anything else is removed."
        ),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    regions = RegionCodesField(
        label=_("Regions"),
        required=False,
        help_text=_("Kemendagri codes separated by spaces, e.g. 33 33.17."),
    )
    cover = forms.FileField(
        label=_("Cover photo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP; resized to 1,600 px wide, its metadata (EXIF, GPS) removed."
        ),
    )
    cover_alt = forms.CharField(
        label=_("Photo description (alt text)"), max_length=250, required=False
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        organisations: Any,
        article: Article | None = None,
    ) -> None:
        initial = None
        if article is not None:
            initial = {
                "organisation": article.organisation_id,
                "title": article.title,
                "lead": article.lead,
                "body": article.body,
                "category": article.category,
                "regions": " ".join(r.pk for r in article.regions.all()),
                "cover_alt": article.cover_alt,
            }
        super().__init__(data, files, initial=initial)
        field = cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"])
        field.queryset = organisations
        if article is not None:
            del self.fields["organisation"]

    def data_for_service(self) -> services.ArticleData:
        d = self.cleaned_data
        return services.ArticleData(
            title=d["title"],
            lead=d["lead"],
            body=d["body"],
            category=d["category"],
            regions=d["regions"],
            cover=d.get("cover"),
            cover_alt=d.get("cover_alt", ""),
        )


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs=_LOCAL),
        help_text=_("Empty: now."),
    )
    embargo_until = forms.DateTimeField(
        label=_("Embargo until"),
        required=False,
        widget=forms.DateTimeInput(attrs=_LOCAL),
        help_text=_("Not public before this time, whatever the publication time."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class OrganisationChoiceForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, data: Any = None, *, organisations: Any) -> None:
        super().__init__(data)
        cast(
            "forms.ModelChoiceField[Organisation]", self.fields["organisation"]
        ).queryset = organisations


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=OrganisationKind.choices)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level__lte=2),
        required=False,
        to_field_name="code",
        widget=forms.TextInput,
        help_text=_("Kemendagri code of a province or kab/kota; empty: national."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"]
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this username."))
        return user


class FilterForm(forms.Form):
    """The public list's filters (a plain GET form)."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All"),
    )
    region = forms.CharField(label=_("Region code"), required=False, max_length=13)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Category.choices], required=False
    )
