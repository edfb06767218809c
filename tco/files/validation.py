"""Turn pydantic's errors into `Problem`s that name file, line and field and suggest the nearest valid name."""

from __future__ import annotations

import hashlib
import re
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, RootModel, Tag, ValidationError

from tco.errors import Problem, TcoError, describe, nearest, shorten
from tco.files import cache
from tco.files.yaml_source import Located, read_bytes, read_yaml

M = TypeVar("M", bound=BaseModel)


def _kind(model: type[BaseModel]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def validate(model: type[M], located: Located) -> M:
    """Build `model` from a located YAML document, or raise every problem in it at once. A file's model is kept in
    the cache (tco.files.cache) and taken from it when the same file is checked again."""
    kind = _kind(model)
    kept = cache.load(kind, located.sha256, model)
    if kept is not None and not located.problems:
        return kept
    try:
        result = model.model_validate(located.data)
    except ValidationError as e:
        seen = {p.field for p in located.problems}  # a problem found in reading explains the model's at its place
        found = [p for p in problems(model, located, e) if p.field not in seen]
        raise TcoError(sorted(located.problems + found, key=lambda p: p.line or 0)) from None
    if located.problems:
        raise TcoError(located.problems)
    cache.store(kind, located.sha256, result)
    return result


def read_validated(model: type[M], path: Path, name: str) -> tuple[M, str]:
    """A file's `model` and the SHA-256 of its bytes. A file checked before is answered from the cache without
    parsing its YAML (only a file without problems is kept); any other is read and validated."""
    sha256 = hashlib.sha256(read_bytes(path, name)).hexdigest()
    kept = cache.load(_kind(model), sha256, model)
    if kept is not None:
        return kept, sha256
    located = read_yaml(path, name)
    return validate(model, located), located.sha256


def problems(model: type[BaseModel], located: Located, error: ValidationError) -> list[Problem]:
    out: list[Problem] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        path = _data_path(model, loc)
        if item["type"] == "union_tag_invalid":
            path += ("scheme",)
        out.append(located.problem(path, _message(model, loc, item) + _hint(item, path in located.quoted)))
    return out


_NUMBER_TEXT = re.compile(r"[-+]?([0-9][0-9_,]*)?(\.[0-9_]*)?([eE][-+]?[0-9]+)?%?")


def _hint(item: dict[str, Any], quoted: bool) -> str:
    """How to write what the user meant: a number YAML reads as text, a percentage where a share is expected."""
    value, ctx = item.get("input"), item.get("ctx") or {}
    if isinstance(value, str) and any(c.isdigit() for c in value) and _NUMBER_TEXT.fullmatch(value.strip()):
        text = value.strip()
        if quoted:
            return " — remove the quotes to make it a number"
        if text.endswith("%"):
            return f" — write a share as a fraction: {Decimal(text[:-1].replace(',', '')) / 100}"
        if "," in text:
            return f" — write it without thousands separators: {text.replace(',', '')}"
        if "e" in text.lower():
            mantissa, exponent = text.lower().replace("_", "").split("e")
            mantissa += "" if "." in mantissa else ".0"
            exponent = exponent if exponent.startswith(("+", "-")) else "+" + exponent
            number = Decimal(text.replace("_", ""))
            plain = f"{number:f} or " if abs(number.adjusted()) <= 15 else ""
            return f" — YAML reads {shorten(text, 40)} as text: write {plain}{shorten(mantissa, 40)}e{exponent} (with a dot, and a sign on the exponent)"
    if item["type"] == "less_than_equal" and str(ctx.get("le")) == "1" and isinstance(value, (int, Decimal)) and 1 < value <= 100:
        return f" — a share or rate is written from 0 to 1: write {value / 100} for {value}%"
    return ""


def _message(model: type[BaseModel], loc: tuple, item: dict[str, Any]) -> str:
    kind, value = item["type"], item.get("input")
    found = describe(value)
    if kind == "extra_forbidden":
        valid = _field_names(_type_at(model, loc[:-1]))
        return f"unknown field; expected one of {', '.join(valid)}{nearest(str(loc[-1]), valid)}"
    if kind == "range_form":
        return f"{item['msg']}, found {found}"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        tags = item["ctx"]["expected_tags"].replace("'", "").split(", ")
        return f"unknown scheme {item['ctx']['tag']!r}; expected one of {', '.join(tags)}{nearest(item['ctx']['tag'], tags)}"
    if kind == "union_tag_not_found":
        return "missing field 'scheme'; expected one of per_token, seat, credit, per_resolution, per_conversation, provisioned, self_hosted"
    if kind == "literal_error":
        options = item["ctx"]["expected"].replace("'", "").replace(" or ", ", ").split(", ")
        return f"expected one of {', '.join(options)}, found {found}{nearest(str(value), options)}"
    if kind == "is_instance_of" and "Decimal" in item["msg"] or kind in ("decimal_type", "float_type"):
        return f"expected a number, found {found}"
    if kind in ("int_type", "int_from_float"):
        return f"expected a whole number, found {found}"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"expected a date YYYY-MM-DD, found {found}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields, found {found}"
    if kind == "list_type":
        return f"expected a list, found {found}"
    if kind == "string_type":
        return f"expected text, found {found}"
    if kind == "string_pattern_mismatch":
        return f"expected lowercase letters, digits, '.' and '-', found {found}"
    if kind == "string_too_short":
        return "expected text, found an empty string"
    if kind == "too_short":
        return f"expected at least {item['ctx']['min_length']} item(s), found none"
    if kind == "value_error":
        return item["msg"].removeprefix("Value error, ")
    msg = item["msg"].replace("Input should be", "expected").replace("Value should have", "expected")
    return f"{msg}, found {found}"


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[tuple[str | None, Any]]:
    """A type's union members (nested unions flattened, None left out), each with its `Tag` if it has one."""
    tag = None
    if typing.get_origin(tp) is typing.Annotated:
        tag = next((m.tag for m in typing.get_args(tp)[1:] if isinstance(m, Tag)), None)
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [member for m in typing.get_args(tp) if m is not type(None) for member in _members(m)]
    return [(tag, tp)]


def _step(tp: Any, part: Any) -> tuple[Any, bool]:
    """The type one step down `part`, and whether `part` is a key of the data (not a union tag)."""
    members = _members(tp)
    if len(members) > 1:  # a discriminated union: pydantic puts the tag in the path
        for tag, member in members:
            scheme = getattr(member, "model_fields", {}).get("scheme")
            if part == tag or scheme is not None and part in typing.get_args(scheme.annotation):
                return member, False
    for _, member in members:
        origin = typing.get_origin(member)
        if isinstance(member, type) and issubclass(member, RootModel) and isinstance(part, int):
            return typing.get_args(member.model_fields["root"].annotation)[0], True
        if isinstance(member, type) and issubclass(member, BaseModel) and part in member.model_fields:
            return member.model_fields[part].annotation, True
        if origin is dict:
            return typing.get_args(member)[1], True
        if origin is list and isinstance(part, int):
            return typing.get_args(member)[0], True
    return None, True


def _type_at(model: type[BaseModel], loc: tuple) -> Any:
    tp: Any = model
    for part in loc:
        tp, _ = _step(tp, part)
    return tp


def _data_path(model: type[BaseModel], loc: tuple) -> tuple:
    tp: Any = model
    path = []
    for part in loc:
        tp, is_key = _step(tp, part)
        if is_key:
            path.append(part)
    return tuple(path)


def _field_names(tp: Any) -> list[str]:
    for _, member in _members(tp):
        if isinstance(member, type) and issubclass(member, BaseModel) and not issubclass(member, RootModel):
            return list(member.model_fields)
    return []
