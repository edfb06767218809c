"""Reading per-call telemetry with embedded DuckDB: our own columns, or an OpenTelemetry, LiteLLM or Langfuse export.

Every source becomes one relation of the columns in `COLUMNS`, checked row by row: a bad value is an error naming
file, row and column (or, with `skip_bad`, a row left out, counted and reported). DuckDB reads the files itself and
spills to disk past its memory limit, so files larger than memory work.
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tco.errors import Problem, TcoError, nearest
from tco.files.pricebooks import display

if TYPE_CHECKING:
    import duckdb

COLUMNS = {
    "run_id": "text", "task_id": "text", "model": "text",
    "input_tokens": "tokens", "cached_input_tokens": "tokens", "cache_write_tokens": "tokens",
    "output_tokens": "tokens", "reasoning_tokens": "tokens",
    "cost": "money", "success": "bool", "attempt": "attempt", "latency_seconds": "seconds",
    "timestamp": "timestamp", "workflow": "text",
}
"""One record per model call: `success` belongs to the run (any call may carry it); `attempt` is 1 for a call's
first try and 2 or more for a repeat of it (a format retry). `input_tokens` counts all input, cached included;
`cache_write_tokens` and `reasoning_tokens` are counted apart from input and visible output."""
REQUIRED = ("run_id", "model")
TOKENS = ("input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens")
EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".jsonl": "json", ".ndjson": "json", ".json": "json", ".parquet": "parquet"}
MEMORY_LIMIT = "1.5GB"
"""DuckDB's own limit; past it, work spills to a temporary directory. 10M calls summarised take 30% less CPU than
under 1 GB (less spilled), and the process stays under 2 GB resident."""
SHOWN_PROBLEMS = 10


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- adapters: each maps our columns to SQL over one record, given `get(path)` that reads a (dotted) field -------

def _minus(a: str, b: str) -> str:
    """a − b, where b may be absent."""
    return f"(TRY_CAST({a} AS BIGINT) - COALESCE(TRY_CAST({b} AS BIGINT), 0))"


def _seconds(start: str, end: str) -> str:
    return f"epoch(TRY_CAST({end} AS TIMESTAMPTZ)) - epoch(TRY_CAST({start} AS TIMESTAMPTZ))"


def _ours(get: Callable[[str], str]) -> dict[str, str]:
    return {name: get(name) for name in COLUMNS}


def _litellm(get: Callable[[str], str]) -> dict[str, str]:
    """LiteLLM proxy spend logs (`LiteLLM_SpendLogs` rows, from /spend/logs or a table export). Our own fields ride
    in `metadata.spend_logs_metadata` (task_id, success, attempt, workflow); the run is the session, else the request.
    LiteLLM's prompt_tokens include cache reads and writes; completion_tokens include reasoning."""
    meta = "metadata.spend_logs_metadata."
    usage = "metadata.usage_object."
    run = f"COALESCE(NULLIF({get('session_id')}, ''), {get('request_id')})"
    cached = f"COALESCE({get(usage + 'prompt_tokens_details.cached_tokens')}, {get(usage + 'cache_read_input_tokens')})"
    write = get(usage + "cache_creation_input_tokens")
    reasoning = get(usage + "completion_tokens_details.reasoning_tokens")
    return {
        "run_id": run, "task_id": f"COALESCE({get(meta + 'task_id')}, {run})",
        "model": f"COALESCE(NULLIF({get('model')}, ''), {get('model_group')})",
        "input_tokens": _minus(get("prompt_tokens"), write), "cached_input_tokens": cached,
        "cache_write_tokens": write, "output_tokens": _minus(get("completion_tokens"), reasoning),
        "reasoning_tokens": reasoning, "cost": get("spend"), "success": get(meta + "success"),
        "attempt": get(meta + "attempt"), "latency_seconds": _seconds(get("startTime"), get("endTime")),
        "timestamp": get("startTime"), "workflow": get(meta + "workflow"),
    }


