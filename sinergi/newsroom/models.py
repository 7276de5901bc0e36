"""The newsroom (Bakohumas): organisations that publish, their editors and reviewers,
articles from draft to publication with their revisions and corrections, republications
of another organisation's article and joint releases.

Newsroom rows are no personal data of the registry: what a user may write is decided by
her NewsroomMember rows (sinergi.newsroom.access), what the public reads by
Article.objects.public()."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.audit.subjects import Subject
from sinergi.newsroom.choices import (
    ArticleStatus,
    Category,
    JointStatus,
    MemberRole,
    OrganisationKind,
)
from sinergi.regions.models import Region


class Organisation(models.Model):
    """A unit that publishes (Kemen PPPA, a Dinas PPPA, a Diskominfo, a university ...)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsroom:organisation", args=[self.slug])

    @property
    def audit_subject(self) -> Subject:
        return Subject("news_organisation", self.pk, self.name, self.region_id or "")


class NewsroomMember(models.Model):
    """A user who writes for an organisation; a reviewer also publishes its articles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="newsroom_roles"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="newsroom_one_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def audit_subject(self) -> Subject:
        return Subject("news_member", self.pk, f"{self.user} @ {self.organisation}", "")


class ArticleQuerySet(models.QuerySet["Article"]):
    def public(self) -> ArticleQuerySet:
        """What the public reads: published (or scheduled) and its time come. The time is
        checked here, so a scheduled or embargoed article never shows early even before
        the periodic task marks it published."""
        return self.filter(
            status__in=(ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED),
            published_at__lte=timezone.now(),
        )

    def of_region(self, code: str) -> ArticleQuerySet:
        """Tagged with the region or one inside it."""
        inside = Q(regions__code=code) | Q(regions__code__startswith=f"{code}.")
        return self.filter(pk__in=Article.objects.filter(inside).values("pk"))


class Article(models.Model):
    """A news item of one organisation. It is public from `published_at` on, which the
    reviewer's publication sets to the later of now, the scheduled time and the embargo."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="articles"
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    lead = models.TextField(_("lead"), max_length=600)
    body = models.TextField(_("body"))
    cover = models.FileField(_("cover photo"), upload_to="newsroom/", blank=True)
    cover_alt = models.CharField(_("cover description (alt text)"), max_length=250, blank=True)
    cover_width = models.PositiveIntegerField(default=0)
    cover_height = models.PositiveIntegerField(default=0)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    regions = models.ManyToManyField(
        Region, blank=True, related_name="+", verbose_name=_("regions")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    embargo_until = models.DateTimeField(_("embargo until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="republications",
        verbose_name=_("original article"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsroom:article", args=[self.slug])

    @property
    def audit_subject(self) -> Subject:
        return Subject("article", self.pk, self.title, self.organisation.region_id or "")

    @property
    def is_public(self) -> bool:
        return (
            self.status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def joint_organisations(self) -> list[Organisation]:
        return [
            j.organisation for j in self.joint_releases.all() if j.status == JointStatus.ACCEPTED
        ]


class ArticleRevision(models.Model):
    """The article as it was after one save: who saved it, when, and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    lead = models.TextField()
    body = models.TextField()
    category = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    note = models.CharField(max_length=200, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="newsroom_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} #{self.number}"


class Correction(models.Model):
    """A correction note on a published article, shown on its page."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    note = models.TextField(_("correction"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return self.note


class JointRelease(models.Model):
    """An invitation to another organisation to co-sign an article; once accepted, the
    article shows both organisations and appears on both organisation pages."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="joint_releases")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="joint_releases"
    )
    status = models.CharField(
        max_length=10, choices=JointStatus.choices, default=JointStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "organisation"], name="newsroom_joint_once")
        ]

    def __str__(self) -> str:
        return f"{self.article} + {self.organisation}"

    @property
    def audit_subject(self) -> Subject:
        return Subject("joint_release", self.pk, f"{self.article} + {self.organisation}", "")
