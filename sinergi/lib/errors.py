"""API errors that carry per-field messages: {"detail", "errors": {field: [messages]}}."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError


class ErrorOut(Schema):
    """The shape of every error answer of the API."""

    detail: str
    errors: dict[str, list[str]]


class InvalidInput(HttpError):
    """A 422 (or 400) naming each offending field and the reason."""

    def __init__(
        self, errors: dict[str, list[str]], status: int = 422, detail: str | None = None
    ) -> None:
        super().__init__(status, detail if detail is not None else _("Invalid input."))
        self.errors = errors


def invalid(field: str, message: str, status: int = 400) -> InvalidInput:
    """One bad query parameter: its message is both the detail and the field's error."""
    return InvalidInput({field: [message]}, status=status, detail=message)
