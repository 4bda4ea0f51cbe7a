"""Dead-end rules: silence, loops with no exit, and disconnects without service."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ivraudit.analysis.context import AuditContext
from ivraudit.analysis.graph import DISCONNECT, ERROR_VIAS, SELECTION_VIAS
from ivraudit.model.findings import Severity
from ivraudit.model.prompts import shorten
from ivraudit.rules.registry import Hit, rule


@rule(
    "DE001",
    "silent-end",
    Severity.ERROR,
    "A node with no way onward: the caller is left in silence.",
    needs_start=False,
)
def silent_end(ctx: AuditContext) -> Iterator[Hit]:
    """Finds nodes where the call stops without an outcome: a message with no
    ``next``, a question with no ``next``, a menu with no options, a branch with no
    ``else``, an hours check with no ``open`` or ``closed`` route.  An ``unknown``
    node is not silence: the call goes on where ivraudit cannot see.

    ## Why callers suffer
    The platform runs out of instructions: the caller hears silence, then the
    line drops, with no idea whether anything happened.

    ## Example
    ```yaml
    # bad: after the message, nothing
    stores:
      type: say
      say: To find your nearest store, visit our website.
    ```
    ```yaml
    # good
    stores:
      type: say
      say: Our stores are open 9am to 6pm, Monday to Saturday.
      next: main
    ```

    ## Fix
    Give the node a route onward (back to a menu, to a person) or end the call
    deliberately with a ``hangup`` whose reason says why.
    """
    for node, _ in ctx.nodes():
        gap = ctx.silent_gap(node)
        if gap is not None:
            field, what = gap
            yield Hit(node=node, message=f"'{node}' {what}", fact=field)


@rule(
    "DE002",
    "loop-without-exit",
    Severity.ERROR,
    "A loop with no exit: from these nodes no outcome can be reached.",
)
def loop_without_exit(ctx: AuditContext) -> Iterator[Hit]:
    """Finds loops a caller can enter but never leave for a person, a voicemail,
    a callback or a completed call.

    Retries and "press 1 to hear again" are loops too; they are fine as long as
    another route leads out.  A loop whose only ways out end in a disconnect is
    reported where it ends (DE003, DE005) instead, and a loop with a route that
    leaves what was read (an ``unknown``) is not claimed to have no way out.

    ## Why callers suffer
    They go round the same prompts until they give up and hang up.

    ## Example
    ```yaml
    # bad: the only choice repeats the message
    roaming:
      type: menu
      say: Roaming prices are on our website. To hear this again press 1.
      options: {"1": roaming}
      no_input: roaming
      no_match: roaming
    ```
    ```yaml
    # good: a way out
    roaming:
      type: menu
      say: To hear this again press 1. To speak to an adviser press 0.
      options: {"1": roaming, "0": adviser}
      no_input: roaming
      no_match: roaming
    ```

    ## Fix
    Add a route out of the loop: an adviser, the main menu, a message option.
    """
    trapped = [node for node in ctx.reachable if node not in ctx.reaches_outcome]
    if not trapped:
        return
    import networkx as nx  # only for a menu with trapped callers

    region = ctx.subgraph(trapped)
    order = ctx.presses.cost
    for members in nx.strongly_connected_components(region):
        if len(members) == 1:
            (only,) = members
            if not any(target == only for target, _, _ in ctx.out[only]):
                continue
        if any(
            target not in members and target != DISCONNECT
            for node in members
            for target, _, _ in ctx.out[node]
        ):
            continue  # it has exits; they end at dead ends reported by other rules
        entry = min(members, key=lambda node: (order.get(node, 0), str(node)))
        others = len(members) - 1
        also = f" and {others} other node{'s' if others != 1 else ''}" if others else ""
        yield Hit(
            node=entry,
            message=f"callers who reach '{entry}'{also} loop with no way out: no route leads "
            "to a person, a voicemail, a callback or a completed call",
            fact="trap:" + ",".join(sorted(map(str, members))[:10]),
            kind="trap",
        )


@rule(
    "DE003",
    "disconnect-without-service",
    Severity.WARNING,
    'A hangup without service ("that department is not taking calls, goodbye").',
    uses=("operator_key",),
)
def disconnect_without_service(ctx: AuditContext) -> Iterator[Hit]:
    """Finds hangups that end a call the caller chose to make, without serving it:
    reason ``unavailable`` or ``error``, or no reason at all.  The reason is read
    from the prompt when the menu does not give one ("not taking calls",
    "try again later", "an error has occurred").

    Hangups reached only through caller errors (no input, no match, retries
    used up) are reported by DE005; closed-hours hangups by DE006; a hangup
    reached only after a voicemail or callback ends a served call.  A hangup
    reached only when a system step fails, after the caller is told so ("we
    are experiencing technical difficulties"), is error handling, not a
    refusal; a silent one is still reported, unless the step that failed is
    itself the flow's error handling (every route into it is a failure: an
    Amazon Connect "Transfer to flow" into the error flow).  A branch that
    compares no answer of the caller and sends what matches no case to the
    error message the failing steps use is a defensive default, error handling
    too.  A refusal right after a transfer to people fails (busy, no answer, a
    full queue) is reported: the transfer served nobody.  A hangup no caller
    reaches by answering a menu or a question -- every caller of the line gets it,
    by who calls, the number dialled or the clock -- right after a recording whose
    words are unknown is the line's own announcement ("this number only takes text
    messages"): whether it gives a reason is unknown, so it is not reported; so is
    one reached only from the success of a system step (an AGI script, a Lambda, a
    Studio function) through recorded messages: the step did what the caller asked,
    and whether the recording says so is unknown.  What the author noted beside a
    recording (``recording_note``: a dialplan comment beside ``Playback()``) counts
    for this too, one way only: a noted goodbye gives a reason; a note never makes a
    finding (it may describe rather than transcribe: "TODO check ... too many attempts").
    Nor is a hangup that only a test hook leads to, or the hook itself: a part
    whose own name says it is a test or a demo (a Twilio widget ``cyara_test``
    behind a hidden key 9) is not a caller's route; the hidden key is MN010's.

    ## Why callers suffer
    They navigated the menu to reach a department and are cut off: they call
    back, angrier, or give up.

    ## Example
    ```yaml
    # bad
    tech_support:
      type: hangup
      say: Sorry, that department is not taking calls at this time. Goodbye.
    ```
    ```yaml
    # good: offer a way to be served
    tech_support:
      type: callback
      say: Our technicians are busy. We will call you back within two hours.
      next: goodbye
    ```

    ## Fix
    Offer a callback, a voicemail, or another team; if the caller really has
    been served, say so with ``reason: completed``.
    """
    operators = _operator_ends(ctx)
    for node in ctx.unserved_hangups:
        if ctx.start is not None and node not in ctx.caller_reachable:
            continue  # only a test hook leads there (cyara_test): not a caller's route
        reason, inferred = ctx.hangup_reasons[node]
        if reason is None and ctx.noted_reason(node) == "completed":
            continue  # its author noted the recording says goodbye: a reason is given
        steps = ctx.refusing_arrival(node)
        if reason is None and ctx.recorded_before(node):
            if node not in ctx.after_choice:
                continue  # a line's own announcement, in words we cannot read
            if _after_action(ctx, node):
                continue  # a system step did what was asked; the recording may say so
        # What the caller of the route shown hears last, not another route's message.
        heard = shorten(ctx.hears(node) or _last_message(ctx, node, steps), 80)
        said = f' after "{heard}"' if heard else ""
        if reason is None:
            message = f"'{node}' hangs up{said} and gives no reason"
        else:
            how = "read from the prompt" if inferred else "declared"
            message = f"'{node}' hangs up without service{said} (reason {reason}, {how})"
        if node in operators:
            key, menu = operators[node]
            message += f"; it is where the operator key {key} of menu '{menu}' leads"
        witness = ctx.witness_path(steps[0][0], steps) if steps else None
        yield Hit(
            node=node,
            message=message,
            fact=f"reason:{reason}",
            witness=witness,
            fault_at=(node,),
        )


def _after_action(ctx: AuditContext, node: str) -> bool:
    """Whether every way into hangup ``node`` is the success of a system step (an
    Asterisk AGI, a Lambda, a Studio function) followed only by recorded messages:
    the step did what the caller asked, and whether the recording says so is unknown."""
    seen = {node}
    stack = [node]
    found = False
    while stack:
        here = stack.pop()
        for source, _, data in ctx.into[here]:
            kind = ctx.kind(source)
            if kind == "action" and data["via"] == "next":
                found = True
            elif kind == "say" and data["via"] == "next" and not ctx.prompt(source):
                if source not in seen:
                    seen.add(source)
                    stack.append(source)
            else:
                return False
    return found


def _who(events: list[str]) -> str:
    """The callers a missing handler cuts off: who says nothing, who mistypes, or both."""
    if events == ["no_input"]:
        return "silent caller"
    if events == ["no_match"]:
        return "caller who mistypes"
    return "caller who hesitates or mistypes"


def _operator_ends(ctx: AuditContext) -> dict[str, tuple[str, str]]:
    """Hangup -> (operator key, menu) for the reachable menus whose operator key ends
    there after plain messages: that dead end is also the missing operator (MN002)."""
    key = ctx.settings.operator_key
    found: dict[str, tuple[str, str]] = {}
    for node, _ in ctx.nodes("menu"):
        if node in ctx.reachable:
            end = ctx.hangup_after(ctx.edge_target(node, f"key:{key}"))
            if end is not None:
                found.setdefault(end, (key, node))
    return found


def _last_message(ctx: AuditContext, node: str, steps: list[tuple[str, str]] | None) -> str | None:
    for step, _ in reversed(steps or ()):
        if ctx.kind(step) == "say" and ctx.hears(step):
            return ctx.hears(step)
    for source, _, data in ctx.into[node]:
        if data["via"] == "next" and ctx.kind(source) == "say":
            return ctx.hears(source)
    return None


@rule(
    "DE004",
    "platform-disconnect",
    Severity.WARNING,
    "No-input or no-match falls through to the platform's disconnect.",
)
def platform_disconnect(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus and questions with no handler for silence (no input) or an
    invalid key (no match), where the platform's default is to hang up.

    ## Why callers suffer
    A caller who hesitates, or presses a wrong key, is cut off without a word.

    ## Example
    ```yaml
    # bad
    main:
      type: menu
      say: For billing press 1.
      options: {"1": billing}
    ```
    ```yaml
    # good
    main:
      type: menu
      say: For billing press 1.
      options: {"1": billing}
      no_input: main
      no_match: main
      retries: 2
      retries_exhausted: adviser
    ```

    ## Fix
    Add ``no_input`` and ``no_match`` (for an ask, ``fail`` covers both) that
    re-prompt, then hand over to a person when the retries run out.
    """
    for node in sorted(ctx.reachable, key=_order(ctx)):
        events = [
            data["via"]
            for target, _, data in ctx.out[node]
            if target == DISCONNECT and data["via"] in ("no_input", "no_match")
        ]
        if not events:
            continue
        names = " and ".join(event.replace("_", "-") for event in events)
        kind = ctx.kind(node)
        yield Hit(
            node=node,
            message=f"{kind} '{node}' has no {names} handler: the platform hangs up on a "
            + _who(events),
            fact="+".join(events),
            witness=ctx.witness_via(node, events[0], DISCONNECT),
        )


