from __future__ import annotations

import io
import signal
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from sinergi.lib.tests import bombs
from sinergi.lib.uploads import (
    DOCUMENT,
    IMAGE,
    PDF,
    SPREADSHEET,
    ZIP,
    NotAccepted,
    UploadRefused,
    check_upload,
    parse_failure,
)
from sinergi.lib.workers import ProcessLimits, Worker, WorkerFailed
from sinergi.lib.xlsx import open_first_sheet

REASONS = {
    bombs.zip_bomb: "too large once unpacked: xl/workbook.xml holds",
    bombs.whitespace_bomb: "too large once unpacked: xl/worksheets/sheet1.xml holds",
    bombs.far_cells: "cells as far as row 100.000 and column 100;",
    bombs.huge_extent: "declares a size of 1.048.576 rows by 16.384 columns;",
    bombs.far_cell_in_row_one: "cells as far as row 100.000 and column 100;",
    bombs.nested_xml: "packed suspiciously tightly",
    bombs.lying_sizes: "The file is damaged: Bad CRC-32",
    bombs.unplaced_cells: "cells as far as row 1.048.576 and column 16.38",
    bombs.reordered_attributes: "cells as far as row 1.048.576 and column 16.384;",
}


@pytest.mark.parametrize("make", list(bombs.BOMBS.values()), ids=list(bombs.BOMBS))
def test_it_refuses_every_bomb_before_any_parser_sees_it(
    make: Callable[[Path], Path], tmp_path: Path
) -> None:
    path = make(tmp_path / "bomb.xlsx")
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        open_first_sheet(str(path))
    assert REASONS[make] in str(refused.value)


def test_it_says_why_in_bahasa_indonesia(tmp_path: Path) -> None:
    with translation.override("id"), pytest.raises(UploadRefused) as refused:
        check_upload(str(bombs.zip_bomb(tmp_path / "b.xlsx")), accept=SPREADSHEET)
    assert str(refused.value).startswith("Berkas terlalu besar setelah dibuka")


def test_it_passes_a_workbook_and_tells_types_by_their_first_bytes(tmp_path: Path) -> None:
    assert check_upload(str(bombs.write(tmp_path / "ok.xlsx")), accept=SPREADSHEET) == ZIP
    assert check_upload(io.BytesIO(b"%PDF-1.7\n..."), accept=DOCUMENT) == PDF
    with pytest.raises(NotAccepted):
        check_upload(io.BytesIO(b"%PDF-1.7\n..."), accept=IMAGE)
    with pytest.raises(NotAccepted):
        check_upload(io.BytesIO(b"nik,name\n"), accept=SPREADSHEET)


def test_it_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = bombs.write(tmp_path / "ok.xlsx")
    with (
        translation.override("en"),
        override_settings(IMPORT_MAX_BYTES=100),
        pytest.raises(UploadRefused) as refused,
    ):
        check_upload(str(path), accept=SPREADSHEET)
    assert "the largest file accepted" in str(refused.value)


def test_it_refuses_odd_parts_and_too_many_parts(tmp_path: Path) -> None:
    for name in ("../escape.xml", "xl/inner.zip", "/etc/passwd"):
        path = tmp_path / "odd.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(name, b"x")
        with translation.override("en"), pytest.raises(UploadRefused, match="has no place in"):
            check_upload(str(path), accept=SPREADSHEET)
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(20):
            archive.writestr(f"part{n}.xml", b"x")
    with (
        translation.override("en"),
        override_settings(UPLOAD_ZIP_MAX_MEMBERS=10),
        pytest.raises(UploadRefused) as refused,
    ):
        check_upload(str(path), accept=SPREADSHEET)
    assert "holds 20 parts; at most 10" in str(refused.value)


def _allocate(_none: None) -> int:
    return len(bytearray(512 * 1024 * 1024))


def _spin(_none: None) -> int:
    while True:
        pass


def test_a_worker_past_its_memory_limit_fails_with_the_memory_reason() -> None:
    with Worker[None, int](_allocate, ProcessLimits(64 * 1024 * 1024, 60)) as worker:
        worker.send(None)
        with pytest.raises(MemoryError) as failed:
            worker.receive()
    with translation.override("en"):
        refused = parse_failure(failed.value)
    assert refused is not None
    assert "reading it needs more than" in str(refused)


def test_a_worker_past_its_time_limit_is_ended_with_the_time_reason() -> None:
    with Worker[None, int](_spin, ProcessLimits(256 * 1024 * 1024, 1)) as worker:
        worker.send(None)
        with pytest.raises(WorkerFailed) as failed:
            worker.receive()
    assert failed.value.status == -signal.SIGXCPU
    with translation.override("en"):
        refused = parse_failure(failed.value)
    assert refused is not None
    assert "took longer than the" in str(refused)
