"""Studio widgets to ivraudit nodes: one node per widget, one edge per transition.

Gathers, with the splits they fold in as menu choices, are converted in
:mod:`.gathers`; this module converts the other widgets and puts the flow
together.  A transition with no next widget ends the flow, and Studio then hangs
up: where that end is a route the caller takes (a key, a split case, a
widget's success or failure) it leads to an explicit hangup node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ivraudit.formats._build import build_menu, unique_id
from ivraudit.formats.twilio.copies import Copies, Inlined, plan_copies
from ivraudit.formats.twilio.decisions import decide
from ivraudit.formats.twilio.flow import (
    PARENT_EVENT,
    VOICE_EVENT,
    Flow,
    State,
    Transition,
    other_channel_states,
)
from ivraudit.formats.twilio.gathers import Gathers
from ivraudit.formats.twilio.nodes import NodeTable, prompt_fields
from ivraudit.formats.twilio.retries import find_loops
from ivraudit.formats.twilio.splits import Splits
from ivraudit.formats.twilio.subflows import MAX_DEPTH, find_flow
from ivraudit.model.menu import Menu, Role

_INPUT_REFERENCE = re.compile(r"widgets\.([\w-]+)\.(?:Digits|SpeechResult)")
_VARIABLE_REFERENCE = re.compile(r"flow\.variables\.([\w-]+)")

#: Transfers: whether a person answers, and a word for the target.
_TRANSFERS = {
    "connect-call-to": True,
    "send-to-flex": True,
    "enqueue-call": True,
    "add-twiml-redirect": False,
    "connect-virtual-agent": False,
}

#: Action widgets: which events are the success route (next) and which the failure (error).
#: Events not listed go to next.
_ACTION_EVENTS: dict[str, dict[str, str]] = {
    "run-function": {"success": "next", "fail": "error"},
    "make-http-request": {"success": "next", "failed": "error"},
    "run-subflow": {"completed": "next", "failed": "error"},
    "send-message": {"sent": "next", "failed": "error"},
    "record-call": {"success": "next", "failed": "error"},
    "set-variables": {"next": "next"},
    "fork-stream": {"next": "next"},
    "send-and-wait-for-reply": {
        "incomingMessage": "next",
        "timeout": "error",
        "deliveryFailure": "error",
    },
    "capture-payments": {
        "success": "next",
        "maxFailedAttempts": "error",
        "providerError": "error",
        "payInterrupted": "error",
        "validationError": "error",
        "hangup": "error",
    },
    "make-outgoing-call-v2": {
        "answered": "next",
        "busy": "error",
        "noAnswer": "error",
        "failed": "error",
    },
}


def build(flow: Flow, *, as_subflow: bool = False, depth: int = 0) -> Menu:
    """The flow as a validated Menu; ``as_subflow`` builds it as another flow's Run Subflow
    widget runs it (from its incomingParent entry, its ends going back to the parent)."""
    if as_subflow:
        parent = flow.trigger.on(PARENT_EVENT) if flow.trigger else None
        flow.start = parent.next if parent is not None else None
        flow.entry_event = PARENT_EVENT
    return _Builder(flow, depth).run()


def _role(flow: Flow) -> tuple[Role, str]:
    """What the flow is to callers, from the Trigger event it starts at (Studio's own signal)."""
    trigger = flow.trigger.name if flow.trigger else "Trigger"
    event = flow.entry_event
    if event == VOICE_EVENT:
        return "entry", f"Trigger '{trigger}' incomingCall: an incoming call starts here"
    if event == PARENT_EVENT:
        return "reached", (
            f"Trigger '{trigger}' has no incomingCall; its incomingParent (Subflow) transition "
            "starts it: calls arrive from another flow's Run Subflow widget"
        )
    return "internal", (
        f"Trigger '{trigger}' has no incomingCall; its {event} transition starts it: a REST "
        "API execution or a message (such as an outbound call), not a caller's line"
    )


class _Builder:
    """Builds one flow's nodes: gathers through :class:`Gathers`, every other widget here."""

    def __init__(self, flow: Flow, depth: int = 0) -> None:
        self.flow = flow
        self.depth = depth
        self.table = NodeTable(flow, returns=flow.entry_event == PARENT_EVENT)
        self.landing = _landing_variables(flow)
        self.gathers = Gathers(self.table, self.landing)
        self.subflows: dict[str, Menu] = {}

    def run(self) -> Menu:
        flow = self.flow
        skipped = other_channel_states(flow)
        kept = [s for s in flow.states if s is not flow.trigger and s.name not in skipped]
        self.table.name_states(kept)
        self.decisions = decide(flow, kept)
        self.gathers.decisions = self.decisions
        for state in kept:
            if state.type == "gather-input-on-call":
                self.gathers.plan(state)
        folded = self.gathers.folded_splits(kept)
        loops = find_loops(flow, kept, self.gathers.error_transitions(folded))
        self.gathers.loops = loops
        for loop in loops.values():
            folded |= {loop.counter.name, loop.split.name}
        self.splits = Splits(self.table, self.decisions, self.gathers.answers(), kept)
        inlined = self.gathers.inlined(folded)
        copies = plan_copies(flow, kept, self.table.taken, inlined)
        start = self.table.target(flow.start) if flow.start else None
        for state in kept:
            if state.name not in folded:
                self._convert_copies(state, copies, inlined)
        if start is None and self.table.returns:
            # Studio docs, Subflows: widgets run only from the Subflow trigger; with none
            # connected the subflow ends at once and the parent goes on at 'completed'.
            start = unique_id("Trigger: no incomingParent", self.table.taken)
            self.table.nodes[start] = {
                "type": "return",
                "note": "nothing is connected to the Trigger's Subflow (incomingParent) transition",
            }
        role, reason = _role(flow)
        menu = build_menu(
            flow.document,
            nodes=self.table.nodes,
            start=start,
            positions=self.table.positions,
            id=flow.name,
            title=flow.title,
            role=role,
            role_reason=reason,
            notices=flow.notices(),
        )
        menu._subflows.update(self.subflows)
        return menu

    def _convert_copies(self, state: State, copies: Copies, inlined: Inlined) -> None:
        """The widget's node, or one node per copy where routes into it differ (see
        :mod:`.copies`): each copy with its own split decision and its own targets."""
        table = self.table
        copied = len(copies.by_widget.get(state.name, [])) > 1
        # No copy built (or none planned): the widget is built as is.
        indexes: list[int | None] = [*copies.built(state.name)] or [None]
        for index in indexes:
            if index is not None:
                copy = copies.copies[index]
                state.node_id = copy.node_id
                table.via = copies.via(index, inlined)
                if copied:
                    self.decisions.pop(state.name, None)
                    if copy.decision is not None:
                        self.decisions[state.name] = copy.decision
            node = self._convert(state)
            merged = copies.merged_note(state.name)
            if merged is not None:
                node["note"] = f"{node.get('note') or 'Studio split-based-on'}; {merged}"
            table.add(state, node)
            table.via = {}
        if indexes and indexes[0] is not None:
            state.node_id = copies.copies[indexes[0]].node_id

    def _convert(self, state: State) -> dict[str, Any]:
        kind = state.type
        if kind == "gather-input-on-call":
            return self.gathers.convert(state)
        if kind == "split-based-on":
            return self.splits.convert(state)
        if kind == "say-play":
            return self._say_play(state)
        if kind in _TRANSFERS:
            return self._transfer(state)
        if kind == "record-voicemail":
            return self._voicemail(state)
        if kind == "run-subflow":
            return self._run_subflow(state)
        return self._action(state)

    def _say_play(self, state: State) -> dict[str, Any]:
        node = prompt_fields(state)
        digits = state.text("digits")
        notes = [f"plays the DTMF tones {digits}"] if digits else []
        if not any(transition.next for transition in state.transitions) and not self.table.returns:
            notes.append("the flow ends after this message: Studio hangs up the call")
            return {"type": "hangup", **node, "note": "; ".join(notes)}
        node = {"type": "say", **node}
        node["next"] = self.table.route(state, "next", state.transitions, after=False)
        if notes:
            node["note"] = "; ".join(notes)
        return node

    def _transfer(self, state: State) -> dict[str, Any]:
        human = _TRANSFERS[state.type]
        node: dict[str, Any] = {"type": "transfer", "human": human}
        target, note = _transfer_target(state)
        if target:
            node["target"] = target
        if state.type == "send-to-flex":
            # Studio docs, Send to Flex: "Send to Flex will enqueue the Voice and the caller
            # will hear hold music while waiting for an agent"; TaskRouter's workflow holds the
            # caller until a person answers.  Its failedToEnqueue and callFailure events fire
            # on a technical error (a bad workflow or channel), not on busy or no answer.
            node["waits_in_queue"] = True
            note += (
                "; Flex holds the caller in its queue until an agent answers, so busy and no "
                "answer never come back; 'failedToEnqueue' and 'callFailure' are technical errors"
            )
        elif state.type == "enqueue-call":
            # Studio docs, Enqueue Call widget: "The caller will hear hold music until the
            # call is dequeued via TaskRouter or a custom-built dequeuing mechanism" (TwiML
            # <Enqueue>: enqueued calls wait in hold music until dequeued).  Busy and no
            # answer never come back to the flow.
            node["waits_in_queue"] = True
            note += (
                "; the caller hears hold music until the call is dequeued, so busy and no "
                "answer never come back; 'failedToEnqueue' and 'callFailure' are errors"
            )
        node["note"] = note
        if human:
            passes = self._passes(state)
            if passes:
                node["passes"] = passes
        fail = self.table.route(state, "fail", state.transitions, after=_quiet_events(state))
        if fail is not None:
            node["fail"] = fail
        return node

    def _run_subflow(self, state: State) -> dict[str, Any]:
        """Studio docs, Run Subflow widget: runs the flow ``flow_sid``, then goes on at
        ``completed`` (or ``failed``).  The flow, when the estate holds it, is inlined."""
        table = self.table
        sid = state.text("flow_sid")
        sid = sid.strip() if sid else None
        back = table.route(state, "next", state.transitions, after=False)
        inner = None
        if sid and self.depth < MAX_DEPTH and sid != self.flow.sid:
            found = find_flow(self.flow.document, sid)
            if found is not None:
                inner = build(found, as_subflow=True, depth=self.depth + 1)
        if inner is not None:
            assert sid is not None
            self.subflows[sid] = inner
            node: dict[str, Any] = {
                "type": "subflow",
                "menu": sid,
                "note": f"Studio run-subflow: runs flow {sid} ('{inner.id or inner.path}')",
            }
            if back is not None:
                node["next"] = back
            return node
        what = f"flow {sid}" if sid else "a flow it does not name"
        # A Liquid sid is known when the call runs; a Terraform ${...} one when the
        # flow is deployed, from a flow that is not among the files given.
        runtime = bool(sid) and "{{" in sid
        unknown = table.unknown(
            f"{state.name}: {what}",
            (*state.path, "properties"),
            reason="run-time" if runtime else "not-given",
            target=sid or None,
            note=f"Run Subflow '{state.name}' runs {what}, which is not among the files given "
            "(a Flow resource with that 'sid', or a file config 'twilio_flows' maps it to): "
            "what it does with the call is not read",
        )
        cases = []
        if back is not None:
            cases.append({"when": f"the subflow {what} ends and Studio goes on", "next": back})
        node = {
            "type": "branch",
            "cases": cases,
            "else": unknown,
            "note": f"Studio run-subflow: {what}",
        }
        return node

    def _voicemail(self, state: State) -> dict[str, Any]:
        note = "Studio record-voicemail"
        if state.properties.get("transcribe") in (True, "true"):
            note += " (transcribed)"
        node: dict[str, Any] = {"type": "voicemail", "note": note}
        after = self.table.route(state, "next", state.transitions, after=True)
        if after is not None:
            node["next"] = after
        return node

    def _action(self, state: State) -> dict[str, Any]:
        events = _ACTION_EVENTS.get(state.type, {})
        groups: dict[str, list[Transition]] = {"next": [], "error": []}
        for transition in state.transitions:
            groups[events.get(transition.event, "next")].append(transition)
        node: dict[str, Any] = {"type": "action", "note": _action_note(state)}
        for field, transitions in groups.items():
            found = self.table.route(state, field, transitions, after=False)
            if found is not None:
                node[field] = found
        return node

    def _passes(self, state: State) -> list[str]:
        """The gathered values a transfer hands on (in its attributes or other properties)."""
        passes: list[str] = []
        variables = set(self.landing.values())
        for text in _strings(state.properties):
            for found in _INPUT_REFERENCE.finditer(text):
                name = self.gathers.collects.get(found.group(1)) or self.landing.get(found.group(1))
                if name and name not in passes:
                    passes.append(name)
            for found in _VARIABLE_REFERENCE.finditer(text):
                name = found.group(1)
                if name in variables and name not in passes:
                    passes.append(name)
        return passes


# -- helpers ----------------------------------------------------------------------------------


#: Studio docs, *Send to Flex* and *Enqueue Call*, Transitions: the failure events of a queue.
_QUEUE_FAILURES = frozenset({"failedToEnqueue", "callFailure"})


def _quiet_events(state: State) -> bool | frozenset[str]:
    """The events of a transfer whose empty transition adds no route (see NodeTable.route).

    Every event of a transfer ends nothing the caller needs when left empty, except
    a queue's failure events once the flow handles one of them: the other, left
    empty, ends the flow (and Studio hangs up) where the flow meant to go on.
    ``callComplete`` (Task Created) fires when the call leaves the queue, after
    the agent's call: never a failure, and its empty transition ends nothing.
    """
    if state.type not in ("send-to-flex", "enqueue-call"):
        return True
    if not any(t.next for t in state.transitions if t.event in _QUEUE_FAILURES):
        return True
    return frozenset(t.event for t in state.transitions if t.event not in _QUEUE_FAILURES)


def _transfer_target(state: State) -> tuple[str | None, str]:
    text = state.text
    kind = state.type
    if kind == "connect-call-to":
        noun = text("noun") or "number"
        to = text("to") or text(noun)
        return (f"{noun}:{to}" if to else noun), f"Studio connect-call-to ({noun})"
    if kind == "enqueue-call":
        queue = text("queue_name")
        if queue:
            return f"queue:{queue}", "Studio enqueue-call"
        workflow = text("workflow_sid")
        return (f"workflow:{workflow}" if workflow else None), "Studio enqueue-call (TaskRouter)"
    if kind == "send-to-flex":
        workflow = text("workflow")
        return (f"flex:{workflow}" if workflow else "flex"), "Studio send-to-flex: a Flex task"
    if kind == "add-twiml-redirect":
        url = text("url")
        return (
            (f"twiml:{url}" if url else None),
            "Studio add-twiml-redirect: the call leaves the flow for the TwiML at this URL "
            "and comes back only through its transitions",
        )
    agent = text("connector_name") or text("configuration") or text("connector")
    return (
        (f"virtual-agent:{agent}" if agent else None),
        "Studio connect-virtual-agent: a virtual agent (bot) takes the call; 'return' brings "
        "it back to the flow",
    )


def _action_note(state: State) -> str:
    text = state.text
    kind = state.type
    details = {
        "run-function": lambda: text("url") or text("function_sid"),
        "make-http-request": lambda: " ".join(
            part for part in (text("method"), text("url")) if part
        ),
        "run-subflow": lambda: text("flow_sid"),
        "send-message": lambda: _short(text("body")),
        "send-and-wait-for-reply": lambda: _short(text("body")),
        "fork-stream": lambda: text("stream_url") or text("url"),
        "capture-payments": lambda: " ".join(
            part for part in (text("payment_amount"), text("currency")) if part
        ),
        "make-outgoing-call-v2": lambda: text("to"),
    }
    if kind == "set-variables":
        names = _variable_names(state)
        return f"Studio set-variables: {', '.join(names)}" if names else "Studio set-variables"
    if kind in details or kind in _ACTION_EVENTS:
        detail = details[kind]() if kind in details else None
        return f"Studio {kind}: {detail}" if detail else f"Studio {kind}"
    return f"Studio widget of type '{kind}', which ivraudit does not model: kept as an action"


def _variable_names(state: State) -> list[str]:
    items = state.properties.get("variables")
    if not isinstance(items, list):
        return []
    return [
        item["key"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("key"), str) and item["key"]
    ]


def _short(text: str | None) -> str | None:
    if text is None:
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77] + "..."


def _landing_variables(flow: Flow) -> dict[str, str]:
    """``{gather: variable}``: the flow variable (or function parameter) a gather's input lands in.

    Set Variables widgets are read first; Run Function and HTTP parameters after.
    """
    found: dict[str, str] = {}
    for kinds, key in (
        (("set-variables",), "variables"),
        (("run-function", "make-http-request"), "parameters"),
    ):
        for state in flow.states:
            if state.type not in kinds:
                continue
            items = state.properties.get(key)
            if not isinstance(items, list):
                continue
            for item in items:
                if not isinstance(item, dict):
                    continue
                name, value = item.get("key"), item.get("value")
                if not (isinstance(name, str) and name.strip() and isinstance(value, str)):
                    continue
                reference = _INPUT_REFERENCE.search(value)
                if reference is not None:
                    found.setdefault(reference.group(1), name.strip())
    return found


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed value, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
