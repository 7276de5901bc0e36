"""Spreadsheet reading and writing without models: calamine to read, xlsxwriter to write."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Any

import python_calamine
import xlsxwriter
from django.utils.translation import gettext as _

from sinergi.lib.uploads import SPREADSHEET, check_upload, parse_failure, parse_limits
from sinergi.lib.workers import Worker, WorkerFailed

# A spreadsheet cell starting with one of these is run as a formula by Excel and LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NotASpreadsheet(ValueError):
    """The bytes cannot be read as a workbook."""


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, prefixed with ' so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Text as it was before neutralise(): an exported '+62812… is imported back as +62812…."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


def cell_text(value: Any) -> str:
    """A read cell as text: whole numbers without '.0' (a NIK typed as a number), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta | time):
        return str(value)
    return restore(str(value).strip())


def cell_date(value: Any) -> date | str:
    """A date cell as a date; text is left for the form to parse with its own formats."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return cell_text(value)


@dataclass
class SheetReader:
    """The first sheet of a workbook: its size and its rows, one list of cell values each."""

    height: int
    rows: Iterator[list[Any]]


def open_first_sheet(path: str) -> SheetReader:
    """Rows of the first sheet, converted to Python one at a time, once the file has passed
    lib.uploads.check_upload (UploadRefused otherwise). Call it in a process under
    lib.uploads.parse_limits: a hostile file may still need more than it should."""
    check_upload(path, accept=SPREADSHEET)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        sheet = workbook.get_sheet_by_index(0)
        return SheetReader(height=sheet.height, rows=iter(sheet.iter_rows()))
    except Exception as exc:  # calamine raises many types for damaged files
        raise NotASpreadsheet(str(exc)) from exc


def named_sheet_rows(path: str, name: str, limit: int = 20) -> list[list[Any]] | None:
    """The first `limit` rows of the sheet called `name` (any case), or None without one;
    for a file open_first_sheet has read (that is, checked)."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        found = next((n for n in workbook.sheet_names if n.lower() == name.lower()), None)
        if found is None:
            return None
        return workbook.get_sheet_by_name(found).to_python(skip_empty_area=False, nrows=limit)
    except Exception as exc:  # calamine raises many types for damaged files
        raise NotASpreadsheet(str(exc)) from exc


def validate_workbook(stream: IO[bytes]) -> None:
    """Raise UploadRefused unless the stream passes lib.uploads.check_upload (bounded reads in
    this process), and NotASpreadsheet unless it opens as a workbook with a sheet: that
    opening runs in a worker process under parse_limits, never in the caller's."""
    check_upload(stream, accept=SPREADSHEET)
    try:
        with Worker[None, list[str]](lambda _none: _sheet_names(stream), parse_limits()) as worker:
            worker.send(None)
            names = worker.receive()
    except (MemoryError, WorkerFailed) as exc:
        refused = parse_failure(exc)
        if refused is None:
            raise
        raise refused from exc
    finally:
        stream.seek(0)
    if not names:
        raise NotASpreadsheet(_("the workbook has no sheet"))


def _sheet_names(stream: IO[bytes]) -> list[str]:
    stream.seek(0)
    try:
        names: list[str] = python_calamine.CalamineWorkbook.from_filelike(stream).sheet_names
    except Exception as exc:  # calamine raises many types for damaged files
        raise NotASpreadsheet(str(exc)) from exc
    return names


@dataclass(frozen=True)
class Sheet:
    """One sheet to write: a header row and data rows (any iterable, consumed once)."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()
    text_columns: Sequence[int] = ()  # columns formatted as text so Excel keeps long digits


# Data rows a sheet takes below its header: Excel's 1,048,576 rows in all.
SHEET_ROWS = 1_048_575


def write_workbook(sheets: Sequence[Sheet]) -> IO[bytes]:
    """Write sheets to a temporary file in constant memory; returns it rewound for reading.

    Text cells are neutralised against formula injection and written as strings, never
    interpreted as numbers or formulas. Rows beyond a sheet's capacity continue on sheets
    named "<name> (2)", "<name> (3)" … each with the header: nothing is left out.
    """
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the caller streams and closes it
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
            "tmpdir": tempfile.gettempdir(),
        },
    )
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})

    def new_sheet(spec: Sheet, part: int) -> Any:
        name = spec.name if part == 1 else f"{spec.name[:24]} ({part})"
        worksheet = workbook.add_worksheet(name)
        for index, width in enumerate(spec.widths):
            worksheet.set_column(index, index, width)
        for index in spec.text_columns:
            worksheet.set_column(
                index, index, spec.widths[index] if index < len(spec.widths) else 16, text
            )
        worksheet.write_row(0, 0, list(spec.header), bold)
        return worksheet

    for spec in sheets:
        part = 1
        worksheet = new_sheet(spec, part)
        row_number = 0
        for row in spec.rows:
            if row_number == SHEET_ROWS:
                # A sheet holds 1,048,576 rows: the rest goes on to "name (2)", with the header.
                part += 1
                worksheet, row_number = new_sheet(spec, part), 0
            row_number += 1
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    worksheet.write_string(row_number, col, neutralise(value))
                else:
                    worksheet.write(row_number, col, value)
    workbook.close()
    output.seek(0)
    return output
