"""How rows reach a region: the one mechanism behind `Model.objects.visible_to(user, action)`.

A scoped model declares once, as a `Reach` in its class attribute `reach`, which of its
fields place a row in the region tree, and, where relevant, which field names the
facilitator whose caseload it belongs to and which the user who made it. Its manager comes
from `ScopedQuerySet`. Who may do what where (roles, memberships) is not decided here: the
rules live in `sinergi.accounts.scoping`, which registers them at start-up with `use_rules`,
so that this lower layer, and the lower apps whose models are scoped (audit), import nothing
from above.
"""

from __future__ import annotations

import enum
import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, Self, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet

# The user a read or a write is done for: a signed-in user or an anonymous visitor.
Principal = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)


class Do(enum.Enum):
    """What a caller wants to do with scoped rows."""

    VIEW = "view"
    CHANGE = "change"
    REVEAL_NIK = "reveal_nik"
    ANSWER_SUBJECT = "answer_subject"  # a data subject's requests (UU PDP), for the controller
    VERIFY = "verify"
    READ_AUDIT = "read_audit"
    ADMINISTER = "administer"  # the national programme: model regions, instruments, re-scores


@dataclass(frozen=True)
class Reach:
    """How a model's rows reach a region, declared once per model.

    `levels`: one field per region level, province first (province, regency, district,
    village), each holding that level's code, so a scope at any level is one equality.
    `code`: instead, one field holding a dotted region code, matched with everything below
    it ("" means the whole country). `caseload`: the field naming the facilitator whose
    caseload the row is in. `owner`: the field naming the user who made the row (she always
    sees it). `reads_need`: the action that viewing the rows needs (raw answers need the
    right to change data).

    Reference data that is not personal (partners and their offers) reaches further:
    `national` names the region field that is empty on rows mapped nationally, which every
    member of the programme reads, as she reads the rows mapped in the regions above hers
    (a kab/kota reads its province's partners); `open_to_facilitators` lets a facilitator
    read the rows of her regions rather than only those of her caseload. `staff` is the path
    from a row to the users who work for the organisation it is addressed to (a partner's
    staff): they read and act on those rows, and on nothing that has no such path.
    """

    levels: tuple[str, ...] = ()
    code: str = ""
    caseload: str = ""
    owner: str = ""
    reads_need: Do = Do.VIEW
    national: str = ""
    open_to_facilitators: bool = False
    staff: str = ""

    def through(self, relation: str) -> Reach:
        """The same reach seen from a model that points at this one through `relation`."""

        def path(name: str) -> str:
            return f"{relation}__{name}" if name else ""

        return replace(
            self,
            levels=tuple(path(f) for f in self.levels),
            code=path(self.code),
            caseload=path(self.caseload),
            owner=path(self.owner),
            national=path(self.national),
            staff=path(self.staff),
        )

    @property
    def regional(self) -> bool:
        return bool(self.levels or self.code)

    def within(self, code: str) -> Q:
        """Rows in the region `code` or below it ("": every row). A model that reaches no
        region has no row inside a region."""
        if not code:
            return Q()
        if self.levels:  # a dotted code's level is its count of parts: 33 → 1, 33.17 → 2 ...
            return Q(**{self.levels[code.count(".")]: code})
        if self.code:
            return Q(**{self.code: code}) | Q(**{f"{self.code}__startswith": f"{code}."})
        return Q(pk__in=[])

    def in_caseload(self, user_id: object) -> Q:
        return Q(**{self.caseload: user_id}) if self.caseload else Q(pk__in=[])

    def made_by(self, user_id: object) -> Q:
        return Q(**{self.owner: user_id}) if self.owner else Q(pk__in=[])

    def nationwide(self) -> Q:
        """Rows mapped nationally (no region), which every member reads."""
        return Q(**{f"{self.national}__isnull": True}) if self.national else Q(pk__in=[])

    def above(self, code: str) -> Q:
        """Rows mapped in a region above `code` (its province for a kab/kota)."""
        parts = code.split(".")
        higher = [".".join(parts[:i]) for i in range(1, len(parts))]
        return Q(**{f"{self.code}__in": higher}) if self.code and higher else Q(pk__in=[])

    def served_by(self, user_id: object) -> Q:
        """Rows addressed to an organisation the user works for."""
        return Q(**{self.staff: user_id}) if self.staff else Q(pk__in=[])

    def region_of(self, row: Model) -> str:
        """The deepest region code a loaded row sits in ("" for none)."""
        if self.levels:
            return str(_follow(row, self.levels[-1]) or "")
        return str(_follow(row, self.code) or "") if self.code else ""

    def caseload_of(self, row: Model) -> object:
        return _follow(row, self.caseload) if self.caseload else None

    def owner_of(self, row: Model) -> object:
        return _follow(row, self.owner) if self.owner else None


