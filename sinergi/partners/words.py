"""Matches and referrals in words: the reasons of a match, told with the instrument's own
labels in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.assessments.instrument.definition import Definition
from sinergi.assessments.services import compiled, current_instrument
from sinergi.registry.choices import LegalityKind


def language() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def instrument_definition() -> Definition | None:
    """The definition whose labels name the items (the instrument new results use)."""
    instrument = current_instrument()
    return compiled(instrument).definition if instrument else None


def _item_label(definition: Definition | None, code: str, lang: str) -> str:
    if definition is not None:
        for question in definition.questions:
            if question.code == code:
                return question.label.get(lang)
    return code


def reason_text(reason: Mapping[str, Any], definition: Definition | None) -> str:
    """One reason of a match (a matching.Reason as a dict) in words."""
    kind, item = reason["kind"], reason.get("item", "")
    lang = language()
    if kind == "legality":
        return _("Has no %(item)s yet; the offer helps to get it.") % {
            "item": LegalityKind(item).label if item in LegalityKind.values else item
        }
    if kind == "fit":
        return _("Fits her level and sector; answers none of her weak items.")
    values = {
        "item": _item_label(definition, item, lang),
        "current": reason.get("current", 0),
        "next": reason.get("next", 0),
    }
    if kind == "gate":
        return (
            _(
                "Answers %(item)s (score %(current)s → %(next)s), which holds her back "
                "from the next level."
            )
            % values
        )
    return _("Answers %(item)s (score %(current)s → %(next)s).") % values


def reasons_text(reasons: Iterable[Mapping[str, Any]], definition: Definition | None) -> list[str]:
    return [reason_text(r, definition) for r in reasons]
