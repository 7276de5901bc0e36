from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Sector(models.TextChoices):
    FOOD = "makanan-minuman", _("Food and beverages")
    CRAFT = "kerajinan", _("Crafts")
    FASHION = "fashion-tekstil", _("Fashion and textiles")
    SERVICES = "jasa", _("Services")
    AGRI = "pertanian-olahan", _("Processed agricultural products")
    OTHER = "lainnya", _("Other")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    MOVED = "moved", _("Moved away")
    GRADUATED = "graduated", _("Graduated to small enterprise")


class LegalityKind(models.TextChoices):
    SKU = "sku", _("Village business letter (SKU)")
    IUMK = "iumk", _("Micro business licence (IUMK)")
    NIB = "nib", _("Business number (NIB)")
    PIRT = "pirt", _("Home food production certificate (P-IRT)")
    HALAL = "halal", _("Halal certificate")
    BPOM = "bpom", _("BPOM registration")
    BRAND = "brand", _("Registered brand")
