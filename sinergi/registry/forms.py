"""The web forms of the registry: an actor and her legality items.

Their fields come from fields.py, which the API and imports parse with too (records.py);
all three apply the same rules and checks, from registry.validation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import User
from sinergi.regions.models import Region
from sinergi.registry import conflicts
from sinergi.registry.choices import LegalityKind
from sinergi.registry.fields import ActorFields, LegalityFields
from sinergi.registry.models import Actor
from sinergi.registry.validation import (
    FIELD_RULES,
    DatabaseLookups,
    Facilitator,
    Lookups,
    check_legality,
    check_record,
    resolve_facilitator,
    resolve_village,
)


def _by_rule(name: str) -> Callable[[ActorForm], Any]:
    """The form's clean_<name>: the field rule the batch validator applies too."""

    def clean(form: ActorForm) -> Any:
        return form._rule(name)

    return clean


class ActorForm(ActorFields):
    """Checks one actor record. `instance` set means an edit: a blank NIK keeps the stored one."""

    def __init__(
        self,
        *args: Any,
        user: User | AnonymousUser,
        instance: Actor | None = None,
        warn_duplicates: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.warn_duplicates = warn_duplicates
        self.lookups: Lookups = DatabaseLookups()
        self.warnings: list[str] = []
        self.village: Region | None = None
        self.found_facilitator: Facilitator | None = None
        self.existing_actor: Actor | None = None
        self.possible_duplicate: Actor | None = None

    @property
    def facilitator_user(self) -> User | None:
        return self.found_facilitator.user if self.found_facilitator else None

    def _rule(self, name: str) -> Any:
        return FIELD_RULES[name](self.cleaned_data[name], self.instance)

    clean_nik = _by_rule("nik")
    clean_name = _by_rule("name")
    clean_address = _by_rule("address")
    clean_business_name = _by_rule("business_name")
    clean_products = _by_rule("products")
    clean_phone = _by_rule("phone")
    clean_birth_date = _by_rule("birth_date")
    clean_year_started = _by_rule("year_started")
    clean_consent_date = _by_rule("consent_date")

    def clean_village_code(self) -> str:
        code: str = self._rule("village_code")
        self.village = resolve_village(
            code, user=self.user, instance=self.instance, lookups=self.lookups
        )
        return code

    def clean_facilitator(self) -> str:
        username: str = self._rule("facilitator")
        self.found_facilitator = resolve_facilitator(username, self.lookups)
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("nik"):
            try:
                conflicts.check_allowance(self.user)
            except conflicts.TooManyConflicts as exc:
                self.add_error("nik", str(exc))
                return data
        found = check_record(
            data,
            user=self.user,
            instance=self.instance,
            village=self.village,
            facilitator=self.found_facilitator,
            lookups=self.lookups,
            warn_duplicates=self.warn_duplicates,
            fields_valid=not self.errors,
        )
        for name, message in found.errors:
            self.add_error(name, message)
        self.warnings.extend(found.warnings)
        self.existing_actor = found.existing_actor
        self.possible_duplicate = found.possible_duplicate
        return data


class LegalityForm(LegalityFields):
    """One legality item; NIB and P-IRT numbers are checked against their formats."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in check_legality(data):
            self.add_error(name, message)
        return data


class LegalityRowForm(LegalityForm):
    """A row of the web form's legality table. Its type starts blank, so an untouched empty
    row stays empty instead of submitting the first type as a new item."""

    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *LegalityKind.choices])


LegalityFormSet = forms.formset_factory(
    LegalityRowForm, extra=1, can_delete=True, max_num=20, validate_max=True
)
