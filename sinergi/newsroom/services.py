"""Writes of the newsroom. Each is atomic, checks the acting user's role in the article's
organisation (sinergi.newsroom.access), leaves one audit row, saves a revision whenever an
article's text or state changes, and tells the public cache when what the public sees
changed.

The workflow: draft → review → published (or scheduled until its time and embargo) →
withdrawn. An editor writes and submits; only a reviewer of the same organisation
publishes, so an editor cannot publish her own article without the reviewer role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sinergi.accounts.models import User, account_of
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.newsroom import access
from sinergi.newsroom.choices import ArticleStatus, JointStatus, MemberRole
from sinergi.newsroom.content import ImageRefused, clean_body, prepare_cover
from sinergi.newsroom.models import (
    Article,
    ArticleRevision,
    Correction,
    JointRelease,
    NewsroomMember,
    Organisation,
)
from sinergi.portal.caching import bump_public_version
from sinergi.regions.models import Region

Acting = User | AnonymousUser | None

# Paths under /news/ that an article's slug must not take.
RESERVED = frozenset({"manage", "org", "region", "category", "feed", "joint"})


class Refused(Exception):
    """The write cannot happen; `errors` is keyed by field."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = dict(errors)


def _refuse(name: str, message: str) -> Refused:
    return Refused({name: [message]})


def _public_changed() -> None:
    transaction.on_commit(bump_public_version)


# --- Organisations and members ------------------------------------------------------------


def _unique_slug(model: type[Article] | type[Organisation], text: str, limit: int) -> str:
    base = slugify(text)[:limit].strip("-") or "berita"
    slug, n = base, 1
    while slug in RESERVED or model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_organisation(
    *,
    user: Acting,
    name: str,
    kind: str,
    region: Region | None = None,
    description: str = "",
    website: str = "",
) -> Organisation:
    """A publishing organisation, recorded by the national admin."""
    if not access.may_manage_organisations(user or AnonymousUser()):
        raise _refuse("organisation", _("Only the national admin may add organisations."))
    if Organisation.objects.filter(name=name).exists():
        raise _refuse("name", _("An organisation of this name exists already."))
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name,
            slug=_unique_slug(Organisation, name, 70),
            kind=kind,
            region=region,
            description=description,
            website=website,
        )
        record(user, Action.CREATE, organisation, after={"name": name, "kind": kind})
        _public_changed()
    return organisation


def add_member(
    *, user: Acting, organisation: Organisation, member: User, role: str
) -> NewsroomMember:
    """Make `member` an editor or reviewer of the organisation (national admin only); a
    second call changes her role."""
    if not access.may_manage_organisations(user or AnonymousUser()):
        raise _refuse("member", _("Only the national admin may add newsroom members."))
    if role not in MemberRole.values:
        raise _refuse("role", _("The role must be editor or reviewer."))
    with transaction.atomic():
        row, _created = NewsroomMember.objects.update_or_create(
            user=member, organisation=organisation, defaults={"role": role}
        )
        record(user, Action.CREATE, row, after={"role": role})
    return row


# --- Articles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleData:
    """An article's text as validated by a form."""

    title: str
    lead: str
    body: str
    category: str
    regions: tuple[Region, ...] = ()
    cover: Any = None  # an uploaded file, or None to keep the one there is
    cover_alt: str = ""


def _snapshot(article: Article, user: Acting, note: str) -> None:
    number = article.revisions.count() + 1
    ArticleRevision.objects.create(
        article=article,
        number=number,
        title=article.title,
        lead=article.lead,
        body=article.body,
        category=article.category,
        status=article.status,
        note=note[:200],
        saved_by=account_of(user),
    )


def _fill(article: Article, data: ArticleData) -> None:
    if not data.title.strip():
        raise _refuse("title", _("The title is required."))
    body = clean_body(data.body)
    if not body:
        raise _refuse("body", _("The body is empty once unsafe markup is removed."))
    if data.cover is not None and not data.cover_alt.strip():
        raise _refuse("cover_alt", _("Describe the photo for readers who cannot see it."))
    article.title = data.title.strip()
    article.lead = data.lead.strip()
    article.body = body
    article.category = data.category
    article.cover_alt = data.cover_alt.strip() or article.cover_alt
    if data.cover is not None:
        try:
            cover = prepare_cover(data.cover)
        except ImageRefused as error:
            raise _refuse("cover", str(error)) from error
        article.cover_width, article.cover_height = cover.width, cover.height
        article.cover.save(f"{article.slug}.jpg", ContentFile(cover.content), save=False)


