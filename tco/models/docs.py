"""Field descriptions, read from the docstring under each field only when something asks for them (the JSON
Schemas, the workbook's notes): pydantic's `use_attribute_docstrings` reads the source of every model at import,
which slowed every command by ~0.05 s."""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from functools import cache
from typing import Any

from pydantic import BaseModel

DOCS_OF = "__field_docs_of__"
"""A class attribute naming the model whose docstrings describe a generated model's fields (see `_partial`)."""


def field_doc(model: type[BaseModel], name: str) -> str | None:
    """The description of one field: given in code, or its docstring."""
    given = model.model_fields[name].description
    return given if given is not None else field_docs(model).get(name)


def descriptions(model: type[BaseModel]) -> dict[str, str | None]:
    """The description of every field of `model`, by name."""
    return {name: field_doc(model, name) for name in model.model_fields}


@cache
def field_docs(model: type[BaseModel]) -> dict[str, str]:
    """The docstring of each field of `model` that has one, from the class that declares the field, as pydantic's
    `use_attribute_docstrings` would give it."""
    docs: dict[str, str] = {}
    for name in model.model_fields:
        owner = next((c for c in model.__mro__ if name in c.__dict__.get("__annotations__", {})), None)
        if owner is None:
            continue
        source = owner.__dict__.get(DOCS_OF)
        if source is not None:
            found = field_docs(source).get(name)
        elif getattr(owner, "model_config", {}).get("use_attribute_docstrings") is False:
            continue  # generated per type: described in code
        else:
            found = _own_docs(owner).get(name)
        if found is not None:
            docs[name] = found
    return docs


@cache
def _own_docs(cls: type) -> dict[str, str]:
    """The string that follows each annotated name in the body of `cls` itself."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
        tree = ast.parse(source if not source.startswith((" ", "\t")) else "if 1:\n" + source)
    except (OSError, TypeError, SyntaxError):
        return {}
    node: Any = tree.body[0]
    while not isinstance(node, ast.ClassDef):
        if not getattr(node, "body", None):
            return {}
        node = node.body[0]
    docs: dict[str, str] = {}
    for first, second in itertools.pairwise(node.body):
        if (isinstance(first, ast.AnnAssign) and isinstance(first.target, ast.Name) and isinstance(second, ast.Expr)
                and isinstance(second.value, ast.Constant) and isinstance(second.value.value, str)):
            docs[first.target.id] = inspect.cleandoc(second.value.value)
    return docs
