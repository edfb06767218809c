"""`tco runs`: measured runs from per-call telemetry — summary, repricing, calibration and paired comparison."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tco.cli.console import err, print_json, print_rich, print_text, progress
from tco.cli.options import AsOfOption, Format, NoBundledOption, PricebooksOption, as_of_date, books
from tco.errors import TcoError

app = typer.Typer(help="Measured runs: cost per successful task from call records (JSONL, CSV, Parquet; "
                       "OpenTelemetry GenAI, LiteLLM and Langfuse exports read as they are).",
                  no_args_is_help=True)


class By(StrEnum):
    model = "model"
    workflow = "workflow"
    candidate = "candidate"
    day = "day"


class Dialect(StrEnum):
    bigquery = "bigquery"
    snowflake = "snowflake"
    spark = "spark"
    postgres = "postgres"
    duckdb = "duckdb"


FilesArgument = Annotated[list[Path] | None, typer.Argument(help="Call-record files (.jsonl, .json, .csv, .parquet).", metavar="FILE",
                                                            show_default=False)]
SinceOption = Annotated[str | None, typer.Option("--since", help="Only calls on or after this date (YYYY-MM-DD), or "
                                                                 "in the last N days (30d).", show_default=False)]
SkipBadOption = Annotated[bool, typer.Option("--skip-bad", help="Leave bad rows out (counted and reported) instead of "
                                                                "stopping at them.")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _long(files: list[Path]) -> bool:
    return sum(p.stat().st_size for p in files if p.is_file()) > 50_000_000


def _show(doc: dict, format: Format, views, notes, items: list[dict]) -> None:
    from tco.report import runs as report

    if format == Format.json:
        print_json(doc)
    elif format == Format.markdown:
        print_text(report.markdown(views(doc), notes(doc)))
    elif format == Format.csv:
        print_text(report.csv_rows(items))
    else:
        from tco.files.output import printable

        shown = printable(doc)
        print_rich(report.table(views(shown), notes(shown)))


@app.command()
def summary(
    files: FilesArgument = None,
    by: Annotated[By, typer.Option("--by", help="Group runs by this.")] = By.model,
    since: SinceOption = None,
    format: FormatOption = Format.table,
    sql: Annotated[Dialect | None, typer.Option("--sql", help="Print the aggregation query in this SQL dialect "
                                                               "(over a table `calls`) instead of running it.",
                                                show_default=False)] = None,
    aggregated: Annotated[Path | None, typer.Option("--aggregated", help="Summarise a CSV of that query's result.",
                                                    show_default=False)] = None,
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    skip_bad: SkipBadOption = False,
) -> None:
    """Runs, success rate (95% interval), calls, tokens per call, cache and retry shares, and cost per run and per successful task — as billed and at list price — per model, workflow, candidate or day."""
    from tco import api
    from tco.report import runs as report

    date = as_of_date(as_of)
    if sql is not None:
        print_text(api.runs_summary_sql(sql.value, date, by.value, since, books(pricebooks, no_bundled)))
        return
    if aggregated is not None:
        if files:
            raise TcoError("--aggregated: give either FILE... or --aggregated, not both")
        doc = api.read_aggregated(aggregated, by.value, date)
    else:
        files = files or []
        with progress("Reading call records", long=_long(files)) as bar:
            doc = api.run_runs_summary(files, date, by.value, since, books(pricebooks, no_bundled), skip_bad, bar)
    _show(doc, format, report.summary_views, report.summary_notes, doc["groups"])


@app.command()
def reprice(
    files: FilesArgument = None,
    offer: Annotated[list[str] | None, typer.Option("--offer", help="A per-token offer to reprice on (repeat for more).",
                                                    show_default=False)] = None,
    since: SinceOption = None,
    content: Annotated[str, typer.Option("--content", help="prose, code or cjk: picks the tokenizer ratios.")] = "prose",
    format: FormatOption = Format.table,
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    skip_bad: SkipBadOption = False,
) -> None:
    """What these exact runs would cost on other offers, per run, per task and per successful task; token counts converted by the tokenizer ratios."""
    from tco import api
    from tco.report import runs as report

    if not offer:
        raise TcoError("--offer: name at least one offer to reprice on, e.g. --offer anthropic/claude-sonnet-4.6")
    if content not in ("prose", "code", "cjk"):
        raise TcoError(f"--content: {content!r} is not prose, code or cjk")
    files = files or []
    with progress("Repricing call records", long=_long(files)) as bar:
        doc = api.run_runs_reprice(files, offer, as_of_date(as_of), since, books(pricebooks, no_bundled), skip_bad, content, bar)
    _show(doc, format, report.reprice_views, report.reprice_notes, doc["offers"])


def _money(option: str, text: str | None, required: bool) -> Decimal | None:
    if text is None:
        if required:
            raise TcoError(f"{option}: required (the records do not say what people cost); e.g. {option} 45")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise TcoError(f"{option}: {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise TcoError(f"{option}: {text!r} is not a number ≥ 0")
    return value


@app.command()
def calibrate(
    output: Annotated[Path, typer.Option("--output", "-o", help="The workload YAML to write (replaced whole).",
                                         show_default=False)],
    files: FilesArgument = None,
    hourly_cost: Annotated[str | None, typer.Option("--hourly-cost", help="USD per person-hour (required).",
                                                    show_default=False)] = None,
    task_minutes: Annotated[str | None, typer.Option("--task-minutes", help="Minutes a person takes per task "
                                                                            "(required).", show_default=False)] = None,
    review_minutes: Annotated[str, typer.Option("--review-minutes", help="Minutes a person checks one run.")] = "0",
    failure_cost: Annotated[str, typer.Option("--failure-cost", help="USD of damage per failed task.")] = "0",
    tasks: Annotated[str | None, typer.Option("--tasks", help="Tasks per month (default: the records' rate).",
                                              show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="The workload's name.", show_default=False)] = None,
    since: SinceOption = None,
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    skip_bad: SkipBadOption = False,
) -> None:
    """Write a workload measured from the runs, ready for `tco compare`, `export` and `--simulate`: observed task numbers, success rates as {successes, trials}, a comment on each number naming its evidence."""
    from tco import api

    if output.suffix.lower() not in (".yaml", ".yml"):
        raise TcoError("--output: name the workload file to write, WORKLOAD.yaml")
    human = {"hourly_cost": _money("--hourly-cost", hourly_cost, True),
             "review_minutes": _money("--review-minutes", review_minutes, True),
             "task_minutes": _money("--task-minutes", task_minutes, True),
             "failure_cost": _money("--failure-cost", failure_cost, True)}
    cal, source = api.run_runs_calibrate(files or [], output, as_of_date(as_of), human, name,  # type: ignore[arg-type]
                                         _money("--tasks", tasks, False), since, books(pricebooks, no_bundled), skip_bad)
    for note in cal.left_out:
        err.print(f"warning: left out {note}", markup=False, highlight=False)
    err.print(f"wrote {output} ({len(source.workload.candidates)} candidate(s) from {cal.evidence['runs']:,} runs); "
              f"next: tco compare {output}", markup=False, highlight=False)


@app.command()
def compare(
    files: FilesArgument = None,
    baseline: Annotated[str | None, typer.Option("--baseline", help="The candidate the others are compared with "
                                                                    "(default: the one with most tasks).",
                                                 show_default=False)] = None,
    resamples: Annotated[int, typer.Option("--resamples", min=100, max=100_000, help="Bootstrap resamples.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed: the same seed gives the same intervals.")] = 0,
    since: SinceOption = None,
    format: FormatOption = Format.table,
    as_of: AsOfOption = None,
    pricebooks: PricebooksOption = None,
    no_bundled: NoBundledOption = False,
    skip_bad: SkipBadOption = False,
) -> None:
    """The controlled comparison on the tasks candidates share: the difference in cost per successful task and in success rate, each with a 95% paired bootstrap interval, and how many shared tasks back it."""
    from tco import api
    from tco.report import runs as report

    doc = api.run_runs_compare(files or [], as_of_date(as_of), baseline, since, books(pricebooks, no_bundled), skip_bad, resamples, seed)
    _show(doc, format, report.compare_views, report.compare_notes, doc["pairs"])
