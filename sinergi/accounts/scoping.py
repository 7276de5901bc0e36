"""The rules of who sees and changes what, where: the one place they are decided.

A user's reach is the union of her memberships: a national role covers everything, a
regional role covers its region and everything below it, a facilitator covers only the rows
of the actors assigned to her. How a model's rows reach a region is declared on the model
(`reach`, see sinergi.lib.scope); these rules turn memberships into filters over those
fields (registered at start-up, so every `Model.objects.visible_to(user, action)` asks them)
and answer the yes/no questions pages ask. Anything outside is treated as non-existent
(404) by callers.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from sinergi.accounts.choices import RANK, Role
from sinergi.accounts.models import Membership, User
from sinergi.lib.scope import Do, Principal, Reach, any_of
from sinergi.regions.codes import ancestors
from sinergi.regions.models import Region

M = TypeVar("M", bound=Model)

# Which roles may do what; facilitators only ever on their own caseload.
_ROLES_FOR = {
    Do.VIEW: set(Role),
    Do.CHANGE: {Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.REGENCY_OFFICER, Role.FACILITATOR},
    Do.REVEAL_NIK: {
        Role.NATIONAL_ADMIN,
        Role.PROVINCE_OFFICER,
        Role.REGENCY_OFFICER,
        Role.FACILITATOR,
    },
    Do.ANSWER_SUBJECT: {Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.REGENCY_OFFICER},
    Do.VERIFY: {Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.REGENCY_OFFICER},
    Do.READ_AUDIT: {Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER},
    Do.ADMINISTER: {Role.NATIONAL_ADMIN},
}


def memberships(user: Principal) -> list[Membership]:
    """A user's memberships, read once per request object."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_sinergi_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user_id=user.pk).select_related("region"))
        setattr(user, "_sinergi_memberships", cached)  # noqa: B010 - a cache on the request's user
    return cached


# What a partner's staff may do with the rows addressed to their organisation: read them and
# answer them (accept, serve, record outcomes); never reveal an NIK or anything else.
_STAFF_ACTIONS = {Do.VIEW, Do.CHANGE}

# Actions on personal data, which need the NIK right of the membership as well as its role.
_PERSONAL = {Do.REVEAL_NIK, Do.ANSWER_SUBJECT}


def _grants(membership: Membership, action: Do) -> bool:
    if membership.role not in _ROLES_FOR[action]:
        return False
    return action not in _PERSONAL or membership.may_reveal_nik


class Rules:
    """The rules sinergi.lib.scope asks (registered by AccountsConfig.ready)."""

    def condition(self, user: Principal, reach: Reach, action: Do) -> Q | None:
        clauses: list[Q] = []
        if reach.owner and user.is_authenticated:
            clauses.append(reach.made_by(user.pk))
        # Only an account with no programme role works for a partner (services refuse to
        # bind one that has a role). Asked of anyone else, the staff path, which is
        # many-valued, would join a row per staff member and repeat rows.
        staff = reach.staff and user.is_authenticated and not memberships(user)
        if staff and action in _STAFF_ACTIONS:
            clauses.append(reach.served_by(user.pk))
        mine = [m for m in memberships(user) if _grants(m, action)]
        if reach.national and action is Do.VIEW and mine:
            clauses.append(reach.nationwide())
        for membership in mine:
            if membership.role == Role.FACILITATOR:
                if reach.caseload:
                    clauses.append(reach.in_caseload(user.pk))
                elif reach.open_to_facilitators and action is Do.VIEW:
                    clauses.append(reach.within(membership.region_id or ""))
            elif membership.region_id is None:
                return Q()
            elif reach.regional:
                clauses.append(reach.within(membership.region_id))
        return any_of(clauses)

    def allows(self, user: Principal, reach: Reach, action: Do, row: Model) -> bool:
        if reach.owner and user.is_authenticated and reach.owner_of(row) == user.pk:
            return True
        mine = [m for m in memberships(user) if _grants(m, action)]
        if reach.national and action is Do.VIEW and mine and reach.nationwide_row(row):
            return True
        for membership in mine:
            if membership.role == Role.FACILITATOR:
                if reach.caseload:
                    if reach.caseload_of(row) == user.pk:
                        return True
                elif (
                    reach.open_to_facilitators
                    and action is Do.VIEW
                    and _covers(membership.region_id, reach.region_of(row))
                ):
                    return True
            elif membership.region_id is None or (
                reach.regional and _covers(membership.region_id, reach.region_of(row))
            ):
                return True
        if reach.staff and user.is_authenticated and action in _STAFF_ACTIONS:
            # A many-valued path (a partner's staff): asked of the database.
            rows = type(row)._default_manager.filter(pk=row.pk)
            return rows.filter(reach.served_by(user.pk)).exists()
        return False

    def grants(self, user: Principal, action: Do) -> bool:
        return any(_grants(membership, action) for membership in memberships(user))


