"""Users, their region-scoped memberships, and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.db.models import OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.choices import Role, ThrottleScope
from sinergi.audit.subjects import Subject
from sinergi.regions.models import Region


class User(AbstractUser):
    """A person who logs in. What she may see and do comes only from her memberships."""

    class Meta:
        ordering = ["username"]

    @property
    def home_region(self) -> str:
        """The region her account's events are filed under (her first regional membership),
        so regional auditors see them; "" for the country."""
        return home_regions(self.pk).first() or ""

    @property
    def audit_subject(self) -> Subject:
        return Subject("user", self.pk, self.username, self.home_region)


def account_of(user: User | AnonymousUser | None) -> User | None:
    """The account acting, for a column that names who did something: None for an anonymous
    visitor or the system."""
    return user if isinstance(user, User) else None


class Membership(models.Model):
    """A role held over a region (no region: the whole country)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    may_reveal_nik = models.BooleanField(_("may reveal NIK"), default=False)

    class Meta:
        ordering = ["user_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.region_id or 'ID'}"


def home_regions(user_id: int | OuterRef) -> QuerySet[Membership, str]:
    """The regions of a user's regional memberships, first held first (see home_region)."""
    # django-stubs types this lookup without OuterRef, which Django takes in any lookup.
    mine = Membership.objects.filter(user_id=user_id, region__isnull=False)  # type: ignore[misc]
    return mine.order_by("id").values_list("region_id", flat=True)


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored. It authenticates until it expires
    or is revoked (logout, by its owner or a manager, or on a password change or reset)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"token of {self.user}"

    @property
    def audit_subject(self) -> Subject:
        """Named and filed like its owner's account."""
        return Subject("api_token", self.pk, self.user.username, self.user.home_region)


class LoginThrottle(models.Model):
    """Failed logins counted for one key (a username from one client, a client address, or a
    username), whether or not such a user exists. The key is locked while `failures` has
    reached its limit and the last counted attempt is younger than LOGIN_LOCKOUT_MINUTES."""

    scope = models.CharField(max_length=10, choices=ThrottleScope.choices)
    key = models.CharField(max_length=250)
    failures = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Pair scope only: the last successful login of this username from this client.
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_login_throttle"),
        ]
        indexes = [models.Index(fields=["last_attempt_at"], name="login_throttle_last_attempt")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"
