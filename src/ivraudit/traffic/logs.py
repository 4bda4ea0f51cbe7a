"""Call logs: which files, read by which DuckDB reader, in which log format, as one table.

A generic log is one row per step a call took: ``call_id``, ``node`` and ``seq`` (or
``at``, an ISO 8601 timestamp), with optional ``key``, ``seconds`` and ``flow``, in CSV,
JSON Lines or Parquet (docs/traffic.md).  A platform's own log (Twilio Studio steps,
Amazon Connect flow logs, Asterisk CEL) is read into the same columns
(:mod:`.platforms`).  Files are found by their suffix; a directory stands for every
log file under it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ivraudit.model.errors import UsageError
from ivraudit.traffic import sql
from ivraudit.traffic.engine import engine_error
from ivraudit.traffic.platforms import LOG_FORMATS, LogFormat, detect

#: Each reader and the file suffixes it reads (compressed CSV and JSON too).
READERS = {
    "csv": (".csv", ".csv.gz", ".tsv", ".tsv.gz"),
    "json": (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz"),
    "parquet": (".parquet",),
}
REQUIRED = ("call_id", "node")
OPTIONAL = ("seq", "at", "key", "seconds", "flow")


def reader_of(path: str) -> str | None:
    """The reader for a file, by its suffix, or None for a file that is not a log."""
    name = path.lower()
    for reader, suffixes in READERS.items():
        if name.endswith(suffixes):
            return reader
    return None


def log_files(paths: list[str]) -> dict[str, list[str]]:
    """The log files under ``paths``, grouped by reader; a file named directly must be one."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        if os.path.isdir(path):
            found = sorted(str(p) for p in Path(path).rglob("*") if p.is_file())
            for name in found:
                if reader_of(name):
                    groups.setdefault(reader_of(name) or "", []).append(name)
            continue
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
        reader = reader_of(path)
        if reader is None:
            raise UsageError(
                f"{path}: not a call log (name it .csv, .jsonl, .ndjson, .json or .parquet)"
            )
        groups.setdefault(reader, []).append(path)
    if not groups:
        raise UsageError("no call logs found in " + ", ".join(paths))
    return groups


def _source(reader: str, files: list[str], *, filename: bool = False) -> str:
    listed = sql.literal_list(files)
    # A platform's log orders steps of one second by their place in their file.
    named = ", filename = true" if filename else ""
    if reader == "csv":
        # Every column as text, then typed here: '01' stays a key, not the number 1.
        return f"read_csv({listed}, header = true, all_varchar = true, union_by_name = true{named})"
    if reader == "json":
        # One object per line, or an array of objects (a page the platform's API returns).
        return f"read_json({listed}, format = 'auto', union_by_name = true{named})"
    return f"read_parquet({listed}, union_by_name = true{named})"


def _columns(connection: Any, source: str, files: list[str]) -> set[str]:
    try:
        rows = connection.execute(sql.DESCRIBE.format(source=source)).fetchall()
    except engine_error() as exc:
        raise UsageError(f"{files[0]}: cannot read as a call log: {_first_line(exc)}") from None
    return {str(row[0]) for row in rows}


#: How a group of files times its steps: not at all, each step by its own time (``at``, a
#: platform's log), or by the ``seconds`` of the steps before it.
NO_TIMES, MOMENTS, SECONDS = "none", "moments", "seconds"


