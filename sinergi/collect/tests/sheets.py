"""Spreadsheets for import tests, written with xlsxwriter like a person's Excel file."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.test import REMBANG_VILLAGE, valid_nik

HEADER = ["nik", "name", "sex", "birth_date", "village_code", "business_name", "sector"]


def actor_row(
    name: str = "Ibu Siti", village: str = REMBANG_VILLAGE, born: date = date(1985, 3, 12)
) -> list[Any]:
    return [valid_nik(village, born), name, "P", born.isoformat(), village, "Keripik", "jasa"]


def xlsx_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    """A workbook whose first sheet is the header and rows; dates are written as Excel dates."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet("actors")
    sheet.write_row(0, 0, list(header))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def upload(content: bytes, name: str = "actors.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
