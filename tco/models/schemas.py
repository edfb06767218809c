"""JSON Schemas of the three file kinds, for editors (`# yaml-language-server: $schema=…`)."""

from __future__ import annotations

import json

from pydantic import BaseModel

SCHEMAS = {"pricebook": "pricebook.schema.json", "tokenizers": "tokenizers.schema.json", "workload": "workload.schema.json"}


def model_for(kind: str) -> type[BaseModel]:
    from tco.models.pricebook import PriceBook
    from tco.models.tokenizer import TokenizerTable
    from tco.models.workload import Workload

    return {"pricebook": PriceBook, "tokenizers": TokenizerTable, "workload": Workload}[kind]


def schema_json(kind: str) -> str:
    schema = model_for(kind).model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