def _covers(region_code: str | None, target_code: str) -> bool:
    return region_code is None or (bool(target_code) and region_code in ancestors(target_code))


def may_create_actor_in(user: Principal, village_code: str) -> bool:
    """Any role but viewer may register actors in a village within her region."""
    return any(
        _grants(m, Do.CHANGE) and _covers(m.region_id, village_code) for m in memberships(user)
    )


def may_map_in(user: Principal, region_code: str | None) -> bool:
    """Whether an officer's regions hold this region (None: the nation), so that she may
    record reference data there (partners and their offers): facilitators and viewers
    record none."""
    return any(
        m.role != Role.FACILITATOR
        and _grants(m, Do.CHANGE)
        and (m.region_id is None or (region_code is not None and _covers(m.region_id, region_code)))
        for m in memberships(user)
    )


def may_write(user: Principal) -> bool:
    """Whether any of the user's roles allows changing registry data at all."""
    return Rules().grants(user, Do.CHANGE)


def covers_region(user: Principal, code: str) -> bool:
    """Whether the user's view reaches this region (for filters and dashboards)."""
    for membership in memberships(user):
        if membership.role == Role.FACILITATOR:
            continue
        if _covers(membership.region_id, code):
            return True
    return False


def root_regions(user: Principal) -> list[str] | None:
    """The top regions a user sees (None: the whole country)."""
    roots: list[str] = []
    for membership in memberships(user):
        if membership.region_id is None:
            return None
        roots.append(membership.region_id)
    return sorted(set(roots))


def lockable_regencies(user: Principal) -> list[Region]:
    """The regencies whose results this user locks for a period: her own, as regency officer."""
    return [
        m.region
        for m in memberships(user)
        if m.role == Role.REGENCY_OFFICER and m.region is not None
    ]


def dashboard_roots(user: Principal) -> tuple[tuple[str, ...], bool] | None:
    """The top regions of a user's dashboards ("" the nation) and whether she sees her
    caseload only; None when she has no dashboard.

    Regional roles (officers, viewers, the national admin) see everything in their regions;
    a user who is only a facilitator sees her caseload within her facilitator regions.
    """
    mine = memberships(user)
    regional = [m for m in mine if m.role != Role.FACILITATOR]
    chosen = regional or mine
    if not chosen:
        return None
    if any(m.region_id is None for m in chosen):
        return ("",), not regional
    codes = {m.region_id for m in chosen if m.region_id}
    tops = sorted(c for c in codes if not any(a in codes for a in ancestors(c)[:-1]))
    return tuple(tops), not regional


def audit_region(user: Principal, within: str = "") -> str:
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


def is_facilitator(user: Principal) -> bool:
    """Whether one of her roles is a facilitator's (her own registrations join her caseload)."""
    return any(m.role == Role.FACILITATOR for m in memberships(user))


def is_national_admin(user: Principal) -> bool:
    return any(m.role == Role.NATIONAL_ADMIN and m.region_id is None for m in memberships(user))


def highest_rank(user: Principal) -> int:
    return max((RANK[Role(m.role)] for m in memberships(user)), default=-1)


def may_manage_users(user: Principal) -> bool:
    return highest_rank(user) >= RANK[Role.REGENCY_OFFICER]


def may_assign_membership(user: Principal, role: str, region_code: str | None) -> bool:
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


def may_grant_nik_access(user: Principal, region_code: str | None) -> bool:
    """Only someone who may reveal NIKs over a region can pass that right on there."""
    return any(
        m.may_reveal_nik
        and (m.region_id is None or (region_code is not None and _covers(m.region_id, region_code)))
        for m in memberships(user)
    )


def _assignable(user: Principal) -> Q | None:
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
    return any_of(clauses)


def managed_users(queryset: QuerySet[User], user: Principal) -> QuerySet[User]:
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
        .exclude(Q(pk=user.pk))
    )
