"""Who may do what in the newsroom: one place, read from the user's NewsroomMember rows.
An editor writes her organisation's articles; a reviewer also publishes, withdraws and
answers joint releases; the national admin manages organisations and members. An article
outside the user's organisations is 404, like one that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from sinergi.accounts.scoping import is_national_admin
from sinergi.lib.scope import Principal
from sinergi.newsroom.choices import MemberRole
from sinergi.newsroom.models import Article, JointRelease, NewsroomMember, Organisation


def roles_of(user: Principal) -> dict[int, str]:
    """Organisation id -> her role there."""
    if not user.is_authenticated:
        return {}
    rows = NewsroomMember.objects.filter(user_id=user.pk).values_list("organisation_id", "role")
    return dict(rows)


def may_edit(user: Principal, organisation: Organisation) -> bool:
    return organisation.pk in roles_of(user)


def may_review(user: Principal, organisation: Organisation) -> bool:
    return roles_of(user).get(organisation.pk) == MemberRole.REVIEWER


def may_manage_organisations(user: Principal) -> bool:
    return is_national_admin(user)


def is_newsroom_user(user: Principal) -> bool:
    return bool(roles_of(user)) or may_manage_organisations(user)


def my_organisations(user: Principal, *, reviewing: bool = False) -> QuerySet[Organisation]:
    roles = roles_of(user)
    ids = [pk for pk, role in roles.items() if not reviewing or role == MemberRole.REVIEWER]
    return Organisation.objects.filter(pk__in=ids)


def article_for(user: Principal, article_id: int) -> Article:
    """An article of one of her organisations, or 404."""
    found = (
        Article.objects.filter(pk=article_id, organisation_id__in=list(roles_of(user)))
        .select_related("organisation", "original__organisation")
        .first()
    )
    if found is None:
        raise Http404
    return found


def joint_for(user: Principal, joint_id: int) -> JointRelease:
    """A joint release proposed to one of her organisations, or 404."""
    found = (
        JointRelease.objects.filter(pk=joint_id, organisation_id__in=list(roles_of(user)))
        .select_related("article__organisation", "organisation")
        .first()
    )
    if found is None:
        raise Http404
    return found
