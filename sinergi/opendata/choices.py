from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    """How often a dataset is updated; the codes are those of the EU frequency authority
    table, which DCAT's dct:accrualPeriodicity points to."""

    ANNUAL = "ANNUAL", _("Yearly")
    ANNUAL_2 = "ANNUAL_2", _("Twice a year")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    MONTHLY = "MONTHLY", _("Monthly")
    IRREG = "IRREG", _("Irregular (when the data changes)")


FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"

# The default licence of the catalogue: Creative Commons Attribution 4.0.
CC_BY = (
    "CC-BY-4.0",
    "Creative Commons Attribution 4.0",
    "https://creativecommons.org/licenses/by/4.0/",
)
