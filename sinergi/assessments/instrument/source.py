"""YAML read so that every mapping, key and list item knows its line in the file.

The reader names that line in each problem it finds. Duplicate keys, which YAML silently
resolves to the last, are reported too. JSON is YAML, so the same loader reads it.
"""

from __future__ import annotations

from typing import Any

import yaml

from sinergi.lib.problems import Problem, _


class _Map(dict[Any, Any]):
    """A mapping that remembers its line and the line of each key."""

    line = 0
    key_lines: dict[Any, int]


class _Seq(list[Any]):
    line = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps line numbers and reports duplicate keys (YAML keeps the last)."""

    duplicates: list[tuple[int, str]]


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            loader.duplicates.append((line, str(key)))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    out = _Seq(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [n.start_mark.line + 1 for n in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_yaml(text: str) -> tuple[Any, list[Problem]]:
    """The data in `text` and the problems found reading it (invalid YAML: no data)."""
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or exc.context or "syntax error"
        return None, [
            Problem(_("line %(line)s: this is not valid YAML (%(reason)s)."), _at(line, reason))
        ]
    except (yaml.YAMLError, TypeError) as exc:  # TypeError: a list or mapping used as a key
        return None, [
            Problem(_("line %(line)s: this is not valid YAML (%(reason)s)."), _at(1, exc))
        ]
    finally:
        loader.dispose()
    problems = [
        Problem(_("line %(line)s: key '%(key)s' appears twice."), {"line": line, "key": key})
        for line, key in loader.duplicates
    ]
    return data, problems


def _at(line: int, reason: object) -> dict[str, object]:
    return {"line": line, "reason": str(reason)}


def line_of(obj: Any, key: Any = None) -> int:
    """The line of a loaded mapping or list, or of one key of a mapping (0: not known)."""
    if key is not None and isinstance(obj, _Map):
        return obj.key_lines.get(key, obj.line)
    return getattr(obj, "line", 0)


def item_line(seq: Any, index: int) -> int:
    """The line of a loaded list's item (the list's own line if not known)."""
    if isinstance(seq, _Seq) and index < len(seq.item_lines):
        return seq.item_lines[index]
    return line_of(seq)
