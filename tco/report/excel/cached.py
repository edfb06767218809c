"""Cached values: each formula's value written beside it, so previews that do not calculate (mail, Quick Look)
show numbers. openpyxl writes formulas without values; this fills them in the saved file's sheet XML."""

from __future__ import annotations

import io
import posixpath
import zipfile
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → the zip member holding it, from the workbook and its relationships."""
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{PACKAGE_REL}}}Relationship")}
    book = ET.fromstring(z.read("xl/workbook.xml"))
    parts = {}
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{REL}}}id")]
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return parts


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (Decimal, float, int)):
        return repr(float(value)) if not isinstance(value, int) else str(value)
    return str(value)


def fill(xml: bytes, values: dict[str, Any]) -> bytes:
    """The sheet with `values` (coordinate → value) as the cached values of its formula cells."""
    ET.register_namespace("", MAIN)
    ET.register_namespace("r", REL)
    root = ET.fromstring(xml)
    for cell in root.iter(f"{{{MAIN}}}c"):
        value = values.get(cell.get("r", ""))
        if value is None or cell.find(f"{{{MAIN}}}f") is None:
            continue
        v = cell.find(f"{{{MAIN}}}v")
        if v is None:
            v = ET.SubElement(cell, f"{{{MAIN}}}v")
        v.text = text(value)
        if isinstance(value, str):
            cell.set("t", "str")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def with_cached_values(xlsx: bytes, values: dict[str, dict[str, Any]]) -> bytes:
    """The workbook `xlsx` with the cached values `values` (sheet title → coordinate → value) filled in."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        by_part = {part: values[title] for title, part in sheet_parts(src).items() if values.get(title)}
        for info in src.infolist():
            data = src.read(info)
            if info.filename in by_part:
                data = fill(data, by_part[info.filename])
            dst.writestr(info, data)
    return out.getvalue()
