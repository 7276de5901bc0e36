"""Invisible characters are found by one class that matches Unicode's own categories."""

from __future__ import annotations

import sys
import unicodedata

from sinergi.lib.text import invisible_character


def test_the_class_holds_the_control_and_format_characters() -> None:
    invisible = {
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf")
    }
    found = {code for code in range(sys.maxunicode + 1) if invisible_character(chr(code))}
    assert invisible <= found
    # Unicode 15 made U+13439..U+1343F format characters too; this Python may know an older one.
    assert found - invisible <= set(range(0x13439, 0x13440))


def test_it_names_the_first_invisible_character() -> None:
    assert invisible_character("Siti Aminah") is None
    assert invisible_character("Sit\u202eiA\u200b") == "U+202E"
    assert invisible_character("Ibu\u00a0Siti") is None  # a no-break space is seen as a space
