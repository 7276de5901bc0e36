"""What an uploaded file must pass before anything parses it, and the limits of its parsing.

Every upload (spreadsheets today; photos and PDFs the same way) goes through check_upload:
its size, its type told by its first bytes (never by its name), and for a zip archive
(.xlsx, .ods) the archive itself, read with bounded memory before any parser sees it: how
many parts, how large each is once inflated and all together (declared sizes are compared,
then each part is really inflated a slice at a time and counted, since a header may lie),
how tightly each is packed, parts that have no business in a document (nested archives,
absolute or parent paths, encryption), and for each worksheet its declared dimension and
its real extent (the farthest row and column any cell names), since a reader allocates
the whole rectangle from A1 to the farthest cell.

What passes is then parsed in a separate process (lib.workers.Worker with parse_limits()):
a memory limit (RLIMIT_AS) and a CPU-time limit (RLIMIT_CPU), so a file these checks did
not foresee fails its job with refusal_of's message and never takes down the web worker
or the job consumer.
"""

from __future__ import annotations

import re
import signal
import struct
import zipfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sinergi.lib.formatting import thousands
from sinergi.lib.workers import ProcessLimits, WorkerFailed

# Types told by a file's first bytes.
ZIP, OLE2, PDF, PNG, JPEG = "zip", "ole2", "pdf", "png", "jpeg"
_MAGIC = (
    (b"PK\x03\x04", ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
SPREADSHEET = frozenset({ZIP, OLE2})  # .xlsx and .ods are zips, .xls is OLE2
IMAGE = frozenset({PNG, JPEG})
DOCUMENT = frozenset({PDF})
_NAMES = {ZIP: ".xlsx/.ods", OLE2: ".xls", PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}

# Parts smaller than this once inflated are not held to the ratio: a few kilobytes of
# repeated XML packs very tightly and costs nothing to read.
_RATIO_FLOOR = 1024 * 1024
_SLICE = 1024 * 1024  # inflated a slice at a time
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_DIMENSION = re.compile(rb'dimension\s+ref="([A-Z]+\d+)(?::([A-Z]+\d+))?"')
# A reader places a cell by its r="B7" (whatever the element's prefix or the attribute's
# place), a row by its r="7"; one without, right after the one before. Any element's r of
# that form counts: more than cells and rows only ever makes the extent larger.
_REF_ATTRIBUTE = re.compile(rb'\sr="([A-Z]*)(\d+)"')
_PREFIXED = re.compile(rb"<\w+:(?:worksheet|sheetData)\b")
_REF = re.compile(r"([A-Z]+)(\d+)")
_NESTED = (".zip", ".xlsx", ".xlsm", ".ods", ".jar", ".gz", ".7z", ".rar")
# End of the central directory: signature, disk numbers, entries here and in all, its size.
_END = struct.Struct("<4s4H2LH")


class UploadRefused(ValueError):
    """A file that must not be parsed; its text is the reason, for the user."""


class NotAccepted(UploadRefused):
    """A file that is not of an accepted type, or whose container is damaged."""


@dataclass(frozen=True)
class Limits:
    """What an upload may hold; settings UPLOAD_* (see .env.example)."""

    max_bytes: int
    members: int
    member_bytes: int
    total_bytes: int
    ratio: int
    rows: int
    columns: int
    cells: int

    @classmethod
    def from_settings(cls, *, max_bytes: int | None = None) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes,
            members=settings.UPLOAD_ZIP_MAX_MEMBERS,
            member_bytes=settings.UPLOAD_UNPACKED_MAX_BYTES,
            total_bytes=settings.UPLOAD_UNPACKED_TOTAL_BYTES,
            ratio=settings.UPLOAD_ZIP_MAX_RATIO,
            rows=settings.UPLOAD_SHEET_MAX_ROWS,
            columns=settings.UPLOAD_SHEET_MAX_COLUMNS,
            cells=settings.UPLOAD_SHEET_MAX_CELLS,
        )


def parse_limits() -> ProcessLimits:
    """The memory and CPU time a process parsing an upload may take (UPLOAD_PARSE_*)."""
    return ProcessLimits(
        memory_bytes=settings.UPLOAD_PARSE_MEMORY_MB * 1024 * 1024,
        cpu_seconds=settings.UPLOAD_PARSE_SECONDS,
    )


def sniff(head: bytes) -> str | None:
    """The file's type from its first bytes, or None when it is none we read."""
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


@contextmanager
def _opened(source: str | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(source, str):
        with open(source, "rb") as handle:
            yield handle
    else:
        source.seek(0)
        try:
            yield source
        finally:
            source.seek(0)


def check_upload(
    source: str | IO[bytes], *, accept: Collection[str], limits: Limits | None = None
) -> str:
    """Raise UploadRefused unless the file (a path, or a seekable stream) is of an accepted
    type and within the limits; returns its type. Reads at most a slice at a time."""
    limits = limits or Limits.from_settings()
    with _opened(source) as handle:
        handle.seek(0, 2)
        size = handle.tell()
        if size > limits.max_bytes:
            raise UploadRefused(
                _("The file is %(size)s; the largest file accepted is %(limit)s.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limits.max_bytes)}
            )
        handle.seek(0)
        kind = sniff(handle.read(8))
        if kind is None or kind not in accept:
            raise NotAccepted(
                _("The file is not of an accepted type (%(accepted)s).")
                % {"accepted": ", ".join(sorted(_NAMES[k] for k in accept))}
            )
        if kind == ZIP:
            check_archive(handle, limits)
    return kind


def check_archive(handle: IO[bytes], limits: Limits) -> None:
    """The zip checks of check_upload (the module's docstring says which)."""
    _check_directory(handle, limits)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotAccepted(_("The file is damaged: %(reason)s") % {"reason": exc}) from exc
    with archive:
        members = archive.infolist()
        declared = 0
        for info in members:
            _check_member(info, limits)
            declared += info.file_size
        if declared > limits.total_bytes:
            raise _too_large_in_all(limits)
        inflated = 0
        for info in members:
            inflated += _inflate(archive, info, limits, limits.total_bytes - inflated)


def _check_directory(handle: IO[bytes], limits: Limits) -> None:
    """The number of parts and the size of their list, read from the end record before
    zipfile reads the list (it keeps every entry in memory)."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - _END.size - 65_535))
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        raise NotAccepted(_("The file is damaged: %(reason)s") % {"reason": "no zip directory"})
    _sig, _disk, _start, _here, entries, directory, _offset, _comment = _END.unpack_from(tail, at)
    # 0xFFFF entries means a zip64 archive, whose true count is elsewhere: far more than any
    # workbook holds, so refused the same.
    if entries > limits.members or directory > limits.members * 1024:
        raise UploadRefused(
            _("The file holds %(count)s parts; at most %(limit)s are accepted.")
            % {"count": thousands(entries), "limit": thousands(limits.members)}
        )


def _check_member(info: zipfile.ZipInfo, limits: Limits) -> None:
    path = PurePosixPath(info.filename)
    if (
        info.filename.startswith(("/", "\\"))
        or "\\" in info.filename
        or ".." in path.parts
        or path.suffix.lower() in _NESTED
    ):
        raise UploadRefused(
            _("The file holds a part that has no place in it: %(name)s.")
            % {"name": info.filename[:100]}
        )
    if info.flag_bits & 0x1:
        raise UploadRefused(_("The file is protected with a password; save it without one."))
    if info.file_size > limits.member_bytes:
        raise _too_large(info.filename, info.file_size, limits)
    _check_ratio(info.filename, info.file_size, info.compress_size, limits)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, left: int) -> int:
    """Inflate one part a slice at a time, counting what comes out; a worksheet's cells are
    looked at on the way. Returns its size."""
    extent = _Extent(info.filename) if _WORKSHEET.match(info.filename) else None
    inflated = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(_SLICE):
                inflated += len(chunk)
                if inflated > limits.member_bytes:
                    raise _too_large(info.filename, inflated, limits)
                if inflated > left:
                    raise _too_large_in_all(limits)
                _check_ratio(info.filename, inflated, info.compress_size, limits)
                if extent is not None:
                    extent.feed(chunk, limits)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise NotAccepted(_("The file is damaged: %(reason)s") % {"reason": exc}) from exc
    if extent is not None:
        extent.check(limits)
    return inflated


def _check_ratio(name: str, inflated: int, packed: int, limits: Limits) -> None:
    if inflated > _RATIO_FLOOR and inflated > limits.ratio * max(packed, 1):
        raise UploadRefused(
            _(
                "The file is packed suspiciously tightly: %(name)s unpacks to more than "
                "%(limit)s times its packed size."
            )
            % {"name": name, "limit": thousands(limits.ratio)}
        )


def _too_large(name: str, size: int, limits: Limits) -> UploadRefused:
    return UploadRefused(
        _("The file is too large once unpacked: %(name)s holds %(size)s, more than %(limit)s.")
        % {
            "name": name,
            "size": filesizeformat(size),
            "limit": filesizeformat(limits.member_bytes),
        }
    )


def _too_large_in_all(limits: Limits) -> UploadRefused:
    return UploadRefused(
        _("The file is too large once unpacked: its parts hold more than %(limit)s in all.")
        % {"limit": filesizeformat(limits.total_bytes)}
    )


def column_number(letters: str) -> int:
    """A1-style column letters as a number from 1 (A) to 16,384 (XFD)."""
    value = 0
    for letter in letters:
        value = value * 26 + ord(letter) - 64
    return value


class _Extent:
    """The farthest row and column a worksheet's cells name, read slice by slice."""

    def __init__(self, name: str) -> None:
        self.name = PurePosixPath(name).stem
        self.rows = 0
        self.columns = 0
        self.row_tags = 0  # rows, with or without their number
        self.unplaced = 0  # cells without a reference (bounding the widest row)
        self.tail = b""  # the end of the previous slice: a tag may straddle two
        self.first = True
        self.prefixed = False  # elements written x:row, x:c

    def feed(self, chunk: bytes, limits: Limits) -> None:
        text = self.tail + chunk
        self.tail = chunk[-64:]
        if self.first:
            self.first = False
            self.prefixed = bool(_PREFIXED.search(text))
            declared = _DIMENSION.search(text)
            if declared:
                far = declared.group(2) or declared.group(1)
                self._check(*_far(far.decode()), limits, declared=declared.group(0).decode())
        refs = _REF_ATTRIBUTE.findall(text)
        if refs:
            self.rows = max(self.rows, max(int(row) for _column, row in refs))
            letters = {column for column, _row in refs if column}
            if letters:
                self.columns = max(self.columns, *(column_number(c.decode()) for c in letters))
        # Counted in this slice only (a tag across two slices is missed: a row or a cell in a
        # mebibyte). "<c" also counts <col> and the like: the bound is only ever larger.
        rows = chunk.count(b"<row")
        cells = chunk.count(b"<c")
        if self.prefixed:
            rows += chunk.count(b":row")
            cells += chunk.count(b":c")
        self.row_tags += rows
        self.unplaced += max(0, cells - len(refs) + rows)
        self.check(limits)

    def check(self, limits: Limits) -> None:
        self._check(max(self.rows, self.row_tags), max(self.columns, self.unplaced), limits)

    def _check(
        self, rows: int, columns: int, limits: Limits, *, declared: str | None = None
    ) -> None:
        if rows <= limits.rows and columns <= limits.columns and rows * columns <= limits.cells:
            return
        params = {
            "sheet": self.name,
            "rows": thousands(rows),
            "columns": thousands(columns),
            "max_rows": thousands(limits.rows),
            "max_columns": thousands(limits.columns),
            "max_cells": thousands(limits.cells),
        }
        if declared is not None:
            message = _(
                "The sheet %(sheet)s declares a size of %(rows)s rows by %(columns)s columns; "
                "at most %(max_rows)s rows, %(max_columns)s columns and %(max_cells)s cells "
                "in all are read."
            )
        else:
            message = _(
                "The sheet %(sheet)s has cells as far as row %(rows)s and column %(columns)s; "
                "at most %(max_rows)s rows, %(max_columns)s columns and %(max_cells)s cells "
                "in all are read."
            )
        raise UploadRefused(message % params)


def _far(ref: str) -> tuple[int, int]:
    """(row, column) of an A1-style reference."""
    match = _REF.fullmatch(ref)
    if match is None:
        return 0, 0
    return int(match.group(2)), column_number(match.group(1))


def parse_failure(failure: BaseException) -> UploadRefused | None:
    """The user's reason when a parsing process (see parse_limits) ran out of memory or
    time, or stopped; None for any other failure (a bug, to be logged as such)."""
    status = next(
        (
            link.status
            for link in (failure, failure.__cause__)
            if isinstance(link, WorkerFailed) and link.status is not None
        ),
        None,
    )
    limits = parse_limits()
    # A Rust reader aborts when an allocation fails; Python raises MemoryError, or the
    # process stops with status 1 when even that could not be sent back.
    if isinstance(failure, MemoryError) or status in (1, -signal.SIGABRT):
        return UploadRefused(
            _(
                "The file is too large once unpacked: reading it needs more than the "
                "%(limit)s of memory allowed. Split it into smaller files."
            )
            % {"limit": filesizeformat(limits.memory_bytes)}
        )
    if status in (-signal.SIGXCPU, -signal.SIGKILL):
        return UploadRefused(
            _(
                "Reading the file took longer than the %(seconds)s seconds allowed. Split it "
                "into smaller files."
            )
            % {"seconds": thousands(limits.cpu_seconds)}
        )
    if status is None:
        return None
    return UploadRefused(
        _("The file could not be read: the process reading it stopped (status %(status)s).")
        % {"status": status}
    )
