"""Forms for logging in (with lockout) and for managing users and their memberships."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.accounts import scoping
from sinergi.accounts.choices import RANK, ROLE_LEVELS, Role
from sinergi.accounts.lockout import LockedOut
from sinergi.accounts.models import Membership, User
from sinergi.accounts.services import (
    MalformedCredentials,
    change_own_password,
    check_credentials,
)
from sinergi.regions.choices import Level
from sinergi.regions.codes import level_of, normalise
from sinergi.regions.models import Region


class LoginForm(AuthenticationForm):
    """Django's login form, but every attempt goes through the lockout counter."""

    # Our own msgid, so that our catalog words it: Django's Indonesian one repeats the field name.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct %(username)s and password. Note that both fields may be "
            "case-sensitive."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            try:
                self.user_cache = check_credentials(
                    request=self.request, username=username, password=password
                )
            except LockedOut as exc:
                until = formats.time_format(timezone.localtime(exc.until), "H:i")
                raise forms.ValidationError(
                    _("Too many failed attempts. This account is locked until %(time)s."),
                    code="locked",
                    params={"time": until},
                ) from exc
            except MalformedCredentials as exc:
                raise forms.ValidationError(
                    _("%(field)s must not contain a NUL character."),
                    code="null_characters_not_allowed",
                    params={"field": exc.field},
                ) from exc
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's password change, saved through change_own_password (audited, and her API
    tokens revoked)."""

    def save(self, commit: bool = True) -> Any:
        return change_own_password(user=self.user, password=self.cleaned_data["new_password1"])


class RevokeTokensForm(forms.Form):
    """Which of a user's API tokens to revoke: one (its id) or all."""

    token = forms.IntegerField(required=False, min_value=1)
    all = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("all") and not data.get("token"):
            raise forms.ValidationError(_("Choose a token to revoke."), code="required")
        return data

    def tokens(self) -> list[int] | None:
        """The ids to revoke; None for all."""
        return None if self.cleaned_data["all"] else [self.cleaned_data["token"]]


def _region_code(raw: str) -> str:
    """A dotted region code from what was typed, or a ValidationError naming the input."""
    code = normalise(raw)
    if not code:
        raise forms.ValidationError(
            _("'%(code)s' is not a region code (format 33.17)."), params={"code": raw}
        )
    return code


def _in_region(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})


