"""The rules behind actor validation, one set for the web form, the API and imports.

Field rules take one field's parsed value. Record checks ask a `Lookups` for what the
database knows: `DatabaseLookups` asks per question (one record: the web form, the API),
`ChunkLookups` answers from memory after one query per kind for a whole chunk of records
(imports). The same functions decide either way, so a record gets the same errors and
warnings whichever door it comes through.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership, User
from sinergi.accounts.scoping import may_create_actor_in
from sinergi.lib.crypto import decrypt, lookup_hash
from sinergi.lib.scope import Do, allowed
from sinergi.lib.text import invisible_character
from sinergi.regions.choices import Level
from sinergi.regions.codes import ancestors, normalise
from sinergi.regions.models import Region
from sinergi.registry import conflicts, rules
from sinergi.registry.choices import LegalityKind, Status
from sinergi.registry.models import Actor

_PHONE = re.compile(r"^\+?\d{8,15}$")
_IN_BATCH = 500  # parameters per IN (...): below every backend's limit


def explain(problem: rules.Problem) -> str:
    """A rule's problem in the reader's language."""
    return _t(problem.text) % problem.params if problem.params else _t(problem.text)


def today() -> date:
    """date.today(), which reads the local time zone each time (about 3 µs, and a chunk of
    records asks four times a record), looked up once a second: offsets from UTC are whole
    seconds, so the local date only changes on a whole second."""
    return _date_at(int(time.time()))


@functools.lru_cache(maxsize=1)
def _date_at(second: int) -> date:
    return date.fromtimestamp(second)


def name_key(name: str) -> str:
    """Case- and space-insensitive form of a name, for duplicate detection."""
    return " ".join(name.lower().split())


# Field rules: each runs after the form field's own parsing, on its cleaned value.


def clean_nik(nik: str, instance: Actor | None) -> str:
    nik = nik.strip().replace(" ", "")
    if not nik and instance is None:
        raise forms.ValidationError(_("NIK is required."), code="required")
    return nik


def clean_text(text: str, instance: Actor | None) -> str:
    """Names and descriptions are refused, not silently changed, when they hold a character
    nobody can see (a right-to-left override, a zero-width space)."""
    hidden = invisible_character(text)
    if hidden is not None:
        raise forms.ValidationError(
            _("Contains an invisible character (%(code)s); retype the text without it."),
            params={"code": hidden},
        )
    return text


def clean_phone(phone: str, instance: Actor | None) -> str:
    phone = re.sub(r"[\s-]", "", phone)
    if phone and not _PHONE.match(phone):
        raise forms.ValidationError(_("Phone must be 8 to 15 digits, optionally starting with +."))
    return phone


def clean_birth_date(born: date, instance: Actor | None) -> date:
    now = today()
    if born > now:
        raise forms.ValidationError(_("Birth date cannot be in the future."))
    if born.year < now.year - 110:
        raise forms.ValidationError(_("Birth date is more than 110 years ago."))
    return born


def clean_year_started(year: int | None, instance: Actor | None) -> int | None:
    if year is not None and year > today().year:
        raise forms.ValidationError(_("Year started cannot be in the future."))
    return year


def clean_consent_date(when: date | None, instance: Actor | None) -> date | None:
    if when is not None and when > today():
        raise forms.ValidationError(_("Consent date cannot be in the future."))
    return when


def clean_village_code(raw: str, instance: Actor | None) -> str:
    """The code's shape only; whether the village exists and is in reach: resolve_village."""
    code = normalise(raw)
    if not code or code.count(".") != 3:
        raise forms.ValidationError(
            _("'%(code)s' is not a village code (format 33.17.04.2001)."), params={"code": raw}
        )
    return code


def clean_facilitator(username: str, instance: Actor | None) -> str:
    return username.strip()


