from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    ACTORS = "actors", _("Actors")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Level(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
