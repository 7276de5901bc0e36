"""The one place that decides who sees and changes what.

Every page, list, export, dashboard and API call asks this module. A user's reach is the
union of her memberships: a national role covers everything, a regional role covers its
region and everything below it, a facilitator covers only the actors assigned to her.
Anything outside is treated as non-existent (404) by callers.
"""

from __future__ import annotations

import enum
import functools
import operator
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from sinergi.accounts.choices import RANK, Role
from sinergi.accounts.models import Membership, User
from sinergi.regions.codes import ancestors, level_of


class Do(enum.Enum):
    """What a caller wants to do with region-scoped data."""

    VIEW = "view"
    CHANGE = "change"
    REVEAL_NIK = "reveal_nik"


# Which roles may do what with actors; facilitators only ever on their own caseload.
_ROLES_FOR = {
    Do.VIEW: set(Role),
    Do.CHANGE: {Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.REGENCY_OFFICER, Role.FACILITATOR},
    Do.REVEAL_NIK: {
        Role.NATIONAL_ADMIN,
        Role.PROVINCE_OFFICER,
        Role.REGENCY_OFFICER,
        Role.FACILITATOR,
    },
}
_ACTOR_FIELD_BY_LEVEL = {1: "province_code", 2: "regency_code", 3: "district_code", 4: "village_id"}
M = TypeVar("M", bound=Model)


def _any_of(clauses: list[Q]) -> Q | None:
    """The union of the clauses; None (nothing at all) when there are none."""
    return functools.reduce(operator.or_, clauses) if clauses else None


def memberships(user: Any) -> list[Membership]:
    """A user's memberships, read once per request object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_sinergi_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("region"))
        user._sinergi_memberships = cached
    return cached


def _grants(membership: Membership, action: Do) -> bool:
    if membership.role not in _ROLES_FOR[action]:
        return False
    return action is not Do.REVEAL_NIK or membership.may_reveal_nik


def actor_filter(user: Any, action: Do) -> Q | None:
    """A filter over actors the user may act on, or None when she may act on none."""
    clauses: list[Q] = []
    for membership in memberships(user):
        if not _grants(membership, action):
            continue
        if membership.role == Role.FACILITATOR:
            clauses.append(Q(facilitator_id=user.pk))
        elif membership.region_id is None:
            return Q()
        else:
            field = _ACTOR_FIELD_BY_LEVEL[level_of(membership.region_id)]
            clauses.append(Q(**{field: membership.region_id}))
    return _any_of(clauses)


def restrict_actors(queryset: QuerySet[M], user: Any, action: Do = Do.VIEW) -> QuerySet[M]:
    condition = actor_filter(user, action)
    return queryset.none() if condition is None else queryset.filter(condition)


def _covers(region_code: str | None, target_code: str) -> bool:
    return region_code is None or region_code in ancestors(target_code)


def may_create_actor_in(user: Any, village_code: str) -> bool:
    """Any role but viewer may register actors in a village within her region."""
    return any(
        _grants(m, Do.CHANGE) and _covers(m.region_id, village_code) for m in memberships(user)
    )


def may_write(user: Any) -> bool:
    """Whether any of the user's roles allows changing registry data at all."""
    return any(_grants(m, Do.CHANGE) for m in memberships(user))


def may_act_on_actor(user: Any, actor: Any, action: Do) -> bool:
    for membership in memberships(user):
        if not _grants(membership, action):
            continue
        if membership.role == Role.FACILITATOR:
            if actor.facilitator_id == user.pk:
                return True
        elif _covers(membership.region_id, actor.village_id):
            return True
    return False


def covers_region(user: Any, code: str) -> bool:
    """Whether the user's view reaches this region (for filters and dashboards)."""
    for membership in memberships(user):
        if membership.role == Role.FACILITATOR:
            continue
        if _covers(membership.region_id, code):
            return True
    return False


def root_regions(user: Any) -> list[str] | None:
    """The top regions a user sees (None: the whole country)."""
    roots: list[str] = []
    for membership in memberships(user):
        if membership.region_id is None:
            return None
        roots.append(membership.region_id)
    return sorted(set(roots))


