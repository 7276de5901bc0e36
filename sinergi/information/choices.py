"""The words of UU 14/2008 (Keterbukaan Informasi Publik) the app keeps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Pasal 22 ayat 7: an answer within 10 working days of receipt; ayat 8: extendable once,
# by at most 7 working days, with a written reason. Pasal 35-36: an objection within 30
# working days, answered within 30 working days.
ANSWER_DAYS = 10
EXTENSION_DAYS = 7
OBJECTION_DAYS = 30


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROCESS = "in_process", _("In process")
    EXTENDED = "extended", _("Extended")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN = (RequestStatus.RECEIVED, RequestStatus.IN_PROCESS, RequestStatus.EXTENDED)


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted in full")
    PARTLY = "partly", _("Granted in part")
    REFUSED = "refused", _("Refused (exempt information, Article 17)")
    NOT_HELD = "not_held", _("Not held by the ministry")


class Delivery(models.TextChoices):
    EMAIL = "email", _("By email")
    PICK_UP = "pick_up", _("Pick up in person")
    POST = "post", _("By post")


class Category(models.TextChoices):
    """Informasi berkala, Pasal 9 ayat 2."""

    PROFILE = "profile", _("Profile of the public body")
    ACTIVITIES = "activities", _("Activities and performance")
    FINANCIAL = "financial", _("Financial reports")
    OTHER = "other", _("Other information set by regulation")


class ObjectionReason(models.TextChoices):
    """Pasal 35 ayat 1."""

    REFUSED = "refused", _("The request was refused under an exemption (Article 17)")
    NOT_PUBLISHED = "not_published", _("Periodic information was not published (Article 9)")
    NOT_RESPONDED = "not_responded", _("The request was not responded to")
    NOT_AS_REQUESTED = "not_as_requested", _("The response was not what was requested")
    NOT_FULFILLED = "not_fulfilled", _("The request was not fulfilled")
    FEE = "fee", _("An unreasonable fee was charged")
    LATE = "late", _("The information was given after the legal deadline")