class UserFilterForm(forms.Form):
    """Filters on the user list; an invalid value names its field."""

    q = forms.CharField(label=_("Search"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All")), *Role.choices], required=False
    )
    region = forms.CharField(label=_("Region code"), max_length=13, required=False)

    def clean_region(self) -> str:
        raw = self.cleaned_data["region"].strip()
        return _region_code(raw) if raw else ""

    def apply(self, users: QuerySet[User]) -> QuerySet[User]:
        data = self.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            users = users.filter(
                Q(username__icontains=q)
                | Q(first_name__icontains=q)
                | Q(last_name__icontains=q)
                | Q(email__icontains=q)
            )
        holding = Membership.objects.all()
        if data["role"]:
            holding = holding.filter(role=data["role"])
        if data["region"]:
            holding = holding.filter(_in_region("region__code", data["region"]))
        if data["role"] or data["region"]:
            users = users.filter(pk__in=holding.values("user_id"))
        return users


class UserForm(forms.Form):
    """A user's own fields; the password is checked by Django's password validators."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False, initial=True)
    password1 = forms.CharField(
        label=_("Password"), required=False, strip=False, widget=forms.PasswordInput
    )
    password2 = forms.CharField(
        label=_("Password again"), required=False, strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, instance: User | None = None, **kwargs: Any) -> None:
        if instance is not None and not args and "data" not in kwargs:
            kwargs.setdefault(
                "initial",
                {
                    "username": instance.username,
                    "first_name": instance.first_name,
                    "last_name": instance.last_name,
                    "email": instance.email,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            self.fields["password1"].help_text = _("Leave blank to keep the current password.")
        else:
            self.fields["password1"].required = True
            self.fields["password2"].required = True

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        clash = User.objects.filter(username__iexact=username)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This username is already taken."), code="unique")
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        password, again = data.get("password1"), data.get("password2")
        if password and password != again:
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            # A throwaway user, so the similarity check sees the new names, not the stored ones.
            candidate = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


def _grantable_roles(manager: User | AnonymousUser) -> list[Role]:
    if scoping.is_national_admin(manager):
        return list(Role)
    return [role for role in Role if RANK[role] < scoping.highest_rank(manager)]


def _levels_text(role: Role) -> str:
    names = [
        str(_("empty (the whole country)") if level is None else Level(level).label)
        for level in ROLE_LEVELS[role]
    ]
    return gettext("For the role %(role)s the region must be: %(levels)s.") % {
        "role": role.label,
        "levels": ", ".join(names),
    }


class MembershipForm(forms.Form):
    """One role over one region. The manager may grant only what scoping allows."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    region = forms.CharField(
        label=_("Region code"),
        max_length=13,
        required=False,
        help_text=_("Kemendagri code, e.g. 33.17; empty for the whole country."),
    )
    may_reveal_nik = forms.BooleanField(label=_("May reveal NIK"), required=False)

    def __init__(self, *args: Any, manager: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.fields["role"].widget.choices = [("", "—")] + [
            (role.value, role.label) for role in _grantable_roles(manager)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        raw_role, raw_region = data.get("role"), (data.get("region") or "").strip()
        if not raw_role:
            if raw_region or data.get("may_reveal_nik"):
                self.add_error("role", _("Choose a role, or clear the whole row."))
            return data
        role = Role(raw_role)
        code = None
        if raw_region:
            try:
                code = _region_code(raw_region)
            except forms.ValidationError as exc:
                self.add_error("region", exc)
                return data
            if not Region.objects.filter(code=code).exists():
                self.add_error("region", _("Region %(code)s does not exist.") % {"code": code})
                return data
        if (level_of(code) if code else None) not in ROLE_LEVELS[role]:
            self.add_error("region", _levels_text(role))
        elif role not in _grantable_roles(self.manager):
            self.add_error("role", _("You may not grant the role %(role)s.") % {"role": role.label})
        elif not scoping.may_assign_membership(self.manager, role, code):
            self.add_error("region", _("This region is outside the area you manage."))
        elif data.get("may_reveal_nik") and not scoping.may_grant_nik_access(self.manager, code):
            self.add_error(
                "may_reveal_nik",
                _("You may not reveal NIKs there yourself, so you cannot grant it."),
            )
        data["region"] = code
        return data


class BaseMembershipFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """All of a user's memberships: at least one, no role twice over the same region."""

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[tuple[str, str | None]] = set()
        for item in self.memberships():
            key = (item["role"], item["region"])
            if key in seen:
                raise forms.ValidationError(
                    _("The same role over the same region appears twice."), code="duplicate"
                )
            seen.add(key)
        if not seen:
            raise forms.ValidationError(_("Give the user at least one role."), code="required")

    def memberships(self) -> list[dict[str, Any]]:
        """The filled rows, in the shape services.save_user takes."""
        return [
            {
                "role": form.cleaned_data["role"],
                "region": form.cleaned_data["region"],
                "may_reveal_nik": form.cleaned_data["may_reveal_nik"],
            }
            for form in self.forms
            if form.cleaned_data.get("role")
        ]


# formset_factory is typed as returning the base class; it returns a subclass of ours.
MembershipFormSet = cast(
    type[BaseMembershipFormSet],
    forms.formset_factory(
        MembershipForm, formset=BaseMembershipFormSet, extra=2, max_num=10, validate_max=True
    ),
)


def membership_initial(user: User) -> list[dict[str, Any]]:
    return [
        {"role": m.role, "region": m.region_id or "", "may_reveal_nik": m.may_reveal_nik}
        for m in user.memberships.order_by("id")
    ]