def _order(ctx: AuditContext) -> Callable[[str], int]:
    return ctx.order.__getitem__


@rule(
    "DE005",
    "errors-disconnect",
    Severity.WARNING,
    "Caller errors (retries exhausted, no input, no match) lead to a disconnect, not a person.",
)
def errors_disconnect(ctx: AuditContext) -> Iterator[Hit]:
    """Finds routes taken on caller errors -- retries used up, no input, no match,
    a question with no valid answer -- that end in a hangup instead of a person,
    voicemail or callback.  (A missing no-input or no-match handler is DE004.)
    Errors of one menu that take the same route (an Amazon Lex block's one
    default branch for silence and an unrecognised answer) are one finding that
    names them all.  Where every answer ends at the same hangup as the error (a
    digit read, logged and hung up on), the error is not why the call ends: that
    hangup is DE003's.  Menus callers reach only through a test hook (a part whose
    own name says it is a test or a demo), and error routes into one, are not a
    caller's route and are not judged.

    ## Why callers suffer
    People who struggle with the menu are the ones who most need help; they are
    the ones it hangs up on.

    ## Example
    ```yaml
    # bad
    main:
      type: menu
      say: For billing press 1.
      options: {"1": billing}
      no_input: main
      no_match: main
      retries: 3
      retries_exhausted: goodbye_error
    goodbye_error: {type: hangup, reason: error, say: Sorry we could not help. Goodbye.}
    ```
    ```yaml
    # good
      retries_exhausted: adviser
    ```

    ## Fix
    Send the retries-exhausted (and failure) route to a person, or at least to a
    voicemail or callback.  On these routes a hangup counts as a disconnect unless
    the menu declares ``reason: completed``; a cheerful "Goodbye" is not enough.
    """
    for node in sorted(ctx.reachable, key=_order(ctx)):
        if ctx.kind(node) not in ("menu", "ask") or node not in ctx.caller_reachable:
            continue
        # One finding per route: errors that share their first node (a Lex block's one
        # default route for silence and no match) are one fault, named once.
        routes: dict[str, list[tuple[str, str, dict]]] = {}
        answered = {
            ctx.follow_messages(target)
            for target, _, data in ctx.out[node]
            if data["via"] not in ERROR_VIAS
        }
        for target, edge_key, data in ctx.out[node]:
            via = data["via"]
            if via not in ERROR_VIAS or target == node:
                continue
            if target == DISCONNECT and via != "retries_exhausted":
                continue  # the platform default on silence or a bad key is DE004's
            end = ctx.follow_messages(target)
            if target in ctx.test_hooks or end in ctx.test_hooks:
                continue  # a test hook's own ending, not a caller's
            if answered == {end}:
                continue  # every answer ends there too: the error is not why the call ends
            if ctx.is_disconnect(end) or _hangup_not_declared_completed(ctx, end):
                routes.setdefault(target, []).append((via, edge_key, data))
        for target, errors in routes.items():
            end = ctx.follow_messages(target)
            vias = [via for via, _, _ in errors]
            _, edge_key, data = errors[0]
            where = "the platform's disconnect" if end == DISCONNECT else f"hangup '{end}'"
            told = " or ".join(_ERROR_EVENTS.get(via, via.replace("_", " ")) for via in vias)
            yield Hit(
                node=node,
                message=f"when the caller {told} at '{node}', "
                f"the call ends at {where} instead of reaching a person",
                fact="+".join(vias) + f"->{end}",
                kind="+".join(vias),
                field=data["field"],
                witness=ctx.witness_via(node, edge_key, target),
                fault_at=(end,) if target != end and _chosen_arrival(ctx, target) else (),
            )


