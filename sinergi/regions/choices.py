from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    REGENCY = 2, _("Regency/city")
    DISTRICT = 3, _("District")
    VILLAGE = 4, _("Village")


LEVEL_NAMES = {
    "province": Level.PROVINCE,
    "regency": Level.REGENCY,
    "district": Level.DISTRICT,
    "village": Level.VILLAGE,
}


class Phase(models.TextChoices):
    MODEL = "model", _("Model")
    REPLICATION = "replication", _("Replication")