def audit_region(user: Any, within: str = "") -> str:
    """The region an audit row of the user's reads, exports or imports is filed under, so
    that the officers above her see it on the audit page: the deepest region holding her
    whole scope ("" for the country), or `within` (a region filter) when it lies inside."""
    roots = root_regions(user) or []
    parts = [code.split(".") for code in roots]
    common = []
    for pieces in zip(*parts, strict=False) if parts else ():
        if len(set(pieces)) > 1:
            break
        common.append(pieces[0])
    scope = ".".join(common)
    if within and (not scope or within == scope or within.startswith(f"{scope}.")):
        return within
    return scope


def is_national_admin(user: Any) -> bool:
    return any(m.role == Role.NATIONAL_ADMIN and m.region_id is None for m in memberships(user))


def highest_rank(user: Any) -> int:
    return max((RANK[Role(m.role)] for m in memberships(user)), default=-1)


def may_manage_users(user: Any) -> bool:
    return highest_rank(user) >= RANK[Role.REGENCY_OFFICER]


def may_view_audit(user: Any) -> bool:
    return highest_rank(user) >= RANK[Role.PROVINCE_OFFICER]


def may_assign_membership(user: Any, role: str, region_code: str | None) -> bool:
    """A manager may grant a role below her own, in a region inside her own."""
    for membership in memberships(user):
        rank = RANK[Role(membership.role)]
        if rank < RANK[Role.REGENCY_OFFICER]:
            continue
        if membership.role == Role.NATIONAL_ADMIN and membership.region_id is None:
            return True
        if (
            RANK[Role(role)] < rank
            and region_code is not None
            and _covers(membership.region_id, region_code)
        ):
            return True
    return False


def may_grant_nik_access(user: Any, region_code: str | None) -> bool:
    """Only someone who may reveal NIKs over a region can pass that right on there."""
    return any(
        m.may_reveal_nik
        and (m.region_id is None or (region_code is not None and _covers(m.region_id, region_code)))
        for m in memberships(user)
    )


def _assignable(user: Any) -> Q | None:
    """Memberships the manager could have granted, as a filter (mirrors may_assign_membership)."""
    clauses: list[Q] = []
    for membership in memberships(user):
        rank = RANK[Role(membership.role)]
        if rank < RANK[Role.REGENCY_OFFICER]:
            continue
        if membership.role == Role.NATIONAL_ADMIN and membership.region_id is None:
            return Q()
        below = Q(role__in=[role for role, other in RANK.items() if other < rank])
        if membership.region_id is None:
            clauses.append(below & Q(region__isnull=False))
        else:
            code = membership.region_id
            clauses.append(below & (Q(region_id=code) | Q(region__code__startswith=f"{code}.")))
    return _any_of(clauses)


def managed_users(queryset: QuerySet[User], user: Any) -> QuerySet[User]:
    """Users whose every membership the manager could have granted (never herself).

    Decided in the database, so the cost does not grow with the number of users.
    """
    if is_national_admin(user):
        return queryset
    allowed = _assignable(user)
    if allowed is None:
        return queryset.none()
    return (
        queryset.filter(pk__in=Membership.objects.values("user_id"))
        .exclude(pk__in=Membership.objects.exclude(allowed).values("user_id"))
        .exclude(pk=user.pk)
    )


def audit_filter(user: Any) -> Q | None:
    """Audit rows a user may read: national sees all, a province officer her province."""
    if is_national_admin(user):
        return Q()
    clauses = [
        Q(region_code=m.region_id) | Q(region_code__startswith=f"{m.region_id}.")
        for m in memberships(user)
        if m.region_id is not None and RANK[Role(m.role)] >= RANK[Role.PROVINCE_OFFICER]
    ]
    return _any_of(clauses)


def submission_filter(user: Any) -> Q | None:
    """Field submissions a user may see (they hold raw answers): her own, and, for an officer
    who may change data, those filed under her region."""
    if not getattr(user, "is_authenticated", False):
        return None
    clauses = [Q(submitted_by=user.pk)]
    for m in memberships(user):
        if m.role == Role.FACILITATOR or not _grants(m, Do.CHANGE):
            continue
        if m.region_id is None:
            return Q()
        clauses.append(Q(region_code=m.region_id) | Q(region_code__startswith=f"{m.region_id}."))
    return _any_of(clauses)
