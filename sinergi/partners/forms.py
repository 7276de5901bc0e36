"""The web forms of the partners app. Each checks its fields and gives the service's data
(services.PartnerData, AgreementData, OfferData, lifecycle.Step); rules that need the
database or the whole record are the services', whose refusals come back by field."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.forms import UserForm
from sinergi.accounts.models import User
from sinergi.accounts.scoping import may_map_in, root_regions
from sinergi.partners import services
from sinergi.partners.choices import (
    AgreementKind,
    AgreementStatus,
    OfferCategory,
    PartnerKind,
    ReferralStatus,
)
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Agreement, Offer, Partner
from sinergi.partners.words import instrument_definition, language
from sinergi.regions.choices import Level
from sinergi.regions.codes import normalise
from sinergi.regions.models import Region
from sinergi.registry.choices import LegalityKind, Sector
from sinergi.registry.fields import DateField
from sinergi.registry.models import Actor
from sinergi.registry.queries import BadFilter, filter_actors

Acting = User | AnonymousUser
ALL = [("", _("All"))]


def refused_into(form: forms.Form, refused: services.Refused) -> None:
    """A service's refusal shown on the form, by field (others above the form)."""
    for name, messages in refused.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class RegionCodesField(forms.CharField):
    """Region codes typed with spaces or commas between them (33.17, 33.17.04 ...), each
    one that exists; the regions come back in the order typed."""

    def clean(self, value: Any) -> tuple[Region, ...]:
        text = super().clean(value) or ""
        codes = [c for c in text.replace(",", " ").split() if c]
        normal = [normalise(c) for c in codes]
        found = Region.objects.in_bulk([c for c in normal if c])
        unknown = [raw for raw, code in zip(codes, normal, strict=True) if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown region codes: %(codes)s."), params={"codes": ", ".join(unknown)}
            )
        return tuple(found[c] for c in dict.fromkeys(normal))


