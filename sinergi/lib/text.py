"""Text a person typed, checked for characters nobody can see."""

from __future__ import annotations

import re

# Every control (Unicode category Cc) and format character (Cf): right-to-left overrides and
# isolates, zero-width spaces and joiners, the byte order mark, soft hyphens, tags. They
# make "Siti" and "Si\u200btti" two names that look alike, or show a name's letters in
# another order than they are stored (a test checks the class against unicodedata).
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def invisible_character(text: str) -> str | None:
    """The first invisible character of the text as U+XXXX, or None when there is none."""
    found = _INVISIBLE.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"
