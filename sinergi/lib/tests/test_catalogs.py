"""Both translation catalogs are complete, and pages speak the language the browser asks for."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client

from sinergi.test import PASSWORD, Personas

LOCALE = Path(__file__).resolve().parents[3] / "locale"
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (header included, obsolete #~ entries skipped)."""
    entries: list[Entry] = []
    entry, target = Entry(), ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if target:
                entries.append(entry)
            entry, target = Entry(), ""
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        else:
            keyword, _, rest = line.partition(" ")
            if keyword.startswith('"'):
                keyword, rest = "", line
            else:
                target = keyword
            text: str = ast.literal_eval(rest)
            if target == "msgid":
                entry.msgid += text
            elif target == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + text
            else:
                index = int(target[7:-1]) if target.startswith("msgstr[") else 0
                entry.msgstr[index] = entry.msgstr.get(index, "") + text
    return entries


def nplurals(header: Entry) -> int:
    found = re.search(r"nplurals=(\d+)", header.msgstr[0])
    assert found, "the header declares no Plural-Forms"
    return int(found.group(1))


@pytest.mark.parametrize(("language", "plurals"), [("id", 1), ("en", 2)])
def test_every_message_is_translated_in_both_catalogs(language: str, plurals: int) -> None:
    header, *entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert nplurals(header) == plurals
    assert len(entries) > 300
    problems = []
    for entry in entries:
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        forms = range(plurals) if entry.msgid_plural is not None else range(1)
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if sorted(entry.msgstr) != list(forms):
            problems.append(f"wrong plural forms {sorted(entry.msgstr)}: {entry.msgid!r}")
        for index, text in entry.msgstr.items():
            if not text.strip():
                problems.append(f"untranslated: {entry.msgid!r}")
            elif sorted(PLACEHOLDER.findall(text)) != expected:
                problems.append(f"placeholders differ in [{index}]: {entry.msgid!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_the_english_catalog_repeats_the_source_strings() -> None:
    _, *entries = parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    for entry in entries:
        assert entry.msgstr[0] == entry.msgid
        if entry.msgid_plural is not None:
            assert entry.msgstr[1] == entry.msgid_plural


def test_the_parser_reads_continuation_lines_and_escapes(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Say \\"%(name)s\\" "\n"twice"\n'
        'msgstr "Ucapkan \\"%(name)s\\" dua kali"\n',
        encoding="utf-8",
    )
    header, entry = parse_po(po)
    assert nplurals(header) == 1
    assert entry.msgid == 'Say "%(name)s" twice'
    assert entry.msgstr == {0: 'Ucapkan "%(name)s" dua kali'}
    assert entry.flags == {"fuzzy", "python-format"}


@pytest.mark.django_db
def test_the_login_page_is_in_indonesian_unless_english_is_asked_for() -> None:
    indonesian = Client().get("/accounts/login/").content.decode()
    assert "<title>Masuk · Sinergi</title>" in indonesian, "compiled catalogs? run `make messages`"
    assert "Masuk ke Sinergi" in indonesian
    assert '<button type="submit">Masuk</button>' in indonesian
    assert "Kata sandi" in indonesian
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert "<title>Log in · Sinergi</title>" in english
    assert "Log in to Sinergi" in english
    assert '<button type="submit">Log in</button>' in english
    assert "Password" in english


@pytest.mark.django_db
def test_the_actor_list_is_in_indonesian_by_default(personas: Personas) -> None:
    client = Client()
    assert client.login(username=personas.rembang.username, password=PASSWORD)
    page = client.get("/actors/").content.decode()
    for text in ("Pelaku Industri Rumahan", "Daftarkan pelaku", "Keluar", "Kode wilayah"):
        assert text in page
    for text in ("Home industry actors", "Register an actor", "Log out", "Region code"):
        assert text not in page


@pytest.mark.django_db
def test_api_messages_follow_the_requested_language() -> None:
    assert Client().get("/api/v1/actors").json()["detail"] == "Autentikasi diperlukan."
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/actors")
    assert english.json()["detail"] == "Authentication required."
