"""Finding and Report: the one result type that every reporter renders."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import operator
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from ivraudit.model.errors import MenuError

if TYPE_CHECKING:
    from ivraudit.analysis.metrics import Metrics

#: The node of a witness step that stands for steps left out of a long route.
GAP = "…"


class Severity(str, Enum):
    """How much a finding matters; the engine attaches it from configuration."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for error, 1 for warning, 0 for info: higher is worse."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]

    def __str__(self) -> str:
        return self.value


def edge_key(via: str, key: str | None) -> str:
    """The key of a graph edge taken ``via`` a route with ``key`` (DESIGN.md §3): ``via``,
    or ``via:key`` (``choice:1``, ``key:9``).

    >>> edge_key("next", None), edge_key("choice", "1")
    ('next', 'choice:1')
    """
    return via if key is None else f"{via}:{key}"


@dataclass(frozen=True)
class Step:
    """One step of a witness route: at ``node`` the caller hears ``hears``, then ``does``.

    On the last step ``does`` says what happens there ("transfers to queue:cards",
    "the platform hangs up") and ``via`` and ``key`` are None; on the others
    ``via`` and ``key`` are the graph edge taken from this step (see DESIGN.md §3).
    """

    node: str
    hears: str | None = None
    does: str | None = None
    via: str | None = None
    key: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "hears": self.hears,
            "does": self.does,
            "via": self.via,
            "key": self.key,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }

    @property
    def is_gap(self) -> bool:
        """Whether this step stands for steps left out of a long route (``key``: how many)."""
        return self.node == GAP

    @property
    def edge_key(self) -> str | None:
        """The key of the graph edge this step takes to the next (None on the last step)."""
        return None if self.via is None else edge_key(self.via, self.key)


#: Witness steps a report for people (text, JUnit, GitHub, Markdown, HTML) prints at most:
#: a longer route shows its first and last steps around one "… N steps …" gap, so a
#: chain of thousands of menus gives a report proportional to the menu.
SHOWN_STEPS = 20


def elided(witness: tuple[Step, ...], limit: int = SHOWN_STEPS) -> tuple[Step, ...]:
    """``witness`` itself, or, when longer than ``limit``, its first and last steps with
    one gap step standing for those between (its ``key``: how many, counting the steps an
    earlier gap stood for)."""
    if len(witness) <= limit:
        return witness
    head = limit // 2
    tail = limit - head - 1
    hidden = witness[head : len(witness) - tail]
    count = sum(int(step.key or 0) if step.is_gap else 1 for step in hidden)
    gap = Step(node=GAP, does=f"{count} more steps not shown", key=str(count))
    return (*witness[:head], gap, *witness[len(witness) - tail :])


def numbered(witness: Iterable[Step]) -> Iterator[tuple[int, Step]]:
    """Each step with its number on the whole route, as reports print them.

    A gap gets the number of the last step it stands for, so the steps after it
    keep their real places (``1, 2, … 40, 41``).
    """
    number = 0
    for step in witness:
        number += int(step.key or 0) if step.is_gap else 1
        yield number, step


class _kept:
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every
    first read): a frozen finding's value is the same whichever thread works it out."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