def _chosen_arrival(ctx: AuditContext, node: str) -> bool:
    """Whether a caller's choice (a key or a spoken option) also leads straight to
    ``node``: then the hangup after it is DE003's, the error route only meets that
    dead end.  (A shared "sorry" reached otherwise only on failures is not a choice:
    sending the caller's errors there is DE005's own fault.)"""
    return any(
        data["via"] in SELECTION_VIAS and source in ctx.reachable
        for source, _, data in ctx.into[node]
    )


def _hangup_not_declared_completed(ctx: AuditContext, node: str) -> bool:
    # On an error route, "Goodbye." is a disconnect, whatever the words suggest;
    # only a menu author's explicit 'reason: completed' says the caller was served.
    if ctx.kind(node) != "hangup":
        return False
    reason, inferred = ctx.hangup_reasons[node]
    return inferred or reason != "completed"


_ERROR_EVENTS = {
    "retries_exhausted": "runs out of retries",
    "no_input": "says nothing",
    "no_match": "presses an invalid key",
    "fail": "gives no valid answer",
}


@rule(
    "DE008",
    "endless-retries",
    Severity.WARNING,
    "No input or no match re-asks with no limit: a caller who cannot answer is never helped.",
)
def endless_retries(ctx: AuditContext) -> Iterator[Hit]:
    """Finds menus and questions whose no-input or no-match route leads straight
    back to them (through plain messages at most) with no retry limit: the menu
    never gives up, so a caller who cannot answer -- a rotary phone, a bad line,
    a question they do not understand -- hears the same prompt until they hang up.

    A limit the platform counts (a VoiceXML ``<catch count>``, FreeSWITCH's
    ``max-failures``, a counter around an Asterisk ``Read()``, a Studio retry
    counter) is the menu's ``retries``; where the importer found one this rule is
    silent, and DE005 judges where the retries end.  On a platform file no
    ``retries`` means the platform re-asks for as long as the caller stays: no
    VoiceXML interpreter, Connect block or dialplan counts a loop its author did
    not count.  Studio's only limits are its safety stops (Studio FAQ, "What
    limits exist in Studio?"): an Execution ends when the same widget runs 10
    times in a row (error 81001, a gather whose timeout leads back to itself) or
    after 1,000 steps; a caller who cannot answer hears the prompt up to then and
    is cut off, with no person offered.  In ivraudit's own format a menu without
    ``retries`` does not say what its platform does, so this rule does not judge
    it (write ``retries`` to state the limit).

    ## Why callers suffer
    A caller stuck in a loop of "Sorry, I didn't get that" has no way out but to
    hang up, however urgent their call.

    ## Example
    ```xml
    <!-- bad: silence and a wrong key re-ask forever -->
    <menu id="main">
      <prompt>For billing press 1.</prompt>
      <choice dtmf="1" next="#billing"/>
      <catch event="noinput nomatch"><reprompt/></catch>
    </menu>
    ```
    ```xml
    <!-- good: three tries, then a person -->
      <catch event="noinput nomatch" count="3"><goto next="#adviser"/></catch>
    ```

    ## Fix
    Count the retries and, when they run out, hand over to a person (or a
    voicemail or callback).

    ## In real menus
    A voter-registration line (``alinaEfremova/ICT4D2021-RadioMaliVoterVoiceXML``,
    ``language.xml`` line 9) opens on a language ``<menu>`` with no ``<noinput>``
    or ``<nomatch>`` and no application root: VoiceXML's default handlers
    re-prompt, forever, so a caller who understands neither prompt never gets past
    the first menu.
    """
    if ctx.menu.source_format == "native":
        return
    for node in sorted(ctx.reachable, key=_order(ctx)):
        model = ctx.model(node)
        if ctx.kind(node) not in ("menu", "ask") or model is None:
            continue
        if getattr(model, "retries", None) is not None:
            continue
        loops = [
            (target, edge_key, data)
            for target, edge_key, data in ctx.out[node]
            if data["via"] in ("no_input", "no_match", "fail")
            and ctx.follow_messages(target) == node
        ]
        if not loops:
            continue
        vias = [data["via"] for _, _, data in loops]
        told = " or ".join(_ERROR_EVENTS[via] for via in vias)
        target, edge_key, data = loops[0]
        yield Hit(
            node=node,
            message=f"when the caller {told} at '{node}', it asks again with no limit: a "
            "caller who cannot answer hears it until they hang up",
            fact="+".join(vias),
            field=data["field"],
            witness=ctx.witness_via(node, edge_key, target),
        )


