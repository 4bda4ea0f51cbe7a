"""The rule registry: every rule by id, and how selectors name them.

A rule is an id, a name, a default severity, a one-line summary, a docstring
in three parts (what it finds, why callers suffer, an example and the fix) and
one function over the :class:`~ivraudit.analysis.context.AuditContext` that yields
:class:`Hit` objects.  The engine (:mod:`ivraudit.rules.engine`) turns hits into
findings: it attaches the configured severity, the position and the witness.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ivraudit.model.errors import ConfigError, Position, UsageError
from ivraudit.model.findings import Severity, Step

if TYPE_CHECKING:
    from ivraudit.analysis.context import AuditContext
    from ivraudit.config import Config

FAMILIES = {
    "ST": "structure",
    "DE": "dead ends",
    "ID": "identity",
    "DP": "depth",
    "MN": "menus",
    "AU": "audit",
    "TR": "traffic",
}


@dataclass(frozen=True)
class Hit:
    """What a rule reports: the node, a message, and what was found.

    ``fact`` identifies the fault independently of line numbers (it feeds the
    baseline fingerprint); ``field`` points inside the node for the position;
    ``witness`` overrides the default witness (the shortest route to ``node``).
    The engine reports one finding per fault: per rule, position and ``kind``, and
    across rules by ``fault_at`` (see :data:`SAME_FAULT_ORDER`).
    """

    node: str
    message: str
    fact: str = ""
    field: tuple[Any, ...] = ()
    witness: tuple[Step, ...] | None = None
    position: Position | None = None
    #: What tells this fault from others of the rule written at the same place, when
    #: ``fact`` names other nodes (whose ids differ from one route to the next).
    #: Default: the fact.
    kind: str | None = None
    #: The graph nodes where the fault lies (a hangup, a transfer), for rules in
    #: :data:`SAME_FAULT_ORDER`: when a rule earlier in that order reports a finding
    #: at one of them, this hit is the same fault told twice and is not reported.
    fault_at: tuple[str, ...] = ()


#: One fault, two rules: when hits of these rules share a node of ``fault_at``, only
#: the one of the rule earliest here is reported (each rule's page says so).  "No route
#: reaches a person" names the unreachable transfer (DP003 over ST002); a hangup
#: with no service is told where it is (DE003), not again as the caller error or
#: the operator key whose route ends there (DE005, MN002); a case that can never hold
#: is told once, not again as the place only it leads to (MN008 over ST002).
SAME_FAULT_ORDER = ("DP003", "DE003", "DE005", "MN002", "MN008", "ST002")

#: What each rule of :data:`SAME_FAULT_ORDER` leaves to another, or takes from one
#: (its page's "One finding per fault" section).
SAME_FAULT_NOTES = {
    "DP003": "It names the human transfers no route reaches, with their lines; ST002 does "
    "not report them again.",
    "DE003": "A hangup is reported once, here, also when a caller error (DE005) or the "
    "operator key (MN002) ends at it; the message says when it is where the operator "
    "key leads.",
    "DE005": "Not reported when the error route leads to the node a key or spoken "
    "option also leads to (no match sent down the 'agent' route), and DE003 reports "
    "the hangup after it: the caller's error and choice meet one dead end, told once "
    "by DE003.  An error route that only shares a hangup, or a 'sorry' message reached "
    "otherwise on failures, is its own fault.",
    "MN002": "Not reported when the operator key ends, after plain messages, at a hangup "
    "DE003 reports: DE003 tells that dead end and names the key.",
    "MN008": "A case that can never hold cuts off the place only it leads to: ST002 does "
    "not report that place again.",
    "ST002": "Not reported for a human transfer DP003 names as unreachable, nor for a "
    "place only a case MN008 reports (one that can never hold) leads to.",
}


Check = Callable[["AuditContext"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A registered rule."""

    id: str
    name: str
    severity: Severity
    summary: str
    check: Check
    uses: tuple[str, ...] = ()
    needs_start: bool = True
    #: Measured on a caller's line from where calls start: not run on menus that
    #: callers only reach from elsewhere (a subflow, a queue flow, a subdialog).
    caller_line: bool = False

    def applies_to(self, role: str) -> bool:
        """Whether the rule runs on a menu of this role (:data:`~ivraudit.model.menu.Role`).

        Internal parts (feature codes, outbound routes, agent-side flows) and
        samples (demos and tests by their own name) get the structural rules only;
        caller-line rules need an entry.
        """
        if role in ("internal", "sample"):
            return self.family in ("structure", "audit")
        return role == "entry" or not self.caller_line

    @property
    def family(self) -> str:
        return FAMILIES.get(self.id[:2], "other")

    @property
    def doc(self) -> str:
        """The rule's documentation: its check function's docstring."""
        return inspect.cleandoc(self.check.__doc__ or self.summary)

    def page(self) -> str:
        """The rule's documentation page in Markdown (``ivraudit rules ID``, docs/rules/ID.md)."""
        from ivraudit.config import Settings

        lines = [
            f"# {self.id} {self.name}",
            "",
            f"**{self.summary}**",
            "",
            f"Default severity: `{self.severity.value}`. Family: {self.family}.",
            "",
            self.doc,
        ]
        if self.id in SAME_FAULT_NOTES:
            order = ", ".join(SAME_FAULT_ORDER)
            lines += [
                "",
                "## One finding per fault",
                "",
                f"{SAME_FAULT_NOTES[self.id]} When findings of {order} are one fault (a "
                "hangup, a transfer they share), only the one of the rule first in that "
                "order is reported; a rule that is not selected, or a suppressed finding, "
                "hides nothing.",
            ]
        if self.uses:
            lines += ["", "## Settings", ""]
            for name in self.uses:
                info = Settings.model_fields[name]
                default = info.get_default(call_default_factory=True)
                if isinstance(default, tuple):
                    default = list(default)
                # JSON literals read the same as the TOML the user writes.
                literal = json.dumps(default, ensure_ascii=False)
                lines.append(f"- `{name}` (default `{literal}`): {info.description}")
        return "\n".join(lines) + "\n"


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    name: str,
    severity: Severity | str,
    summary: str,
    *,
    uses: tuple[str, ...] = (),
    needs_start: bool = True,
    caller_line: bool = False,
) -> Callable[[Check], Check]:
    """Register a check function as a rule (decorator); see :class:`Rule` for the flags."""

    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(
            id, name, Severity(severity), summary, check, uses, needs_start, caller_line
        )
        return check

    return register


