"""JSON, output version 2 (version 1 on request), documented in docs/output.md.

Version 2 writes each distinct witness step once, in a ``steps`` table, and each
finding's witness as indexes into it: findings share most of their routes, and a
report that repeated them grew far beyond the menu it is about.  The report is
written one finding per line with the C encoder (no ``indent``), so a run with
hundreds of thousands of findings streams them in bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ivraudit._version import __version__
from ivraudit.model.findings import Finding, Report, Step, elided
from ivraudit.reports.options import RenderOptions

#: Every version that can be asked for (:data:`JSON_VERSION` is the default).
JSON_VERSIONS = (1, 2)


def _c_encoder() -> Callable[[Any, int], list[str]] | None:
    """The C encoder ``json.dumps(value, ensure_ascii=False)`` uses, made once:
    ``json.dumps`` builds a ``JSONEncoder`` and its C encoder again for every value, a
    third of the time of encoding a finding (a report writes hundreds of thousands)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without the _json accelerator
        return None
    # No circular check (None): a report's values are trees that ivraudit builds.
    return make(None, None, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)


_ENCODE = _c_encoder()


def dumps(value: Any) -> str:
    """One value as compact JSON, by the C encoder (``indent`` would choose the Python one):
    the same text as ``json.dumps(value, ensure_ascii=False)``."""
    if _ENCODE is None:
        return json.dumps(value, ensure_ascii=False)
    return "".join(_ENCODE(value, 0))


class StepTable:
    """The distinct witness steps of a report, in order of first use, and each
    witness as indexes into them (the same witness is looked up once)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self._by_value: dict[Step, int] = {}
        # Steps and witnesses are shared objects: most look-ups stop at their id.
        # Every id stays valid: the report holds the objects while it is written.
        self._by_id: dict[int, int] = {}
        self._routes: dict[int, list[int]] = {}

    def route(self, witness: tuple[Step, ...]) -> list[int]:
        """The indexes of ``witness``'s steps, adding the steps not in the table yet."""
        route = self._routes.get(id(witness))
        if route is not None:
            return route
        route = []
        by_id = self._by_id
        for step in witness:
            index = by_id.get(id(step))
            if index is None:
                # One hash of the step (a dataclass hashes all its fields in Python).
                index = by_id[id(step)] = self.index(step)
            route.append(index)
        self._routes[id(witness)] = route
        return route

    def index(self, step: Step) -> int:
        """The index of a step made only for this look-up (such as an elision's gap), found
        by its value: it is not remembered by ``id``, which may be reused once it is gone."""
        index = self._by_value.setdefault(step, len(self.steps))
        if index == len(self.steps):
            self.steps.append(step)
        return index

    def shown(self, witness: tuple[Step, ...]) -> list[int]:
        """The indexes of the steps a report for people shows of ``witness``
        (:func:`~ivraudit.model.findings.elided`: its first and last steps around a gap)."""
        shown = elided(witness)
        route = self.route(witness)
        if shown is witness:
            return route
        head = next(place for place, step in enumerate(shown) if step is not witness[place])
        tail = len(shown) - head - 1
        return [*route[:head], self.index(shown[head]), *route[len(route) - tail :]]

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> StepTable:
        table = cls()
        for finding in findings:
            table.route(finding.witness)
        return table


def array(name: str, items: Iterable[Any], last: bool = False) -> Iterator[str]:
    """``"name": [...]`` at the top level of a report, one compact item per line."""
    yield f"  {dumps(name)}: ["
    separator = "\n    "
    for item in items:
        yield separator + dumps(item)
        separator = ",\n    "
    yield ("\n  ]" if separator != "\n    " else "]") + ("\n" if last else ",\n")


def _errors(report: Report) -> Iterator[dict[str, Any]]:
    for error in report.errors:
        for e in error.problems:
            item = {"file": e.file, "line": e.line, "column": e.column, "message": str(e.message)}
            yield item | ({"hint": e.hint} if e.hint else {})


def _findings(
    report: Report, options: RenderOptions, table: StepTable | None
) -> Iterator[dict[str, Any]]:
    for finding in report.findings:
        if table is None:
            item = finding.to_dict(witness=options.witness)
        else:
            item = finding.to_dict(witness=False)
            if options.witness:
                item["witness"] = table.route(finding.witness)
        if report.traffic is not None:
            # check --traffic: the calls that reached the node, and their share (6 places).
            share = None if finding.share is None else round(finding.share, 6)
            item |= {"calls": finding.calls, "share": share}
        yield item


def chunks(report: Report, options: RenderOptions) -> Iterator[str]:
    """The report as JSON text, piece by piece (see :func:`render`)."""
    version = options.json_version
    if version not in JSON_VERSIONS:
        raise ValueError(f"JSON output version {version} does not exist (choose 1 or 2)")
    yield "{\n"
    yield f'  "version": {version},\n'
    yield f'  "tool": {dumps({"name": "ivraudit", "version": __version__})},\n'
    table = None
    if version >= 2:
        table = StepTable.of(report.findings) if options.witness else StepTable()
        yield from array("steps", (step.to_dict() for step in table.steps))
    yield from array("findings", _findings(report, options, table))
    yield from array("errors", _errors(report))
    yield from array("fixed", report.fixed)
    yield from array("unknowns", (unknown.to_dict() for unknown in report.unknowns))
    if report.traffic is not None:
        yield f'  "traffic": {dumps(report.traffic)},\n'
    yield f'  "summary": {dumps(report.summary())}\n'
    yield "}\n"


def as_dict(report: Report, options: RenderOptions) -> dict[str, Any]:
    """The report as the JSON it is written as (a whole, for Python callers)."""
    return json.loads("".join(chunks(report, options)))


def render(report: Report, options: RenderOptions) -> str:
    return "".join(chunks(report, options))