@dataclass(frozen=True)
class Finding:
    """A fault found in a menu, where it is, and the route a caller takes to meet it.

    ``fact`` is what was found, independent of line numbers (for example
    ``date_of_birth`` for a repeated ask); with the rule, file and node it makes
    the :attr:`fingerprint` that baselines match on.
    """

    rule: str
    severity: Severity
    file: str
    line: int
    column: int
    node: str
    message: str
    witness: tuple[Step, ...] = ()
    fact: str = ""
    name: str = ""
    flow: str = ""
    #: How to fix it, in the terms of the platform the file is written for ("" if none).
    fix: str = ""
    #: What the fault is at its position, whatever route reaches it (the rule's kind
    #: of fault there).  Findings that share rule, position and place (one subflow
    #: inlined at several call sites, a context several entries reach, a flow other
    #: flows transfer to) are one fault, reported once.  Not part of the output.
    place: str = field(default="", compare=False, repr=False)
    #: Whether the finding was met on a caller's line (an entry menu): its route is
    #: the one to show when the same fault is also met elsewhere.
    on_entry: bool = field(default=True, compare=False, repr=False)
    #: Logged calls that reached the finding's node, and their share of all logged calls
    #: (``check --traffic``; None without traffic, or when the count is suppressed).
    calls: int | None = field(default=None, compare=False)
    share: float | None = field(default=None, compare=False)

    @property
    def message_and_fix(self) -> str:
        """The message, then the fix when there is one (for one-line formats)."""
        return f"{self.message}. Fix: {self.fix}" if self.fix else self.message

    @_kept
    def fault(self) -> tuple[str, ...]:
        """What makes two findings the same fault: rule, position and :attr:`place`.

        Kept once computed: deduplication asks it several times per finding."""
        return (self.rule, _real_path(self.file), str(self.line), str(self.column), self.place)

    @property
    def fingerprint(self) -> str:
        """A line-independent id: the same fault keeps it across unrelated edits.

        Made of the rule, the file (normalised: ``./menus/a.yaml`` and
        ``menus/a.yaml`` are the same), the node and the fact -- not the flow, so
        adding a flow to a file leaves the findings of the others as they were
        (baselines count fingerprints, so two flows' identical faults both count).
        """
        return _fingerprint(self.rule, normal_path(self.file), self.node, self.fact)

    def fingerprint_from(self, base: str | None) -> str:
        """The fingerprint a baseline file in the directory ``base`` records: the file
        spelt relative to that directory (see :func:`relative_path`), so it matches
        wherever a check runs.  Equal to :attr:`fingerprint` for a baseline in the
        current directory and a file inside it."""
        return _fingerprint(self.rule, relative_path(self.file, base), self.node, self.fact)

    def respelt(
        self,
        spell: Callable[[str], str],
        steps: dict[int, Step] | None = None,
        kept: set[str] | None = None,
    ) -> Finding:
        """The same finding with its file, and its witness steps' files, spelt by ``spell``.

        ``steps`` (a step's id to its respelt copy) keeps steps that findings share
        shared; a finding whose spellings do not change is returned as it is.  ``kept``
        collects the names ``spell`` leaves as they are (for the next finding)."""
        file = spell(self.file)
        # Most routes stay in files whose spelling does not change: one pass in C tells.
        files = set(map(_STEP_FILE, self.witness))
        files.discard(None)
        if file == self.file:
            if kept is not None and files <= kept:
                return self
            if all(spell(name) == name for name in files):
                if kept is not None:
                    kept |= files
                return self
        steps = {} if steps is None else steps
        witness = []
        for step in self.witness:
            spelt = steps.get(id(step))
            if spelt is None:
                spelt = step
                if step.file and spell(step.file) != step.file:
                    spelt = dataclasses.replace(step, file=spell(step.file))
                # The original is kept alive by this finding while the report respells.
                steps[id(step)] = spelt
            witness.append(spelt)
        return dataclasses.replace(self, file=file, witness=tuple(witness))

    @property
    def identity(self) -> tuple[str, str, str]:
        """Rule, node and fact: the finding without its file, to compare two versions
        (of one flow: :func:`ivraudit.diff` pairs flows by id first)."""
        return (self.rule, self.node, self.fact)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.column, self.rule, self.node, self.message, self.flow)

    def to_dict(self, witness: bool = True) -> dict[str, Any]:
        """The finding as JSON output version 1 writes it (``witness=False``: empty route)."""
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity._value_,  # .value, without the enum's descriptor
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "node": self.node,
            "flow": self.flow,
            "message": self.message,
            "fix": self.fix,
            "witness": [step.to_dict() for step in self.witness] if witness else [],
            "fingerprint": self.fingerprint,
        }


#: Every field of a Finding, in order, with its default (required ones: MISSING), and
#: those whose default is made per finding.
_FINDING_FIELDS = {item.name: item.default for item in dataclasses.fields(Finding) if item.init}
_FINDING_FACTORIES = [
    (item.name, item.default_factory)
    for item in dataclasses.fields(Finding)
    if item.init and item.default_factory is not dataclasses.MISSING
]


def new_finding(**values: Any) -> Finding:
    """``Finding(**values)`` for the engine's hot path: one C call fills the fields where
    the frozen dataclass's ``__init__`` sets them one by one (a fifth of the time on
    200,000 findings).  Every field without a default must be given; ``fault`` may be
    given too, equal to what :attr:`Finding.fault` works out."""
    finding = object.__new__(Finding)
    fields = finding.__dict__
    fields.update(_FINDING_FIELDS, **values)
    for name, make in _FINDING_FACTORIES:
        if name not in values:
            fields[name] = make()  # type: ignore[operator]
    return finding


_STEP_FILE = operator.attrgetter("file")
_SEVERITY_OF = operator.attrgetter("severity")
#: :attr:`Finding.sort_key` as one C call, for sorting many findings.
_SORT_KEY = operator.attrgetter("file", "line", "column", "rule", "node", "message", "flow")


