"""What the privacy app subscribes to: the consent history follows every write of an actor's
consents, inside the writer's transaction, and actor exports leave out anyone who withdrew
her consent to the programme. It announces one thing: an erasure under way, so that the
apps above it that keep text about her clean it in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sinergi.lib.events import event

if TYPE_CHECKING:
    from sinergi.registry.models import Actor


class Section(NamedTuple):
    """A part of her subject-access report kept by another app: a title, the column
    headings, and one row of plain values per item (JSON and PDF alike)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


# Where apps above privacy add what they hold about her to the subject-access report
# (filled at start-up): partners adds the referrals that shared her data with partners.
report_sections: list[Callable[[Actor], Section]] = []

# Scrubs text or JSON of identifiers: (value, identifiers, pseudonym) -> value.
Scrub = Callable[[object, Sequence[str], str], object]


@event
def erasing(actor: Actor, needles: Sequence[str], pseudonym: str, scrub: Scrub, /) -> None:
    """Her erasure is under way (privacy.services.erase_actor, inside its transaction, before
    her record is pseudonymised): every identifier in `needles` must be replaced by
    `pseudonym` (with `scrub`) wherever an app keeps text about her. Subscribers:
    sinergi.partners.erasure.on_erasing (referral notes, reasons and outcomes, webhook
    delivery bodies, the audit rows of her referrals)."""


def subscribe() -> None:
    """Wired at start-up (PrivacyConfig.ready)."""
    from sinergi.privacy import services
    from sinergi.registry import events as registry

    registry.consent_written.subscribe(services.on_consent)
    if services.without_withdrawn not in registry.export_filters:
        registry.export_filters.append(services.without_withdrawn)