@rule(
    "DE006",
    "closed-without-options",
    Severity.WARNING,
    "The out-of-hours route offers neither voicemail, callback nor the opening hours.",
)
def closed_without_options(ctx: AuditContext) -> Iterator[Hit]:
    """Finds ``closed`` and ``holiday`` routes from which the caller can neither
    leave a message, book a callback, reach a person (a 24-hour line), nor hear
    when the lines open.  A closed route that leaves what was read (another flow,
    a file not given) or plays a recording whose words are unknown may offer
    them, so it is not reported.

    ## Why callers suffer
    "We are closed. Goodbye." leaves the caller guessing when to call back, and
    with no way to leave word.

    ## Example
    ```yaml
    # bad
    closed: {type: hangup, reason: closed, say: We are closed. Goodbye.}
    ```
    ```yaml
    # good
    closed:
      type: say
      say: We are open Monday to Friday 8am to 6pm. Please leave a message.
      next: voicemail
    ```

    ## Fix
    Announce the opening hours and offer a voicemail or callback.
    """
    for node, _ in ctx.nodes("hours"):
        if node not in ctx.reachable:
            continue
        for target, edge_key, data in ctx.out[node]:
            if data["via"] not in ("closed", "holiday"):
                continue
            if target in ctx.reaches_service or target in ctx.reaches_hours_announcement:
                continue
            when = "closed" if data["via"] == "closed" else "on a holiday"
            yield Hit(
                node=node,
                message=f"callers who reach '{node}' when {when} get neither voicemail, a "
                "callback, a person nor the opening hours",
                fact=data["via"],
                field=data["field"],
                witness=ctx.witness_via(node, edge_key, target),
            )


@rule(
    "DE007",
    "transfer-without-fallback",
    Severity.INFO,
    "A human transfer with no route for busy, no answer or a full queue.",
)
def transfer_without_fallback(ctx: AuditContext) -> Iterator[Hit]:
    """Finds human transfers with no ``fail`` route.

    ## Why callers suffer
    When every agent is busy or the queue is full, the platform's default is
    usually to drop the call or leave it ringing.

    ## Example
    ```yaml
    # bad
    adviser: {type: transfer, target: "queue:advisers"}
    ```
    ```yaml
    # good
    adviser: {type: transfer, target: "queue:advisers", fail: callback}
    ```

    ## Fix
    Add ``fail`` leading to a callback, a voicemail or another team.
    """
    for node, model in ctx.nodes("transfer"):
        if (
            model.human
            and model.fail is None
            and not model.waits_in_queue
            and node in ctx.reachable
        ):
            yield Hit(
                node=node,
                message=f"human transfer '{node}' has no 'fail' route for busy, no answer or "
                "a full queue",
                fact="no fail",
            )
