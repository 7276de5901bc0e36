from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.lib.jobs import JobStatus as JobStatus  # re-exported: collect's jobs use it


class JobKind(models.TextChoices):
    ACTORS = "actors", _("Actors")
    RESULTS = "results", _("Mapping results")


class Level(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class SubmissionStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISMISSED = "dismissed", _("Dismissed")