def _langfuse(get: Callable[[str], str]) -> dict[str, str]:
    """Langfuse observations (GET /api/public/observations, or an export), generations only. `usageDetails` splits
    usage into parts that add up (input excludes cache reads; output excludes reasoning). Our own fields ride in
    the observation's `metadata`; the run is the trace."""
    u = "usageDetails."
    cached = f"COALESCE({get(u + 'input_cached_tokens')}, {get(u + 'cache_read_input_tokens')}, {get(u + 'input_cache_read')})"
    uncached = f"COALESCE({get(u + 'input')}, {get('usage.input')}, {get('promptTokens')})"
    reasoning = f"COALESCE({get(u + 'output_reasoning_tokens')}, {get(u + 'output_reasoning')})"
    return {
        "run_id": get("traceId"), "task_id": f"COALESCE({get('metadata.task_id')}, {get('traceId')})",
        "model": get("model"),
        "input_tokens": f"(TRY_CAST({uncached} AS BIGINT) + COALESCE(TRY_CAST({cached} AS BIGINT), 0))",
        "cached_input_tokens": cached,
        "cache_write_tokens": f"COALESCE({get(u + 'cache_creation_input_tokens')}, {get(u + 'input_cache_creation')})",
        "output_tokens": f"COALESCE({get(u + 'output')}, {get('usage.output')}, {get('completionTokens')})",
        "reasoning_tokens": reasoning,
        "cost": f"COALESCE({get('costDetails.total')}, {get('calculatedTotalCost')})",
        "success": get("metadata.success"), "attempt": get("metadata.attempt"),
        "latency_seconds": _seconds(get("startTime"), get("endTime")), "timestamp": get("startTime"),
        "workflow": f"COALESCE({get('metadata.workflow')}, {get('name')})",
    }


def _otel(get: Callable[[str], str]) -> dict[str, str]:
    """OpenTelemetry GenAI spans (semantic conventions) from an OTLP JSON export. The run is the trace; `tco.task_id`,
    `tco.success`, `tco.workflow` on any span of it (usually the root) say what the run was for and how it ended.
    gen_ai.usage.input_tokens includes cache reads and writes; output_tokens includes reasoning."""
    a = "a"
    write = f"{a}['gen_ai.usage.cache_creation.input_tokens']"
    reasoning = f"{a}['gen_ai.usage.reasoning.output_tokens']"
    trace = "PARTITION BY trace"
    return {
        "run_id": "trace",
        "task_id": f"COALESCE(MAX({a}['tco.task_id']) OVER ({trace}), MAX({a}['gen_ai.conversation.id']) OVER ({trace}), trace)",
        "model": f"COALESCE({a}['gen_ai.response.model'], {a}['gen_ai.request.model'])",
        "input_tokens": _minus(f"{a}['gen_ai.usage.input_tokens']", write),
        "cached_input_tokens": f"COALESCE({a}['gen_ai.usage.cache_read.input_tokens'], {a}['gen_ai.usage.cache_read_input_tokens'])",
        "cache_write_tokens": write,
        "output_tokens": _minus(f"{a}['gen_ai.usage.output_tokens']", reasoning),
        "reasoning_tokens": reasoning,
        "cost": "NULL", "success": f"MAX({a}['tco.success']) OVER ({trace})",
        "attempt": f"{a}['tco.attempt']",
        "latency_seconds": "(TRY_CAST(end_ns AS HUGEINT) - TRY_CAST(start_ns AS HUGEINT)) / 1e9",
        "timestamp": "make_timestamptz(TRY_CAST(TRY_CAST(start_ns AS HUGEINT) // 1000 AS BIGINT))",
        "workflow": f"COALESCE(MAX({a}['tco.workflow']) OVER ({trace}), service)",
    }