def _fingerprint(rule: str, file: str, node: str, fact: str) -> str:
    text = "\x1f".join((rule, file, node, fact))
    # surrogatepass: a lone surrogate read from a file still has a fingerprint (the same
    # bytes as utf-8 for every other text).
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


#: How each reason an unknown has reads in a summary ("7 run-time targets").
UNKNOWN_REASONS = {
    "run-time": ("run-time target", "run-time targets"),
    "not-given": ("in a file or flow not given", "in files or flows not given"),
    "unsupported": ("construct not modelled", "constructs not modelled"),
}


@dataclass(frozen=True)
class Unknown:
    """A route that leaves what was read: where, why, and what the platform names there.

    Never a finding and never in the exit code: it tells an engineer which file
    to add (``not-given``) or what only the running system decides (``run-time``).
    """

    file: str
    line: int
    column: int
    node: str
    reason: str
    target: str = ""
    flow: str = ""

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.line, self.column, self.node, self.target, self.flow)

    def to_dict(self) -> dict[str, Any]:
        """The unknown as the JSON report writes it."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "node": self.node,
            "flow": self.flow,
            "reason": self.reason,
            "target": self.target,
        }


def once_per_fault(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per fault (see :attr:`Finding.fault`), with the best route: met on a
    caller's line first, then the shortest witness."""
    kept: dict[tuple[str, ...], Finding] = {}
    for finding in findings:
        key = finding.fault
        best = kept.get(key)
        if best is None or _better(finding, best):
            kept[key] = finding
    return list(kept.values())


def _better(finding: Finding, than: Finding) -> bool:
    if finding.on_entry != than.on_entry:
        return finding.on_entry
    return len(finding.witness) < len(than.witness)


def unknowns_line(unknowns: list[Unknown]) -> str | None:
    """ "12 routes leave what was read: 7 run-time targets, 5 in files or flows not given",
    or None when every route stays within what was read."""
    if not unknowns:
        return None
    tally = Counter(unknown.reason for unknown in unknowns)
    parts = []
    for reason, (one, many) in UNKNOWN_REASONS.items():
        if tally[reason]:
            parts.append(f"{tally[reason]} {one if tally[reason] == 1 else many}")
    count = len(unknowns)
    routes = "route leaves" if count == 1 else "routes leave"
    return f"{count} {routes} what was read: " + ", ".join(parts)


# The path functions below are memoised per working directory: a relative path means
# another file, and an absolute one another spelling, once a process changes directory.


def real_path(path: str) -> str:
    """One spelling per file, links resolved (see :attr:`Finding.fault`)."""
    return _real_path(path)


def _real_path(path: str) -> str:
    """One spelling per file, links resolved: a flow read directly and the same flow
    reached through a transfer from another file are one file."""
    return path if path.startswith("<") else _real_path_in(os.getcwd(), path)


@functools.lru_cache(maxsize=4096)
def _real_path_in(cwd: str, path: str) -> str:
    return os.path.realpath(os.path.join(cwd, path))


def relative_path(path: str, base: str | None = None) -> str:
    """``path`` relative to the directory ``base`` (None: the current directory), even
    when that climbs out of it, with forward slashes: how a baseline file, which moves
    with its repository, spells the files beside it."""
    if path.startswith("<"):
        return path
    return _relative_path_in(os.getcwd(), path, base)


@functools.lru_cache(maxsize=4096)
def _relative_path_in(cwd: str, path: str, base: str | None) -> str:
    absolute = os.path.normpath(os.path.join(cwd, path))
    try:
        relative = os.path.relpath(absolute, os.path.join(cwd, base or ""))
    except ValueError:  # another drive on Windows
        relative = absolute
    return relative.replace("\\", "/")


def normal_path(path: str) -> str:
    """A path as it should be compared: relative to the current directory when inside
    it, normalised, with forward slashes."""
    if path.startswith("<"):
        return path
    return _normal_path_in(os.getcwd(), path)


@functools.lru_cache(maxsize=4096)
def _normal_path_in(cwd: str, path: str) -> str:
    absolute = os.path.normpath(os.path.join(cwd, path))
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        relative = absolute
    chosen = absolute if relative.startswith("..") else relative
    return chosen.replace("\\", "/")


@dataclass(frozen=True)
class Drawing:
    """A menu's picture for a report: inline SVG or Mermaid text.

    ``node_ids`` maps each drawn menu node to its DOM id in the SVG, and
    ``edge_ids`` each drawn edge, as ``(source, edge key, target)``, to its DOM
    id: with them a report highlights any witness route in the picture, whatever
    the number of findings.  ``note`` says why a picture is missing or partial
    (Graphviz not installed, a menu too large to draw whole).
    """

    file: str
    menu: str
    kind: str
    content: str = ""
    node_ids: dict[str, str] = field(default_factory=dict)
    edge_ids: dict[tuple[str, str, str], str] = field(default_factory=dict)
    note: str | None = None