FIELD_RULES: dict[str, Callable[[Any, Actor | None], Any]] = {
    "nik": clean_nik,
    "name": clean_text,
    "address": clean_text,
    "business_name": clean_text,
    "products": clean_text,
    "phone": clean_phone,
    "birth_date": clean_birth_date,
    "year_started": clean_year_started,
    "consent_date": clean_consent_date,
    "village_code": clean_village_code,
    "facilitator": clean_facilitator,
}


@dataclass(frozen=True)
class Facilitator:
    """An active user with a facilitator role, and the regions of those roles."""

    user: User
    regions: tuple[str | None, ...]


class Lookups(Protocol):
    """What the record checks need to know from the database."""

    def hash_of(self, nik: str) -> str:
        """The NIK's lookup hash, computed once however often it is asked for."""
        ...

    def village(self, code: str) -> Region | None: ...

    def actor_with_nik(self, nik: str) -> Actor | None: ...

    def region_exists(self, code: str) -> bool: ...

    def twin(self, key: str, born: date, village_code: str, exclude: int | None) -> Actor | None:
        """The first actor (by name, id) with this name key, birth date and village."""
        ...

    def facilitator(self, username: str) -> Facilitator | None: ...


def facilitators(usernames: Collection[str] | None = None) -> dict[str, Facilitator]:
    """Active facilitators by username: those named, or all of them (None)."""
    found: dict[str, list[Membership]] = {}
    memberships = Membership.objects.filter(role=Role.FACILITATOR, user__is_active=True)
    if usernames is not None:
        memberships = memberships.filter(user__username__in=usernames)
    for membership in memberships.select_related("user"):
        found.setdefault(membership.user.username, []).append(membership)
    return {
        name: Facilitator(ms[0].user, tuple(m.region_id for m in ms)) for name, ms in found.items()
    }


class _HashedOnce:
    """`hash_of` for the lookups below: each NIK hashed once, kept in `hashes`."""

    hashes: dict[str, str]

    def hash_of(self, nik: str) -> str:
        if nik not in self.hashes:
            self.hashes[nik] = lookup_hash(nik)
        return self.hashes[nik]


class DatabaseLookups(_HashedOnce):
    """One query per question asked: for checking one record."""

    def __init__(self) -> None:
        self.hashes: dict[str, str] = {}

    def village(self, code: str) -> Region | None:
        return Region.objects.filter(code=code, level=Level.VILLAGE).first()

    def actor_with_nik(self, nik: str) -> Actor | None:
        return Actor.objects.filter(nik_hash=self.hash_of(nik)).first()

    def region_exists(self, code: str) -> bool:
        return Region.objects.filter(code=code).exists()

    def twin(self, key: str, born: date, village_code: str, exclude: int | None) -> Actor | None:
        twins = Actor.objects.within(village_code).filter(name_key=key, birth_date=born)
        return (twins.exclude(pk=exclude) if exclude is not None else twins).first()

    def facilitator(self, username: str) -> Facilitator | None:
        return facilitators([username]).get(username)


# Plain SQL where the ORM's `field__in=[...]` spends about 5 µs per value preparing a
# list that SQLite answers in under 1 µs per value.
_TWINS = (
    "SELECT id, name, name_key, birth_date, village_id "  # noqa: S608 - names from the model
    f"FROM {Actor._meta.db_table} WHERE name_key IN"
)


def actor_ids(hashes: Collection[str]) -> dict[str, int]:
    """Ids of the actors with these NIK hashes, by hash (plain SQL, see _TWINS)."""
    table, column = Actor._meta.db_table, Actor._meta.get_field("nik_hash").column
    quote = connection.ops.quote_name
    found: dict[str, int] = {}
    keys = list(hashes)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), _IN_BATCH):
            batch = keys[start : start + _IN_BATCH]
            cursor.execute(
                f"SELECT {quote(column)}, id FROM {quote(table)} "  # noqa: S608 - names from the model
                f"WHERE {quote(column)} IN ({', '.join(['%s'] * len(batch))})",
                batch,
            )
            found.update(cursor.fetchall())
    return found


