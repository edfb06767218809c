"""The YAML parser behind `tco.files.yaml_source.parse_yaml`: nodes with their lines, built into plain data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from tco.errors import Problem, TcoError, describe, dotted, shorten
from tco.files.yaml_source import MAX_DEPTH, MAX_VALUES, Located, Path_

_INT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?$")


class _TooDeep(yaml.MarkedYAMLError):
    pass


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than `MAX_DEPTH` before its recursion can run out of stack."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(None, None, f"mappings and lists are nested more than {MAX_DEPTH} deep; the limit is {MAX_DEPTH}",
                               self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _compose(text: str) -> list[yaml.Node]:
    """YAML nodes with their marks, by libyaml where installed (several times faster); on a syntax error the pure
    loader parses again, so the message is the same with or without libyaml."""
    try:
        return list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", _Loader)))
    except yaml.YAMLError:  # libyaml refuses nesting past 1,000 itself; the pure loader stops at MAX_DEPTH
        return list(yaml.compose_all(text, Loader=_Loader))


def parse(text: str, name: str) -> Located:
    """Parse YAML text; see `tco.files.yaml_source.read_yaml`."""
    def syntax(line: int | None, message: Any) -> TcoError:
        return TcoError([Problem(name, line, "", f"YAML syntax error: {message}")])

    try:
        nodes = _compose(text)
    except _TooDeep as e:
        raise TcoError([Problem(name, e.problem_mark.line + 1, "", str(e.problem))]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise syntax(mark.line + 1 if mark else None, e.problem or e) from None
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1
        utf16 = " (a NUL: is the file UTF-16? save it as UTF-8)" if e.character == 0 else ""
        raise syntax(line, f"the character {chr(e.character)!r}{utf16} is not allowed in YAML text"
                     if isinstance(e.character, int) else e.reason) from None
    except yaml.YAMLError as e:
        raise syntax(None, e) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise TcoError([Problem(name, 1, "", "the file is empty; expected a YAML mapping")])
    if len(nodes) > 1:
        raise TcoError([Problem(name, nodes[1].start_mark.line + 1, "", "holds more than one YAML document")])
    located = Located(name, None)
    builder = _Builder(located)
    located.data = builder.build(nodes[0], ())
    if not isinstance(located.data, dict):
        found = describe(located.data)
        raise TcoError([Problem(name, nodes[0].start_mark.line + 1, "", f"expected a YAML mapping, found {found}")])
    return located


class _Builder:
    def __init__(self, located: Located):
        self.located = located
        self.problems = located.problems
        self.count = 0
        self.first: dict[int, Path_] = {}  # composed node → the first path it appeared at
        self.open: set[int] = set()  # the nodes being built, from the root down to this one

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            through = " through aliases" if self.located.aliases else ""
            raise TcoError([Problem(self.located.file, node.start_mark.line + 1, dotted(path),
                                    f"the document expands{through} to more than {MAX_VALUES:,} values; "
                                    f"the limit is {MAX_VALUES:,}")])
        self.located.lines.setdefault(path, node.start_mark.line + 1)
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if node.style:
                self.located.quoted.add(path)
            return self._scalar(node, path)
        if id(node) in self.open:
            self._problem(node, path, "an alias refers to the mapping or list that contains it (a loop)")
            return None
        first = self.first.setdefault(id(node), path)
        if first != path:
            self.located.aliases[path] = first
        if len(path) > MAX_DEPTH:
            self._problem(node, path, f"mappings and lists are nested more than {MAX_DEPTH} deep; the limit is {MAX_DEPTH}")
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

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
        if tag == "tag:yaml.org,2002:int" and _INT.match(text) and len(text) < 100:
            return int(text.replace("_", ""))
        if tag in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:int"):
            if _FLOAT.match(text):
                try:
                    return Decimal(text.replace("_", ""))
                except InvalidOperation:
                    pass
            self._problem(node, path, f"{shorten(text, 80)!r} is not a finite number")
            return text
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                self._problem(node, path, f"{shorten(text, 80)!r} is not a valid date; expected YYYY-MM-DD")
                return text
        return text

    def _problem(self, node: yaml.Node, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.located.file, node.start_mark.line + 1, dotted(path), message))