ATTRIBUTE_VALUE = ("coalesce(x.value->>'stringValue', x.value->>'intValue', x.value->>'doubleValue', "
                   "x.value->>'boolValue')")
OTEL_SPANS = """
SELECT sp->>'traceId' AS trace, sp->>'startTimeUnixNano' AS start_ns, sp->>'endTimeUnixNano' AS end_ns, service,
       map_from_entries(list_transform(from_json(sp->'attributes', '[{"key":"VARCHAR","value":"JSON"}]'),
                                       lambda x: struct_pack(k := x.key, v := ATTRIBUTE_VALUE))) AS a
FROM (SELECT unnest(from_json(ss->'spans', '["json"]')) AS sp, service
      FROM (SELECT unnest(from_json(rs->'scopeSpans', '["json"]')) AS ss,
                   list_filter(from_json(rs->'resource'->'attributes', '[{"key":"VARCHAR","value":"JSON"}]'),
                               lambda x: x.key = 'service.name')[1].value->>'stringValue' AS service
            FROM (SELECT unnest(from_json(json->'resourceSpans', '["json"]')) AS rs FROM SCAN)))
"""
"""Every span of an OTLP JSON export (one export request per line, or one document), its attributes as a map."""
OTEL_SPANS = OTEL_SPANS.replace("ATTRIBUTE_VALUE", ATTRIBUTE_VALUE)


@dataclass(frozen=True)
class Adapter:
    name: str
    signature: tuple[str, ...]
    """Top-level fields that identify the format."""
    columns: Callable[[Callable[[str], str]], dict[str, str]]
    keep: str = "TRUE"
    """Which records are model calls."""


ADAPTERS = (
    Adapter("otel", ("resourceSpans",), _otel,
            "a['gen_ai.usage.input_tokens'] IS NOT NULL OR a['gen_ai.usage.output_tokens'] IS NOT NULL"),
    Adapter("litellm", ("request_id", "spend"), _litellm),
    Adapter("langfuse", ("traceId", "type"), _langfuse, "{type} = 'GENERATION'"),
    Adapter("tco", ("run_id",), _ours),
)


