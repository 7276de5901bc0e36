"""The actor spreadsheet: its columns, the blank template with its help sheet, and how the
cells of a row become the record the registry's validator checks (parsed once, in the
import's worker process: collect.imports)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from sinergi.collect.jobs import HeaderError, Problems, column_problems, header_codes
from sinergi.lib.xlsx import Sheet, cell_date, cell_text, restore
from sinergi.registry import rules
from sinergi.registry.choices import LegalityKind, Sector, Status
from sinergi.registry.exports import COLUMNS, REFERENCE_COLUMNS
from sinergi.registry.models import Actor

_YES = frozenset({"ya", "y", "yes", "1", "true", "benar"})
_NO = frozenset({"tidak", "t", "no", "n", "0", "false", "salah", ""})
_YES_NO = _YES | _NO
_DATE_COLUMNS = ("birth_date", "consent_date")
_BOOL_COLUMNS = ("consent_programme", "consent_partners", "consent_publication")
_KIND_SEPARATORS = re.compile(r"[,;]")
_SEX = {"f": "F", "p": "F", "perempuan": "F", "female": "F", "m": "M", "l": "M", "male": "M"}
_SEX.update({"laki-laki": "M", "laki laki": "M", "lakilaki": "M"})
_OTHER_KINDS = (LegalityKind.SKU, LegalityKind.IUMK, LegalityKind.BPOM, LegalityKind.BRAND)
# Legality column -> the kinds it speaks for (a kind whose column is absent is left alone).
LEGALITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "nib": (LegalityKind.NIB,),
    "pirt": (LegalityKind.PIRT,),
    "halal": (LegalityKind.HALAL,),
    "other_legality": tuple(_OTHER_KINDS),
}
# Columns read as plain text (cell_text).
_TEXT_CODES = frozenset(COLUMNS) - {*LEGALITY_COLUMNS, *_DATE_COLUMNS, *_BOOL_COLUMNS, "sex"}


@dataclass(frozen=True)
class Column:
    """How one spreadsheet column is filled in, for the template's help sheet."""

    code: str
    required: bool
    description: str | Promise
    format: str | Promise
    example: str
    allowed: str | Promise = ""


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values)


def column_help() -> list[Column]:
    """The import columns in COLUMNS order, with their help text."""
    date_format = _("date: YYYY-MM-DD, DD/MM/YYYY or an Excel date")
    yes_no = _("ya/tidak (also yes/no, 1/0)")
    spec = [
        Column("nik", True, _("Identity number (NIK) as on the KTP"), _("16 digits, as text"),
               "3317045203850001"),
        Column("name", True, _("Full name"), _("text, up to 150 characters"), "Siti Aminah"),
        Column("sex", True, _("Sex"), _("one letter"), "F", _("F or P (female), M or L (male)")),
        Column("birth_date", True, _("Birth date; must agree with the NIK"), date_format,
               "1985-03-12"),
        Column("phone", False, _("Phone number"), _("8 to 15 digits, may start with +"),
               "081234567890"),
        Column("address", False, _("Address"), _("text, up to 255 characters"), "RT 02 RW 01"),
        Column("village_code", True, _("Kemendagri village code, inside your region"),
               _("dotted or 10 digits"), "33.17.04.2001"),
        Column("business_name", True, _("Business name"), _("text, up to 150 characters"),
               "Keripik Bu Siti"),
        Column("sector", True, _("Business sector"), _("one code"), Sector.FOOD.value,
               _choices(Sector.values)),
        Column("products", False, _("Products"), _("text, up to 255 characters"),
               "keripik singkong"),
        Column("year_started", False, _("Year the business started"), _("year, from 1945"),
               "2015"),
        Column("consent_date", False, _("Date the consent form was signed"), date_format,
               "2024-01-15"),
        Column("consent_programme", False, _("Consents to the programme using her data"),
               yes_no, "ya"),
        Column("consent_partners", False, _("Consents to sharing with partners"), yes_no,
               "tidak"),
        Column("consent_publication", False, _("Consents to publication"), yes_no, "tidak"),
        Column("facilitator", False, _("Username of her facilitator (pendamping)"),
               _("username"), "pendamping-rembang"),
        Column("status", False, _("Status (blank: active, or unchanged)"), _("one code"),
               Status.ACTIVE.value, _choices(Status.values)),
        Column("nib", False, _("Business number (NIB)"), _("13 digits, as text"),
               "1234567890123"),
        Column("pirt", False, _("P-IRT certificate number"), _("at least 15 digits"),
               "P-IRT No. 2063317010123-29"),
        Column("halal", False, _("Halal certificate number"), _("text"), "ID33110000123450824"),
        Column("other_legality", False, _("Other legality held"), _("comma-separated codes"),
               "sku, brand", _choices(_OTHER_KINDS)),
    ]  # fmt: skip
    by_code = {column.code: column for column in spec}
    return [by_code[code] for code in COLUMNS]


REQUIRED = frozenset(c.code for c in column_help() if c.required)
# Columns kept as text in the template so Excel does not round long digit strings.
TEXT_COLUMNS = ("nik", "phone", "village_code", "nib", "pirt", "halal")