def district_codes() -> frozenset[str]:
    """Every district code, the region part of a NIK (about 7,300: read once per import)."""
    return frozenset(
        Region.objects.filter(level=Level.DISTRICT).values_list("code", flat=True).iterator()
    )


Person = tuple[str, date, str]  # name key, birth date, village code


def _twins(people: Collection[Person]) -> dict[Person, list[Actor]]:
    """Registered actors by the person (of these) they are, each list in (name, id) order."""
    twins: dict[Person, list[Actor]] = {}
    # By name key alone, the first column of actor_dedup, the rest checked here: with birth
    # dates and villages in the query too, it takes four times as long. The twins of one
    # person share a key, so each list is in (name, id) order.
    keys = list({person[0] for person in people})
    for start in range(0, len(keys), _IN_BATCH):
        batch = keys[start : start + _IN_BATCH]
        for twin in Actor.objects.raw(
            f"{_TWINS} ({', '.join(['%s'] * len(batch))}) ORDER BY name, id", batch
        ):
            person = (twin.name_key, twin.birth_date, twin.village_id)
            if person in people:
                twins.setdefault(person, []).append(twin)
    return twins


@dataclass
class ChunkLookups(_HashedOnce):
    """Answers for a whole chunk of records, each kind read with one query by `load`."""

    villages: dict[str, Region]
    actors: dict[str, Actor | None]  # by clear NIK (memory only); None: none registered
    hashes: dict[str, str]  # lookup hash by clear NIK, for every NIK of the chunk
    districts: Collection[str]
    twins: dict[Person, list[Actor]] = field(default_factory=dict)
    facilitators: dict[str, Facilitator] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        *,
        village_codes: Collection[str],
        niks: Collection[str],
        people: Collection[Person],
        usernames: Collection[str],
        districts: Collection[str] | None = None,
        known_actors: Mapping[str, Actor | None] | None = None,
        known_hashes: Mapping[str, str] | None = None,
        villages: dict[str, Region] | None = None,
    ) -> ChunkLookups:
        """`known_actors` (by NIK) were already read by the caller and `known_hashes` (by NIK)
        computed: neither is done again. `villages` is the caller's cache of villages by code,
        kept across chunks: the codes it lacks are read and added to it."""
        actors: dict[str, Actor | None] = dict(known_actors or {})
        hashes = dict(known_hashes or {})
        for nik in niks:
            if nik not in hashes:
                hashes[nik] = lookup_hash(nik)
        unknown = {hashes[nik]: nik for nik in niks if nik not in actors}
        actors.update(dict.fromkeys(unknown.values()))
        found = actor_ids(unknown)
        if found:
            for actor in Actor.objects.filter(pk__in=found.values()).only(
                "id", "nik_hash", "name", "village_id", "facilitator_id"
            ):
                actors[unknown[actor.nik_hash]] = actor
        known = {} if villages is None else villages
        missing = [code for code in village_codes if code not in known]
        if missing:
            # By code alone, the level checked here: with the level in the query, SQLite
            # walks the level index through all 84,000 villages.
            for region in Region.objects.filter(code__in=missing):
                if region.level == Level.VILLAGE:
                    known[region.code] = region
        return cls(
            villages=known,
            actors=actors,
            hashes=hashes,
            districts=district_codes() if districts is None else districts,
            twins=_twins(people),
            facilitators=facilitators(usernames) if usernames else {},
        )

    @classmethod
    def twins_only(cls, people: Collection[Person]) -> ChunkLookups:
        """Lookups that know the twins of these people, and nothing else."""
        return cls(villages={}, actors={}, hashes={}, districts=(), twins=_twins(people))

    def village(self, code: str) -> Region | None:
        return self.villages.get(code)

    def actor_with_nik(self, nik: str) -> Actor | None:
        return self.actors[nik]

    def region_exists(self, code: str) -> bool:
        return code in self.districts

    def twin(self, key: str, born: date, village_code: str, exclude: int | None) -> Actor | None:
        for twin in self.twins.get((key, born, village_code), ()):
            if twin.pk != exclude:
                return twin
        return None

    def facilitator(self, username: str) -> Facilitator | None:
        return self.facilitators.get(username)


