"""Rules of the code base that a reader should be able to rely on, checked by reading the
source: visibility is decided only by the scoping mechanism (sinergi.lib.scope and the
rules in sinergi.accounts.scoping), so no other module filters a scoped model by its region
or caseload fields, and the region-level field map is written once per model (its reach)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps

from sinergi.lib.scope import Reach

ROOT = Path(__file__).resolve().parents[2]  # the sinergi package
MECHANISM = {ROOT / "lib" / "scope.py", ROOT / "accounts" / "scoping.py"}
FILTERS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q"}
REGION_NAMES = {"province_code", "regency_code", "district_code", "village_id", "village"}


def sources() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts and "tests" not in path.parts
    ]


def scoped_paths() -> set[str]:
    """The field paths through which scoped models reach a region."""
    found: set[str] = set()
    for model in apps.get_models():
        reach = getattr(model, "reach", None)
        if isinstance(reach, Reach):
            for path in (*reach.levels, reach.code):
                if path:
                    found |= {path, f"{path}_id"}
    return found


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def region_filters(tree: ast.AST, paths: set[str]) -> list[int]:
    """Lines where a filter or Q names one of the paths (with or without a lookup)."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _called(node) not in FILTERS:
            continue
        for keyword in node.keywords:
            name = keyword.arg or ""
            if any(name == path or name.startswith(f"{path}__") for path in paths):
                lines.append(node.lineno)
    return lines


def level_maps(tree: ast.AST) -> list[int]:
    """Lines of dict literals mapping region levels to region column names."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            values = [v.value for v in node.values if isinstance(v, ast.Constant)]
            named = [v for v in values if isinstance(v, str) and v.split("__")[-1].split(".")[-1]
                     in REGION_NAMES]  # fmt: skip
            if len(named) >= 2:
                lines.append(node.lineno)
    return lines


def test_the_scan_sees_the_scoped_models() -> None:
    assert {"province_code", "region_code", "actor__village_id"} <= scoped_paths()


def test_no_module_filters_a_scoped_model_by_region_outside_the_scoping_mechanism() -> None:
    paths = scoped_paths()
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources()
        if path not in MECHANISM
        for line in region_filters(ast.parse(path.read_text()), paths)
    ]
    assert not found, "filter through Model.objects.visible_to() / .within():\n" + "\n".join(found)


def test_the_region_level_field_map_is_written_once_per_model() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources()
        for line in level_maps(ast.parse(path.read_text()))
    ]
    assert not found, "derive it from the model's reach:\n" + "\n".join(found)


def test_the_scan_finds_what_it_looks_for() -> None:
    sample = ast.parse(
        "Actor.objects.filter(regency_code=code)\n"
        "Q(region_code__startswith=code)\n"
        "FIELDS = {1: 'province_code', 2: 'regency_code'}\n"
    )
    assert region_filters(sample, scoped_paths()) == [1, 2]
    assert level_maps(sample) == [3]


def test_no_module_is_longer_than_a_reader_can_hold() -> None:
    long = {
        f"{path.relative_to(ROOT)}: {lines}"
        for path in sources()
        if (lines := len(path.read_text().splitlines())) > 600
    }
    assert not long, "cut it along its seams:\n" + "\n".join(sorted(long))


TEMPLATES = ROOT.parent / "templates"
# A row's key printed into a link or a form value (`{{ actor.pk }}`): with thousands separators
# on, 3025 would print as "3.025" (or "3,025"), which no view reads back as 3025.
PRINTED_KEY = re.compile(r"\{\{\s*[\w.]+\.(?:pk|id)\s*\}\}")


def printed_keys(text: str) -> list[int]:
    """Lines that print a primary key without `|unlocalize`."""
    return [number for number, line in enumerate(text.splitlines(), 1) if PRINTED_KEY.search(line)]


def test_templates_print_row_keys_unlocalized() -> None:
    found = {
        f"{path.relative_to(TEMPLATES)}:{line}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line in printed_keys(path.read_text())
    }
    assert not found, "use {{ row.pk|unlocalize }}:\n" + "\n".join(sorted(found))
    assert printed_keys('<a href="?actor={{ actor.pk }}">\n{{ actor.pk|unlocalize }}') == [1]