def _check_editor(user: Acting, organisation: Organisation) -> None:
    if user is None or not access.may_edit(user, organisation):
        raise _refuse("organisation", _("You do not write for %(org)s.") % {"org": organisation})


def _check_reviewer(user: Acting, organisation: Organisation) -> None:
    if user is None or not access.may_review(user, organisation):
        raise _refuse(
            "status",
            _("Only a reviewer of %(org)s may do this.") % {"org": organisation},
        )


def _check_status(article: Article, *allowed: str) -> None:
    if article.status not in allowed:
        raise _refuse(
            "status",
            _("Not possible while the article is %(status)s.")
            % {"status": article.get_status_display().lower()},
        )


def write_article(*, user: Acting, organisation: Organisation, data: ArticleData) -> Article:
    """A new draft of the organisation, by one of its editors; its slug is made from the
    title once and kept (links stay valid when the title changes)."""
    _check_editor(user, organisation)
    with transaction.atomic():
        article = Article(
            organisation=organisation,
            slug=_unique_slug(Article, data.title, 100),
            created_by=account_of(user),
        )
        _fill(article, data)
        article.save()
        article.regions.set(data.regions)
        _snapshot(article, user, _("Written"))
        record(user, Action.CREATE, article, after={"title": article.title})
    return article


def change_article(*, user: Acting, article: Article, data: ArticleData) -> Article:
    """Change a draft or an article in review (a published one is corrected instead)."""
    _check_editor(user, article.organisation)
    _check_status(article, ArticleStatus.DRAFT, ArticleStatus.REVIEW)
    with transaction.atomic():
        before = article.title
        _fill(article, data)
        article.save()
        article.regions.set(data.regions)
        _snapshot(article, user, _("Changed"))
        record(
            user, Action.UPDATE, article, before={"title": before}, after={"title": article.title}
        )
    return article


def _move(article: Article, user: Acting, status: str, note: str) -> None:
    old = article.status
    article.status = status
    article.save()
    _snapshot(article, user, note)
    record(
        user, Action.UPDATE, article, before={"status": old}, after={"status": status}, note=note
    )


def submit_for_review(*, user: Acting, article: Article) -> Article:
    """A draft goes to the organisation's reviewers."""
    _check_editor(user, article.organisation)
    _check_status(article, ArticleStatus.DRAFT)
    with transaction.atomic():
        _move(article, user, ArticleStatus.REVIEW, _("Submitted for review"))
    return article


def publish_article(
    *,
    user: Acting,
    article: Article,
    publish_at: dt.datetime | None = None,
    embargo_until: dt.datetime | None = None,
) -> Article:
    """Publish now, or schedule: the article becomes public at the later of now, the
    publication time and the embargo. Only a reviewer of the organisation publishes."""
    _check_reviewer(user, article.organisation)
    _check_status(article, ArticleStatus.DRAFT, ArticleStatus.REVIEW, ArticleStatus.SCHEDULED)
    now = timezone.now()
    public_from = max(t for t in (now, publish_at, embargo_until) if t is not None)
    with transaction.atomic():
        article.publish_at = publish_at
        article.embargo_until = embargo_until
        article.published_at = public_from
        status = ArticleStatus.PUBLISHED if public_from <= now else ArticleStatus.SCHEDULED
        _move(
            article,
            user,
            status,
            _("Published") if status == ArticleStatus.PUBLISHED else _("Scheduled"),
        )
        _public_changed()
    return article


def withdraw_article(*, user: Acting, article: Article, reason: str) -> Article:
    """Take a published or scheduled article off the public pages (a reviewer)."""
    _check_reviewer(user, article.organisation)
    _check_status(article, ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED)
    if not reason.strip():
        raise _refuse("reason", _("Say why the article is withdrawn."))
    with transaction.atomic():
        _move(article, user, ArticleStatus.WITHDRAWN, reason.strip())
        _public_changed()
    return article


