"""YAML with line numbers, read the way GitHub Actions reads it.

A workflow finding names the line to change, so the loader records the line of every mapping
key, of every value's text and of every sequence item. GitHub reads workflows as YAML 1.2,
where ``on``, ``yes`` and ``no`` are plain strings; PyYAML speaks YAML 1.1, where ``on:``
becomes the key True. This loader keeps only ``true`` and ``false`` as booleans. It is a
`yaml.SafeLoader`: no tag builds Python objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["LineList", "LineMap", "YamlProblem", "load_yaml"]

_BOOL = "tag:yaml.org,2002:bool"


class LineMap(dict[str, Any]):
    """A YAML mapping with string keys, and where each key and value is in the file."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.text_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)

    def text_line(self, key: str) -> int:
        """The line where the value's text starts: after the ``|`` of a block scalar."""
        return self.text_lines.get(key, self.line_of(key))


class LineList(list[Any]):
    """A YAML sequence with the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_at(self, index: int) -> int:
        """The line of item `index`."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True)
class YamlProblem:
    """Why a text is not YAML, and the line where the parser gave up."""

    line: int
    message: str


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and line-recording mappings and sequences."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)  # `<<: *anchor` merge keys
    mapping = LineMap(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, dict | list):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        name = str(key).lower() if isinstance(key, bool) else str(key)
        mapping[name] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[name] = key_node.start_mark.line + 1
        block = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">")
        mapping.text_lines[name] = value_node.start_mark.line + (2 if block else 1)
    return mapping


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList(node.start_mark.line + 1)
    for item in node.value:
        sequence.append(loader.construct_object(item, deep=True))
        sequence.item_lines.append(item.start_mark.line + 1)
    return sequence


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def load_yaml(text: str) -> object:
    """Parse one YAML document; a syntax error comes back as a `YamlProblem`, never raised."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        words = ", ".join(part for part in (error.context, error.problem) if part)
        return YamlProblem(mark.line + 1 if mark else 1, words or "not valid YAML")
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        return YamlProblem(line, f"unacceptable character {chr(error.character)!r}")
    except yaml.YAMLError as error:
        return YamlProblem(1, str(error))
    except RecursionError:
        return YamlProblem(1, "nested too deeply to read")
