from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.lib.jobs import JobStatus as JobStatus  # re-exported: collect's jobs use it


class JobKind(models.TextChoices):
    ACTORS = "actors", _("Actors")


class Level(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
