"""The log formats: the generic one and the platforms' own, each known by its columns.

A platform's log is turned into the generic columns by one query of :mod:`.sql`, so
everything after (the checks, the counts) is the same for every format.  Which
format a group of files is in is found from its columns, unless ``--log-format``
says it (docs/traffic.md, "Platform logs").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ivraudit.traffic import sql


@dataclass(frozen=True)
class LogFormat:
    """A log format: its name, what it is called, the columns that must be there (lower
    case; a tuple inside is "one of these"), and the query that reads it as a generic log
    (None for the generic format itself)."""

    name: str
    title: str
    required: tuple[str | tuple[str, ...], ...]
    query: Callable[[str, set[str]], str] | None = None

    def missing(self, columns: set[str]) -> list[str]:
        """The required columns not among ``columns`` (any case)."""
        lower = {column.lower() for column in columns}
        gone = []
        for need in self.required:
            choices = (need,) if isinstance(need, str) else need
            if not lower & set(choices):
                gone.append(" or ".join(choices))
        return gone


def _column(columns: set[str], name: str) -> str:
    """``name`` quoted as the file spells it, or NULL when the file lacks it."""
    for column in columns:
        if column.lower() == name.lower():
            return '"' + column.replace('"', '""') + '"'
    return "NULL"


def _twilio(source: str, columns: set[str]) -> str:
    return sql.TWILIO_STEPS.format(source=source, file_order=sql.FILE_ORDER)


def _connect(source: str, columns: set[str]) -> str:
    return sql.CONNECT_STEPS.format(
        source=source,
        file_order=sql.FILE_ORDER,
        module=_column(columns, "ContactFlowModuleType"),
        results=_column(columns, "Results"),
        flow_name=_column(columns, "ContactFlowName"),
        flow_id=_column(columns, "ContactFlowId"),
    )


def _asterisk(source: str, columns: set[str]) -> str:
    linked, unique = _column(columns, "linkedid"), _column(columns, "uniqueid")
    call = f"coalesce(nullif(trim(CAST({linked} AS VARCHAR)), ''), {unique})"
    return sql.ASTERISK_STEPS.format(source=source, file_order=sql.FILE_ORDER, call=call)


GENERIC = LogFormat("generic", "generic log", ("call_id", "node", ("seq", "at")))

#: Every format, platforms first: a group of files is the first whose columns it has.
LOG_FORMATS: dict[str, LogFormat] = {
    "twilio-studio": LogFormat(
        "twilio-studio",
        "Twilio Studio execution steps",
        ("execution_sid", "transitioned_from", "transitioned_to", "name", "date_created"),
        _twilio,
    ),
    "connect-flow-logs": LogFormat(
        "connect-flow-logs",
        "Amazon Connect flow logs",
        ("contactid", "identifier", "timestamp"),
        _connect,
    ),
    "asterisk-cel": LogFormat(
        "asterisk-cel",
        "Asterisk CEL records",
        ("eventtype", "eventtime", "context", "exten", ("uniqueid", "linkedid")),
        _asterisk,
    ),
    "generic": GENERIC,
}


def detect(columns: set[str]) -> LogFormat:
    """The first format whose columns the file has (the generic one when none is: its
    own check then says which columns are missing)."""
    for log_format in LOG_FORMATS.values():
        if not log_format.missing(columns):
            return log_format
    return GENERIC
