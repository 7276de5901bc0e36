"""Writing workbooks: nothing is left out when a sheet is full, nothing is read as a formula."""

from __future__ import annotations

from typing import Any

import python_calamine

from sinergi.lib import xlsx
from sinergi.lib.xlsx import Sheet, neutralise, restore, write_workbook


def read_back(output: Any) -> dict[str, list[list[Any]]]:
    workbook = python_calamine.CalamineWorkbook.from_filelike(output)
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def test_rows_beyond_a_full_sheet_go_on_to_the_next_with_the_header(monkeypatch: Any) -> None:
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 4)
    rows = [[n, f"actor {n}"] for n in range(1, 11)]
    sheets = read_back(write_workbook([Sheet("actors", ["id", "name"], iter(rows))]))
    assert list(sheets) == ["actors", "actors (2)", "actors (3)"]
    assert [len(sheet) for sheet in sheets.values()] == [5, 5, 3]
    assert all(sheet[0] == ["id", "name"] for sheet in sheets.values())
    written = [row for sheet in sheets.values() for row in sheet[1:]]
    assert [[int(n), name] for n, name in written] == rows


def test_a_sheet_of_exactly_the_capacity_stays_one_sheet(monkeypatch: Any) -> None:
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 3)
    sheets = read_back(write_workbook([Sheet("a", ["x"], [["1"], ["2"], ["3"]])]))
    assert sheets == {"a": [["x"], ["1"], ["2"], ["3"]]}


def test_text_that_looks_like_a_formula_is_kept_as_text() -> None:
    sheets = read_back(write_workbook([Sheet("a", ["x"], [["=1+2"], ["3317000000000001"]])]))
    assert sheets["a"][1] == ["'=1+2"]
    assert sheets["a"][2] == ["3317000000000001"]


def test_restore_undoes_neutralise_and_nothing_else() -> None:
    for text in ("=SUM(A1)", "+62812", "-kue", "@x", "Ibu Siti", "'kutipan", "'"):
        assert restore(neutralise(text)) == text
    assert restore("'Ibu") == "'Ibu"  # an apostrophe the export did not add stays
