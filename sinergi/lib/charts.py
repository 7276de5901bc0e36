"""Charts as server-rendered SVG: no script, no external request, the same in print and PDF.

Model-free. Every chart is an `<svg role="img">` with a <title> and a <desc> summing it up,
plain presentation attributes only (nothing a strict CSP blocks), and a <title> per mark for
pointer users. Numbers are formatted by the caller (`fmt`), so they read as the page's
language does. Pages put a data table next to each chart for screen readers and sorting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape as _escape

from django.utils.safestring import SafeString, mark_safe


def escape(text: object) -> str:
    """Text for HTML and SVG, as django.utils.html.escape writes it, without its handling of
    lazy strings: a chart escapes hundreds of texts."""
    return _escape(str(text))


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#1d2430"
MUTED = "#5b6575"
LINE = "#d9dee6"
# Colour-blind safe (Okabe-Ito), lowest level first, then neutral greys for anything else.
PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2", "#8a8f98", "#b8bcc4")
UP, SAME, DOWN = "#009e73", "#b8bcc4", "#d55e00"
_CHAR = 7.0  # average width of a character at 12px, for layout
Formatter = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One colour of a chart: a level, or up / same / down."""

    label: str
    colour: str


@dataclass(frozen=True)
class Bar:
    """One bar: a label, one value per series, and where clicking it leads (drill-down)."""

    label: str
    values: Sequence[float]
    href: str = ""

    @property
    def total(self) -> float:
        return sum(self.values)


def _text(x: float, y: float, text: str, **attrs: str | float) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def _svg(chart_id: str, title: str, desc: str, width: float, height: float, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{escape(FONT)}" '
        f'font-size="12" fill="{INK}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>{body}</svg>'
    )


def _short(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def _legend(series: Sequence[Series], x: float, y: float) -> str:
    parts = []
    for item in series:
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{item.colour}"/>'
        )
        parts.append(_text(x + 16, y, item.label))
        x += 16 + len(item.label) * _CHAR + 18
    return "".join(parts)


def _share(part: float, whole: float) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    bars: Sequence[Bar],
    fmt: Formatter,
    percent: bool = False,
    width: float = 720,
) -> SafeString:
    """Horizontal bars, one per row, split by series; `percent` scales each to its total."""
    label_chars = min(max((len(b.label) for b in bars), default=4), 28)
    left = label_chars * _CHAR + 14
    right = 12 + max((len(fmt(b.total)) for b in bars), default=1) * _CHAR
    top, row, gap = 30, 20, 7
    height = top + len(bars) * (row + gap) + 6
    area = width - left - right
    biggest = max((b.total for b in bars), default=0) or 1
    body = [_legend(series, left, 16) if len(series) > 1 else ""]
    for index, bar in enumerate(bars):
        y = top + index * (row + gap)
        scale = area / (bar.total or 1) if percent else area / biggest
        label = _text(left - 8, y + row - 6, _short(bar.label, 28), text_anchor="end")
        if bar.href:
            label = f'<a href="{escape(bar.href)}">{label}</a>'
        marks = [f"<g><title>{escape(bar.label)}: {escape(fmt(bar.total))}</title>{label}</g>"]
        x = left
        for item, value in zip(series, bar.values, strict=True):
            w = value * scale
            if w <= 0:
                continue
            tip = f"{bar.label} · {item.label}: {fmt(value)} ({_share(value, bar.total)})"
            marks.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row}" '
                f'fill="{item.colour}"><title>{escape(tip)}</title></rect>'
            )
            shown = _share(value, bar.total) if percent else fmt(value)
            if w > len(shown) * _CHAR + 6:
                marks.append(_text(x + w / 2, y + row - 6, shown, text_anchor="middle"))
            x += w
        marks.append(_text(x + 6, y + row - 6, fmt(bar.total), fill=MUTED))
        body.append("".join(marks))
    return mark_safe(_svg(chart_id, title, desc, width, height, "".join(body)))  # noqa: S308 - every text escaped above


