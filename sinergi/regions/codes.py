"""Pure rules about Kemendagri region codes (no database)."""

from __future__ import annotations

import re

_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def is_valid_code(code: str) -> bool:
    return bool(_CODE.match(code))


def level_of(code: str) -> int:
    """1 province, 2 regency, 3 district, 4 village (from the code's shape)."""
    return code.count(".") + 1


def ancestors(code: str) -> list[str]:
    """A region's code and its ancestors', province first: 33.17.04 -> [33, 33.17, 33.17.04]."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def normalise(code: str) -> str:
    """Accept dotted or plain digits (3317042001) and return the dotted form, or '' if neither."""
    code = code.strip()
    if is_valid_code(code):
        return code
    if code.isdigit() and len(code) in (2, 4, 6, 10):
        pieces = [code[0:2], code[2:4], code[4:6], code[6:10]]
        return ".".join(p for p in pieces if p)
    return ""
