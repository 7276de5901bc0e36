"""What an audit row is about: a Subject, which an audited model gives of itself.

An audited model says once how the trail names it, in an `audit_subject` property:

    @property
    def audit_subject(self) -> Subject:
        return Subject("actor", self.pk, self.name, self.village_id)

so that a service writes `record(user, Action.UPDATE, actor, before=..., after=...)` and
every row about her carries the same type, id, words and region. An event about no single
object (an export, a list read, a failed login for a name that may not exist, the demo
load) passes a Subject of its own; so does a call that must name its object differently
from the model's default (`dataclasses.replace(actor.audit_subject, repr="")`). This
module imports nothing from Django, so any model of any app may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Subject:
    """The object columns of an audit row. `region` files the row where the officers
    above it see it on the audit page ("" for the country)."""

    type: str
    id: object = ""
    repr: str = ""
    region: str = ""


class Audited(Protocol):
    """A model whose changes, reads or exports the audit trail records."""

    @property
    def audit_subject(self) -> Subject: ...


def subject_of(obj: Audited | Subject) -> Subject:
    """The subject an audit row records for `obj`."""
    return obj if isinstance(obj, Subject) else obj.audit_subject
