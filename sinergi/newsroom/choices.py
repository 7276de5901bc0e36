from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    DINAS_PPPA = "dinas_pppa", _("Dinas PPPA")
    DISKOMINFO = "diskominfo", _("Diskominfo")
    SETDA_HUMAS = "setda_humas", _("Regional secretariat PR (Setda humas)")
    PARTNER_PR = "partner_pr", _("Partner's PR")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class MemberRole(models.TextChoices):
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer (may also edit)")


class Category(models.TextChoices):
    NEWS = "berita", _("News")
    PRESS_RELEASE = "siaran_pers", _("Press release")
    ANNOUNCEMENT = "pengumuman", _("Announcement")
    GOOD_PRACTICE = "praktik_baik", _("Good practice")
    AGENDA = "agenda", _("Agenda")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class JointStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