def _follow(row: Any, path: str) -> object:
    """The value at the end of a field path (`actor__village_id`) on a loaded row; a
    foreign key at the end gives its id."""
    *relations, last = path.split("__")
    for relation in relations:
        row = getattr(row, relation)
        if row is None:
            return None
    field = row._meta.get_field(last)
    return getattr(row, field.attname)


class Rules(Protocol):
    """Who may do what where (sinergi.accounts.scoping implements it)."""

    def condition(self, user: Principal, reach: Reach, action: Do) -> Q | None:
        """A filter over the rows the user may act on, or None for none at all."""
        ...

    def allows(self, user: Principal, reach: Reach, action: Do, row: Model) -> bool:
        """Whether the user may act on this loaded row (the condition, without a query)."""
        ...

    def grants(self, user: Principal, action: Do) -> bool:
        """Whether any of the user's roles allows the action somewhere (a page, a menu)."""
        ...


_rules: list[Rules] = []


def use_rules(rules: Rules) -> None:
    """Called once at start-up by the app that owns the rules."""
    _rules[:] = [rules]


def rules() -> Rules:
    if not _rules:
        raise ImproperlyConfigured("No scoping rules registered (is sinergi.accounts installed?)")
    return _rules[0]


def reach_of(model: type[Model]) -> Reach:
    found = getattr(model, "reach", None)
    if not isinstance(found, Reach):
        raise ImproperlyConfigured(f"{model.__name__} declares no `reach`.")
    return found


def allowed(user: Principal, action: Do, row: Model) -> bool:
    """Whether the user may act on a row already loaded (a form's target, a template)."""
    reach = reach_of(type(row))
    return rules().allows(user, reach, reach.reads_need if action is Do.VIEW else action, row)


def may(user: Principal, action: Do) -> bool:
    """Whether the user may do this anywhere at all (whether a page or a menu exists for her)."""
    return rules().grants(user, action)


class ScopedQuerySet(QuerySet[M]):
    """The queryset of every scoped model: `visible_to` is the only way a list, detail,
    export, report, dashboard or API call narrows rows to a user."""

    def visible_to(self, user: Principal, action: Do = Do.VIEW) -> Self:
        """The rows the user may act on; out of scope is simply absent (callers answer 404)."""
        reach = reach_of(self.model)
        if action is Do.VIEW:
            action = reach.reads_need
        condition = rules().condition(user, reach, action)
        return self.none() if condition is None else self.filter(condition)

    def within(self, *codes: str) -> Self:
        """Rows in any of the regions (a filter a user chose, a dashboard's regions)."""
        reach = reach_of(self.model)
        condition = any_of([reach.within(code) for code in codes])
        return self.none() if condition is None else self.filter(condition)


def any_of(clauses: Sequence[Q]) -> Q | None:
    """The union of filters; an empty Q() (every row) absorbs the rest; None when there is
    no clause (no row at all)."""
    if not clauses:
        return None
    if any(not clause for clause in clauses):
        return Q()
    return functools.reduce(operator.or_, clauses)
