"""All terminal output goes through here: results to stdout, messages to stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_text(text: str) -> None:
    sys.stdout.write(text)


def show(doc: dict[str, Any], format: str, table: Callable[[dict], Any], markdown: Callable[[dict], str],
         csv: Callable[[dict], str]) -> None:
    """Print a command's document in the chosen format: its JSON, or one of its renderings."""
    if format == "json":
        print_json(doc)
    elif format == "markdown":
        print_text(markdown(doc))
    elif format == "csv":
        print_text(csv(doc))
    else:
        out.print(table(doc))


@contextmanager
def progress_bar(draws: int | None) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback `(done, total)` drawing a bar on stderr, when it is a terminal and a simulation is long."""
    if draws is None or draws < 20_000 or not err.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"Simulating {draws:,} draws", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