def columns(
    *,
    chart_id: str,
    title: str,
    desc: str,
    series: Sequence[Series],
    bars: Sequence[Bar],
    fmt: Formatter,
    width: float = 720,
    height: float = 240,
) -> SafeString:
    """Vertical stacked columns (a trend across periods), totals on top."""
    top, bottom, left = 34, 26, 10
    area = height - top - bottom
    step = (width - 2 * left) / max(len(bars), 1)
    col = min(step * 0.6, 90)
    biggest = max((b.total for b in bars), default=0) or 1
    axis = height - bottom
    body = [
        _legend(series, left, 16),
        f'<line x1="{left}" x2="{width - left}" y1="{axis}" y2="{axis}" stroke="{LINE}"/>',
    ]
    for index, bar in enumerate(bars):
        x = left + index * step + (step - col) / 2
        y = height - bottom
        for item, value in zip(series, bar.values, strict=True):
            h = value / biggest * area
            if h <= 0:
                continue
            y -= h
            tip = f"{bar.label} · {item.label}: {fmt(value)} ({_share(value, bar.total)})"
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col:.1f}" height="{h:.1f}" '
                f'fill="{item.colour}"><title>{escape(tip)}</title></rect>'
            )
            if h > 16:
                body.append(_text(x + col / 2, y + h / 2 + 4, fmt(value), text_anchor="middle"))
        body.append(_text(x + col / 2, y - 5, fmt(bar.total), text_anchor="middle", fill=MUTED))
        label = _text(x + col / 2, height - 8, bar.label, text_anchor="middle")
        body.append(f'<a href="{escape(bar.href)}">{label}</a>' if bar.href else label)
    return mark_safe(_svg(chart_id, title, desc, width, height, "".join(body)))  # noqa: S308 - every text escaped above


def heatmap(
    *,
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[str],
    cols: Sequence[str],
    cells: Sequence[Sequence[float]],
    fmt: Formatter,
    row_title: str,
    col_title: str,
    tone: Callable[[int, int], str],
) -> SafeString:
    """A matrix (from rows to columns) with each cell shaded by its share of its row;
    `tone(i, j)` gives a cell's colour (up, same or down)."""
    label_chars = max((len(r) for r in rows), default=4)
    left = label_chars * _CHAR + 30
    top, cell_w, cell_h = 52, 112, 46
    width = left + len(cols) * cell_w + 10
    height = top + len(rows) * cell_h + 10
    body = [
        _text(left + len(cols) * cell_w / 2, 14, col_title, text_anchor="middle", fill=MUTED),
        _text(
            12,
            top + len(rows) * cell_h / 2,
            row_title,
            fill=MUTED,
            transform=f"rotate(-90 12 {top + len(rows) * cell_h / 2:.1f})",
            text_anchor="middle",
        ),
    ]
    for j, col in enumerate(cols):
        body.append(_text(left + j * cell_w + cell_w / 2, top - 10, col, text_anchor="middle"))
    for i, row in enumerate(rows):
        y = top + i * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 4, row, text_anchor="end"))
        whole = sum(cells[i])
        for j, value in enumerate(cells[i]):
            x = left + j * cell_w
            strength = 0.12 + 0.78 * (value / whole) if whole else 0.0
            tip = f"{row} → {cols[j]}: {fmt(value)} ({_share(value, whole)})"
            body.append(
                f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill="{tone(i, j)}" fill-opacity="{strength:.2f}" '
                f'stroke="{LINE}"><title>{escape(tip)}</title></rect>'
            )
            middle = x + cell_w / 2
            body.append(_text(middle, y + 22, fmt(value), text_anchor="middle", font_weight="700"))
            body.append(
                _text(middle, y + 37, _share(value, whole), text_anchor="middle", fill=MUTED)
            )
    return mark_safe(_svg(chart_id, title, desc, width, height, "".join(body)))  # noqa: S308 - every text escaped above