@dataclass
class PreloadedLookups(_HashedOnce):
    """Answers for records of new actors from what a job read before its worker process
    started (see collect.imports), so that the worker checks them without the database.

    Every village and district, and every active facilitator, are read once per job. The
    worker only sees NIKs the job has not yet matched to an actor: the job checks them
    against the database itself, and sends a record whose NIK is registered through the
    checks again, as an edit. Twins are answered by the job once the previous chunk is
    written: twin() says none, and keeps in `asked` the person it was asked about (the
    caller clears it before each record).
    """

    villages: Mapping[str, tuple[str, str | None, str]]  # code -> name, parent, release
    districts: Collection[str]
    facilitators: Mapping[str, Facilitator]
    hashes: dict[str, str] = field(default_factory=dict)
    asked: Person | None = None
    _regions: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def load(cls) -> PreloadedLookups:
        villages = Region.objects.filter(level=Level.VILLAGE).values_list(
            "code", "name", "parent_id", "release"
        )
        return cls(
            villages={code: rest for code, *rest in villages.iterator()},  # type: ignore[misc]
            districts=district_codes(),
            facilitators=facilitators(),
        )

    def village(self, code: str) -> Region | None:
        region = self._regions.get(code)
        if region is None and code in self.villages:
            name, parent, release = self.villages[code]
            region = self._regions[code] = Region(
                code=code, name=name, level=Level.VILLAGE, parent_id=parent, release=release
            )
        return region

    def actor_with_nik(self, nik: str) -> Actor | None:
        return None

    def region_exists(self, code: str) -> bool:
        return code in self.districts

    def twin(self, key: str, born: date, village_code: str, exclude: int | None) -> Actor | None:
        self.asked = (key, born, village_code)
        return None

    def facilitator(self, username: str) -> Facilitator | None:
        return self.facilitators.get(username)


def resolve_village(
    code: str, *, user: User | AnonymousUser, instance: Actor | None, lookups: Lookups
) -> Region:
    """The village a well-formed code names, if it exists and the user may register there.

    An edit may keep an actor in the village she is already in.
    """
    village = lookups.village(code)
    if village is None:
        raise forms.ValidationError(
            _("Village code %(code)s does not exist."), params={"code": code}
        )
    if not may_create_actor_in(user, code) and not (
        instance is not None and instance.village_id == code
    ):
        raise forms.ValidationError(
            _("Village %(code)s is outside your region."), params={"code": code}
        )
    return village


def resolve_facilitator(username: str, lookups: Lookups) -> Facilitator | None:
    """A named facilitator must be an active user with a facilitator role (blank: none)."""
    if not username:
        return None
    found = lookups.facilitator(username)
    if found is None:
        raise forms.ValidationError(
            _("%(name)s is not an active facilitator."), params={"name": username}
        )
    return found


