from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    BANK = "bank", _("State enterprise or bank (BUMN/bank)")
    MICROFINANCE = "microfinance", _("Microfinance")
    ASSOCIATION = "association", _("Association")
    UNIVERSITY = "university", _("University")
    PLATFORM = "platform", _("Platform company")
    TELECOM = "telecom", _("Telecom")
    NGO = "ngo", _("NGO")
    MEDIA = "media", _("Media")
    GOVERNMENT = "government", _("Government agency")
    OTHER = "other", _("Other")


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding (MoU)")
    PKS = "pks", _("Cooperation agreement (PKS)")


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")


class OfferCategory(models.TextChoices):
    CAPITAL = "capital", _("Capital and credit")
    TRAINING = "training", _("Training")
    CERTIFICATION = "certification", _("Certification help (P-IRT, halal, NIB, BPOM)")
    MARKET = "market", _("Market access")
    DIGITAL = "digital", _("Digital skills")
    EQUIPMENT = "equipment", _("Equipment")
    MENTORING = "mentoring", _("Mentoring")
    OTHER = "other", _("Other")


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SERVED = "served", _("Served")
    COMPLETED = "completed", _("Outcome recorded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WebhookEvent(models.TextChoices):
    REFERRAL_CREATED = "referral.created", _("A referral is sent to the partner")
    REFERRAL_UPDATED = "referral.updated", _("A referral to the partner changes")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