def _choose(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    """Set the choices of a choice field known only when the form is made."""
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def _codes(regions: Any) -> str:
    return " ".join(r.pk for r in regions)


# The plain fields of a partner and an offer (the regions and lists apart), as the services
# name them.
PARTNER_FIELDS = tuple(
    f.name for f in fields(services.PartnerData) if f.name not in ("region", "serves")
)
OFFER_LISTS = ("levels", "sectors", "legality_required", "legality_missing", "items")
OFFER_FIELDS = tuple(
    f.name for f in fields(services.OfferData) if f.name not in ("regions", *OFFER_LISTS)
)


def mapping_regions(user: Acting) -> list[tuple[str, str]]:
    """Where the user may map partners: the nation ("") for the national programme, and the
    provinces and kab/kota within her regions."""
    roots = root_regions(user)
    rows = Region.objects.filter(level__in=(Level.PROVINCE, Level.REGENCY))
    if roots is not None:
        inside = Q(pk__in=[])
        for code in roots:
            inside |= Q(code=code) | Q(code__startswith=f"{code}.")
        rows = rows.filter(inside)
    choices = [(r.code, f"{r.code} {r.name}") for r in rows if may_map_in(user, r.code)]
    if may_map_in(user, None):
        choices.insert(0, ("", str(_("National (the whole country)"))))
    return choices


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=PartnerKind.choices)
    region = forms.ChoiceField(
        label=_("Mapped in"),
        required=False,
        help_text=_("Nationally by the ministry, or in a province or kab/kota by its Dinas."),
    )
    serves = RegionCodesField(
        label=_("Regions served"),
        required=False,
        help_text=_("Region codes separated by spaces, e.g. 33.17 33.24; empty: everywhere."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    contact_name = forms.CharField(label=_("Contact person"), max_length=150, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args: Any, user: Acting, partner: Partner | None = None, **kw: Any):
        if partner is not None and not args:
            kw["initial"] = {
                **{f: getattr(partner, f) for f in PARTNER_FIELDS},
                "region": partner.region_id or "",
                "serves": _codes(partner.serves.all()),
            }
        super().__init__(*args, **kw)
        choices = mapping_regions(user)
        _choose(self, "region", choices)
        self.fields["region"].required = bool(choices) and choices[0][0] != ""

    def data_for_service(self) -> services.PartnerData:
        data = self.cleaned_data
        return services.PartnerData(
            **{f: data[f] for f in PARTNER_FIELDS},
            region=Region.objects.get(pk=data["region"]) if data["region"] else None,
            serves=data["serves"],
        )


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=AgreementKind.choices)
    number = forms.CharField(label=_("Number"), max_length=100)
    parties = forms.CharField(label=_("Parties"), max_length=255)
    signed_on = DateField(label=_("Signed on"))
    starts_on = DateField(label=_("Valid from"))
    ends_on = DateField(label=_("Valid until"), required=False)
    document = forms.FileField(
        label=_("Signed document (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def data_for_service(self) -> services.AgreementData:
        return services.AgreementData(**self.cleaned_data)


def _level_choices() -> list[tuple[str, str]]:
    definition = instrument_definition()
    lang = language()
    return [(lv.code, lv.label.get(lang)) for lv in definition.levels] if definition else []


def _item_choices() -> list[tuple[str, str]]:
    definition = instrument_definition()
    lang = language()
    return [(q.code, q.label.get(lang)) for q in definition.questions] if definition else []


def _checkboxes(label: Any, choices: Any = (), help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class OfferForm(forms.Form):
    """An offer's terms; its eligibility as data, with the levels and items of the current
    instrument."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=OfferCategory.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    regions = RegionCodesField(
        label=_("Regions"),
        required=False,
        help_text=_("Region codes separated by spaces; empty: wherever the partner works."),
    )
    starts_on = DateField(label=_("From"), required=False)
    ends_on = DateField(label=_("Until"), required=False)
    capacity = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, help_text=_("Empty: no limit.")
    )
    levels = _checkboxes(_("Levels"), help_text=_("None ticked: every level."))
    sectors = _checkboxes(_("Sectors"), Sector.choices, _("None ticked: every sector."))
    legality_required = _checkboxes(_("Legality required"), LegalityKind.choices)
    legality_missing = _checkboxes(
        _("Legality it helps to get"),
        LegalityKind.choices,
        _("For actors who lack at least one of these."),
    )
    min_years = forms.IntegerField(
        label=_("Minimum years in business"), min_value=0, max_value=100, initial=0
    )
    items = _checkboxes(
        _("Instrument items it answers"),
        help_text=_("Matching ranks the offer by the weak items of an actor it answers."),
    )
    active = forms.BooleanField(label=_("Open"), required=False, initial=True)

    def __init__(self, *args: Any, offer: Offer | None = None, **kw: Any) -> None:
        if offer is not None and not args:
            kw["initial"] = {
                **{f: getattr(offer, f) for f in OFFER_FIELDS},
                **{f: list(getattr(offer, f)) for f in OFFER_LISTS},
                "regions": _codes(offer.regions.all()),
            }
        super().__init__(*args, **kw)
        _choose(self, "levels", _level_choices())
        _choose(self, "items", _item_choices())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            for name, messages in services.offer_problems(self.data_for_service()).items():
                for message in messages:
                    self.add_error(name, message)
        return data

    def data_for_service(self) -> services.OfferData:
        data = dict(self.cleaned_data)
        for name in OFFER_LISTS:
            data[name] = tuple(data[name])
        return services.OfferData(**data)


class StaffForm(UserForm):
    """An account for a partner's staff: a user with no programme role, bound to the partner."""

    manages_webhooks = forms.BooleanField(
        label=_("Manages webhooks"),
        required=False,
        help_text=_("May register the partner's webhooks and read their deliveries."),
    )


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=ALL + PartnerKind.choices, required=False)
    level = forms.ChoiceField(
        label=_("Mapped at"),
        required=False,
        choices=[
            *ALL,
            ("national", _("National")),
            ("province", _("Province")),
            ("regency", _("Kab/kota")),
        ],
    )
    standing = forms.ChoiceField(
        label=_("Agreement"),
        required=False,
        choices=[*ALL, ("potential", _("Potential")), ("active", _("With an active agreement"))],
    )

    def apply(self, partners: QuerySet[Partner]) -> QuerySet[Partner]:
        data = self.cleaned_data
        active = Agreement.objects.filter(partner=OuterRef("pk"), status=AgreementStatus.ACTIVE)
        partners = partners.annotate(has_agreement=Exists(active))
        if data["q"]:
            partners = partners.filter(name__icontains=data["q"].strip())
        if data["kind"]:
            partners = partners.filter(kind=data["kind"])
        if data["level"] == "national":
            partners = partners.filter(region__isnull=True)
        elif data["level"]:
            level = Level.PROVINCE if data["level"] == "province" else Level.REGENCY
            partners = partners.filter(region__level=level)
        if data["standing"]:
            partners = partners.filter(has_agreement=data["standing"] == "active")
        return partners


class MatchFilterForm(forms.Form):
    """Which actors to match: a region in the user's scope (a kecamatan or desa), the level
    of the latest counted result, the sector, a legality item she lacks, a name, or one
    actor."""

    region = forms.CharField(label=_("Region code"), max_length=13, required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=ALL + Sector.choices, required=False)
    missing = forms.ChoiceField(
        label=_("Without"), choices=ALL + LegalityKind.choices, required=False
    )
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    actor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choose(self, "level", [*ALL, *_level_choices()])

    def apply(self, actors: QuerySet[Actor]) -> QuerySet[Actor]:
        """The actors chosen (an invalid filter: none, with the error on its field)."""
        data = self.cleaned_data
        try:
            found = filter_actors(
                actors,  # type: ignore[arg-type]  # a ScopedQuerySet, from visible_to
                {k: data[k] for k in ("region", "level", "sector", "q")},
            )
        except BadFilter as bad:
            self.add_error(bad.field, str(bad))
            return actors.none()
        if data["missing"]:
            found = found.exclude(legality_items__kind=data["missing"])
        if data["actor"]:
            found = found.filter(pk=data["actor"])
        return found


class IdsField(forms.Field):
    """Ids ticked in a list (checkboxes of one name)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = list(value or [])
        if not all(str(v).isdigit() for v in values):
            raise forms.ValidationError(_("Choose actors from the list."), code="invalid")
        return [int(v) for v in values]


class BatchForm(forms.Form):
    """The actors ticked, or (`everyone`) every actor the filters choose."""

    actors = IdsField(required=False)
    note = forms.CharField(label=_("Note to the partners"), required=False, max_length=1000)
    everyone = forms.BooleanField(required=False)


class ProposeForm(forms.Form):
    actor = forms.IntegerField(min_value=1)
    offer = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=1000)


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=ALL + ReferralStatus.choices, required=False
    )
    partner = forms.TypedChoiceField(label=_("Partner"), coerce=int, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=ALL + OfferCategory.choices, required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, partners: QuerySet[Partner], **kw: Any) -> None:
        super().__init__(*args, **kw)
        _choose(self, "partner", [*ALL, *((p.pk, p.name) for p in partners)])


class StepForm(forms.Form):
    """What comes with one step of a referral's lifecycle (the lifecycle's rules decide
    what each step needs)."""

    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)
    date = DateField(label=_("Date served"), required=False)
    amount = forms.IntegerField(label=_("Amount (Rp)"), required=False, min_value=0)

    def step(self, to: str) -> Step:
        data = self.cleaned_data
        return Step(to=to, reason=data["reason"], amount=data["amount"], date=data["date"])
