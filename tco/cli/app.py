"""The `tco` command: one typer app, its commands imported when used; domain errors are caught here, once."""

from __future__ import annotations

import importlib
import io
import os
import sys
from typing import Annotated, Any

# The command loads no pydantic plugins: looking for them scans every installed package's entry points at start-up.
# Set PYDANTIC_DISABLE_PLUGINS yourself (e.g. to "") to load them.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer  # noqa: E402  (after the variable above, which pydantic reads when typer imports it)

from tco import __version__
from tco.cli.console import err
from tco.errors import OutputError, TcoError
from tco.files.output import printable, write_stdout

COMMANDS: dict[str, tuple[str, str]] = {
    "pricebook": ("tco.cli.pricebook", "app"),
    "runs": ("tco.cli.runs", "app"),
    "compare": ("tco.cli.compare", "compare"),
    "export": ("tco.cli.export", "export"),
    "sensitivity": ("tco.cli.sensitivity", "sensitivity"),
    "breakeven": ("tco.cli.breakeven", "breakeven"),
    "history": ("tco.cli.history", "history"),
}
"""Each command (or group) by name: its module and the typer app or function there, imported only when used."""


def _version(value: bool) -> None:
    if value:
        print(f"tco {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Cost per completed task of AI offers, on one scale."""


def build(names: list[str] | None = None) -> typer.Typer:
    """The `tco` app with the commands `names` (default: all). A run of one command builds only that one: typer
    reads the signature of every command it is given, which took a tenth of the start-up time."""
    built = typer.Typer(
        name="tco",
        help="Cost per completed task of AI offers — per-token, seats, credits, per-resolution, per-conversation "
        "and provisioned — on one scale.",
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
    )
    built.callback()(_root)
    for name in names or COMMANDS:
        module, attribute = COMMANDS[name]
        command = getattr(importlib.import_module(module), attribute)
        if isinstance(command, typer.Typer):
            built.add_typer(command, name=name)
        else:
            built.command(name)(command)
    return built


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole app, for tools that look for it here
        return build()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> int:
    """Run tco with `argv` (default: the command line) and return its exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        build([args[0]] if args and args[0] in COMMANDS else None)(args=argv, prog_name="tco")
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
