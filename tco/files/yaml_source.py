"""Safe YAML reading that keeps line numbers, reads numbers as exact values and refuses what YAML lets slip.

Floats become `Decimal` straight from their text (never through a float); duplicate keys, aliases that
expand without bound, oversized files and empty documents are errors naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from tco.errors import Problem, TcoError, dotted

MAX_FILE_BYTES = 1 << 20
MAX_VALUES = 100_000

Path_ = tuple[str | int, ...]

_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?$")


@dataclass
class Located:
    """A parsed YAML document and the line of every value in it, keyed by its path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Problems found while reading (duplicate keys, bad dates); reported with the model's own."""
    aliases: dict[Path_, Path_] = field(default_factory=dict)
    """Where a YAML alias repeats a mapping or list: its path → the path of the anchored original."""

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest value along `path` that the file has (union tags and the like are skipped)."""
        found: Path_ = ()
        for part in path:
            if found + (part,) in self.lines:
                found = found + (part,)
        return self.lines.get(found)

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), dotted(path), message)


def read_yaml(path: Path, display: str | None = None) -> Located:
    """Read one YAML file into plain data with line numbers, or raise `TcoError`."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise TcoError([Problem(name, None, "", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TcoError([Problem(name, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise TcoError([Problem(name, None, "", "is a directory, expected a YAML file")]) from None
    except UnicodeDecodeError as e:
        raise TcoError([Problem(name, None, "", f"is not UTF-8 text ({e.reason})")]) from None
    return parse_yaml(text, name)


def _compose(text: str) -> list[yaml.Node]:
    """YAML nodes with their marks, by libyaml where installed (several times faster); on a syntax error the pure
    loader parses again, so the message is the same with or without libyaml."""
    try:
        return list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError:
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def parse_yaml(text: str, name: str) -> Located:
    """Parse YAML text; see `read_yaml`."""
    try:
        nodes = _compose(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise TcoError([Problem(name, line, "", f"YAML syntax error: {e.problem or e}")]) from None
    except yaml.YAMLError as e:
        raise TcoError([Problem(name, None, "", f"YAML syntax error: {e}")]) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise TcoError([Problem(name, 1, "", "the file is empty; expected a YAML mapping")])
    if len(nodes) > 1:
        raise TcoError([Problem(name, nodes[1].start_mark.line + 1, "", "holds more than one YAML document")])
    located = Located(name, None)
    builder = _Builder(located)
    located.data = builder.build(nodes[0], ())
    if not isinstance(located.data, dict):
        kind = type(located.data).__name__
        raise TcoError([Problem(name, nodes[0].start_mark.line + 1, "", f"expected a YAML mapping, found {kind}")])
    return located


class _Builder:
    def __init__(self, located: Located):
        self.located = located
        self.problems = located.problems
        self.count = 0
        self.first: dict[int, Path_] = {}  # composed node → the first path it appeared at

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise TcoError([Problem(self.located.file, node.start_mark.line + 1, dotted(path),
                                    f"the document expands to more than {MAX_VALUES:,} values "
                                    "(aliases nested too deep?)")])
        self.located.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            first = self.first.setdefault(id(node), path)
            if first != path:
                self.located.aliases[path] = first
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    value = self.build(source, path)
                    if isinstance(value, dict):
                        merged = {**value, **merged}
                continue
            key = self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                self._problem(key_node, path, "keys must be plain names")
                continue
            key = str(key)
            if key in out:
                first = self.located.lines.get(path + (key,))
                self._problem(key_node, path + (key,), f"duplicate key (first set on line {first})")
                continue
            self.located.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, path + (key,))
        return {**merged, **out}

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        text, tag = node.value, node.tag
        if node.style:  # quoted: always a string
            return text
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() in ("true", "yes", "on")
        if tag == "tag:yaml.org,2002:int" and _INT.match(text):
            return int(text.replace("_", ""))
        if tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):
            if _FLOAT.match(text):
                try:
                    return Decimal(text.replace("_", ""))
                except InvalidOperation:
                    pass
            self._problem(node, path, f"{text!r} is not a finite number")
            return text
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                self._problem(node, path, f"{text!r} is not a valid date; expected YYYY-MM-DD")
                return text
        return text

    def _problem(self, node: yaml.Node, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.located.file, node.start_mark.line + 1, dotted(path), message))