@dataclass
class Findings:
    """What the record checks found: errors by field, warnings, and the actors behind them."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    existing_actor: Actor | None = None
    possible_duplicate: Actor | None = None
    # An actor outside the user's scope who holds the record's NIK: told (and audited) only
    # when the record is otherwise valid, see registry.conflicts.
    conflict: Actor | None = None


def check_record(
    data: dict[str, Any],
    *,
    user: User | AnonymousUser,
    instance: Actor | None,
    village: Region | None,
    facilitator: Facilitator | None,
    lookups: Lookups,
    warn_duplicates: bool,
    fields_valid: bool,
) -> Findings:
    """Checks across fields of a record whose fields parsed (those that failed are absent).

    A blank status keeps the stored one (new: active). The NIK must agree with sex and birth
    date and be nobody else's; a kept NIK must still agree with a changed sex or birth date.
    A facilitator must work above the village. Unless told not to, a record that is
    otherwise valid warns of an actor with the same name, birth date and village.
    """
    found = Findings()
    if not data.get("status"):
        data["status"] = instance.status if instance else Status.ACTIVE.value
    if data.get("nik"):
        _check_nik(data["nik"], data, found, user=user, instance=instance, lookups=lookups)
    elif instance is not None and "nik" in data:
        nik = decrypt(instance.nik_encrypted)
        _check_nik(nik, data, found, user=user, instance=None, lookups=None)
    if village is not None and facilitator is not None:
        reach = ancestors(village.code)
        if not any(region is None or region in reach for region in facilitator.regions):
            found.errors.append(
                ("facilitator", _t("This facilitator does not work in the village's region."))
            )
    if found.conflict is not None and fields_valid and not found.errors:
        found.existing_actor = found.conflict
        found.errors.append(
            (
                "nik",
                _t(
                    "An actor with this NIK is already registered in another region; ask its "
                    "regency officer."
                ),
            )
        )
        conflicts.record_conflict(user=user, actor=found.conflict, channel="registration")
    if (
        warn_duplicates
        and fields_valid
        and not found.errors
        and not data.get("confirm_duplicate")
        and data.get("name")
        and data.get("birth_date")
        and village is not None
    ):
        twin = lookups.twin(
            name_key(data["name"]),
            data["birth_date"],
            village.code,
            instance.pk if instance is not None else None,
        )
        if twin is not None:
            found.possible_duplicate = twin
            found.warnings.append(twin_warning(twin))
    return found


def twin_warning(twin: Actor) -> str:
    """The warning for a record whose name, birth date and village are already registered."""
    return _t(
        "Possible duplicate: %(name)s (#%(id)s) has the same name, birth date and village."
    ) % {"name": twin.name, "id": twin.pk}


def _check_nik(
    nik: str,
    data: dict[str, Any],
    found: Findings,
    *,
    user: User | AnonymousUser,
    instance: Actor | None,
    lookups: Lookups | None,
) -> None:
    """Without lookups, only the NIK's agreement with the record (a kept NIK)."""
    check = rules.check_nik(
        nik, sex=data.get("sex"), birth_date=data.get("birth_date"), today=today()
    )
    found.errors.extend(("nik", explain(problem)) for problem in check.errors)
    if not check.ok or lookups is None:
        return
    existing = lookups.actor_with_nik(nik)
    if existing is not None and (instance is None or existing.pk != instance.pk):
        if not allowed(user, Do.VIEW, existing):
            found.conflict = existing
            return
        found.existing_actor = existing
        message = _t("An actor with this NIK is already registered: %(name)s (#%(id)s).") % {
            "name": existing.name,
            "id": existing.pk,
        }
        found.errors.append(("nik", message))
        return
    if not lookups.region_exists(check.region_prefix):
        found.warnings.append(
            _t("NIK region %(code)s is not in the current region list (it may be an old code).")
            % {"code": check.region_prefix}
        )


def check_legality(data: dict[str, Any]) -> list[tuple[str, str]]:
    """One legality item: NIB and P-IRT numbers in their formats (P-IRT normalised in place),
    and dates in order and not in the future."""
    problems: list[tuple[str, str]] = []
    kind, number = data.get("kind"), (data.get("number") or "").strip()
    if kind == LegalityKind.NIB and number:
        reason = rules.check_nib(number)
        if reason:
            problems.append(("number", explain(reason)))
    elif kind == LegalityKind.PIRT and number:
        digits, reason = rules.normalise_pirt(number)
        if reason:
            problems.append(("number", explain(reason)))
        else:
            number = rules.format_pirt(digits)
    data["number"] = number
    issued, expires = data.get("issued_on"), data.get("expires_on")
    if issued and expires and expires < issued:
        problems.append(("expires_on", _t("Expiry date is before the issue date.")))
    if issued and issued > today():
        problems.append(("issued_on", _t("Issue date cannot be in the future.")))
    return problems