def template_sheets() -> list[Sheet]:
    """The blank import template: the header row, and the 'Petunjuk' sheet explaining it."""
    help_rows = [
        (
            c.code,
            _t("required") if c.required else _t("optional"),
            str(c.description),
            str(c.format),
            c.example,
            str(c.allowed),
        )
        for c in column_help()
    ]
    return [
        Sheet(
            "actors",
            COLUMNS,
            [],
            widths=[18] * len(COLUMNS),
            text_columns=[COLUMNS.index(code) for code in TEXT_COLUMNS],
        ),
        Sheet(
            "Petunjuk",
            [_t("Column"), _t("Required"), _t("Description"), _t("Format"), _t("Example"),
             _t("Allowed values")],
            help_rows,
            widths=[20, 12, 45, 40, 30, 50],
        ),
    ]  # fmt: skip


def read_header(cells: Sequence[Any]) -> list[str]:
    """Column codes of the header row; missing, unknown or repeated columns fail the job.

    The reference columns an export adds (id, village name, level) are accepted and read as
    blank codes, which parse_row skips: an exported file can be edited and imported back."""
    codes = header_codes(cells)
    problems = column_problems(
        codes,
        missing=sorted(REQUIRED - set(codes), key=COLUMNS.index),
        unknown=[c for c in codes if c and c not in COLUMNS and c not in REFERENCE_COLUMNS],
        allowed=COLUMNS,
    )
    if problems:
        raise HeaderError(" ".join(problems))
    return ["" if c in REFERENCE_COLUMNS else c for c in codes]


@dataclass(frozen=True)
class Row:
    """One data row, parsed into the validator's input."""

    number: int
    data: dict[str, Any]
    # Legality items, each under the column that gave it (None: no legality column).
    legality: list[dict[str, Any]] | None
    legality_columns: list[str]
    errors: dict[str, str]  # problems of its cells, by column
    nik: str  # the NIK cell without spaces, as the duplicate checks compare it


def _text(value: Any) -> str:
    """cell_text, without its checks for the text cells that make most of a sheet."""
    return restore(value.strip()) if type(value) is str else cell_text(value)


def parse_row(number: int, codes: Sequence[str], cells: Sequence[Any]) -> Row | None:
    """Cells to typed values; None for a blank row. Cell-level problems go to row.errors."""
    if len(cells) >= len(codes) and all(codes):
        values = dict(zip(codes, cells, strict=False))  # what the general case below gives
    else:
        values = {
            code: cells[i] if i < len(cells) else None for i, code in enumerate(codes) if code
        }
    if all(_text(v) == "" for v in values.values()):
        return None
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for code, value in values.items():
        if code in _TEXT_CODES:
            data[code] = _text(value)
        elif code in LEGALITY_COLUMNS:
            continue
        elif code in _DATE_COLUMNS:
            data[code] = cell_date(value)
        elif code in _BOOL_COLUMNS:
            text = _text(value).lower()
            if text not in _YES_NO:
                errors[code] = _t("'%s' is not ya or tidak.") % text
            data[code] = text in _YES
        elif code == "sex":
            text = _text(value)
            data[code] = _SEX.get(text.lower(), text)
        else:
            data[code] = _text(value)
    legality: list[dict[str, Any]] | None = None
    columns: list[str] = []
    if not LEGALITY_COLUMNS.keys().isdisjoint(values):
        legality = []
        for code in ("nib", "pirt", "halal"):
            number_text = _text(values.get(code))
            if number_text:
                legality.append({"kind": code, "number": number_text})
                columns.append(code)
        for kind in _KIND_SEPARATORS.split(_text(values.get("other_legality")).lower()):
            kind = kind.strip()
            if not kind:
                continue
            if kind not in _OTHER_KINDS:
                errors["other_legality"] = _t(
                    "'%(kind)s' is not a legality type; allowed: %(allowed)s."
                ) % {"kind": kind, "allowed": ", ".join(_OTHER_KINDS)}
            else:
                legality.append({"kind": kind, "number": ""})
                columns.append("other_legality")
    nik = str(data.get("nik", "")).replace(" ", "")
    return Row(number, data, legality, columns, errors, nik)


def merge_legality(row: Row, actor: Actor, codes: Sequence[str]) -> Row:
    """The row as an update of `actor`: items whose column is absent are kept, and items
    listed again keep their dates."""
    if row.legality is None:
        return row
    stored = list(actor.legality_items.all())
    covered = {
        kind for code in codes if code in LEGALITY_COLUMNS for kind in LEGALITY_COLUMNS[code]
    }
    items = []
    for item in row.legality:
        dated = dict(item)
        for old in stored:
            if old.kind == item["kind"] and old.number == _normal_number(item):
                dated.update(issued_on=old.issued_on, expires_on=old.expires_on)
        items.append(dated)
    kept = [old for old in stored if old.kind not in covered]
    items += [
        {
            "kind": old.kind,
            "number": old.number,
            "issued_on": old.issued_on,
            "expires_on": old.expires_on,
        }
        for old in kept
    ]
    return replace(row, legality=items, legality_columns=[*row.legality_columns, *[""] * len(kept)])


def _normal_number(item: dict[str, Any]) -> str:
    number = str(item["number"]).strip()
    if item["kind"] == LegalityKind.PIRT:
        digits, reason = rules.normalise_pirt(number)
        return number if reason else rules.format_pirt(digits)
    return number


def problems(row: Row, errors: dict[str, Any]) -> Problems:
    """A validator's errors as report lines: legality errors under their item's column."""
    found: Problems = []
    for key, reasons in errors.items():
        column = key
        if key.startswith("legality."):
            index = int(key.split(".")[1])
            column = row.legality_columns[index] if index < len(row.legality_columns) else ""
        elif key == "__all__":
            column = ""
        for reason in [reasons] if isinstance(reasons, str) else reasons:
            found.append((column, str(reason)))
    return found
