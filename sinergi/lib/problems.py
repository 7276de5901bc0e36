"""Messages from pure rule modules: an English template, translated where it is shown."""

from __future__ import annotations

from dataclasses import dataclass, field


def _(text: str) -> str:
    """Marks a message for the translation catalog; callers translate it when shown."""
    return text


@dataclass(frozen=True)
class Problem:
    """Why a value was refused: an English template (translated by the caller) and its values."""

    text: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text % self.params if self.params else self.text
