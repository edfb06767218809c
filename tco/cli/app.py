"""The `tco` command: one typer app; domain errors are caught here, once."""

from __future__ import annotations

import io
import os
import sys
from typing import Annotated

# The command loads no pydantic plugins: looking for them scans every installed package's entry points at start-up.
# Set PYDANTIC_DISABLE_PLUGINS yourself (e.g. to "") to load them.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer  # noqa: E402  (after the variable above, which pydantic reads when typer imports it)

from tco import __version__
from tco.cli import breakeven as breakeven_cmd
from tco.cli import compare as compare_cmd
from tco.cli import export as export_cmd
from tco.cli import history as history_cmd
from tco.cli import pricebook, runs
from tco.cli import sensitivity as sensitivity_cmd
from tco.cli.console import err
from tco.errors import OutputError, TcoError
from tco.files.output import printable, write_stdout

app = typer.Typer(
    name="tco",
    help="Cost per completed task of AI offers — per-token, seats, credits, per-resolution, per-conversation "
    "and provisioned — on one scale.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.add_typer(pricebook.app, name="pricebook")
app.add_typer(runs.app, name="runs")
app.command()(compare_cmd.compare)
app.command()(export_cmd.export)
app.command()(sensitivity_cmd.sensitivity)
app.command()(breakeven_cmd.breakeven)
app.command()(history_cmd.history)


def _version(value: bool) -> None:
    if value:
        print(f"tco {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Cost per completed task of AI offers, on one scale."""


def main(argv: list[str] | None = None) -> int:
    """Run tco with `argv` (default: the command line) and return its exit code."""
    try:
        app(args=argv, prog_name="tco")
        if sys.stdout is not None:
            write_stdout("")  # flush: a full disk must fail here, with a message, not at exit
    except TcoError as e:
        for line in e.lines():
            err.print("error: " + printable(line, newlines=False), markup=False, soft_wrap=True)
        if isinstance(e, OutputError):
            _discard_stdout()
        return e.exit_code
    except SystemExit as e:  # typer's own exit: usage errors (2), --help and --version (0)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BrokenPipeError:
        _discard_stdout()
        return 0
    return 0


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the output it still buffers cannot fail again when Python exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass  # no real stdout (closed, or captured by a test)
