"""Depth rules: too many selections, too long to a person, no person at all."""

from __future__ import annotations

from collections.abc import Iterator

from ivraudit.analysis.context import AuditContext
from ivraudit.model.findings import GAP, Severity
from ivraudit.rules.registry import Hit, rule


def route_keys(ctx: AuditContext, node: str) -> str:
    """The selections on the fewest-presses route to ``node``, e.g. ``1 → 4 → 2``
    (``1 → … → 2`` where a long witness leaves steps out)."""
    keys = []
    for step in ctx.witness(node):
        if step.node == GAP:  # step.is_gap, without a call per step
            keys.append("…")
        elif step.via in ("key", "speech"):
            keys.append(step.key or step.via or "")
    return " → ".join(keys) if keys else "no selections"


@rule(
    "DP001",
    "too-deep",
    Severity.WARNING,
    "An outcome needs more menu selections than the limit (default 3).",
    uses=("max_presses",),
    caller_line=True,
)
def too_deep(ctx: AuditContext) -> Iterator[Hit]:
    """Finds outcomes -- a person, voicemail, callback or completed call -- whose
    shortest route from the start needs more menu selections (key presses or
    spoken choices) than ``max_presses``.  Answers to questions (an account
    number) are not selections.

    ## Why callers suffer
    Every level is another prompt to sit through and another chance to choose
    wrong.  Common practice is at most three levels; broad menus beat deep ones.

    ## Example
    ```yaml
    # bad: main -> billing -> disputes -> confirm -> agent, 4 selections
    main:     {type: menu, say: For billing press 1., options: {"1": billing}}
    billing:  {type: menu, say: To dispute a charge press 4., options: {"4": disputes}}
    disputes: {type: menu, say: For roaming charges press 1., options: {"1": confirm}}
    confirm:  {type: menu, say: To confirm press 1., options: {"1": agent}}
    ```
    ```yaml
    # good: the disputes team one level up, 2 selections
    main:    {type: menu, say: For billing press 1., options: {"1": billing}}
    billing: {type: menu, say: To dispute a charge press 4., options: {"4": agent}}
    ```

    ## Fix
    Merge levels, move frequent destinations up, or route from data you already
    have (caller ID, account status).
    """
    limit = ctx.settings.max_presses
    for node, kind in ctx.outcomes.items():
        presses = ctx.presses.cost.get(node)
        if presses is None or presses <= limit or node not in ctx.caller_reachable:
            continue
        yield Hit(
            node=node,
            message=f"reaching {kind} outcome '{node}' takes {int(presses)} menu selections "
            f"({route_keys(ctx, node)}), more than the limit of {limit}",
            fact=f"{kind}",
        )


@rule(
    "DP002",
    "human-too-far",
    Severity.WARNING,
    "The nearest person is further away than the limit (default 60 s estimated).",
    uses=("max_seconds_to_human", "words_per_minute", "seconds_per_input", "input_timeout"),
    caller_line=True,
)
def human_too_far(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus where the quickest route to a person takes longer than
    ``max_seconds_to_human``: prompts heard at the speaking rate, plus the time
    for each key press or answer.  Not claimed when a route that leaves what was
    read is nearer than that person (a person may be there).

    ## Why callers suffer
    Most callers want a person; every second of prompts before one is time they
    did not choose to spend.

    ## Example
    ```yaml
    # bad: about 70 s of notices before the first menu
    welcome:
      type: say
      say: Welcome to the council. Many of our services are now online ... (160 words)
      next: main
    ```
    ```yaml
    # good
    welcome: {type: say, say: Welcome to the council., next: main}
    main:
      type: menu
      say: For council tax press 1. For bins press 2. To speak to someone press 0.
      options: {"1": tax, "2": bins, "0": adviser}
    ```

    ## Fix
    Shorten the prompts before the first menu, and offer the operator key early.
    """
    limit = ctx.settings.max_seconds_to_human
    if ctx.nearest_human is None:
        return
    nearest, seconds, tree = ctx.nearest_human
    if seconds <= limit:
        return
    if any(node in tree and tree.cost[node] < seconds for node in ctx.unknowns):
        return  # a route leaves what was read sooner: a person may be nearer there
    yield Hit(
        node=nearest,
        message=f"the nearest person, '{nearest}', is about {seconds:.0f} s from the start, "
        f"more than the limit of {limit:g} s",
        fact="nearest human",
        witness=ctx.witness(nearest, tree),
    )


@rule(
    "DP003",
    "no-human",
    Severity.WARNING,
    "No route reaches a person at all.",
    caller_line=True,
)
def no_human(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus in which no route from the start reaches a human transfer.  A
    route that leaves what was read (a flow, file or run-time target ivraudit
    cannot see) may reach one, so none is claimed missing while one is reachable.
    A line that asks nothing (no menu, no question) and ends after recordings whose
    words are unknown is an announcement ("this number only takes text messages;
    call us on ..."): it may name where people are, so it is not reported.
    When the menu has human transfers that no route reaches, it names them and
    their lines.

    ## Why callers suffer
    Whatever their problem, the menu is all they get.  Callers who cannot be
    helped by self-service have nowhere to go.

    ## Example
    ```yaml
    # bad: every route ends in a message or a hangup
    ```
    ```yaml
    # good
    main:
      type: menu
      say: ... To speak to someone press 0.
      options: {"0": adviser}
    adviser: {type: transfer, target: "queue:advisers"}
    ```

    ## Fix
    Add a route to a person (at least through the operator key), or to a
    callback when no one is available.
    """
    if any(node in ctx.reachable for node in [*ctx.humans, *ctx.unknowns]):
        return  # a person, or a route that leaves what was read (a person may be there)
    if _announcement_line(ctx):
        return  # nothing to choose, and what it says before it ends is a recording
    start = ctx.start
    assert start is not None
    exists = "it has no human transfer"
    # Named with their lines: this is also why each of them is unreachable (ST002).
    named = ctx.humans[:3]
    if named:
        where = ", ".join(f"'{node}' (line {ctx.position(node).line})" for node in named)
        more = f" and {len(ctx.humans) - 3} more" if len(ctx.humans) > 3 else ""
        exists = f"none of its human transfers is reachable: {where}{more}"
    yield Hit(
        node=start,
        message=f"no route from the start reaches a person: {exists}",
        fact="no human",
        witness=(),
        fault_at=tuple(named),
    )


def _announcement_line(ctx: AuditContext) -> bool:
    """Whether no menu or question is reachable and every reachable hangup comes right
    after a recording whose words are unknown."""
    if any(node in ctx.reachable for node, _ in ctx.nodes("menu", "ask")):
        return False
    hangups = [node for node, _ in ctx.nodes("hangup") if node in ctx.reachable]
    return bool(hangups) and all(ctx.recorded_before(node) for node in hangups)