def _select(connection: Any, reader: str, files: list[str], forced: str | None) -> tuple[str, str]:
    """The query of one group of files as generic steps, and how its steps are timed
    (:data:`NO_TIMES`, :data:`MOMENTS` or :data:`SECONDS`)."""
    source = _source(reader, files)
    columns = _columns(connection, source, files)
    log_format = LOG_FORMATS[forced] if forced else detect(columns)
    if log_format.query is not None:
        missing = log_format.missing(columns)
        if missing:
            raise UsageError(
                f"{files[0]}: a log of {log_format.title} needs the columns "
                f"{_listed(log_format)}; missing {', '.join(missing)}"
            )
        generic = log_format.query(_source(reader, files, filename=True), columns)
        query = sql.STEP_COLUMNS.format(
            position=sql.POSITION_FROM_SEQ,
            key='"key"',
            flow='"flow"',
            moment=sql.MOMENT_FROM_AT,
            seconds="NULL",
            source=generic,
        )
        return query, MOMENTS
    missing = [name for name in REQUIRED if name not in columns]
    if "seq" not in columns and "at" not in columns:
        missing.append("seq or at")
    if missing:
        shown = ", ".join(sorted(columns & {*REQUIRED, *OPTIONAL})) or "none of them"
        raise UsageError(
            f"{files[0]}: a call log needs the columns call_id, node and seq (or at); "
            f"missing {', '.join(missing)} (found: {shown})"
        )
    position = sql.POSITION_FROM_SEQ if "seq" in columns else sql.POSITION_FROM_AT
    query = sql.STEP_COLUMNS.format(
        position=position,
        key='"key"' if "key" in columns else "NULL",
        flow='"flow"' if "flow" in columns else "NULL",
        moment=sql.MOMENT_FROM_AT if "at" in columns else "NULL",
        seconds=sql.SECONDS if "seconds" in columns else "NULL",
        source=source,
    )
    if "at" in columns:
        return query, MOMENTS
    return query, SECONDS if "seconds" in columns else NO_TIMES


def _by_format(
    connection: Any, reader: str, files: list[str], forced: str | None
) -> dict[str | None, list[str]]:
    """The files of one reader by their log format: the one forced, else each file's own
    (files of several formats may share a suffix and a directory)."""
    if forced is not None or len(files) == 1:
        return {forced: files}
    found: dict[str | None, list[str]] = {}
    for path in files:
        columns = _columns(connection, _source(reader, [path]), [path])
        found.setdefault(detect(columns).name, []).append(path)
    return found


def _listed(log_format: LogFormat) -> str:
    names = [need if isinstance(need, str) else " or ".join(need) for need in log_format.required]
    return ", ".join(names)


def create_steps(
    connection: Any, paths: list[str], log_format: str | None = None, *, ties: bool = True
) -> str:
    """Make the view ``steps`` (call_id, node, position, key, flow) over every log under
    ``paths``, in ``log_format`` (a name of :data:`LOG_FORMATS`; None: found from each
    group of files' columns), and refuse logs whose steps cannot be placed in their call.
    With ``ties`` false, steps that share their call and position are left to the caller
    to find (counting finds them in its walk) and refuse with :func:`refuse_tied`.
    Returns how the steps are timed: :data:`NO_TIMES` when no group has times (then
    none are searched for), :data:`SECONDS` when some group sums ``seconds``, else
    :data:`MOMENTS`."""
    if log_format is not None and log_format not in LOG_FORMATS:
        known = ", ".join(LOG_FORMATS)
        raise UsageError(f"unknown log format {log_format!r} (one of {known})")
    selects = []
    timings = set()
    for reader, files in sorted(log_files(paths).items()):
        for name, members in _by_format(connection, reader, files, log_format).items():
            query, timing = _select(connection, reader, members, name)
            selects.append(query)
            timings.add(timing)
    connection.execute("CREATE TEMP VIEW steps AS " + " UNION ALL ".join(selects))
    where = ", ".join(paths)
    try:
        blank = connection.execute(sql.BLANK_STEPS).fetchone()[0]
        tied = connection.execute(sql.TIED_STEPS).fetchone()[0] if ties else 0
    except engine_error() as exc:
        raise UsageError(f"{where}: cannot read as a call log: {_first_line(exc)}") from None
    if blank:
        raise UsageError(
            f"{where}: {blank} step(s) have no call_id, node, or seq/at "
            "(every step needs all three)"
        )
    refuse_tied(paths, tied)
    if SECONDS in timings:
        return SECONDS
    return MOMENTS if MOMENTS in timings else NO_TIMES


def refuse_tied(paths: list[str], tied: int) -> None:
    """Refuse logs in which ``tied`` steps share their call and position with another."""
    if tied:
        raise UsageError(
            f"{', '.join(paths)}: {tied} steps share their call and seq/at with another step, "
            "so their order is unknown (give each step of a call its own seq or at)"
        )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
