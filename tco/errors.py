"""The one error base of tco: every expected failure is a `TcoError`, caught once at the CLI boundary."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

LONGEST = 300
"""Characters of a field or message shown in one error line; a longer one is cut in the middle."""


def shorten(text: str, limit: int = LONGEST) -> str:
    """`text`, cut in the middle to at most about `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}…({len(text) - 2 * half:,} characters)…{text[-half:]}"


def describe(value: Any) -> str:
    """A value found in a file, as its reader would name it: `text 'abc'`, `nothing (null)`, `2026-01-01`."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, str):
        return f"text {shorten(repr(value), 80)}"
    if isinstance(value, Decimal):
        plain = value.is_finite() and (not value or -12 <= value.adjusted() <= 30)
        return shorten(format(value, "f") if plain else format(value.normalize(), "e"), 80)
    if isinstance(value, int):
        return shorten(str(value), 80) if value.bit_length() < 1000 else f"a number of about {value.bit_length() * 0.30103:,.0f} digits"
    if isinstance(value, dt.date):
        return value.isoformat()
    return shorten(repr(value), 80)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is, what is wrong, and how to fix it."""

    file: str
    line: int | None
    field: str
    message: str
    path: tuple = ()
    """Where in the input document, for problems found after reading (filled in with file and line later)."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        message = shorten(self.message, 2 * LONGEST)
        return f"{where}: {shorten(self.field)}: {message}" if self.field else f"{where}: {message}"


class TcoError(Exception):
    """Bad input or a request tco cannot answer; the CLI prints it and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem] | str):
        self.problems = [Problem("", None, "", problems)] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """One line per problem; a problem that several candidates meet at one place is said once."""
        return list(dict.fromkeys(shorten(p.message, 2 * LONGEST) if not p.file else str(p) for p in self.problems))


class OutputError(TcoError):
    """An output could not be written (a full disk, a missing or unwritable directory): exit code 1."""

    exit_code = 1


def gather(*steps: Callable[[], Any]) -> list[Any]:
    """Run every step, even after one fails, and raise the problems of all that failed together."""
    results, problems = [], []
    for step in steps:
        try:
            results.append(step())
        except TcoError as e:
            problems += e.problems
            results.append(None)
    if problems:
        raise TcoError(problems)
    return results


def nearest(name: str, valid: Iterable[str], n: int = 3) -> str:
    """A ' — did you mean …?' hint naming the nearest valid names, or ''."""
    valid = sorted(set(valid))
    if len(name) > 2 * max((len(v) for v in valid), default=0) + 10:
        return ""  # far longer than any valid name: nothing is near it, and comparing would take long
    close = difflib.get_close_matches(name, valid, n=n, cutoff=0.5)
    if not close:
        close = [v for v in valid if name.lower() in v.lower() or v.lower() in name.lower()][:n]
    return f" — did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def candidate_error(index: int, field: str, message: str) -> TcoError:
    """A problem with candidate `index` of a workload, located later by the file it came from."""
    parts = tuple(int(p) if p.isdigit() else p for p in field.split(".")) if field else ()
    path = ("candidates", index, *parts)  # a stage's or step's field: `route.1.offer`
    return TcoError([Problem("", None, ".".join(str(p) for p in path), message, path)])


def dotted(path: tuple) -> str:
    """`('offers', 'gpt-5.4', 'rates', 0)` → `offers.gpt-5.4.rates[0]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