# -- sources ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One input file: where it is, how it is stored, and which adapter reads it."""

    path: Path
    file: str
    format: str
    adapter: Adapter
    fields: tuple[str, ...]
    """Its top-level columns or keys."""
    wrapped: bool = False
    """A JSON document `{"data": [...]}` (the Langfuse API's page), read from its `data`."""
    types: dict[str, str] = field(default_factory=dict)
    """The DuckDB type of each column `select()` gives, once read."""

    def scan(self) -> str:
        p = lit(str(self.path))
        if self.format == "csv":
            return f"read_csv({p}, all_varchar = true, header = true)"
        if self.format == "parquet":
            return f"read_parquet({p})"
        if self.wrapped:
            return f"(SELECT unnest(from_json(json->'data', '[\"json\"]')) AS json FROM read_json_objects({p}, format = 'auto'))"
        return f"read_json_objects({p}, format = 'auto')"

    def get(self, path: str) -> str:
        """SQL reading field `path` (dots go into nested objects) as text, NULL where the record lacks it."""
        if self.format == "json":
            return f"(json->>{lit('$.' + '.'.join(ident(p) if not p.isidentifier() else p for p in path.split('.')))})"
        head, _, rest = path.partition(".")
        if head not in self.fields:
            return "NULL"
        column = ident(head)
        if not rest:
            return f"CAST({column} AS VARCHAR)" if self.format == "csv" else column
        return f"(CAST({column} AS JSON)->>{lit('$.' + rest)})"

    def select(self) -> str:
        """Our columns as read (still unchecked), in the source's record order."""
        adapter = self.adapter
        body = ", ".join(f"{expr} AS {ident(name)}" for name, expr in adapter.columns(self.get).items())
        if adapter.name == "otel":
            # the run's own attributes sit on spans that are not calls: read them before keeping only the calls
            spans = OTEL_SPANS.replace("SCAN", self.scan())
            return f"SELECT * EXCLUDE (_keep) FROM (SELECT {body}, ({adapter.keep}) AS _keep FROM ({spans})) WHERE _keep"
        return f"SELECT {body} FROM {self.scan()} WHERE {adapter.keep.format(type=self.get('type'))}"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-process DuckDB with a bounded memory limit and a private spill directory."""
    import duckdb

    spill = tempfile.TemporaryDirectory(prefix="tco-duckdb-")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill.name,
                                 "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")  # our own progress goes to stderr, and only on a terminal
    weakref.finalize(con, spill.cleanup)
    return con


def _fields(con: Any, path: Path, fmt: str) -> tuple[tuple[str, ...], bool]:
    p = lit(str(path))
    if fmt == "csv":
        return tuple(r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_csv({p}, all_varchar = true, header = true)").fetchall()), False
    if fmt == "parquet":
        return tuple(r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall()), False
    row = con.execute(f"SELECT json_keys(json) FROM read_json_objects({p}, format = 'auto') LIMIT 1").fetchone()
    keys = tuple(row[0]) if row else ()
    if "data" in keys and "meta" in keys:  # an API page: the records are in `data`
        inner = con.execute(f"SELECT json_keys(from_json(json->'data', '[\"json\"]')[1]) FROM read_json_objects({p}, format = 'auto') LIMIT 1").fetchone()
        return (tuple(inner[0]) if inner and inner[0] else ()), True
    return keys, False


def detect(con: Any, path: Path) -> Source:
    """The source at `path`: its format by extension, its adapter by its fields."""
    import duckdb

    file = display(path)
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise TcoError(f"{file}: unknown file type {path.suffix or '(none)'!r}; expected one of "
                       f"{', '.join(sorted(EXTENSIONS))}{nearest(path.suffix.lower(), EXTENSIONS)}")
    if not path.is_file():
        raise TcoError(f"{file}: no such file")
    try:
        fields, wrapped = _fields(con, path, fmt)
    except duckdb.Error as e:
        raise TcoError(f"{file}: cannot be read as {fmt}: {str(e).splitlines()[0]}") from None
    for adapter in ADAPTERS:
        if all(f in fields for f in adapter.signature):
            source = Source(path, file, fmt, adapter, fields, wrapped)
            if adapter.name == "tco":
                missing = [c for c in REQUIRED if c not in fields]
                if missing:
                    raise TcoError([Problem(file, None, c, f"missing required column; found {', '.join(fields)}"
                                            f"{nearest(c, fields)}") for c in missing])
            return source
    shown = ", ".join(fields[:12]) + (", …" if len(fields) > 12 else "")
    raise TcoError(f"{file}: not a file of call records: expected columns {', '.join(REQUIRED)} (and any of "
                   f"{', '.join(c for c in COLUMNS if c not in REQUIRED)}), or an OpenTelemetry, LiteLLM or Langfuse "
                   f"export; found {shown or 'no columns'}{nearest('run_id', fields)}")


# -- checking --------------------------------------------------------------------------------------------------

TYPED = {"text": "CAST({x} AS VARCHAR)", "tokens": "TRY_CAST({x} AS DOUBLE)", "attempt": "TRY_CAST({x} AS DOUBLE)",
         "money": "TRY_CAST({x} AS DECIMAL(18, 12))", "seconds": "TRY_CAST({x} AS DOUBLE)",
         "bool": "TRY_CAST({x} AS BOOLEAN)",
         "timestamp": "TRY_CAST({x} AS TIMESTAMPTZ)"}
"""Each kind of column read once into its type (a NULL where the value does not convert)."""
BAD = {"tokens": "{v} IS NULL OR {v} < 0 OR {v} <> floor({v}) OR {v} > 1e15",
       "attempt": "{v} IS NULL OR {v} < 1 OR {v} <> floor({v}) OR {v} > 1e9", "money": "{v} IS NULL OR {v} < 0",  # DECIMAL(18, 12): below a million dollars a call
       "seconds": "{v} IS NULL OR {v} < 0 OR isinf({v}) OR isnan({v})", "bool": "{v} IS NULL",
       "timestamp": "{v} IS NULL"}
"""When a value that is there is bad, given its typed reading `{v}`."""
WHOLE = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT")
"""Column types already whole numbers (Parquet's): tokens and attempts read as BIGINT, without the round trip
through DOUBLE that text needs."""
TYPED_WHOLE = "TRY_CAST({x} AS BIGINT)"
BAD_WHOLE = {"tokens": "{v} IS NULL OR {v} < 0 OR {v} > 1000000000000000", "attempt": "{v} IS NULL OR {v} < 1 OR {v} > 1000000000"}
FINAL = {"tokens": "COALESCE(CAST({v} AS BIGINT), 0)", "attempt": "CAST({v} AS INTEGER)"}
EXPECTED = {"tokens": "a whole number ≥ 0", "attempt": "a whole number ≥ 1", "money": "an amount ≥ 0 (USD)",
            "seconds": "seconds ≥ 0", "bool": "true or false (or t/f, 1/0, yes/no)",
            "timestamp": "a date and time (ISO 8601, e.g. 2026-11-30T14:05:00Z)"}


def _quoted(name: str) -> str:
    """SQL for the raw value of column `name` in quotes, for a message."""
    return f"chr(39) || CAST({ident(name)} AS VARCHAR) || chr(39)"


def checked_sql(select: str, carry: str = "", types: dict[str, str] | None = None) -> str:
    """Our columns typed, with `problem`: the first bad column of the row and why, or NULL. Each value is converted
    once (inner query); the checks compare the conversions (outer). `types`: the DuckDB types of `select`'s columns,
    where known (whole-number columns are then read as such)."""
    whole = {n for n, k in COLUMNS.items() if k in BAD_WHOLE and (types or {}).get(n) in WHOLE}
    inner = ", ".join(f"{(TYPED_WHOLE if name in whole else TYPED[kind]).format(x=ident(name))} AS v_{name}"
                      for name, kind in COLUMNS.items())
    # trim (which also strips Unicode spaces) only where the first character is not printable ASCII: much cheaper
    cases = [f"WHEN v_{name} IS NULL OR ((v_{name} < '!' OR v_{name} >= chr(127)) AND trim(v_{name}) = '') "
             f"THEN {lit(name + ': missing')}" for name in REQUIRED]
    for name, kind in COLUMNS.items():
        if kind in BAD:
            bad = (BAD_WHOLE[kind] if name in whole else BAD[kind]).format(v=f"v_{name}")
            cases.append(f"WHEN {ident(name)} IS NOT NULL AND ({bad}) THEN {lit(name + ': ')} || {_quoted(name)} "
                         f"|| {lit(' is not ' + EXPECTED[kind])}")
    cases.append("WHEN v_cached_input_tokens > v_input_tokens THEN 'cached_input_tokens: ' || "
                 "CAST(cached_input_tokens AS VARCHAR) || ' is more than input_tokens ' || CAST(input_tokens AS VARCHAR) "
                 "|| ' (input_tokens counts all input, cached included)'")
    typed = []
    for name, kind in COLUMNS.items():
        value = FINAL.get(kind, "{v}").format(v=f"v_{name}")
        if name == "task_id":
            value = "COALESCE(v_task_id, v_run_id)"
        typed.append(f"{value} AS {ident(name)}")
    return (f"SELECT {', '.join(typed)}, CASE {' '.join(cases)} END AS problem{carry} "
            f"FROM (SELECT *, {inner} FROM ({select}) AS raw) AS r")


# -- the records -----------------------------------------------------------------------------------------------

@dataclass
class BadRows:
    file: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass
class Records:
    """Checked call records from one or more files, in DuckDB view `calls` (our columns)."""

    con: Any
    sources: list[Source]
    calls: int
    bad: list[BadRows]

    @property
    def files(self) -> list[str]:
        return [s.file for s in self.sources]

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of a query over `calls`, as dicts."""
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _examples(con: Any, source: Source, limit: int) -> list[str]:
    """The first bad rows of a source, numbered in its record order (read single-threaded to keep that order)."""
    con.execute("SET threads = 1; SET preserve_insertion_order = true")
    try:
        rows = con.execute(_numbered(source, limit)).fetchall()
    finally:
        con.execute("RESET threads; SET preserve_insertion_order = false")
    line = (lambda n: f"row {n} (line {n + 1})") if source.format == "csv" else (lambda n: f"record {n}")
    return [f"{source.file}: {line(n)}: {problem}" for n, problem in rows]


def _types(con: Any, select: str) -> dict[str, str]:
    """The DuckDB type of each column of a query (binding it, not running it)."""
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {select}").fetchall()}


def _numbered(source: Source, limit: int) -> str:
    checked = checked_sql(f"SELECT row_number() OVER () AS _row, * FROM ({source.select()})", ", _row", source.types)
    return f"SELECT _row, problem FROM ({checked}) WHERE problem IS NOT NULL ORDER BY _row LIMIT {limit}"


def read_records(paths: list[Path], skip_bad: bool = False, con: Any = None) -> Records:
    """Read, check and hold the call records of `paths`. A bad row is an error naming its file, row and column;
    with `skip_bad` it is left out, and counted per file for the report.

    Each file is checked in one pass. A Parquet file is already typed columnar storage: it is read where it lies,
    through a view (so 10 million calls need no copy in memory). Other formats are copied once, typed, into a
    temporary table rather than parsed again by every query. `calls` is the union, without the bad rows."""
    import duckdb

    if not paths:
        raise TcoError("FILE: give at least one file of call records")
    con = con or connect()
    sources = [detect(con, Path(p)) for p in paths]
    names = ", ".join(ident(c) for c in COLUMNS)
    try:
        checked = []
        for i, s in enumerate(sources):
            sources[i] = s = replace(s, types=_types(con, s.select()))
            kind = "VIEW" if s.format == "parquet" else "TABLE"
            con.execute(f"CREATE OR REPLACE TEMP {kind} _checked_{i} AS {checked_sql(s.select(), types=s.types)}")
            checked.append(f"_checked_{i}")
        counts = [con.execute(f"SELECT count(*), count(problem) FROM {t}").fetchone() for t in checked]
        con.execute("CREATE OR REPLACE TEMP VIEW calls AS " + " UNION ALL ".join(
            f"SELECT {names} FROM {t}{' WHERE problem IS NULL' if bad else ''}" for t, (_, bad) in zip(checked, counts, strict=True)))
    except duckdb.Error as e:
        raise TcoError(f"{', '.join(s.file for s in sources)}: cannot be read: {str(e).splitlines()[0]}") from None
    total = sum(n - bad for n, bad in counts)
    bad = []
    for s, (_, n_bad) in zip(sources, counts, strict=True):
        if n_bad:
            bad.append(BadRows(s.file, n_bad, _examples(con, s, SHOWN_PROBLEMS)))
    if bad and not skip_bad:
        lines = [e for b in bad for e in b.examples]
        summary = "; ".join(f"{b.file}: {b.count:,} bad row(s)" for b in bad)
        raise TcoError([Problem("", None, "", m) for m in lines]
                       + [Problem("", None, "", f"{summary}; fix them, or pass --skip-bad to leave them out (counted in the report)")])
    if total == 0:
        raise TcoError(f"{', '.join(s.file for s in sources)}: no model calls found")
    return Records(con, sources, total, bad)