@dataclass
class Report:
    """Every finding of one run, sorted, with the files read and those that could not be.

    ``suppressed`` counts findings silenced by node-level ``audit: ignore``;
    ``absorbed`` those matched by a baseline.
    """

    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[MenuError] = field(default_factory=list)
    suppressed: int = 0
    absorbed: int = 0
    fixed: list[dict[str, Any]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    metrics: list[Metrics] = field(default_factory=list)
    drawings: list[Drawing] = field(default_factory=list)
    #: Routes that leave what was read (never findings; see :class:`Unknown`).
    unknowns: list[Unknown] = field(default_factory=list)
    #: What ``check --traffic`` read: calls, steps, min_calls, drift (None without it).
    traffic: dict[str, Any] | None = None

    def sort(self) -> Report:
        """Sort findings by file, line, column, rule; errors by position. Returns self."""
        self.findings.sort(key=_SORT_KEY)
        self.errors.sort(key=lambda error: (error.file, error.line, error.column, error.message))
        self.files = sorted(set(self.files))
        self.rules = sorted(set(self.rules))
        self.metrics.sort(key=lambda item: (item.file, item.id or ""))
        self.drawings.sort(key=lambda item: (item.file, item.menu, item.kind))
        self.unknowns = sorted(set(self.unknowns), key=lambda item: item.sort_key)
        return self

    def extend(self, other: Report) -> None:
        """Add another report's results (e.g. another file's) to this one."""
        self.findings.extend(other.findings)
        self.files.extend(other.files)
        self.errors.extend(other.errors)
        self.suppressed += other.suppressed
        self.absorbed += other.absorbed
        self.fixed.extend(other.fixed)
        self.rules.extend(other.rules)
        self.metrics.extend(other.metrics)
        self.drawings.extend(other.drawings)
        self.unknowns.extend(other.unknowns)

    def respell(self, spell: Callable[[str], str]) -> Report:
        """Spell every file the report names with ``spell`` (one spelling per file in a
        run: as the user named it).  Returns self."""
        steps: dict[int, Step] = {}
        kept: set[str] = set()
        self.findings = [finding.respelt(spell, steps, kept) for finding in self.findings]
        self.files = [spell(file) for file in self.files]
        self.errors = [_respelt_error(error, spell) for error in self.errors]
        self.metrics = [dataclasses.replace(item, file=spell(item.file)) for item in self.metrics]
        self.drawings = [dataclasses.replace(item, file=spell(item.file)) for item in self.drawings]
        self.unknowns = [dataclasses.replace(item, file=spell(item.file)) for item in self.unknowns]
        return self

    def counts(self) -> dict[str, int]:
        """Findings per severity, every severity present (zero when none)."""
        # Counted by member, in C (a Severity is its value as a str: same hash, equal).
        tally = Counter(map(_SEVERITY_OF, self.findings))
        return {severity.value: tally.get(severity, 0) for severity in Severity}

    def worst(self) -> Severity | None:
        """The most severe level among the findings, or None when there are none."""
        if not self.findings:
            return None
        return max((finding.severity for finding in self.findings), key=lambda s: s.rank)

    def fails(self, fail_on: Severity | None) -> bool:
        """Whether any finding is at or above ``fail_on`` (None: never fails)."""
        if fail_on is None:
            return False
        return any(finding.severity.rank >= fail_on.rank for finding in self.findings)

    def summary(self) -> dict[str, Any]:
        """Counts for reporters: files, unreadable files, findings by severity and rule."""
        by_rule = Counter(finding.rule for finding in self.findings)
        return {
            "files": len(self.files),
            "unreadable": len(self.errors),
            "findings": len(self.findings),
            **self.counts(),
            "suppressed": self.suppressed,
            "absorbed": self.absorbed,
            "by_rule": dict(sorted(by_rule.items())),
            "unknown": len(self.unknowns),
            "unknown_by_reason": dict(sorted(Counter(u.reason for u in self.unknowns).items())),
        }


def _respelt_error(error: MenuError, spell: Callable[[str], str]) -> MenuError:
    if all(spell(problem.file) == problem.file for problem in error.problems):
        return error
    more = tuple(_respelt_error(problem, spell) for problem in error.more)
    return type(error)(spell(error.file), error.line, error.column, error.message, error.hint, more)