_ID = re.compile(r"^[A-Z]{2}[0-9]{0,3}$")


def matches(rule_: Rule, selector: str) -> bool:
    """Whether ``selector`` (an id, an id prefix such as ``DE``, or a name) names the rule."""
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    if _ID.match(selector.upper()):
        return rule_.id.startswith(selector.upper())
    return rule_.name == selector.lower()


def check_selectors(selectors: Iterable[str]) -> None:
    """Raise UsageError for a selector that names no rule."""
    for selector in selectors:
        if not any(matches(candidate, selector) for candidate in all_rules()):
            raise UsageError(f"'{selector}' names no rule; see 'ivraudit rules'")


def selected(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """The rules that ``select`` (empty: all) picks and ``ignore`` does not drop, by id."""
    select, ignore = list(select), list(ignore)
    check_selectors([*select, *ignore])
    picked = []
    for candidate in all_rules():
        if select and not any(matches(candidate, s) for s in select):
            continue
        if any(matches(candidate, s) for s in ignore):
            continue
        picked.append(candidate)
    return picked


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by id."""
    return [RULES[key] for key in sorted(RULES)]


def get(rule_id: str) -> Rule:
    """One rule by id or name; UsageError if there is none."""
    for candidate in RULES.values():
        if candidate.id == rule_id.upper() or candidate.name == rule_id.lower():
            return candidate
    raise UsageError(f"no rule '{rule_id}'; see 'ivraudit rules'")


def check_config(config: Config) -> None:
    """Raise ConfigError when ``config`` names a rule that does not exist.

    A typo in ``select`` or ``ignore`` would otherwise silently do nothing.
    """
    for key, selectors in config.rule_selectors():
        try:
            check_selectors(selectors)
        except UsageError as exc:
            raise ConfigError(f"{config.origin}: config key '{key}': {exc}") from None
