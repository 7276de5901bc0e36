"""What the partners API takes: a partner's record and an offer's terms checked field by
field, each bad field named with the reason (422), and the query filters of its lists."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sinergi.lib.errors import InvalidInput
from sinergi.lib.text import invisible_character
from sinergi.partners import services
from sinergi.partners.choices import OfferCategory, PartnerKind
from sinergi.partners.models import Offer, Partner
from sinergi.partners.words import instrument_definition
from sinergi.regions.models import Region
from sinergi.registry.choices import LegalityKind, Sector
from sinergi.registry.validation import clean_phone

Errors = dict[str, list[str]]

CONTACTS = ("description", "website", "contact_name", "contact_phone", "contact_email", "address")
OFFER_LISTS = ("levels", "sectors", "legality_required", "legality_missing", "items")
OFFER_FIELDS = (
    "title",
    "category",
    "description",
    "starts_on",
    "ends_on",
    "capacity",
    "min_years",
    "active",
    *OFFER_LISTS,
)

# Line breaks and tabs are what a multi-line text (a description, a note) is made of.
_LINE_BREAKS = str.maketrans("", "", "\n\r\t")


def text(
    errors: Errors,
    field: str,
    value: str,
    *,
    max_length: int | None = None,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """A text as typed, refused (not silently changed) when it holds an invisible character."""
    value = value.strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    if max_length is not None and len(value) > max_length:
        errors.setdefault(field, []).append(
            _("At most %(max)d characters (it has %(length)d).")
            % {"max": max_length, "length": len(value)}
        )
    hidden = invisible_character(value.translate(_LINE_BREAKS) if multiline else value)
    if hidden is not None:
        errors.setdefault(field, []).append(
            _("Contains an invisible character (%(code)s); retype the text without it.")
            % {"code": hidden}
        )
    return value


def codes(
    errors: Errors, field: str, values: Iterable[str], known: Collection[str]
) -> tuple[str, ...]:
    """Codes among the known ones, each once; the unknown ones named."""
    unknown = sorted({v for v in values if v not in known})
    if unknown:
        errors.setdefault(field, []).append(
            _("Unknown: %(unknown)s. Choose among: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known)) or "-"}
        )
    return tuple(sorted({v for v in values if v in known}))


def regions(errors: Errors, field: str, wanted: Iterable[str]) -> tuple[Region, ...]:
    """The regions of the codes, in code order; the codes of none named."""
    ordered = sorted(set(wanted))
    found = {r.pk: r for r in Region.objects.filter(code__in=ordered)}
    missing = [c for c in ordered if c not in found]
    if missing:
        errors.setdefault(field, []).append(
            _("No region has the code %(codes)s.") % {"codes": ", ".join(missing)}
        )
    return tuple(found[c] for c in ordered if c in found)


def _validated(errors: Errors, field: str, value: str, check: Callable[[str], object]) -> str:
    """A value a Django validator accepts (or that a cleaner returns in its usual form)."""
    if value:
        try:
            cleaned = check(value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(str(m) for m in exc.messages)
        else:
            return cleaned if isinstance(cleaned, str) else value
    return value


def _phone(value: str) -> str:
    return clean_phone(value, None)


def partner_values(partner: Partner) -> dict[str, Any]:
    """A partner's record as the API takes it (what a PATCH is laid over)."""
    return {
        **{f: getattr(partner, f) for f in ("name", "kind", *CONTACTS)},
        "region": partner.region_id,
        "serves": [r.pk for r in partner.serves.all()],
    }


def partner_data(values: dict[str, Any]) -> services.PartnerData:
    """A partner's whole record checked field by field (422 naming each bad field)."""
    errors: Errors = {}
    given = {k: values.get(k) or "" for k in ("name", "kind", *CONTACTS)}
    if given["kind"] not in PartnerKind.values:
        codes(errors, "kind", [given["kind"]], PartnerKind.values)
    region = values.get("region")
    mapped_in = regions(errors, "region", [region]) if region is not None else ()
    data = services.PartnerData(
        name=text(errors, "name", given["name"], max_length=200, required=True),
        kind=given["kind"],
        region=mapped_in[0] if mapped_in else None,
        serves=regions(errors, "serves", values.get("serves") or ()),
        description=text(errors, "description", given["description"], multiline=True),
        website=_validated(
            errors,
            "website",
            text(errors, "website", given["website"], max_length=200),
            URLValidator(schemes=["http", "https"]),
        ),
        contact_name=text(errors, "contact_name", given["contact_name"], max_length=150),
        contact_phone=_validated(
            errors, "contact_phone", text(errors, "contact_phone", given["contact_phone"]), _phone
        ),
        contact_email=_validated(
            errors,
            "contact_email",
            text(errors, "contact_email", given["contact_email"], max_length=254),
            validate_email,
        ),
        address=text(errors, "address", given["address"], max_length=255),
    )
    if errors:
        raise InvalidInput(errors)
    return data


def offer_values(offer: Offer) -> dict[str, Any]:
    """An offer's terms as the API takes them (what a PATCH is laid over)."""
    return {
        **{f: getattr(offer, f) for f in OFFER_FIELDS},
        "regions": [r.pk for r in offer.regions.all()],
    }


def offer_data(values: dict[str, Any]) -> services.OfferData:
    """An offer's whole terms checked field by field, then as a whole
    (services.offer_problems); 422 naming each bad field. Levels and items are those of the
    instrument new results are scored with."""
    errors: Errors = {}
    definition = instrument_definition()
    known: dict[str, Collection[str]] = {
        "levels": [lv.code for lv in definition.levels] if definition else [],
        "sectors": Sector.values,
        "legality_required": LegalityKind.values,
        "legality_missing": LegalityKind.values,
        "items": [q.code for q in definition.questions] if definition else [],
    }
    lists = {name: codes(errors, name, values.get(name) or (), known[name]) for name in known}
    category = values.get("category") or ""
    if category not in OfferCategory.values:
        codes(errors, "category", [category], OfferCategory.values)
    min_years = values.get("min_years") or 0
    if not 0 <= min_years <= 100:
        errors.setdefault("min_years", []).append(_("Give a number of years from 0 to 100."))
    data = services.OfferData(
        title=text(errors, "title", values.get("title") or "", max_length=200, required=True),
        category=category,
        description=text(errors, "description", values.get("description") or "", multiline=True),
        regions=regions(errors, "regions", values.get("regions") or ()),
        starts_on=values.get("starts_on"),
        ends_on=values.get("ends_on"),
        capacity=values.get("capacity"),
        min_years=min_years,
        active=values.get("active") is not False,
        **lists,
    )
    for field, messages in services.offer_problems(data).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise InvalidInput(errors)
    return data


# --- Query filters: a bad value is a 422 naming the parameter ------------------------------


def param(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or "").strip()


def yes_no(request: HttpRequest, name: str) -> bool | None:
    value = param(request, name).lower()
    if not value:
        return None
    if value not in ("true", "false"):
        raise InvalidInput({name: [_("%(name)s must be true or false.") % {"name": name}]})
    return value == "true"


def row_id(request: HttpRequest, name: str) -> int | None:
    value = param(request, name)
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput({name: [_("%(name)s must be an id (a whole number).") % {"name": name}]})
    return int(value)


def choice(request: HttpRequest, name: str, choices: Collection[str]) -> str | None:
    value = param(request, name)
    if value and value not in choices:
        raise InvalidInput(
            {
                name: [
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": value, "choices": ", ".join(choices)}
                ]
            }
        )
    return value or None
