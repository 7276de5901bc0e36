"""Reading one value of a definition (a code, a label, a number, a list) as the file has it.

`ValueReader` records a problem, naming the line, for every value that is missing or not
what the format asks for, and goes on reading: an administrator fixes an upload in one pass.
The readers of questions and of the whole definition build on it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sinergi.assessments.instrument.definition import LANGUAGES, Label, Number
from sinergi.assessments.instrument.source import line_of
from sinergi.lib.problems import Problem, _

CODE = re.compile(r"^[a-z][a-z0-9_]*$")  # question, aspect and option codes: XLSForm names
LEVEL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class ValueReader:
    """Reads values of loaded data, collecting every problem with its line."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def err(self, line: int, text: str, **params: object) -> None:
        self.problems.append(Problem(text, {"line": line, **params}))

    def mapping(self, value: Any, line: int, what: str) -> Mapping[Any, Any] | None:
        if not isinstance(value, Mapping):
            self.err(line, _("line %(line)s: %(what)s must be a mapping of keys."), what=what)
            return None
        return value

    def keys(
        self, m: Mapping[Any, Any], what: str, required: Sequence[str], optional: Sequence[str]
    ) -> bool:
        ok = True
        for key in required:
            if key not in m:
                self.err(
                    line_of(m), _("line %(line)s: %(what)s needs '%(key)s'."), what=what, key=key
                )
                ok = False
        known = set(required) | set(optional)
        for key in m:
            if key not in known:
                self.err(
                    line_of(m, key),
                    _("line %(line)s: unknown key '%(key)s' in %(what)s (allowed: %(allowed)s)."),
                    key=key,
                    what=what,
                    allowed=", ".join(list(required) + list(optional)),
                )
        return ok

    def seq(
        self, m: Mapping[Any, Any], key: str, what: str, *, empty_ok: bool = False
    ) -> list[Any]:
        value = m.get(key)
        if not isinstance(value, list) or (not value and not empty_ok):
            self.err(
                line_of(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be a non-empty list."),
                key=key,
                what=what,
            )
            return []
        return value

    def code(
        self, m: Mapping[Any, Any], key: str, pattern: re.Pattern[str], what: str
    ) -> str | None:
        value = m.get(key)
        if isinstance(value, str) and pattern.match(value):
            return value
        self.err(
            line_of(m, key),
            _(
                "line %(line)s: '%(key)s' of %(what)s must be a code such as %(example)s "
                "(got %(value)r; quote values such as 'no' or '2026.1')."
            ),
            key=key,
            what=what,
            example={CODE: "monthly_turnover", LEVEL_CODE: "IR3"}.get(pattern, "ir-default"),
            value=value,
        )
        return None

    def text(self, m: Mapping[Any, Any], key: str, what: str) -> str | None:
        value = m.get(key)
        if isinstance(value, str) and value.strip():
            return value
        self.err(
            line_of(m, key),
            _("line %(line)s: '%(key)s' of %(what)s must be text."),
            key=key,
            what=what,
        )
        return None

    def label(self, m: Mapping[Any, Any], key: str, what: str) -> Label | None:
        if key not in m:
            return None
        value = m[key]
        line = line_of(m, key)
        if not isinstance(value, Mapping):
            self.err(
                line,
                _("line %(line)s: '%(key)s' of %(what)s needs a text in 'id' and in 'en'."),
                key=key,
                what=what,
            )
            return None
        texts = [self.text(value, lang, f"{key} of {what}") for lang in LANGUAGES]
        self.keys(value, f"{key} of {what}", (), LANGUAGES)
        if texts[0] is None or texts[1] is None:
            return None
        return Label(id=texts[0], en=texts[1])

    def number(
        self,
        m: Mapping[Any, Any],
        key: str,
        what: str,
        *,
        default: Number | None = None,
        positive: bool = False,
        whole: bool = False,
    ) -> Number | None:
        if key not in m and default is not None:
            return default
        value = m.get(key)
        if not _is_number(value) or (whole and not isinstance(value, int)):
            self.err(
                line_of(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be a %(kind)s."),
                key=key,
                what=what,
                kind="whole number" if whole else "number",
            )
            return None
        assert isinstance(value, int | float)
        if positive and value <= 0:
            self.err(
                line_of(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be more than 0."),
                key=key,
                what=what,
            )
            return None
        return value

    def score(self, m: Mapping[Any, Any], what: str) -> Number | None:
        value = self.number(m, "score", what)
        if value is not None and value < 0:
            self.err(
                line_of(m, "score"),
                _("line %(line)s: the score of %(what)s must not be negative."),
                what=what,
            )
            return None
        return value

    def flag(self, m: Mapping[Any, Any], key: str, what: str, default: bool) -> bool:
        value = m.get(key, default)
        if not isinstance(value, bool):
            self.err(
                line_of(m, key),
                _("line %(line)s: '%(key)s' of %(what)s must be true or false."),
                key=key,
                what=what,
            )
            return default
        return value

    def unique(self, items: list[tuple[str | None, int]], what: str) -> None:
        seen: set[str] = set()
        for code, line in items:
            if code is None:
                continue
            if code in seen:
                self.err(
                    line,
                    _("line %(line)s: %(what)s code '%(code)s' is used twice."),
                    what=what,
                    code=code,
                )
            seen.add(code)
