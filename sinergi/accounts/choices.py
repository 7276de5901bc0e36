from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National admin")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    REGENCY_OFFICER = "regency_officer", _("Regency officer (tim pelaksana)")
    FACILITATOR = "facilitator", _("Facilitator (pendamping)")
    VIEWER = "viewer", _("Read-only viewer")


# Higher rank may manage lower ranks; officers may not create peers above themselves.
RANK = {
    Role.NATIONAL_ADMIN: 4,
    Role.PROVINCE_OFFICER: 3,
    Role.REGENCY_OFFICER: 2,
    Role.FACILITATOR: 1,
    Role.VIEWER: 0,
}

# Which region level a role's scope sits at (None: the whole country).
ROLE_LEVELS: dict[str, tuple[int | None, ...]] = {
    Role.NATIONAL_ADMIN: (None,),
    Role.PROVINCE_OFFICER: (1,),
    Role.REGENCY_OFFICER: (2,),
    Role.FACILITATOR: (2, 3, 4),
    Role.VIEWER: (None, 1, 2, 3),
}


class ThrottleScope(models.TextChoices):
    """What a count of failed logins is kept for (see sinergi/accounts/lockout.py)."""

    PAIR = "pair", _("Username from one client")
    CLIENT = "client", _("Client address")
    USERNAME = "username", _("Username")
