"""Checking many files: find the menus under the paths given, load and audit each.

With ``jobs`` above one, files are audited in worker processes; the results
are merged and sorted exactly as a serial run's, so output is identical.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from ivraudit._gc import collector_paused
from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.metrics import metrics
from ivraudit.config import Config
from ivraudit.formats import Estate, load_all, menu_files
from ivraudit.formats.samples import mark_samples
from ivraudit.model.errors import EstatePartError, MenuError, NotAMenuError, UsageError
from ivraudit.model.findings import Report, once_per_fault
from ivraudit.model.menu import Menu
from ivraudit.reports.diagrams.draw import report_drawing
from ivraudit.rules.engine import audit

#: Called after each file with (files done, files in all, the file just done).
Progress = Callable[[int, int, str], None]


@dataclass
class CheckResult:
    """A check run: the report, the files skipped because they are not menus, and the
    files read only as parts of others (a dialplan file #included by another, whose
    contexts are audited where calls enter them; a channel config's entries)."""

    report: Report
    skipped: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


#: Why check_file audited nothing of a file: no menu in it, or a part of other files.
NOT_A_MENU = "not a menu"
PART = "part of the others"


@dataclass(frozen=True)
class _Job:
    config: Config
    format: str | None
    with_metrics: bool
    skip_if_not_menu: bool
    draw: str | None = None
    rules: bool = True
    estate: Estate | None = None
    witness: bool = True
    #: Whether other files are checked with this one (an estate part then serves them).
    serves: bool = False


def check(
    paths: Sequence[str | os.PathLike[str]],
    config: Config | None = None,
    *,
    format: str | None = None,
    with_metrics: bool = False,
    skip_non_menus: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    draw: str | None = None,
    rules: bool = True,
    root: str | None = None,
    witness: bool = True,
) -> CheckResult:
    """Load and audit every menu file under ``paths`` (files, or directories searched).

    A file that cannot be read lands in ``report.errors``; the others are
    still audited.  Inside a directory, data files no format recognises
    (a package.json, a CI config) are skipped and listed in ``skipped``;
    a file named directly must be a menu unless ``skip_non_menus`` (for
    pre-commit, which names every changed file).  ``with_metrics`` adds each
    menu's :class:`~ivraudit.metrics.Metrics` to ``report.metrics``; ``draw``
    (``"svg"`` or ``"mermaid"``) adds each menu's picture to ``report.drawings``.
    ``jobs`` worker processes share the files (the result does not depend on it).
    ``rules=False`` only measures (for ``ivraudit metrics``).  The files form one
    estate (references between them resolve); nothing outside ``root`` (by default
    the deepest directory holding them all) is read.  ``witness=False`` (for a report
    that prints no routes) keeps of each witness step only its node and the edge
    taken, which is all the rules read, and saves building what a caller hears there.
    """
    config = config or Config()
    # Sorting and respelling many findings allocate as much as the audit did: the
    # collector stays paused for the whole run, not only while each file is audited.
    with collector_paused():
        files, named, estate = _run_files(paths, root, config)
        work = []
        for path in files:
            skip = skip_non_menus or path not in named
            # A part of the estate named with the files it serves (a channel config beside
            # its dialplan) is read for them, not refused; named alone, it is an error.
            serves = len(files) > 1
            job = _Job(config, format, with_metrics, skip, draw, rules, estate, witness, serves)
            work.append((path, job))
        result = CheckResult(Report())
        for done, (path, (report, skipped)) in enumerate(_run(work, jobs), start=1):
            if skipped == PART:
                result.parts.append(path)
            elif skipped:
                result.skipped.append(path)
            else:
                result.report.extend(report)
            if progress is not None:
                progress(done, len(files), path)
        # A fault in a part several files' flows reach (a flow others transfer to) once.
        # (One file's findings are once per fault already: check_file made them so.)
        if len(work) > 1:
            result.report.findings = once_per_fault(result.report.findings)
        result.report.respell(spelling(files))
        result.report.sort()
        result.skipped.sort()
        result.parts.sort()
        _to_oldest_generation()
        return result


def _to_oldest_generation() -> None:
    """Move every object the collector tracks into its oldest generation, unscanned.

    The run allocated millions of objects with the collector paused, all still in its
    youngest generation: the first collection after it is back on scanned every one of
    them (0.5 s after 200,000 findings) for garbage that is not there.  ``freeze`` then
    ``unfreeze`` moves them to the oldest generation in constant time, where only a full
    collection (rare, and as before) looks at them again; every object stays collectable.
    """
    gc.freeze()
    gc.unfreeze()


def spelling(files: Sequence[str]) -> Callable[[str], str]:
    """How a run spells paths: a file it found as it found it (as the user named it,
    normalised), and a file a converter reached through a reference (often absolute)
    the same way, relative to where the first file was named."""
    known = {os.path.realpath(path): path for path in files}
    anchor_given = os.path.dirname(files[0]) if files else ""
    anchor_real = os.path.realpath(anchor_given or ".")

    def spell(path: str) -> str:
        if not path or path.startswith("<"):
            return path
        if path not in known:
            real = os.path.realpath(path)
            try:
                below = os.path.relpath(real, anchor_real)
            except ValueError:  # another drive on Windows
                below = real
            known[path] = known.get(real) or os.path.normpath(os.path.join(anchor_given, below))
        return known[path]

    return spell


def _run_files(
    paths: Sequence[str | os.PathLike[str]], root: str | None, config: Config
) -> tuple[list[str], set[str], Estate]:
    """The menu files a run reads, those named on their own (not found in a directory),
    and the estate they form (with the flows config ``twilio_flows`` maps by SID)."""
    files = menu_files(list(paths))
    if not files:
        raise UsageError("no menu files found in " + ", ".join(os.fspath(p) for p in paths))
    named = {os.path.normpath(path) for path in paths if not os.path.isdir(path)}
    estate = Estate.of(files, root) if root is not None else Estate.named(list(paths), files)
    if config.twilio_flows:
        where = f"{config.origin}: config key 'twilio_flows'"
        estate = estate.referring("twilio-flow", config.flow_files(), where)
    return files, named, estate


def _run(
    work: list[tuple[str, _Job]], jobs: int
) -> Iterator[tuple[str, tuple[Report, str | None]]]:
    """Yield ``(path, outcome)`` for each file, in the order of ``work``."""
    if jobs <= 1 or len(work) < 2:
        for path, job in work:
            yield path, check_file(path, job)
        return
    workers = min(jobs, len(work))
    chunk = max(1, min(64, len(work) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        paths = [path for path, _ in work]
        outcomes = pool.map(check_file, paths, [job for _, job in work], chunksize=chunk)
        yield from zip(paths, outcomes, strict=True)


def check_file(path: str, job: _Job) -> tuple[Report, str | None]:
    """Load and audit one file: ``(report, why it was skipped)`` (None: audited;
    :data:`NOT_A_MENU` or :data:`PART`); never raises for bad input."""
    with collector_paused():
        return _check_file(path, job)


def _check_file(path: str, job: _Job) -> tuple[Report, str | None]:
    config = job.config
    try:
        menus = load_all(path, job.format, max_bytes=config.max_bytes, estate=job.estate)
    except NotAMenuError as error:
        part = isinstance(error, EstatePartError)
        if job.format is None and (job.skip_if_not_menu or (job.serves and part)):
            return Report(), PART if part else NOT_A_MENU
        return Report(errors=[error]), None
    except MenuError as error:
        return Report(errors=[error]), None
    apply_entries(menus, config)
    combined = Report()
    for menu in menus:
        try:
            context = AuditContext(menu, config)
        except ValueError as exc:  # e.g. subflows that inline too many nodes
            where = menu.locate()
            combined.errors.append(MenuError(where.file, 1, 1, str(exc)))
            continue
        context.full_steps = job.witness
        report = audit(menu, config, context=context) if job.rules else Report(files=[menu.path])
        if job.with_metrics:
            report.metrics.append(metrics(menu, context=context))
        if job.draw:
            report.drawings.append(
                report_drawing(menu, report, job.draw, context=context, config=config)
            )
        combined.extend(report)
    combined.findings = once_per_fault(combined.findings)
    return combined, None


def apply_entries(menus: list[Menu], config: Config) -> None:
    """Decide the roles the importers leave open: parts named as demos or tests are
    samples (unless config ``audit_samples``), and config ``entries`` overrides the
    importers' choice: the flows it names are the entries, and every other
    caller-facing flow is only reached."""
    if not config.audit_samples:
        mark_samples(menus)
    if config.entries is None:
        return
    for menu in menus:
        if config.names_entry(menu.path, menu.id):
            menu.with_role("entry", "named in config 'entries'")
        elif menu.role == "entry":
            menu.with_role("reached", "not named in config 'entries'")


@dataclass(frozen=True)
class Part:
    """One menu (flow, entry context, document) of a run: what it is to callers, and why."""

    file: str
    flow: str
    role: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "flow": self.flow, "role": self.role, "reason": self.reason}


def parts(
    paths: Sequence[str | os.PathLike[str]],
    config: Config | None = None,
    *,
    format: str | None = None,
    root: str | None = None,
) -> tuple[list[Part], list[MenuError]]:
    """Every menu of the files under ``paths``, with its role and the reason for it
    (``ivraudit entries``), and the files that could not be read."""
    config = config or Config()
    files, named, estate = _run_files(paths, root, config)
    found: list[Part] = []
    errors: list[MenuError] = []
    for path in files:
        try:
            menus = load_all(path, format, max_bytes=config.max_bytes, estate=estate)
        except NotAMenuError as error:
            part = isinstance(error, EstatePartError) and len(files) > 1
            if (path in named and not part) or format is not None:
                errors.append(error)
            continue
        except MenuError as error:
            errors.append(error)
            continue
        apply_entries(menus, config)
        for menu in menus:
            flow = (menu.id or "") if menu.one_of_many else ""
            reason = menu.role_reason or _default_reason(menu)
            found.append(Part(os.path.normpath(menu.path), flow, menu.role, reason))
    order = {"entry": 0, "reached": 1, "sample": 2, "internal": 3}
    found.sort(key=lambda part: (order[part.role], part.file, part.flow))
    return found, errors


def _default_reason(menu: Menu) -> str:
    if menu.source_format == "native":
        return "an ivraudit menu: calls start at its 'start'"
    return "calls start here"
