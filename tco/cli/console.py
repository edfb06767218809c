"""All terminal output goes through here: results to stdout, messages to stderr."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from rich.console import Console

from tco.files.output import STDOUT, printable, write_stdout

out = Console(file=STDOUT, highlight=False, soft_wrap=False, emoji=False)  # ":100:" in text stays text
err = Console(stderr=True, highlight=False, emoji=False)
UNLIMITED = 100_000


def layout_width() -> int | None:
    """The width output for people is laid out for: a terminal's own width (or COLUMNS, if set); in a pipe,
    COLUMNS if set, otherwise None: no limit, so tables take their natural width and text is not wrapped."""
    if out.is_terminal or os.environ.get("COLUMNS", "").isdigit():
        return out.width
    return None


def print_rich(renderable: Any) -> None:
    """Print tables and text for people at `layout_width()`. A table wider than that is printed whole, never cut."""
    console = Console(file=STDOUT, highlight=False, soft_wrap=False, emoji=False, width=layout_width() or UNLIMITED)
    if console.is_terminal:
        console.print(renderable, crop=False)
        return
    with console.capture() as captured:  # in a pipe or a file, no padding after the last character of a line
        console.print(renderable, crop=False)
    write_stdout("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def print_json(data: Any) -> None:
    write_stdout(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def print_text(text: str) -> None:
    write_stdout(text)


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
        print_rich(table(printable(doc)))


@contextmanager
def progress(label: str, long: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback `(done, total)` drawing a bar on stderr, for work that is `long` (about a second or
    more), and only when stderr is a terminal; otherwise None, and the caller reports nothing."""
    if not long or not err.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def progress_bar(draws: int | None) -> AbstractContextManager[Callable[[int, int], None] | None]:
    """Progress of a simulation of `draws` draws (shown from 20,000 draws on)."""
    return progress(f"Simulating {draws:,} draws" if draws else "", long=draws is not None and draws >= 20_000)
