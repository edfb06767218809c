"""The one error base of tco: every expected failure is a `TcoError`, caught once at the CLI boundary."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


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
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class TcoError(Exception):
    """Bad input or a request tco cannot answer; the CLI prints it and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem] | str):
        self.problems = [Problem("", None, "", problems)] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [p.message if not p.file else str(p) for p in self.problems]


def nearest(name: str, valid: Iterable[str], n: int = 3) -> str:
    """A ' — did you mean …?' hint naming the nearest valid names, or ''."""
    valid = sorted(set(valid))
    close = difflib.get_close_matches(name, valid, n=n, cutoff=0.5)
    if not close:
        close = [v for v in valid if name.lower() in v.lower() or v.lower() in name.lower()][:n]
    return f" — did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def candidate_error(index: int, field: str, message: str) -> TcoError:
    """A problem with candidate `index` of a workload, located later by the file it came from."""
    path = ("candidates", index, *field.split(".")) if field else ("candidates", index)
    return TcoError([Problem("", None, ".".join(str(p) for p in path), message, path)])


def dotted(path: tuple) -> str:
    """`('offers', 'gpt-5.4', 'rates', 0)` → `offers.gpt-5.4.rates[0]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
