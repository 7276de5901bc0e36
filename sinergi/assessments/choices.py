from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")


class Source(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    ODK = "odk", _("ODK Collect")
    IMPORT = "import", _("Spreadsheet import")
    RESCORE = "rescore", _("Re-scoring")
    DEMO = "demo", _("Demo data")
