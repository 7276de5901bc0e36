from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sinergi.registry import rules

TODAY = date(2026, 11, 29)


def test_it_accepts_a_womans_nik_with_day_plus_forty() -> None:
    check = rules.check_nik("3317045203850001", sex="F", birth_date=date(1985, 3, 12), today=TODAY)
    assert check.ok
    assert check.female is True
    assert check.birth_date == date(1985, 3, 12)
    assert check.region_prefix == "33.17.04"


def test_it_rejects_letters_and_wrong_length() -> None:
    letters = rules.check_nik("33170452038500A1", today=TODAY).errors
    assert [str(e) for e in letters] == ["NIK must contain digits only."]
    assert str(rules.check_nik("331704520385000", today=TODAY).errors[0]) == (
        "NIK must be 16 digits; this one has 15."
    )


def test_it_rejects_an_impossible_birth_date() -> None:
    check = rules.check_nik("3317047102850001", today=TODAY)  # day 71-40 = 31 February
    assert not check.ok
    assert "birth date" in str(check.errors[0])


def test_it_rejects_serial_zero() -> None:
    assert any("0000" in str(e) for e in rules.check_nik("3317045203850000", today=TODAY).errors)


def test_it_rejects_a_male_day_for_a_woman() -> None:
    check = rules.check_nik("3317041203850001", sex="F", today=TODAY)
    assert any("sex" in str(e) for e in check.errors)


def test_it_rejects_a_birth_date_that_disagrees() -> None:
    check = rules.check_nik("3317045203850001", sex="F", birth_date=date(1985, 3, 13), today=TODAY)
    assert any("does not match the birth date" in str(e) for e in check.errors)


def test_it_masks_the_middle_digits() -> None:
    assert rules.mask_nik("3317045203850001") == "3317••••••••••••"


def test_it_checks_nib_and_pirt_formats() -> None:
    assert rules.check_nib("1234567890123") is None
    assert rules.check_nib("12345") is not None
    digits, error = rules.normalise_pirt("P-IRT No. 2063317010123-27")
    assert error is None
    assert rules.format_pirt(digits) == "P-IRT No. 2063317010123-27"
    assert rules.pirt_regency(digits) == "33.17"
    assert rules.pirt_expiry_year(digits) == 2027
    assert rules.normalise_pirt("P-IRT No. 12345-67")[1] is not None
    assert rules.normalise_pirt("P-IRT No. ABCDEFGHIJKLMNOP")[1] is not None


@given(
    born=st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)),
    female=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_composed_niks_round_trip(born: date, female: bool, serial: int) -> None:
    nik = rules.compose_nik("33.17.04", born, female=female, serial=serial)
    check = rules.check_nik(nik, sex="F" if female else "M", birth_date=born, today=TODAY)
    assert check.ok, check.errors
    assert check.birth_date == born
