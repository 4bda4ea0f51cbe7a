"""Traffic rules: what call logs say about a menu (options by use, options nobody
chooses, where callers hang up, how long callers take to reach a person).

Every rule here reads the counts ``check --traffic`` puts in ``config.traffic``
(:class:`~ivraudit.config.Traffic`, plain data: this stage does not read logs) and
is silent without them.  A node is matched to the logs' rows by its id, and by flow
when both the menu and the log name one (as ``check --traffic`` weighs findings):
``check --traffic`` renames the rows a platform's log names otherwise (a Connect
block's Identifier, an Asterisk ``context,exten``, a Studio widget folded into a menu)
to the nodes they stand for before the rules run (:mod:`ivraudit.traffic.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from ivraudit.analysis.context import AuditContext
from ivraudit.config import Traffic, TrafficEdge, TrafficNode
from ivraudit.model.findings import Severity
from ivraudit.model.keypad import is_pattern
from ivraudit.model.menu import MenuNode
from ivraudit.model.prompts import announced_keys
from ivraudit.rules.registry import Hit, rule

#: Node types where a call ends served or by design: ending there is not hanging up.
_OUTCOME_TYPES = frozenset({"transfer", "voicemail", "callback", "hangup", "unknown"})


#: A node or edge row of the logged counts.
Row = TypeVar("Row", TrafficNode, TrafficEdge)


def _flow(ctx: AuditContext) -> str:
    return (ctx.menu.id or "") if ctx.menu.one_of_many else ""


def _at(ctx: AuditContext, rows: Iterable[Row], node: str) -> list[Row]:
    """The rows of ``node`` in this menu's flow (a row naming no flow, or a menu that is
    the only flow of its file, matches any)."""
    flow = _flow(ctx)
    return [
        row for row in rows if row.node == node and (row.flow == flow or not row.flow or not flow)
    ]


def _node_rows(ctx: AuditContext, traffic: Traffic, node: str) -> list[TrafficNode]:
    return _at(ctx, traffic.nodes, node)


def _calls(ctx: AuditContext, traffic: Traffic, node: str) -> int:
    """Logged calls that reached ``node`` (0: none, or under the counts' ``min_calls``)."""
    return sum(row.calls for row in _node_rows(ctx, traffic, node))


def _logged_seconds(ctx: AuditContext, traffic: Traffic, node: str) -> float | None:
    """The median seconds the logged calls took to reach ``node`` (None: no times)."""
    timed = [row for row in _node_rows(ctx, traffic, node) if row.seconds is not None]
    if not timed:
        return None
    return sum(row.seconds * row.calls for row in timed) / sum(row.calls for row in timed)  # type: ignore[operator]


def _edges_at(ctx: AuditContext, traffic: Traffic, node: str) -> list[TrafficEdge]:
    return _at(ctx, traffic.edges, node)


def _option_calls(
    ctx: AuditContext, traffic: Traffic, node: str, menu: MenuNode, keys: list[str]
) -> dict[str, int] | None:
    """Logged calls that chose each of ``keys`` at menu ``node``: by the key the log
    gives, or, when the log gives no keypad key there (a Studio log, whose only keys
    are no input and no match), by the node the option leads to.  None when neither
    tells the options apart."""
    here = _edges_at(ctx, traffic, node)
    # A keypad key at the menu tells options apart (no_input and no_match do not).
    if any(len(edge.key) == 1 for edge in here):
        return {key: sum(edge.calls for edge in here if edge.key == key) for key in keys}
    targets = [menu.options[key] for key in keys]
    if len(set(targets)) < len(targets):
        return None
    return {
        key: sum(edge.calls for edge in here if edge.to_node == menu.options[key]) for key in keys
    }


def _days(traffic: Traffic, flows: set[str]) -> float:
    """The days the logs of ``flows`` cover, at least one: the longest of those flows' own
    spans (an estate's log holds flows that started logging at different times), else
    the span of the whole log."""
    spans = [span.days for span in traffic.spans if span.flow in flows]
    days = max(spans) if spans else traffic.days
    return max(days or 1.0, 1.0)


def _single_keys(menu: MenuNode) -> list[str]:
    return [key for key in menu.options if len(key) == 1 and not is_pattern(key)]


@rule(
    "TR001",
    "options-not-in-order-of-use",
    Severity.INFO,
    "Announcing a menu's options in order of use would save callers time (needs --traffic).",
    uses=("min_reorder_saving", "words_per_minute", "operator_key"),
    needs_start=False,
)
def options_not_in_order_of_use(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus whose options are announced in another order than the one callers
    choose them in, when announcing the most chosen first would save at least
    ``min_reorder_saving`` caller-seconds a day.  Needs call logs (``check --traffic``);
    silent without them.

    The options are the keys the prompt announces, in the order it says them (the
    operator key, star, hash and keys the prompt does not announce stay where they
    are).  A caller who wants an option waits until it is said: option *i* of *n* is
    heard after about *i*/*n* of the prompt's spoken seconds (its words at
    ``words_per_minute``).  The wait of the day is each option's logged calls a day
    times its wait; the saving is that wait minus the wait with the options
    announced most chosen first.  Calls a day are the logged calls over the days the
    logs span: the menu's own flow's first to last step when the log holds several
    flows (an estate), else the whole log's (a counts file keeps both); at least one,
    and one for a log without times.
    Menus with a recorded prompt (the order is unknown) are not judged.

    ## Why callers suffer
    Every caller listens until their option is said.  When the option 45% of
    callers want is announced fourth, nearly half of the callers sit through three
    options they do not want, every call, every day.

    ## Example
    ```yaml
    # bad: the logs say 60% of callers press 3
    main:
      type: menu
      say: For sales press 1. For billing press 2. For a technical fault press 3.
      options: {"1": sales, "2": billing, "3": fault}
    ```
    ```yaml
    # good: announced in order of use
    main:
      type: menu
      say: For a technical fault press 3. For billing press 2. For sales press 1.
      options: {"1": sales, "2": billing, "3": fault}
    ```

    ## Fix
    Announce the options most chosen first (keeping their keys, so callers who
    know them are not misled), or renumber them in that order.
    """
    traffic = ctx.config.traffic
    if traffic is None:
        return
    operator = ctx.settings.operator_key
    for node, menu in ctx.nodes("menu"):
        if not menu.say:
            continue
        wired = [key for key in _single_keys(menu) if key not in (operator, "*", "#")]
        order = [key for key in announced_keys(menu.say) if key in wired]
        if len(order) < 2:
            continue
        chosen = _option_calls(ctx, traffic, node, menu, order)
        if chosen is None or not any(chosen.values()):
            continue
        seconds = ctx.prompt_seconds(node)
        waits = [seconds * (place + 1) / len(order) for place in range(len(order))]
        days = _days(traffic, {edge.flow for edge in _edges_at(ctx, traffic, node)})
        now = sum(chosen[key] * wait for key, wait in zip(order, waits, strict=True)) / days
        by_use = sorted(order, key=lambda key: -chosen[key])
        best = sum(chosen[key] * wait for key, wait in zip(by_use, waits, strict=True)) / days
        saving = now - best
        if saving <= 0 or saving < ctx.settings.min_reorder_saving:
            continue
        total = sum(chosen.values())
        shares = ", ".join(f"{key} {chosen[key] / total:.0%}" for key in by_use)
        per_day = total / days
        yield Hit(
            node=node,
            message=f"menu '{node}' announces options {', '.join(order)} but callers choose "
            f"{shares}: announcing them in order of use would save about {saving:,.0f} "
            f"caller-seconds a day ({per_day:,.0f} choices a day, {seconds:.0f} s prompt)",
            fact="options not in order of use",
        )


@rule(
    "TR002",
    "option-never-chosen",
    Severity.INFO,
    "No logged caller chose an option of a menu many callers reached (needs --traffic).",
    uses=("unchosen_min_calls",),
    needs_start=False,
)
def option_never_chosen(ctx: AuditContext) -> Iterator[Hit]:
    """Finds a menu's options that no logged caller chose, at a menu at least
    ``unchosen_min_calls`` logged calls reached.  Needs call logs (``check
    --traffic``); silent without them.  The options are the menu's single keys,
    known by the key the log gives at the menu or, when the log gives none there (a
    Studio log), by the node the option leads to (options that lead to one node are
    not told apart, and not judged).  Counts under the logs' ``--min-calls`` are
    suppressed, so with the default of 5 the rule says "fewer than 5", not "none".

    ## Why callers suffer
    Every caller hears every option.  One that nobody picks in hundreds of calls
    costs each of them its seconds and adds to what they must remember.

    ## Example
    ```yaml
    # bad: 0 of 1,000 logged callers pressed 4
    options: {"1": billing, "2": fault, "3": moving, "4": fax_orders}
    ```
    ```yaml
    # good
    options: {"1": billing, "2": fault, "3": moving}
    ```

    ## Fix
    Drop the option, move it a level down, or check that the prompt says it so
    callers understand it.
    """
    traffic = ctx.config.traffic
    if traffic is None:
        return
    least = ctx.settings.unchosen_min_calls
    for node, menu in ctx.nodes("menu"):
        reached = _calls(ctx, traffic, node)
        if reached < least:
            continue
        keys = _single_keys(menu)
        chosen = _option_calls(ctx, traffic, node, menu, keys)
        if chosen is None or not any(chosen.values()):
            continue  # the log says nothing of what callers chose here
        none = "none" if traffic.min_calls <= 1 else f"fewer than {traffic.min_calls}"
        for key in keys:
            if chosen[key]:
                continue
            yield Hit(
                node=node,
                message=f"option {key} of menu '{node}' (to '{menu.options[key]}') was "
                f"chosen by {none} of the {reached:,} logged calls that reached the menu",
                fact=f"option {key} never chosen",
                field=("options", key),
            )


@rule(
    "TR003",
    "callers-hang-up-here",
    Severity.WARNING,
    "More than a share (default 20%) of the callers reaching a node hang up there "
    "(needs --traffic).",
    uses=("max_abandon_share", "abandon_min_calls"),
    needs_start=False,
)
def callers_hang_up_here(ctx: AuditContext) -> Iterator[Hit]:
    """Finds nodes other than outcomes (transfers, voicemail, callbacks, hangups,
    and routes out of what was read) where more than ``max_abandon_share`` of the
    logged calls that reached them ended: the call's last logged step was there, so
    the caller hung up (or the platform dropped the call).  Only nodes at least
    ``abandon_min_calls`` logged calls reached are judged, and not nodes whose
    count of ended calls is suppressed (under the logs' ``--min-calls``).  Needs
    call logs (``check --traffic``); silent without them.

    ## Why callers suffer
    A caller who hangs up in a menu did not get what they called for: they will
    call again, go elsewhere, or give up.  A node where many do is where the menu
    loses them: a confusing choice, a long prompt, a question they cannot answer.

    ## Example
    ```yaml
    # bad: 35% of the callers who hear this hang up
    account:
      type: ask
      say: Please enter your 16-digit account number followed by the hash key.
      next: verify
    ```
    ```yaml
    # good: ask for what callers have to hand, with a way to a person
    account:
      type: ask
      say: Please enter your phone number, or press 0 to speak to someone.
      next: verify
    ```

    ## Fix
    Listen to the prompt as a caller would: shorten it, ask for what callers know,
    and offer a person or a way back.
    """
    traffic = ctx.config.traffic
    if traffic is None:
        return
    limit = ctx.settings.max_abandon_share
    least = ctx.settings.abandon_min_calls
    for node, model in ctx.nodes():
        if model.type in _OUTCOME_TYPES:
            continue
        rows = _node_rows(ctx, traffic, node)
        if not rows or any(row.ended is None for row in rows):
            continue
        reached = sum(row.calls for row in rows)
        ended = sum(row.ended or 0 for row in rows)
        if reached < least or ended / reached <= limit:
            continue
        yield Hit(
            node=node,
            message=f"{ended / reached:.0%} of the {reached:,} logged calls that reached "
            f"'{node}' hung up there ({ended:,} calls), more than the limit of {limit:.0%}",
            fact="callers hang up",
        )


@rule(
    "TR004",
    "person-too-far-by-traffic",
    Severity.WARNING,
    "Callers who reach a person take longer than the limit on average, weighed by the "
    "logged calls (needs --traffic).",
    uses=("max_seconds_to_human", "words_per_minute", "seconds_per_input", "input_timeout"),
    caller_line=True,
)
def person_too_far_by_traffic(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus where the mean time from the start to a person, over the people
    the logged calls reached and weighed by those calls, is over
    ``max_seconds_to_human``.  Each person's time is the one the logs give (the
    median seconds the logged calls took from their start to reach that person, from
    the steps' timestamps or ``seconds``, or the counts file's ``median_seconds``)
    and, where they give none (a log placed by ``seq`` without ``seconds``, a counts
    file of the first version), the estimate DP002 uses (prompts
    heard at the speaking rate, plus each key press or answer, on the quickest
    route); the message says which.  DP002 judges only the nearest person; this
    judges the people callers actually reach.  Needs call logs (``check
    --traffic``); silent without them.  Reported at the person most calls reached.

    ## Why callers suffer
    The nearest person may be quick to reach while most callers need another,
    three menus down: the time most callers spend before a person is the one that
    matters to them.

    ## Example
    ```yaml
    # bad: 80% of the logged calls go to 'billing_team', 90 s in
    options: {"1": billing_menu, "0": adviser}
    ```
    ```yaml
    # good: the busiest person is one short menu away
    options: {"1": billing_team, "2": more, "0": adviser}
    ```

    ## Fix
    Shorten the route to the people most callers reach: fewer prompts before
    them, their option earlier, or routing by data.
    """
    traffic = ctx.config.traffic
    if traffic is None:
        return
    costs = ctx.seconds.cost
    reached = []
    sources = set()
    for human in ctx.humans:
        calls = _calls(ctx, traffic, human)
        logged = _logged_seconds(ctx, traffic, human) if calls else None
        if logged is not None:
            reached.append((human, calls, logged))
            sources.add("logged")
        elif calls and human in costs:
            reached.append((human, calls, costs[human]))
            sources.add("estimated")
    total = sum(calls for _, calls, _ in reached)
    if not total:
        return
    mean = sum(calls * seconds for _, calls, seconds in reached) / total
    limit = ctx.settings.max_seconds_to_human
    if mean <= limit:
        return
    reached.sort(key=lambda item: (-item[1], ctx.order[item[0]]))
    each = ", ".join(f"'{human}' {secs:.0f} s ({calls:,} calls)" for human, calls, secs in reached)
    times = " and ".join(sorted(sources))
    yield Hit(
        node=reached[0][0],
        message=f"callers who reached a person took about {mean:.0f} s from the start on "
        f"average over {total:,} logged calls ({each}; times {times}), more than the "
        f"limit of {limit:g} s",
        fact="traffic-weighted time to a person",
    )
