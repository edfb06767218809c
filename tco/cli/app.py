"""The `tco` command: one typer app; domain errors are caught here, once."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tco import __version__
from tco.cli import compare as compare_cmd
from tco.cli import pricebook
from tco.cli.console import err
from tco.errors import TcoError

app = typer.Typer(
    name="tco",
    help="Cost per completed task of AI offers — per-token, seats, credits, per-resolution, per-conversation "
    "and provisioned — on one scale.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(pricebook.app, name="pricebook")
app.command()(compare_cmd.compare)


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
    import click

    try:
        app(args=argv, prog_name="tco", standalone_mode=False)
    except TcoError as e:
        for line in e.lines():
            err.print("error: " + line, markup=False, soft_wrap=True)
        return e.exit_code
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.exceptions.Abort:
        err.print("aborted", markup=False)
        return 130
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    return 0