def correct_article(
    *, user: Acting, article: Article, note: str, data: ArticleData | None = None
) -> Correction:
    """A correction of a published article: the note is shown on its page, the text may be
    fixed at the same time, and a revision keeps what it said before."""
    _check_editor(user, article.organisation)
    _check_status(article, ArticleStatus.PUBLISHED)
    if not note.strip():
        raise _refuse("note", _("The correction note is required."))
    with transaction.atomic():
        if data is not None:
            _fill(article, data)
            article.save()
            article.regions.set(data.regions)
        correction = Correction.objects.create(
            article=article, note=note.strip(), made_by=account_of(user)
        )
        _snapshot(article, user, _("Corrected"))
        record(user, Action.UPDATE, article, after={"correction": correction.note})
        _public_changed()
    return correction


def republish_article(*, user: Acting, original: Article, organisation: Organisation) -> Article:
    """Another organisation's public article published again by a reviewer of
    `organisation`, crediting and linking the original (once per organisation)."""
    _check_reviewer(user, organisation)
    if original.organisation_id == organisation.pk:
        raise _refuse("organisation", _("An organisation cannot republish its own article."))
    if not original.is_public or original.original_id is not None:
        raise _refuse(
            "original", _("Only another organisation's published original can be republished.")
        )
    if Article.objects.filter(original=original, organisation=organisation).exists():
        raise _refuse(
            "original", _("%(org)s has republished this article already.") % {"org": organisation}
        )
    with transaction.atomic():
        copy = Article.objects.create(
            organisation=organisation,
            slug=_unique_slug(Article, f"{original.title} {organisation.slug}", 110),
            title=original.title,
            lead=original.lead,
            body=original.body,
            cover=original.cover.name if original.cover else "",
            cover_alt=original.cover_alt,
            cover_width=original.cover_width,
            cover_height=original.cover_height,
            category=original.category,
            status=ArticleStatus.PUBLISHED,
            published_at=timezone.now(),
            original=original,
            created_by=account_of(user),
        )
        copy.regions.set(original.regions.all())
        _snapshot(copy, user, _("Republished"))
        record(user, Action.CREATE, copy, after={"original": original.pk})
        _public_changed()
    return copy


def propose_joint_release(
    *, user: Acting, article: Article, organisation: Organisation
) -> JointRelease:
    """Invite another organisation to co-sign the article (an editor of its own)."""
    _check_editor(user, article.organisation)
    _check_status(
        article,
        ArticleStatus.DRAFT,
        ArticleStatus.REVIEW,
        ArticleStatus.SCHEDULED,
        ArticleStatus.PUBLISHED,
    )
    if organisation.pk == article.organisation_id:
        raise _refuse("organisation", _("Choose another organisation than the article's own."))
    if JointRelease.objects.filter(article=article, organisation=organisation).exists():
        raise _refuse("organisation", _("%(org)s is invited already.") % {"org": organisation})
    with transaction.atomic():
        joint = JointRelease.objects.create(
            article=article, organisation=organisation, proposed_by=account_of(user)
        )
        record(user, Action.CREATE, joint)
    return joint


def accept_joint_release(*, user: Acting, joint: JointRelease) -> JointRelease:
    """A reviewer of the invited organisation co-signs the article."""
    _check_reviewer(user, joint.organisation)
    if joint.status != JointStatus.PROPOSED:
        raise _refuse("status", _("This joint release is accepted already."))
    with transaction.atomic():
        joint.status = JointStatus.ACCEPTED
        joint.accepted_by = account_of(user)
        joint.save()
        record(user, Action.UPDATE, joint, after={"status": joint.status})
        _public_changed()
    return joint


def publish_due() -> int:
    """Mark scheduled articles whose time has come as published (the periodic task; the
    public pages show them from their time on anyway). Harmless twice."""
    with transaction.atomic():
        due = list(
            Article.objects.select_for_update()
            .filter(status=ArticleStatus.SCHEDULED, published_at__lte=timezone.now())
            .select_related("organisation")
        )
        for article in due:
            _move(article, None, ArticleStatus.PUBLISHED, _("Published at its scheduled time"))
        if due:
            _public_changed()
    return len(due)
