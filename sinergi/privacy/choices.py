from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    PARTNERS = "partners", _("Sharing with partners")
    PUBLICATION = "publication", _("Publication")


class ConsentSource(models.TextChoices):
    REGISTER = "register", _("Registration")
    UPDATE = "update", _("Change of the record")
    IMPORT = "import", _("Spreadsheet import")


class ErasureBasis(models.TextChoices):
    SUBJECT_REQUEST = "subject_request", _("Request by the person (UU PDP art. 8)")
    END_OF_RETENTION = "end_of_retention", _("End of the retention period")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Withdrawal of consent")
    PURPOSE_ENDED = "purpose_ended", _("Purpose of processing achieved or ended")
    UNLAWFUL = "unlawful", _("Processed without a lawful basis")
    OTHER = "other", _("Other (explain)")


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access to her data")
    CORRECTION = "correction", _("Correction")
    ERASURE = "erasure", _("Erasure")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")
