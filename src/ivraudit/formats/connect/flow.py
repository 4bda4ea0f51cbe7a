"""Amazon Connect actions -> native ivraudit nodes (both spellings share this).

Each block becomes one node.  Connect gives a block more named routes than
some native node types have fields (a queue transfer fails "at capacity" or
"with an error", each to its own block); those routes are kept by a small
``branch`` node named after the block (``Transfer to queue (errors)``) whose
cases are the route names, so no transition is ever dropped.  This module
picks the converter for each block type: prompts, inputs, branches and
transfers hold them, nodes the ids, positions and routes they share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ivraudit.formats.connect.actions import Action, Flow
from ivraudit.formats.connect.blocks import stores_input, uses_lex
from ivraudit.formats.connect.branches import (
    BRANCH_TYPES,
    branch_node,
    decide_per_writer,
    hours_node,
    literal_compare_node,
)
from ivraudit.formats.connect.constants import literal_compares
from ivraudit.formats.connect.embed import Source
from ivraudit.formats.connect.failures import failure_loops, guard_node, retry_node, split_failures
from ivraudit.formats.connect.inputs import ask_node, is_wait, lex_menu_node, menu_node, wait_node
from ivraudit.formats.connect.instance import Resolution
from ivraudit.formats.connect.links import flow_transfer, module_call, unresolved
from ivraudit.formats.connect.nodes import NodeTable, condition_cases, error_cases, result_cases
from ivraudit.formats.connect.prompts import prompt_fields, say_node
from ivraudit.formats.connect.transfers import (
    attributes_from_input,
    end_flow_node,
    hangup_node,
    phone_transfer_node,
    queue_transfer_node,
    working_queue,
)

#: Blocks a caller hears or that hand the call on; a flow with none of them is not a phone menu.
CALLER_FACING = frozenset(
    {
        "MessageParticipant",
        "MessageParticipantIteratively",
        "GetParticipantInput",
        "ConnectParticipantWithLexBot",
        "TransferContactToQueue",
        "DequeueContactAndTransferToQueue",
        "TransferParticipantToThirdParty",
        "TransferToFlow",
        "CreateCallbackContact",
        "InvokeFlowModule",
        "EndFlowExecution",
    }
)

#: Blocks that only change a setting of the contact or flow.
_SETTINGS = frozenset(
    {
        "UpdateFlowLoggingBehavior",
        "UpdateContactTextToSpeechVoice",
        "UpdateContactRecordingBehavior",
        "UpdateContactEventHooks",
        "UpdateFlowAttributes",
        "UpdateContactRoutingBehavior",
        "UpdateContactRoutingCriteria",
        "UpdateContactCallbackNumber",
        "UpdateContactData",
        "UpdateContactMediaProcessing",
        "TagContact",
        "UnTagContact",
    }
)


def records_caller(flow: Flow) -> bool:
    """Whether the flow records what the caller says: it starts streaming the customer's audio
    (Start media streaming, "From the customer") or turns on IVR recording (Set recording and
    analytics behavior, "Automated interaction").  Voicemail solutions record this way."""
    for action in flow.actions:
        params = action.params
        if action.type == "UpdateContactMediaStreamingBehavior":
            if str(params.get("MediaStreamingState", "")).lower() != "enabled":
                continue
            for participant in params.get("Participants") or []:
                if (
                    isinstance(participant, dict)
                    and participant.get("ParticipantType") == "Customer"
                    and "From" in (participant.get("MediaDirections") or [])
                ):
                    return True
        if action.type == "UpdateContactRecordingBehavior":
            behavior = params.get("RecordingBehavior")
            if isinstance(behavior, dict) and behavior.get("IVRRecordingBehavior") == "Enabled":
                return True
    return False


def refusal(flow: Flow, kind: str | None) -> str | None:
    """Why a flow is not a phone menu a caller goes through, or None when it is."""
    kind = kind or flow.flow_type
    named = f" '{flow.name}'" if flow.name else ""
    if kind == "agenthold":
        return (
            f"Amazon Connect agent hold flow{named}: it plays to the agent while the customer "
            "is on hold, so there is no phone menu for callers to audit"
        )
    if kind == "agentwhisper":
        return (
            f"Amazon Connect agent whisper flow{named}: it plays to the agent as the call is "
            "connected, so there is no phone menu for callers to audit"
        )
    if not flow.actions:
        return f"Amazon Connect flow{named} has no actions, so there is no phone menu to audit"
    types = {action.type for action in flow.actions}
    if "ShowView" in types and not types & CALLER_FACING:
        return (
            f"Amazon Connect step-by-step guide flow{named}: its Show view blocks show screens "
            "to the agent and the caller hears nothing, so there is no phone menu to audit"
        )
    return None


class FlowConverter:
    """Builds native node dicts and positions for one flow."""

    def __init__(
        self,
        flow: Flow,
        source: Source,
        kind: str | None,
        resolve: Callable[[Action], Resolution] | None = None,
    ) -> None:
        self.flow = flow
        self.kind = kind or flow.flow_type
        self.table = NodeTable(flow, source)
        self.actions = {action.ident: action for action in flow.actions}
        self.passed = attributes_from_input(flow)
        self.working_queue = working_queue(flow)
        self.resolve = resolve or unresolved
        self.records = records_caller(flow)
        #: the other flows this one transfers to or invokes, by the ``menu`` of their node
        self.subflows: dict[str, Any] = {}
        #: blocks entered through a step that may fail: the block without its Error routes,
        #: and those routes
        self.failing: dict[str, tuple[Action, list[tuple[str, Any]]]] = {}
        for action in flow.actions:
            trimmed, failures = split_failures(action)
            if failures:
                self.failing[action.ident] = (trimmed, failures)
                self.table.guard(action.ident)
        #: Loops around a failing step, and the blocks that fail into them
        self.retries = failure_loops(flow, self.failing)
        #: Check contact attributes blocks that only see literals the flow set
        self.constants = literal_compares(flow)

    def convert(self) -> tuple[dict[str, dict[str, Any]], str | None]:
        table = self.table
        for action in self.flow.actions:
            node_id = table.ids[action.ident]
            split = self.failing.get(action.ident)
            if split is not None:
                table.nodes[table.entries[action.ident]] = {}  # the step comes first
            table.positions[("nodes", node_id)] = table.source.locate(action.path)
            table.nodes[node_id] = {}  # keeps file order: split-out branches come after it
            node = self._node(action if split is None else split[0], node_id)
            note = f"Connect {action.original} block (Identifier: {action.ident})"
            extra = node.pop("note", None)
            node["note"] = f"{note}. {extra}" if extra else f"{note}."
            table.nodes[node_id] = node
            if split is not None:
                guard, step = guard_node(table, action, node_id, split[1])
                table.nodes[guard] = step
        decide_per_writer(table, self.actions, self.constants, set(self.failing))
        start = table.ref(self.flow.start)
        return table.nodes, start

    def _node(self, action: Action, node_id: str) -> dict[str, Any]:
        table = self.table
        kind = action.type
        if kind == "GetParticipantInput" and uses_lex(action.params):
            return lex_menu_node(table, action, node_id)
        if kind == "GetParticipantInput":
            if stores_input(action):
                return ask_node(table, action, node_id, self.actions)
            if is_wait(action):
                return wait_node(table, action, node_id, self.records)
            return menu_node(table, action, node_id)
        if kind == "ConnectParticipantWithLexBot":
            return lex_menu_node(table, action, node_id)
        if kind in ("MessageParticipant", "MessageParticipantIteratively"):
            return say_node(table, action, node_id, self.kind)
        if kind == "DisconnectParticipant":
            return hangup_node(table, action)
        if kind in ("TransferContactToQueue", "DequeueContactAndTransferToQueue"):
            return queue_transfer_node(table, action, node_id, self.working_queue, self.passed)
        if kind == "TransferParticipantToThirdParty":
            return phone_transfer_node(table, action, node_id)
        if kind == "TransferToFlow":
            return flow_transfer(table, action, node_id, self.resolve(action), self.subflows)
        if kind == "InvokeFlowModule":
            return module_call(table, action, node_id, self.resolve(action), self.subflows)
        if kind == "CheckHoursOfOperation":
            return hours_node(table, action, node_id)
        if kind == "Loop" and action.ident in self.retries:
            retry = retry_node(table, action, node_id, self.retries[action.ident])
            if retry is not None:
                return retry
        if action.ident in self.constants:
            constant = self.constants[action.ident]
            return literal_compare_node(table, action, node_id, constant, self.actions)
        if kind in BRANCH_TYPES:
            return branch_node(table, action, node_id)
        if kind == "CreateCallbackContact":
            return _callback_node(table, action, node_id)
        if kind == "EndFlowExecution":
            return end_flow_node(table, action, self.kind)
        if kind == "EndFlowModuleExecution":
            return table.leftover(action, {"type": "return"}, "return")
        return _action_node(table, action, node_id)


def _callback_node(table: NodeTable, action: Action, node_id: str) -> dict[str, Any]:
    """Create callback: the call goes on after the callback is queued, whatever its result."""
    node: dict[str, Any] = {"type": "callback", **prompt_fields(action)}
    after = table.fanout(action, node_id, "result", result_cases(action), table.route(action.next))
    if after is not None:
        node["next"] = after
    return node


def _action_node(table: NodeTable, action: Action, node_id: str) -> dict[str, Any]:
    """Any other block: its result routes go to ``next``, its errors to ``error``."""
    node: dict[str, Any] = {"type": "action", **prompt_fields(action)}
    node.pop("note", None)
    node["note"] = _describe(action)
    after = table.fanout(
        action, node_id, "result", condition_cases(action), table.route(action.next)
    )
    if after is not None:
        node["next"] = after
    failed = table.fanout(
        action,
        node_id,
        "errors",
        error_cases(action, ("NoMatchingError",)),
        table.route(action.error("NoMatchingError")),
    )
    if failed is not None:
        node["error"] = failed
    return node


def _describe(action: Action) -> str:
    """The note of a block ivraudit keeps as an ``action``: what it does to the call."""
    params = action.params
    kind = action.type
    if kind == "InvokeLambdaFunction":
        function = params.get("LambdaFunctionARN") or params.get("FunctionArn") or "(not set)"
        return f"Invokes Lambda function {function}."
    if kind == "UpdateContactAttributes" and isinstance(params.get("Attributes"), dict):
        names = ", ".join(str(name) for name in params["Attributes"]) or "none"
        return f"Sets contact attributes: {names}."
    if kind == "UpdateContactTargetQueue":
        queue = params.get("QueueId") or params.get("AgentId") or "(not set)"
        return f"Sets the working queue to {queue}."
    if kind == "ShowView":
        return "Shows a view to the agent (step-by-step guide); the caller hears nothing."
    if kind in _SETTINGS:
        return "A setting for the contact; the caller hears nothing and the call goes on."
    return "ivraudit does not model this block beyond its routes."
