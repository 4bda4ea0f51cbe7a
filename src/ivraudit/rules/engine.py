"""The audit engine: run the selected rules over one menu and collect findings.

The engine, not the rules, decides severity (from configuration), position,
witness and suppression, so rules stay small and output stays uniform.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from ivraudit.analysis.context import AuditContext
from ivraudit.config import Config
from ivraudit.model.findings import Finding, Report, Severity, Unknown, new_finding, real_path
from ivraudit.model.menu import Menu
from ivraudit.rules.registry import RULES, SAME_FAULT_ORDER, Hit, Rule, matches, selected

_ENGINE_RULES = ("AU001", "AU002")


def audit(
    menu: Menu, config: Config | None = None, *, context: AuditContext | None = None
) -> Report:
    """Audit a menu with the rules and thresholds of ``config`` (defaults when None).

    Examples:
        >>> from ivraudit import load
        >>> menu = load("ivraudit: 1\\nstart: main\\nnodes:\\n  main: {type: say, next: gone}")
        >>> [f.rule for f in audit(menu).findings]
        ['DP003', 'ST001']
    """
    config = config or Config()
    ctx = context or AuditContext(menu, config)
    rules = selected(config.select, [*config.ignore, *config.ignored_in(menu.path)])
    chosen = {rule.id for rule in rules}
    suppressions = _suppressions(ctx)
    report = Report(files=[menu.path], rules=[rule.id for rule in rules])
    ran: list[Rule] = []
    seen: set[tuple[str, ...]] = set()
    reported: list[tuple[Finding, tuple[str, ...]]] = []
    fixes: dict[tuple[int, str, str], str] = {}
    platform_code = _PlatformCode(ctx)
    for current in rules:
        if current.id in _ENGINE_RULES or (current.needs_start and ctx.start is None):
            continue
        if not current.applies_to(menu.role):
            continue
        ran.append(current)
        make = _Maker(ctx, current, config, fixes)
        try:
            hits = [(make(hit), hit) for hit in current.check(ctx)]
        except Exception as exc:
            # One broken rule must not hide the others, nor pass for a clean menu:
            # the crash is always reported, whatever is selected.
            report.findings.append(_crash(ctx, current, exc, config))
            continue
        for finding, hit in hits:
            if platform_code(finding.node):
                continue  # the platform's own code: its author cannot change it
            suppressed = finding.node in suppressions and _suppress(suppressions, finding, current)
            # A subflow used twice is inlined twice; its faults are reported once.
            fault = finding.fault
            if fault in seen:
                continue
            seen.add(fault)
            if suppressed:
                report.suppressed += 1
            else:
                reported.append((finding, hit.fault_at))
    report.findings.extend(once_across_rules(ctx, reported))
    if "AU001" in chosen:
        report.findings.extend(_unused_suppressions(ctx, suppressions, ran, config))
    report.unknowns.extend(unknowns(ctx))
    return report.sort()


def once_across_rules(
    ctx: AuditContext, reported: list[tuple[Finding, tuple[str, ...]]]
) -> list[Finding]:
    """The findings without those that tell again a fault another rule reports.

    Two findings are one fault when they share a node of their hits' ``fault_at``
    (the hangup a route ends at, the transfer no one reaches); the one whose rule
    comes first in :data:`SAME_FAULT_ORDER` is kept.  Only reported findings count:
    a suppressed or unselected rule hides nothing.  Nodes are compared by where
    they are written, so each copy of an inlined subflow agrees.  Linear.
    """
    best: dict[tuple[str, int, int, str], int] = {}
    ranked: list[tuple[Finding, int, list[tuple[str, int, int, str]]]] = []
    for finding, nodes in reported:
        rank = _RANK.get(finding.rule, len(_RANK))
        places = [_written(ctx, node) for node in nodes] if finding.rule in _RANK else []
        ranked.append((finding, rank, places))
        for place in places:
            best[place] = min(best.get(place, rank), rank)
    return [
        finding for finding, rank, places in ranked if all(best[place] >= rank for place in places)
    ]


_RANK = {rule_id: index for index, rule_id in enumerate(SAME_FAULT_ORDER)}


class _PlatformCode:
    """Whether a node lies in a part that is the platform's own code
    (:attr:`ivraudit.model.menu.Menu.platform_code`: FreePBX's ``macro-vm``), asked
    of each menu once: a pydantic private attribute is slow to read per finding."""

    __slots__ = ("data", "menus")

    def __init__(self, ctx: AuditContext) -> None:
        self.data = ctx.data
        # By id: the context holds every menu while the audit runs.
        self.menus: dict[int, bool] = {}

    def __call__(self, node: str) -> bool:
        data = self.data.get(node)
        menu = data.get("menu") if data is not None else None
        if menu is None:
            return False
        found = self.menus.get(id(menu))
        if found is None:
            found = self.menus[id(menu)] = menu.platform_code is not None
        return found


def _written(ctx: AuditContext, node: str) -> tuple[str, int, int, str]:
    where = ctx.position(node)
    data = ctx.data.get(node)
    origin = str(data.get("origin", node)) if data is not None else node
    return (where.file, where.line, where.column, origin)


def unknowns(ctx: AuditContext) -> list[Unknown]:
    """The routes of a menu that leave what was read, once per place they are written.

    Internal parts (feature codes, outbound routes) and samples are not a caller's
    line, so where they lead is not counted.
    """
    if ctx.menu.role in ("internal", "sample"):
        return []
    found = []
    flow = (ctx.menu.id or "") if ctx.menu.one_of_many else ""
    for node in ctx.unknowns:
        if ctx.start is not None and node not in ctx.reachable:
            continue
        model = ctx.model(node)
        where = ctx.position(node)
        reason = getattr(model, "reason", "not-given")
        target = getattr(model, "target", None) or ""
        found.append(Unknown(where.file, where.line, where.column, node, reason, target, flow))
    return found


def _severity(rule: Rule, config: Config) -> Severity:
    for selector, severity in config.severity.items():
        if matches(rule, selector):
            return severity
    return rule.severity


class _Maker:
    """Makes one rule's findings from its hits: what is the same for every finding of
    the rule and the menu (severity, flow, role) is worked out once, not per finding."""

    __slots__ = ("ctx", "fixes", "flow", "on_entry", "real_files", "rule", "severity")

    def __init__(
        self, ctx: AuditContext, rule: Rule, config: Config, fixes: dict[tuple[int, str, str], str]
    ) -> None:
        self.ctx = ctx
        self.rule = rule
        self.severity = _severity(rule, config)
        self.flow = (ctx.menu.id or "") if ctx.menu.one_of_many else ""
        self.on_entry = ctx.menu.role == "entry"
        self.fixes = fixes
        self.real_files: dict[str, str] = {}

    def __call__(self, hit: Hit) -> Finding:
        ctx, rule = self.ctx, self.rule
        position = hit.position or ctx.position(hit.node, *hit.field)
        witness = hit.witness if hit.witness is not None else ctx.witness(hit.node)
        place = _place(ctx, hit)
        real = self.real_files.get(position.file)
        if real is None:
            real = self.real_files[position.file] = real_path(position.file)
        return new_finding(
            rule=rule.id,
            name=rule.name,
            severity=self.severity,
            file=position.file,
            line=position.line,
            column=position.column,
            node=hit.node,
            message=hit.message,
            witness=witness,
            fact=hit.fact,
            flow=self.flow,
            place=place,
            on_entry=self.on_entry,
            fix=self.fix(hit),
            # Finding.fault, worked out here with the file's real path asked once.
            fault=(rule.id, real, str(position.line), str(position.column), place),
        )

    def fix(self, hit: Hit) -> str:
        """The fix in the words of the platform the fault's menu was read from."""
        ctx = self.ctx
        data = ctx.data.get(hit.node)
        if data is None:
            return ctx.menu.words.fix(self.rule.id, hit.fact, hit.node)
        menu = data["menu"]
        # The same menu, rule and fact give the same sentence: ask once, put the node in.
        key = (id(menu), self.rule.id, hit.fact)
        sentence = self.fixes.get(key)
        if sentence is None:
            sentence = self.fixes[key] = menu.words.fix(self.rule.id, hit.fact, "{node}")
        return sentence.replace("{node}", data["origin"])


def _place(ctx: AuditContext, hit: Hit) -> str:
    """What makes the fault this one at its position, whatever route met it: the
    hit's kind, or its fact without an inlined subflow's prefix."""
    if hit.kind is not None:
        return hit.kind
    data = ctx.data.get(hit.node)
    if data is None or not data["subflow"]:
        return hit.fact
    return hit.fact.replace(data["subflow"] + "/", "")


def _crash(ctx: AuditContext, rule: Rule, exc: Exception, config: Config) -> Finding:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else ""
    position = ctx.menu.locate()
    crash_rule = RULES["AU002"]
    return Finding(
        rule=crash_rule.id,
        name=crash_rule.name,
        severity=_severity(crash_rule, config),
        file=position.file,
        line=position.line,
        column=position.column,
        node=ctx.start or "",
        message=f"rule {rule.id} ({rule.name}) failed: {type(exc).__name__}: {exc}{at}",
        fact=f"{rule.id}:{type(exc).__name__}",
    )


@dataclass
class _Suppression:
    """One ``audit: ignore`` entry of a node, and how many findings it silenced."""

    selector: str
    used: int = 0


Suppressions = dict[str, list[_Suppression]]


def _suppressions(ctx: AuditContext) -> Suppressions:
    """Every node's ``audit: ignore`` entries.  The copies of a subflow inlined more
    than once share one list: an entry is used if it silences a finding in any copy."""
    found: Suppressions = {}
    by_place: dict[tuple[str, int, int], list[_Suppression]] = {}
    for node, model in ctx.nodes():
        if model.audit is not None and model.audit.ignore:
            where = ctx.position(node)
            entries = [_Suppression(selector) for selector in model.audit.ignore]
            found[node] = by_place.setdefault((where.file, where.line, where.column), entries)
    return found


def _suppress(suppressions: Suppressions, finding: Finding, rule: Rule) -> bool:
    for entry in suppressions.get(finding.node, ()):
        if matches(rule, entry.selector):
            entry.used += 1
            return True
    return False


def _unused_suppressions(
    ctx: AuditContext, suppressions: Suppressions, ran: list[Rule], config: Config
) -> list[Finding]:
    unused_rule = RULES["AU001"]
    findings = []
    told: set[int] = set()  # entry lists already reported (shared by subflow copies)
    for node, entries in suppressions.items():
        if id(entries) in told:
            continue
        told.add(id(entries))
        for index, entry in enumerate(entries):
            selector = entry.selector
            if entry.used:
                continue
            known = any(matches(rule, selector) for rule in RULES.values())
            if known and not any(matches(rule, selector) for rule in ran):
                continue  # its rule did not run: nothing to say either way
            what = "names no rule" if not known else "suppresses nothing here"
            position = ctx.position(node, "audit", "ignore", index)
            findings.append(
                Finding(
                    rule=unused_rule.id,
                    name=unused_rule.name,
                    severity=_severity(unused_rule, config),
                    file=position.file,
                    line=position.line,
                    column=position.column,
                    node=node,
                    message=f"'audit: ignore: {selector}' on '{node}' {what}",
                    fact=f"ignore {selector}",
                )
            )
    return findings
