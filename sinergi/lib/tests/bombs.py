"""Hostile spreadsheets, built on the fly (no binary file is committed): a zip bomb, a
whitespace bomb, far cells, a huge extent, deeply nested XML, and an archive that lies about
its sizes. Used by the tests and by bench/upload_bombs.py.

A part made of one block repeated is deflated once: after a full flush the compressor has no
history, so the block's compressed bytes are the same every time and are written as many
times as the block repeats. A gigabyte bomb is so built in well under a second.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

_CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    b'worksheet+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships"><sheets><sheet name="actors" sheetId="1" r:id="rId1"/></sheets>'
    b"</workbook>"
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>nik</t></is></c></row>'
GIB = 1024**3


@dataclass(frozen=True)
class Part:
    """One member: prefix + block * times + suffix; `declared` overrides its stated size."""

    name: str
    prefix: bytes
    block: bytes = b""
    times: int = 0
    suffix: bytes = b""
    declared: int | None = None

    @property
    def size(self) -> int:
        return len(self.prefix) + len(self.block) * self.times + len(self.suffix)


def sheet(rows: bytes, dimension: str = "", tail: bytes = b"") -> Part:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return Part(
        "xl/worksheets/sheet1.xml",
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main">' + dim + b"<sheetData>" + rows,
        suffix=tail + b"</sheetData></worksheet>",
    )


def write(path: Path, *parts: Part) -> Path:
    """A workbook of the standard parts, with `parts` replacing or adding members."""
    given = {part.name: part for part in parts}
    members = [
        Part("[Content_Types].xml", _CONTENT_TYPES),
        Part("_rels/.rels", _RELS),
        Part("xl/workbook.xml", WORKBOOK),
        Part("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        Part("xl/worksheets/sheet1.xml", sheet(HEADER_ROW).prefix, suffix=sheet(b"").suffix),
    ]
    members = [given.pop(m.name, m) for m in members] + list(given.values())
    directory = b""
    with open(path, "wb") as out:
        for part in members:
            offset = out.tell()
            crc, packed = _deflate(part)
            name = part.name.encode()
            size = part.size if part.declared is None else part.declared
            fields = (20, 0, 8, 0, 0x21, crc, len(packed), size, len(name))
            out.write(struct.pack("<4s5HL2L2H", b"PK\x03\x04", *fields, 0) + name + packed)
            directory += (
                struct.pack("<4s6HL2L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset)
                + name
            )
        start = out.tell()
        out.write(directory)
        count = len(members)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count,
                              len(directory), start, 0))  # fmt: skip
    return path


def _deflate(part: Part) -> tuple[int, bytes]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(part.prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(part.prefix)
    if part.times:
        piece = compressor.compress(part.block) + compressor.flush(zlib.Z_FULL_FLUSH)
        packed += piece * part.times
        for _ in range(part.times):
            crc = zlib.crc32(part.block, crc)
    packed += compressor.compress(part.suffix) + compressor.flush(zlib.Z_FINISH)
    return zlib.crc32(part.suffix, crc), packed


MIB_OF_SPACES = b" " * (1024 * 1024)


def zip_bomb(path: Path, gib: int = 1) -> Path:
    """xl/workbook.xml inflating to `gib` GiB (about 1 MB packed per GiB)."""
    workbook = WORKBOOK.replace(b"</workbook>", b"")
    return write(path, Part("xl/workbook.xml", workbook, MIB_OF_SPACES, 1024 * gib, b"</workbook>"))


def whitespace_bomb(path: Path, mib: int = 2048) -> Path:
    """A sheet whose one cell is followed by `mib` MiB of whitespace."""
    base = sheet(HEADER_ROW)
    return write(path, Part(base.name, base.prefix, MIB_OF_SPACES, mib, base.suffix))


def far_cells(path: Path, far: str = "CV100000") -> Path:
    """Two cells: A1 and `far` (the reader allocates the rectangle between them)."""
    row = int("".join(c for c in far if c.isdigit()))
    cells = HEADER_ROW + f'<row r="{row}"><c r="{far}"><v>1</v></c></row>'.encode()
    return write(path, sheet(cells))


def huge_extent(path: Path) -> Path:
    """A1 and XFD1048576, the last cell of a sheet, with the dimension declared so."""
    cells = HEADER_ROW + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write(path, sheet(cells, "A1:XFD1048576"))


def far_cell_in_row_one(path: Path) -> Path:
    """A far cell named inside row 1: only the cell's own reference gives its row away."""
    cells = b'<row r="1"><c r="A1"><v>1</v></c><c r="CV100000"><v>1</v></c></row>'
    return write(path, sheet(cells))


def nested_xml(path: Path, depth: int = 1_000_000) -> Path:
    """A sheet with `depth` nested elements after its header row."""
    base = sheet(HEADER_ROW)
    block = 1000  # elements a block: a full flush costs a few bytes each time
    return write(
        path,
        Part(base.name, base.prefix, b"<x>" * block, depth // block, b"</x>" * depth + base.suffix),
    )


def lying_sizes(path: Path, mib: int = 512) -> Path:
    """A sheet of `mib` MiB whose headers say it holds 1 KiB (and so a ratio of nothing)."""
    base = sheet(HEADER_ROW)
    return write(path, Part(base.name, base.prefix, MIB_OF_SPACES, mib, base.suffix, 1024))


BOMBS = {
    "zip bomb (workbook.xml, 1 GiB)": zip_bomb,
    "whitespace bomb (sheet, 2 GiB)": whitespace_bomb,
    "far cells (A1 + CV100000)": far_cells,
    "huge extent (A1 + XFD1048576)": huge_extent,
    "far cell inside row 1": far_cell_in_row_one,
    "deeply nested XML (1,000,000)": nested_xml,
    "sizes that lie (512 MiB said 1 KiB)": lying_sizes,
}


def unplaced_cells(path: Path, width: int = 16_384) -> Path:
    """A row of `width` cells without references, and a last row numbered 1,048,576."""
    cells = b"<row>" + b"<c><v>1</v></c>" * width + b'</row><row r="1048576"><c><v>1</v></c></row>'
    return write(path, sheet(cells))


def reordered_attributes(path: Path) -> Path:
    """A1 and XFD1048576 with the reference after another attribute, in prefixed elements."""
    cells = (
        b'<x:row r="1"><x:c s="0" r="A1"><x:v>1</x:v></x:c></x:row>'
        b'<x:row r="1048576"><x:c s="0" r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
    )
    return write(path, sheet(cells))


BOMBS["cells without references (16,384 wide)"] = unplaced_cells
BOMBS["references out of place (prefix, order)"] = reordered_attributes
