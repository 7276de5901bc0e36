"""Forms for logging in (with lockout)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.services import LockedOut, check_credentials


class LoginForm(AuthenticationForm):
    """Django's login form, but every attempt goes through the lockout counter."""

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
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
