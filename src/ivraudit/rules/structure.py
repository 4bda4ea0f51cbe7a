"""Structure rules: routes to nowhere, nodes nobody reaches, no start."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.graph import DISCONNECT
from ivraudit.model.findings import Severity
from ivraudit.rules.registry import Hit, rule


@rule(
    "ST001",
    "missing-target",
    Severity.ERROR,
    "A route names a node that does not exist.",
    needs_start=False,
)
def missing_target(ctx: AuditContext) -> Iterator[Hit]:
    """Finds routes (a key, a next, a handler) whose target node does not exist.

    ## Why callers suffer
    A caller who takes that route reaches nothing: most platforms play an
    error and hang up, some fail the whole flow when it is published.

    ## Example
    ```yaml
    # bad: 'biling' is a typo
    main:
      type: menu
      say: For billing press 1.
      options: {"1": biling}
    ```
    ```yaml
    # good
    main:
      type: menu
      say: For billing press 1.
      options: {"1": billing}
    ```

    ## Fix
    Point the route at an existing node, or add the missing node.
    """
    known = [node for node, _ in ctx.nodes()]
    for source, edges in ctx.out.items():
        for target, edge_key, data in edges:
            if ctx.kind(target) != "missing":
                continue
            name = ctx.data[target]["origin"]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            route = _route_name(data)
            yield Hit(
                node=source,
                message=f"{route} of '{source}' goes to '{name}', which does not exist{hint}",
                fact=f"{route}->{name}",
                # The route and where it is written tell the fault, whichever id the
                # missing node has on this route (a document inlined under its file name).
                kind=route,
                field=data["field"],
                witness=ctx.witness_via(source, edge_key, target),
            )


def _route_name(data: dict) -> str:
    if data["via"] == "key":
        return f"key {data['key']}"
    if data["via"] == "speech":
        return f"phrase '{data['key']}'"
    if data["via"] == "case":
        return f"case {data['key']}"
    if data["via"] == "return":
        return "'next'"
    return f"'{data['via']}'"


@rule("ST002", "unreachable-node", Severity.WARNING, "A node no caller can reach.")
def unreachable_node(ctx: AuditContext) -> Iterator[Hit]:
    """Finds nodes that no route from the start reaches.

    One finding is made per unreachable region, at the node where it begins
    (a node no reachable node leads to), with the number of other nodes only
    reachable through it.

    ## Why callers suffer
    Usually an option was meant to lead there and does not: a department
    callers cannot get to, or a fix that never went live.

    ## Example
    ```yaml
    # bad: nothing leads to 'billing'
    main: {type: menu, say: For sales press 1., options: {"1": sales}}
    billing: {type: transfer, target: "queue:billing"}
    ```
    ```yaml
    # good
    main: {type: menu, say: For sales press 1. For billing press 2.,
           options: {"1": sales, "2": billing}}
    ```

    ## Fix
    Wire a route to the node, or delete it.
    """
    unreached = [
        node
        for node, data in ctx.data.items()
        if node not in ctx.reachable and not data["synthetic"]
    ]
    if not unreached:
        return
    import networkx as nx  # only for a menu with unreachable nodes

    condensed = nx.condensation(ctx.subgraph(unreached))
    order = ctx.order
    heads = []
    for component in condensed:
        if condensed.in_degree(component) == 0:
            members = condensed.nodes[component]["members"]
            heads.append(min(members, key=order.__getitem__))
    heads.sort(key=order.__getitem__)
    claimed: set[str] = set(ctx.reachable)
    for head in heads:
        # Each unreachable node is counted once, behind the first region head that leads to it.
        behind = reachable_within(ctx, head, claimed)
        more = f"; {behind} more node{'s' if behind != 1 else ''} behind it" if behind else ""
        yield Hit(
            node=head,
            message=f"no route from the start reaches '{head}'{more}",
            fact="unreachable",
            witness=(),
            fault_at=(head,),
        )


def reachable_within(ctx: AuditContext, head: str, claimed: set[str]) -> int:
    """Count real nodes reachable from ``head`` not yet claimed, and claim them."""
    claimed.add(head)
    stack = [head]
    count = 0
    while stack:
        node = stack.pop()
        for target, _, _ in ctx.out[node]:
            if target in claimed or ctx.data[target]["synthetic"]:
                continue
            claimed.add(target)
            count += 1
            stack.append(target)
    return count


@rule("ST003", "missing-start", Severity.ERROR, "The start node is missing.", needs_start=False)
def missing_start(ctx: AuditContext) -> Iterator[Hit]:
    """Finds a menu whose ``start`` is absent or names no node.

    Without a start nothing else about routes can be measured, so the route
    rules are skipped until it is fixed.

    ## Why callers suffer
    The platform has nowhere to send an incoming call.

    ## Example
    ```yaml
    # bad
    start: welcom
    nodes:
      welcome: {type: say, say: Welcome., next: main}
    ```
    ```yaml
    # good
    start: welcome
    ```

    ## Fix
    Set ``start`` to the node every call begins at.
    """
    if ctx.start is not None:
        return
    menu = ctx.menu
    anchor = next(iter(menu.nodes), DISCONNECT)
    if menu.start is None:
        message, fact = "the menu has no 'start' node", "no start"
    else:
        close = difflib.get_close_matches(menu.start, list(menu.nodes), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        message, fact = f"start node '{menu.start}' does not exist{hint}", f"start->{menu.start}"
    yield Hit(
        node=menu.start or anchor,
        message=message,
        fact=fact,
        position=menu.locate("start") if menu.start is not None else menu.locate(),
        witness=(),
    )


@rule(
    "ST004",
    "platform-skips",
    Severity.WARNING,
    "The platform loads this part with a warning: it skips a line or keeps one of two values.",
    needs_start=False,
)
def platform_skips(ctx: AuditContext) -> Iterator[Hit]:
    """Finds what the platform itself only warns about and works around: a dialplan
    line Asterisk cannot read and skips (``exten => ,1,Macro(user-callerid,)``,
    ``SAME = > n,HangUp()``), a JSON key written twice whose last value the platform
    keeps.  The rest of the file is audited as the platform runs it.

    ## Why callers suffer
    What the author wrote is not what runs: a skipped priority is a step callers
    never get, and a duplicated key silently throws one version away.

    ## Example
    ```
    ; bad: Asterisk skips this line (no extension name), so *98 does nothing
    exten => ,1,Macro(user-callerid,)
    ```
    ```
    ; good
    exten => *98,1,Macro(user-callerid,)
    ```

    ## Fix
    Correct the line, or delete it if it is not needed.

    ## In real menus
    On a production Issabel box (``extensions_custom.conf`` line 272) the line
    meant to send a caller who pressed an unassigned key back to the menu,
    ``SAME = GOTO(ENVIA-FATURA,s,2)``, has no priority: Asterisk skips it, so the
    caller hears "não entendi" and is hung up.
    """
    for notice in ctx.menu.notices:
        yield Hit(
            node=ctx.start or next(iter(ctx.menu.nodes), DISCONNECT),
            message=notice.message,
            fact=f"{notice.position.line}:{notice.message}",
            position=notice.position,
            witness=(),
        )
