"""Pure rules for identifiers held in the registry: NIK, NIB and P-IRT (no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sinergi.lib.problems import Problem as Problem  # re-exported for callers
from sinergi.lib.problems import _

MASK = "\u2022"  # bullet, as in 3317••••••••••••
_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class NikCheck:
    """What a NIK says about its holder, or why it cannot be a NIK."""

    errors: list[Problem] = field(default_factory=list)
    region_prefix: str = ""  # dotted district code, e.g. 33.17.04
    birth_date: date | None = None
    female: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _birth_date(day: int, month: int, yy: int, today: date) -> date | None:
    """Pick the century that gives a real date that is not in the future."""
    for century in (2000, 1900):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            return None
        if candidate <= today:
            return candidate
    return None


def check_nik(
    nik: str, *, sex: str | None = None, birth_date: date | None = None, today: date | None = None
) -> NikCheck:
    """Check a NIK's format, birth date (day + 40 for women) and agreement with the record."""
    today = today or date.today()
    if not _DIGITS.match(nik or ""):
        return NikCheck(errors=[Problem(_("NIK must contain digits only."))])
    if len(nik) != 16:
        return NikCheck(
            errors=[
                Problem(_("NIK must be 16 digits; this one has %(count)s."), {"count": len(nik)})
            ]
        )
    errors: list[Problem] = []
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    real_day = day - 40 if female else day
    born = _birth_date(real_day, month, yy, today) if 1 <= real_day <= 31 else None
    if born is None:
        errors.append(
            Problem(
                _(
                    "NIK digits 7-12 (%(digits)s) are not a real birth date (DDMMYY, day + 40 for "
                    "women)."
                ),
                {"digits": nik[6:12]},
            )
        )
    if nik[12:] == "0000":
        errors.append(Problem(_("NIK serial number (last 4 digits) cannot be 0000.")))
    if born is not None and sex in ("F", "M") and female != (sex == "F"):
        errors.append(
            Problem(_("NIK birth day does not match sex: for women the day is increased by 40."))
            if sex == "F"
            else Problem(_("NIK birth day is over 40, which marks a woman, but sex is male."))
        )
    if (
        born is not None
        and birth_date is not None
        and (born.day, born.month, born.year % 100)
        != (birth_date.day, birth_date.month, birth_date.year % 100)
    ):
        errors.append(
            Problem(
                _("NIK birth date (%(date)s) does not match the birth date given."),
                {"date": f"{born:%d-%m-%y}"},
            )
        )
    prefix = f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"
    return NikCheck(errors=errors, region_prefix=prefix, birth_date=born, female=female)


def mask_nik(nik: str) -> str:
    """The only masked form of an NIK, wherever one is shown: the province and kab/kota of
    first registration (the first 4 digits) and nothing else.

    The rest must stay hidden: digits 5-12 are the district and the birth date (+40 for
    women), which the actor's record gives anyway, so the last 4 (the serial) are the only
    part that cannot be derived, and showing them rebuilt whole NIKs from the API.
    """
    return nik[:4] + MASK * (len(nik) - 4)


def check_nib(number: str) -> Problem | None:
    """None if the NIB is well formed, else the reason."""
    digits = number.strip()
    if not _DIGITS.match(digits) or len(digits) != 13:
        return Problem(_("NIB must be exactly 13 digits."))
    return None


_PIRT_PREFIX = re.compile(r"^\s*(P-?IRT)?\s*(No\.?)?\s*", re.IGNORECASE)


def normalise_pirt(number: str) -> tuple[str, Problem | None]:
    """Return (digits, error). Accepts 'P-IRT No. 1234567890123-45' or the bare digits."""
    body = _PIRT_PREFIX.sub("", number)
    if not re.fullmatch(r"[\d\s.-]+", body or "x"):
        return "", Problem(
            _("P-IRT number may contain only digits, spaces, dots and dashes after 'P-IRT No.'.")
        )
    digits = re.sub(r"\D", "", body)
    if len(digits) < 15:
        return digits, Problem(
            _("P-IRT number must have at least 15 digits; this one has %(count)s."),
            {"count": len(digits)},
        )
    return digits, None


def format_pirt(digits: str) -> str:
    return f"P-IRT No. {digits[:-2]}-{digits[-2:]}"


def pirt_regency(digits: str) -> str:
    """Digits 4-7 are the province and regency code: 33.17."""
    return f"{digits[3:5]}.{digits[5:7]}"


def pirt_expiry_year(digits: str) -> int:
    return 2000 + int(digits[-2:])


def compose_nik(district_code: str, born: date, *, female: bool, serial: int) -> str:
    """Build a well-formed NIK (demo data, tests): district, DDMMYY (+40 for women), serial."""
    day = born.day + 40 if female else born.day
    return f"{district_code.replace('.', '')}{day:02d}{born:%m%y}{serial:04d}"
