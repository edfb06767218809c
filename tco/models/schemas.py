"""JSON Schemas of the three file kinds, for editors (`# yaml-language-server: $schema=…`)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from tco.models.docs import field_docs

SCHEMAS = {"pricebook": "pricebook.schema.json", "tokenizers": "tokenizers.schema.json", "workload": "workload.schema.json"}


class _YamlNumbers(GenerateJsonSchema):
    """Fields are described by their docstrings, and a decimal is a plain YAML number in our files (strict models refuse text), so say just that.

    pydantic's own rendering of decimals (a number or a patterned string) differs between its minor versions.
    """

    def model_schema(self, schema: core_schema.ModelSchema) -> dict[str, Any]:
        """Each field's docstring as its description (tco.models.docs), as pydantic would write it."""
        json_schema = super().model_schema(schema)
        docs = field_docs(schema["cls"])
        for name, prop in json_schema.get("properties", {}).items():
            if name in docs and schema["cls"].model_fields[name].description is None:
                prop["description"] = docs[name]
        return json_schema

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> dict[str, Any]:
        bounds = {key: float(schema[key]) for key in ("ge", "gt", "le", "lt", "multiple_of") if schema.get(key) is not None}
        return self.float_schema(core_schema.float_schema(**bounds))


def model_for(kind: str) -> type[BaseModel]:
    from tco.models.pricebook import PriceBook
    from tco.models.tokenizer import TokenizerTable
    from tco.models.workload import Workload

    return {"pricebook": PriceBook, "tokenizers": TokenizerTable, "workload": Workload}[kind]


_BOUNDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


def _json_schema_bounds(node: Any) -> Any:
    """pydantic leaves the bounds of an annotated decimal under their Python names (`gt: 0`), which JSON Schema
    ignores; give them their JSON Schema names so editors check them."""
    if isinstance(node, list):
        return [_json_schema_bounds(item) for item in node]
    if not isinstance(node, dict):
        return node
    number = node.get("type") == "number"
    return {(_BOUNDS[k] if number and k in _BOUNDS else k): _json_schema_bounds(v) for k, v in node.items()}


def schema_json(kind: str) -> str:
    schema = _json_schema_bounds(model_for(kind).model_json_schema(schema_generator=_YamlNumbers))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def outline(schema: Any) -> Any:
    """What a schema says about our models (definitions, fields, required keys, descriptions), without the
    rendering details that change between pydantic's minor versions; the test of the committed files compares this."""
    if isinstance(schema, list):
        return [outline(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept = {"$defs", "properties", "required", "additionalProperties", "description", "enum", "const", "$ref",
            "items", "anyOf", "oneOf", "allOf", "type"}
    out = {key: outline(value) for key, value in schema.items() if key in kept}
    for key in ("$defs", "properties"):
        if key in schema:
            out[key] = {name: outline(sub) for name, sub in schema[key].items()}
    return out
