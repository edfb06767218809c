"""A workload's uncertain inputs: where its ranges are, and the workload with chosen values put in their place."""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tco.errors import TcoError, dotted, nearest
from tco.models.uncertain import Pilot, Range
from tco.models.workload import Candidate, Workload

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Input:
    """One number the workload gives as a range."""

    path: Path
    range: Range

    @property
    def key(self) -> str:
        """Its dotted path in the workload file: `task.input_tokens`, `candidates[4].success_rate`."""
        return dotted(self.path)

    @property
    def candidate(self) -> int | None:
        """The candidate it belongs to, or None for an input every candidate shares."""
        return self.path[1] if self.path[0] == "candidates" else None  # type: ignore[return-value]

    def applies_to(self, candidate: int) -> bool:
        return self.candidate in (None, candidate)


def inputs(workload: Workload) -> list[Input]:
    """Every range in the workload, in file order."""
    found: list[Input] = []

    def walk(node: Any, path: Path) -> None:
        if isinstance(node, Range):
            found.append(Input(path, node))
        elif isinstance(node, BaseModel):
            for name, value in node:
                walk(value, (*path, name))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*path, i))

    walk(workload, ())
    return found


def _put(node: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, list):
        copy = list(node)
        copy[head] = _put(node[head], rest, value)  # type: ignore[index]
        return copy
    return node.model_copy(update={head: _put(getattr(node, head), rest, value)})  # type: ignore[arg-type]


def with_values(workload: Workload, values: Mapping[Path, Any]) -> Workload:
    """The workload with each path's value replaced (a number, or draws); nothing is validated again."""
    for path, value in values.items():
        workload = _put(workload, path, value)
    return workload


def at_point(workload: Workload, found: list[Input] | None = None) -> Workload:
    """The workload without simulation: each range at its likely value."""
    return with_values(workload, {i.path: i.range.point() for i in (inputs(workload) if found is None else found)})


def _types(tp: Any) -> list[Any]:
    """A type's members: Annotated and Optional unwrapped, unions flattened."""
    if typing.get_origin(tp) is typing.Annotated:
        return _types(typing.get_args(tp)[0])
    if typing.get_origin(tp) in (typing.Union, type(int | None)):
        return [m for arg in typing.get_args(tp) for m in _types(arg)]
    return [tp]


def number_kind(path: Path, model: type[BaseModel] = Workload) -> type[Range] | None:
    """The range class of the number field at `path` (it carries the field's bounds), or None if no number is there."""
    members: list[Any] = [model]
    for part in path:
        step = []
        for m in members:
            if isinstance(part, int) and typing.get_origin(m) is list:
                step += _types(typing.get_args(m)[0])
            elif isinstance(part, str) and isinstance(m, type) and issubclass(m, BaseModel) and part in m.model_fields:
                step += _types(m.model_fields[part].annotation)
        members = step
    return next((m for m in members if isinstance(m, type) and issubclass(m, Range) and m is not Pilot), None)


def number_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every key of `model` that holds a number, dotted."""
    keys = []
    for name, info in model.model_fields.items():
        nested = [m for m in _types(info.annotation) if isinstance(m, type) and issubclass(m, BaseModel) and not issubclass(m, Range)]
        if nested and name != "candidates":
            keys += number_keys(nested[0], f"{prefix}{name}.")
        elif number_kind((name,), model) is not None:
            keys.append(prefix + name)
    return keys


def value_at(node: Any, path: Path) -> Any:
    for part in path:
        if node is None:
            return None
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            node = getattr(node, part, None)
    return node


def _indexed(part: str) -> list[str | int]:
    """`fixed_costs[0]` → ['fixed_costs', 0]: a key and the list positions after it."""
    match = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
    if not match:
        return [part]
    return [match[1], *(int(i) for i in re.findall(r"\[(\d+)\]", match[2]))]


def resolve(workload: Workload, candidate: int, key: str) -> Path:
    """The path of input `key` as it applies to `candidate`: the candidate's own value where it sets one, else the workload's.

    `key` is a dotted workload key (`tasks`, `task.input_tokens`), a candidate key (`success_rate`), or a full path
    (`candidates[2].success_rate`).
    """
    full = re.fullmatch(r"candidates\[(\d+)\]\.(.+)", key)
    if full:
        candidate, key = int(full[1]), full[2]
        if candidate >= len(workload.candidates):
            raise TcoError(f"--vary: the workload has {len(workload.candidates)} candidates, numbered from 0")
    parts: Path = tuple(p for part in key.split(".") for p in _indexed(part))
    own: Path = ("candidates", candidate, *parts)
    shared: Path = parts
    has_own = number_kind(own) is not None
    sets_own = has_own and value_at(workload, own) is not None and (
        len(parts) > 1 or parts[0] in workload.candidates[candidate].model_fields_set)
    if has_own and (full or sets_own or number_kind(shared) is None):
        path = own
    elif number_kind(shared) is not None and not full:
        path = shared
    else:
        valid = [*number_keys(Workload), *(k for k in number_keys(Candidate) if k not in number_keys(Workload))]
        raise TcoError(f"--vary: {key!r} is not a number in a workload; expected one of {', '.join(valid)}{nearest(key, valid)}")
    if value_at(workload, path) is None:
        raise TcoError(f"--vary: the workload gives no {dotted(path)}; add a value to vary from")
    return path
