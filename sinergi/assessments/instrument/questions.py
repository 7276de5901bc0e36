"""Reading a question of a definition: its type, its bands, its options and their rules.

Bands must join without gap or overlap and cover the question's range; any_of rules must end
with one that always holds. Each problem names its line; see ValueReader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sinergi.assessments.instrument.definition import KINDS, Band, Number, Option, Question, SetRule
from sinergi.assessments.instrument.source import item_line, line_of
from sinergi.assessments.instrument.values import CODE, ValueReader
from sinergi.lib.problems import _


class QuestionReader(ValueReader):
    """Reads questions, collecting every problem with its line."""

    def question(self, data: Any, line: int) -> Question | None:
        m = self.mapping(data, line, "a question")
        if m is None:
            return None
        code = self.code(m, "code", CODE, "a question") if "code" in m else None
        what = f"question '{code or '?'}'"
        kind = m.get("type")
        if kind not in KINDS:
            self.err(
                line_of(m, "type"),
                _("line %(line)s: 'type' of %(what)s must be one of %(kinds)s."),
                what=what,
                kinds=", ".join(KINDS),
            )
            self.keys(
                m,
                what,
                ("code", "type", "label"),
                ("weight", "required", "hint", "min", "max", "bands", "options", "rules"),
            )
            return None
        numeric = kind in ("integer", "decimal")
        common = ("weight", "required", "hint")
        if numeric:
            self.keys(m, what, ("code", "type", "label", "bands"), (*common, "min", "max"))
        elif kind == "one_of":
            self.keys(m, what, ("code", "type", "label", "options"), common)
        else:
            self.keys(m, what, ("code", "type", "label", "options", "rules"), common)
        label = self.label(m, "label", what)
        hint = self.label(m, "hint", what)
        weight = self.number(m, "weight", what, default=1, positive=True)
        required = self.flag(m, "required", what, True)
        before = len(self.problems)
        fields: dict[str, Any] = {}
        if numeric:
            fields = self.numeric(m, what, whole=kind == "integer")
        elif "options" in m:
            fields["options"] = self.options(m, what, scored=kind == "one_of")
            if kind == "any_of" and "rules" in m:
                fields["rules"] = self.rules(m, what, fields["options"])
        if code is None or label is None or weight is None or len(self.problems) > before:
            return None
        return Question(
            code=code, kind=kind, label=label, weight=weight, required=required, hint=hint, **fields
        )

    def numeric(self, m: Mapping[Any, Any], what: str, *, whole: bool) -> dict[str, Any]:
        low = self.number(m, "min", what, default=0, whole=whole)
        high = self.number(m, "max", what, whole=whole) if "max" in m else None
        if low is not None and high is not None and high <= low:
            self.err(
                line_of(m, "max"),
                _("line %(line)s: 'max' of %(what)s must be more than 'min'."),
                what=what,
            )
            return {}
        items = self.seq(m, "bands", what) if "bands" in m else []
        first = low if low is not None else 0
        bands: list[Band] = []
        for i, item in enumerate(items):
            line = item_line(m["bands"], i)
            bw = f"band {i + 1} of {what}"
            b = self.mapping(item, line, bw)
            if b is None:
                continue
            self.keys(b, bw, ("min", "score"), ("max", "hint"))
            bmin = self.number(b, "min", bw, whole=whole) if "min" in b else None
            bmax = self.number(b, "max", bw, whole=whole) if "max" in b else None
            score = self.score(b, bw) if "score" in b else None
            hint = self.label(b, "hint", bw)
            if bmin is None or score is None or ("max" in b and bmax is None):
                low = None  # no join checks past a broken band: they would only echo it
                continue
            if bmax is not None and (bmax < bmin if whole else bmax <= bmin):
                self.err(
                    line_of(b, "max"),
                    _("line %(line)s: %(what)s ends (%(max)s) before it starts (%(min)s)."),
                    what=bw,
                    max=bmax,
                    min=bmin,
                )
                low = None
                continue
            bands.append(Band(min=bmin, max=bmax, score=score, hint=hint))
            if low is None:
                continue
            self.band_joins(bands, line, bw, low, whole=whole)
        if bands and low is not None and len(bands) == len(items):  # every band read
            self.band_end(bands[-1], item_line(m["bands"], len(items) - 1), what, high)
        return {"min": first, "max": high, "bands": tuple(bands)}

    def band_joins(
        self, bands: list[Band], line: int, what: str, low: Number, *, whole: bool
    ) -> None:
        """Each band starts where the previous one ended: no gap, no overlap."""
        band = bands[-1]
        if len(bands) == 1:
            expected: Number = low
        else:
            prev = bands[-2]
            if prev.max is None:
                self.err(
                    line,
                    _(
                        "line %(line)s: %(what)s comes after an open-ended band (no 'max'), so it "
                        "is never used."
                    ),
                    what=what,
                )
                return
            expected = prev.max + 1 if whole else prev.max
        if band.min > expected:
            self.err(
                line,
                _(
                    "line %(line)s: %(what)s leaves a gap: values from %(expected)s to below "
                    "%(min)s get no score."
                ),
                what=what,
                expected=expected,
                min=band.min,
            )
        elif band.min < expected:
            self.err(
                line,
                _(
                    "line %(line)s: %(what)s overlaps the band before it: it must start at "
                    "%(expected)s."
                ),
                what=what,
                expected=expected,
            )

    def band_end(self, last: Band, line: int, what: str, high: Number | None) -> None:
        if last.max is None or last.max == high:
            return
        if high is None:
            self.err(
                line,
                _(
                    "line %(line)s: the last band of %(what)s ends at %(max)s, so larger values "
                    "get "
                    "no score: leave out its 'max'."
                ),
                what=what,
                max=last.max,
            )
        else:
            self.err(
                line,
                _(
                    "line %(line)s: the last band of %(what)s must end at the question's max "
                    "(%(high)s)."
                ),
                what=what,
                high=high,
            )

    def options(self, m: Mapping[Any, Any], what: str, *, scored: bool) -> tuple[Option, ...]:
        out: list[Option] = []
        codes: list[tuple[str | None, int]] = []
        for i, item in enumerate(self.seq(m, "options", what)):
            line = item_line(m["options"], i)
            o = self.mapping(item, line, f"option {i + 1} of {what}")
            if o is None:
                continue
            code = self.code(o, "code", CODE, f"option {i + 1} of {what}") if "code" in o else None
            ow = f"option '{code or i + 1}' of {what}"
            if scored:
                self.keys(o, ow, ("code", "label", "score"), ("hint",))
            else:
                self.keys(o, ow, ("code", "label"), ("hint", "score"))  # score: see below
                if "score" in o:
                    self.err(
                        line_of(o, "score"),
                        _(
                            "line %(line)s: %(what)s has a score, but any_of options are scored "
                            "by the question's rules."
                        ),
                        what=ow,
                    )
            codes.append((code, line))
            label = self.label(o, "label", ow)
            hint = self.label(o, "hint", ow)
            score = self.score(o, ow) if scored and "score" in o else None
            if code is not None and label is not None and (score is not None or not scored):
                out.append(Option(code=code, label=label, score=score, hint=hint))
        self.unique(codes, f"option of {what}")
        return tuple(out)

    def rules(
        self, m: Mapping[Any, Any], what: str, options: tuple[Option, ...]
    ) -> tuple[SetRule, ...]:
        known = {o.code for o in options}
        items = self.seq(m, "rules", what)
        out: list[SetRule] = []
        for i, item in enumerate(items):
            line = item_line(m["rules"], i)
            rw = f"rule {i + 1} of {what}"
            r = self.mapping(item, line, rw)
            if r is None:
                continue
            self.keys(r, rw, ("score",), ("all_of", "any_of", "min_count", "label", "hint"))
            sets: dict[str, tuple[str, ...]] = {}
            for key in ("all_of", "any_of"):
                value = r.get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    self.err(
                        line_of(r, key),
                        _("line %(line)s: '%(key)s' of %(what)s must be a list of option codes."),
                        key=key,
                        what=rw,
                    )
                    continue
                for unknown in [v for v in value if v not in known]:
                    self.err(
                        line_of(r, key),
                        _(
                            "line %(line)s: %(what)s names '%(code)s', which is not an option of "
                            "this question."
                        ),
                        what=rw,
                        code=unknown,
                    )
                sets[key] = tuple(dict.fromkeys(value))
            min_count = self.number(r, "min_count", rw, default=0, whole=True)
            if min_count is not None and not 0 <= min_count <= len(options):
                self.err(
                    line_of(r, "min_count"),
                    _(
                        "line %(line)s: 'min_count' of %(what)s must be from 0 to the number of "
                        "options (%(count)s)."
                    ),
                    what=rw,
                    count=len(options),
                )
            score = self.score(r, rw) if "score" in r else None
            label = self.label(r, "label", rw)
            hint = self.label(r, "hint", rw)
            if score is None or min_count is None or len(sets) < 2:
                continue
            rule = SetRule(
                score=score,
                all_of=sets["all_of"],
                any_of=sets["any_of"],
                min_count=int(min_count),
                label=label,
                hint=hint,
            )
            if out and out[-1].unconditional:
                self.err(
                    line,
                    _(
                        "line %(line)s: %(what)s follows a rule without conditions, so it is "
                        "never used."
                    ),
                    what=rw,
                )
            out.append(rule)
        if out and len(out) == len(items) and not out[-1].unconditional:
            self.err(
                item_line(m["rules"], len(items) - 1),
                _(
                    "line %(line)s: the last rule of %(what)s must have no conditions (only a "
                    "score), so that every answer gets a score."
                ),
                what=what,
            )
        return tuple(out)
