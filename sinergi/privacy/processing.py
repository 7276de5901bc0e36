"""The record of processing activities, read from processing.yaml (reviewed with the code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language

DEFINITION = Path(__file__).with_name("processing.yaml")
COLUMNS = (
    "purpose",
    "subjects",
    "data",
    "specific_data",
    "recipients",
    "retention",
    "safeguards",
    "legal_basis",
)


@dataclass(frozen=True)
class Activity:
    code: str
    texts: dict[str, dict[str, str]]  # column -> {"id": ..., "en": ...}

    def get(self, column: str, language: str) -> str:
        return self.texts[column]["en" if language == "en" else "id"]


@cache
def _load() -> tuple[Activity, ...]:
    raw: list[dict[str, Any]] = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    return tuple(Activity(item["code"], {c: item[c] for c in COLUMNS}) for item in raw)


def activities(language: str | None = None) -> list[tuple[str, list[str]]]:
    """Each activity's code and its texts in COLUMNS order, in the language (default: the
    current one)."""
    lang = language or get_language() or "id"
    return [(a.code, [a.get(c, lang) for c in COLUMNS]) for a in _load()]
