"""Amazon Connect actions -> native ivraudit nodes (both spellings share this).

Each block becomes one node.  Connect gives a block more named routes than
some native node types have fields (a queue transfer fails "at capacity" or
"with an error", each to its own block); those routes are kept by a small
``branch`` node named after the block (``Transfer to queue (errors)``) whose
cases are the route names, so no transition is ever dropped.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ivraudit.formats._build import unique_id
from ivraudit.formats._parse import PathKey
from ivraudit.formats.connect.actions import Action, Condition, Flow, Route
from ivraudit.formats.connect.embed import Source
from ivraudit.model.errors import Position

#: Block names as the Connect flow designer shows them, by flow-language type.
_TITLES = {
    "MessageParticipant": "Play prompt",
    "MessageParticipantIteratively": "Loop prompts",
    "GetParticipantInput": "Get customer input",
    "ConnectParticipantWithLexBot": "Get customer input (Lex)",
    "DisconnectParticipant": "Disconnect",
    "TransferContactToQueue": "Transfer to queue",
    "DequeueContactAndTransferToQueue": "Transfer to queue",
    "TransferParticipantToThirdParty": "Transfer to phone number",
    "TransferToFlow": "Transfer to flow",
    "CheckHoursOfOperation": "Check hours of operation",
    "Compare": "Check contact attributes",
    "CheckMetricData": "Check queue status",
    "CheckStaffing": "Check staffing",
    "CheckQueueStatus": "Check queue status",
    "Loop": "Loop",
    "DistributeByPercentage": "Distribute by percentage",
    "UpdateContactAttributes": "Set contact attributes",
    "UpdateContactTargetQueue": "Set working queue",
    "UpdateFlowLoggingBehavior": "Set logging behavior",
    "UpdateContactTextToSpeechVoice": "Set voice",
    "UpdateContactRecordingBehavior": "Set recording behavior",
    "UpdateContactEventHooks": "Set event hook",
    "UpdateFlowAttributes": "Set flow attributes",
    "UpdateContactRoutingBehavior": "Set routing behavior",
    "UpdateContactCallbackNumber": "Set callback number",
    "InvokeLambdaFunction": "Invoke Lambda function",
    "InvokeFlowModule": "Invoke module",
    "EndFlowExecution": "End flow",
    "EndFlowModuleExecution": "Return",
    "CreateCallbackContact": "Create callback",
    "TagContact": "Tag contact",
    "ShowView": "Show view",
}

#: Blocks that decide between routes without the caller: they become ``branch`` nodes.
_BRANCH_TYPES = frozenset(
    {
        "Compare",
        "CheckMetricData",
        "CheckStaffing",
        "CheckQueueStatus",
        "Loop",
        "DistributeByPercentage",
        "CheckVoiceId",
        "CheckOutboundCallStatus",
    }
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

_OPERATORS = {
    "Equals": "==",
    "NumberEquals": "==",
    "NumberGreaterThan": ">",
    "GreaterThan": ">",
    "NumberGreaterOrEqualTo": ">=",
    "NumberGreaterThanOrEqualTo": ">=",
    "GreaterThanOrEqualTo": ">=",
    "NumberLessThan": "<",
    "LessThan": "<",
    "NumberLessOrEqualTo": "<=",
    "NumberLessThanOrEqualTo": "<=",
    "LessThanOrEqualTo": "<=",
    "TextContains": "contains",
    "TextStartsWith": "starts with",
    "TextEndsWith": "ends with",
}

_OPAQUE_ID = re.compile(
    r"^[0-9a-fA-Fx]{8}-[0-9a-fA-Fx]{4}-[0-9a-fA-Fx]{4}-[0-9a-fA-Fx]{4}-[0-9a-fA-Fx]{12}$"
)
_DTMF_KEY = re.compile(r"^[0-9A-D*#]{1,20}$")
_SSML_TAG = re.compile(r"<[^<>]*>")
_JSON_PATH = re.compile(r"^\$\.[\w.\-\[\]'\"]+$")
_STORED_INPUT = "$.StoredCustomerInput"
_WHISPER_TYPES = frozenset({"customerwhisper", "agentwhisper", "outboundwhisper"})
_QUEUE_TYPES = frozenset({"customerqueue", "customerhold", "agenthold"})


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


def title_of(action: Action) -> str:
    """The designer's name for a block, e.g. ``Play prompt``."""
    if action.type == "GetParticipantInput" and _stores_input(action):
        return "Store customer input"
    if action.type == "GetParticipantInput" and _lex(action.params):
        return "Get customer input (Lex)"
    known = _TITLES.get(action.type)
    if known:
        return known
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", action.type).split()
    return " ".join([words[0], *(word.lower() for word in words[1:])]) if words else "Block"


def _stores_input(action: Action) -> bool:
    if action.original.startswith(("StoreCustomerInput", "StoreUserInput")):
        return True
    value = action.params.get("StoreInput")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _lex(params: dict[str, Any]) -> bool:
    return isinstance(params.get("LexBot"), dict) or isinstance(params.get("LexV2Bot"), dict)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def speakable(text: str | None) -> str | None:
    """Prompt text as a caller hears it: SSML tags removed, entities decoded, blanks collapsed.

    >>> speakable('<speak>Press <emphasis>1</emphasis> &amp; wait.</speak>')
    'Press 1 & wait.'
    """
    if text is None:
        return None
    plain = html.unescape(_SSML_TAG.sub(" ", text))
    plain = " ".join(plain.split())
    plain = re.sub(r" ([,.;:!?])", r"\1", plain)
    return plain or None


class FlowConverter:
    """Builds native node dicts and positions for one flow."""

    def __init__(self, flow: Flow, source: Source, kind: str | None) -> None:
        self.flow = flow
        self.source = source
        self.kind = kind or flow.flow_type
        self.nodes: dict[str, dict[str, Any]] = {}
        self.positions: dict[tuple[Any, ...], Position] = {}
        self.taken: set[str] = set()
        self.ids: dict[str, str] = {}
        self.actions = {action.ident: action for action in flow.actions}
        self.passed = self._attributes_from_input()
        self.working_queue = self._working_queue()
        self._assign_ids()

    # -- ids ---------------------------------------------------------------------------------

    def _assign_ids(self) -> None:
        opaque = [action for action in self.flow.actions if _OPAQUE_ID.match(action.ident)]
        for action in self.flow.actions:
            if not _OPAQUE_ID.match(action.ident):
                self.ids[action.ident] = unique_id(action.ident, self.taken)
        titles = Counter(title_of(action) for action in opaque)
        numbers: Counter[str] = Counter()
        for action in opaque:
            title = title_of(action)
            numbers[title] += 1
            wanted = f"{title} {numbers[title]}" if titles[title] > 1 else title
            self.ids[action.ident] = unique_id(wanted, self.taken)

    def ref(self, ident: str | None) -> str | None:
        """The node id of an action Identifier (a missing one keeps its own name)."""
        if ident is None:
            return None
        found = self.ids.get(ident)
        if found is None:
            wanted = ident if ident not in self.taken else f"missing {ident}"
            found = unique_id(wanted, self.taken)
            self.ids[ident] = found
        return found

    def route(self, route: Route | None) -> str | None:
        return None if route is None else self.ref(route.target)

    # -- the whole flow ----------------------------------------------------------------------

    def convert(self) -> tuple[dict[str, dict[str, Any]], str | None]:
        for action in self.flow.actions:
            node_id = self.ids[action.ident]
            self.positions[("nodes", node_id)] = self.source.locate(action.path)
            self.nodes[node_id] = {}  # keeps file order: split-out branches come after it
            node = self._node(action, node_id)
            note = f"Connect {action.original} block (Identifier: {action.ident})"
            extra = node.pop("note", None)
            node["note"] = f"{note}. {extra}" if extra else f"{note}."
            self.nodes[node_id] = node
        start = self.ref(self.flow.start)
        return self.nodes, start

    def _node(self, action: Action, node_id: str) -> dict[str, Any]:
        kind = action.type
        if kind == "GetParticipantInput" and _lex(action.params):
            return self._lex_menu(action, node_id)
        if kind == "GetParticipantInput":
            if _stores_input(action):
                return self._ask(action, node_id)
            return self._menu(action, node_id)
        if kind == "ConnectParticipantWithLexBot":
            return self._lex_menu(action, node_id)
        if kind in ("MessageParticipant", "MessageParticipantIteratively"):
            return self._say(action, node_id)
        if kind == "DisconnectParticipant":
            return self._hangup(action)
        if kind in ("TransferContactToQueue", "DequeueContactAndTransferToQueue"):
            return self._queue_transfer(action, node_id)
        if kind == "TransferParticipantToThirdParty":
            return self._phone_transfer(action, node_id)
        if kind == "TransferToFlow":
            return self._flow_transfer(action, node_id)
        if kind == "CheckHoursOfOperation":
            return self._hours(action, node_id)
        if kind in _BRANCH_TYPES:
            return self._branch(action, node_id)
        if kind == "CreateCallbackContact":
            return self._callback(action, node_id)
        if kind == "EndFlowExecution":
            return self._end_flow(action, node_id)
        if kind == "EndFlowModuleExecution":
            return self._leftover(action, node_id, {"type": "return"}, "return")
        return self._action(action, node_id)

    # -- helpers -----------------------------------------------------------------------------

    def _fanout(
        self,
        action: Action,
        owner: str,
        label: str,
        cases: Iterable[tuple[str, Route | None]],
        otherwise: str | None,
    ) -> str | None:
        """One target for several named routes: the route itself, or a branch node over them."""
        distinct: dict[str, list[str]] = {}
        paths: dict[str, PathKey] = {}
        for when, route in cases:
            target = self.route(route)
            if target is None or target == otherwise or route is None:
                continue
            distinct.setdefault(target, []).append(when)
            paths.setdefault(target, route.path)
        if not distinct:
            return otherwise
        if otherwise is None and len(distinct) == 1:
            return next(iter(distinct))
        node_id = unique_id(f"{owner} ({label})", self.taken)
        cases_out = []
        for number, (target, whens) in enumerate(distinct.items()):
            cases_out.append({"when": " or ".join(dict.fromkeys(whens)), "next": target})
            self.positions[("nodes", node_id, "cases", number, "next")] = self.source.locate(
                paths[target]
            )
        node: dict[str, Any] = {
            "type": "branch",
            "cases": cases_out,
            "note": (
                f"Split-out routes of '{owner}' ({label}; Connect {action.original} block, "
                f"Identifier: {action.ident}): one native field cannot hold them all."
            ),
        }
        if otherwise is not None:
            node["else"] = otherwise
        self.nodes[node_id] = node
        self.positions[("nodes", node_id)] = self.source.locate(action.path)
        return node_id

    def _errors(self, action: Action, skip: Iterable[str] = ()) -> list[tuple[str, Route | None]]:
        skipped = set(skip)
        return [(f"error {name}", route) for name, route in action.errors if name not in skipped]

    def _conditions(self, action: Action) -> list[tuple[str, Route | None]]:
        return [(self._when(action, condition), condition.route) for condition in action.conditions]

    def _when(self, action: Action, condition: Condition) -> str:
        subject = condition.subject or self._subject(action)
        operator = _OPERATORS.get(condition.operator, condition.operator)
        operands = ", ".join(repr(operand) for operand in condition.operands)
        return f"{subject} {operator} {operands}".strip()

    def _subject(self, action: Action) -> str:
        params = action.params
        for name in ("ComparisonValue", "MetricType"):
            value = _text(params.get(name))
            if value:
                return value
        if action.type == "Loop":
            return "loop"
        if action.type == "DistributeByPercentage":
            return "random percentage"
        return "result"

    def _prompt(self, action: Action) -> dict[str, Any]:
        """``say``/``play`` fields (and a note) from a block's prompt parameters."""
        params = action.params
        says: list[str] = []
        plays: list[str] = []
        messages = params.get("Messages")
        sources = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
        for message in [params, *sources]:
            text = _text(message.get("Text"))
            if text is not None and text.strip():
                says.append(" ".join(text.split()))
            ssml = speakable(_text(message.get("SSML")))
            if ssml:
                says.append(ssml)
            prompt = _text(message.get("PromptId"))
            if prompt:
                name = action.meta.get("promptName") if message is params else None
                plays.append(name if isinstance(name, str) and name else prompt)
            media = message.get("Media")
            if isinstance(media, dict) and _text(media.get("Uri")):
                plays.append(str(media["Uri"]))
        fields: dict[str, Any] = {}
        if says:
            fields["say"] = " ".join(says)
        if plays:
            fields["play"] = ", ".join(plays)
        dynamic = [text for text in (*says, *plays) if _JSON_PATH.match(text)]
        if dynamic:
            fields["note"] = f"The prompt is read from {', '.join(dynamic)} at run time."
        return fields

    def _leftover(
        self, action: Action, node_id: str, node: dict[str, Any], what: str
    ) -> dict[str, Any]:
        """A node type without routes (hangup, return): list any routes it has in the note."""
        routes = [
            action.next,
            *(c.route for c in action.conditions),
            *(r for _, r in action.errors),
        ]
        targets = [self.route(route) for route in routes if route is not None]
        if targets:
            listed = ", ".join(dict.fromkeys(t for t in targets if t))
            self._add_note(
                node, f"Its transitions ({listed}) are never taken: Connect ends the {what} here."
            )
        return node

    def _add_note(self, node: dict[str, Any], text: str) -> None:
        node["note"] = f"{node['note']} {text}" if node.get("note") else text

    def _timeout(self, action: Action, node: dict[str, Any]) -> None:
        value = _text(action.params.get("InputTimeLimitSeconds"))
        try:
            seconds = float(value) if value is not None else None
        except ValueError:
            seconds = None
        if seconds is not None and 0 <= seconds <= 3600:
            node["timeout"] = seconds

    # -- block types -------------------------------------------------------------------------

    def _say(self, action: Action, node_id: str) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "say", **self._prompt(action)}
        otherwise = self.route(action.next)
        if otherwise is None and action.type == "MessageParticipantIteratively":
            otherwise = node_id  # the messages play again until something interrupts them
        after = self._fanout(
            action,
            node_id,
            "result",
            [*self._conditions(action), *self._errors(action)],
            otherwise,
        )
        if after is not None:
            node["next"] = after
        if action.type == "MessageParticipantIteratively":
            self._add_note(
                node, "Loop prompts: the messages repeat until the block is interrupted."
            )
        return node

    def _menu(self, action: Action, node_id: str) -> dict[str, Any]:
        """Get customer input by DTMF: conditions are keys; Connect has no retries of its own."""
        node: dict[str, Any] = {"type": "menu", **self._prompt(action)}
        options: dict[str, str] = {}
        speech: dict[str, str] = {}
        unused: list[str] = []
        for index, condition in enumerate(action.conditions):
            target = self.route(condition.route)
            key = condition.operands[0] if len(condition.operands) == 1 else None
            table = options if key is not None and _DTMF_KEY.match(key) else speech
            if table is options:
                label = key
            elif len(condition.operands) == 1 and condition.operands[0].strip():
                label = condition.operands[0]
            else:
                label = self._when(action, condition)
            if label in table or target is None:
                unused.append(f"condition {index + 1} ({label})")
                continue
            table[label] = target
            field = "options" if table is options else "speech"
            self.positions[("nodes", node_id, field, label)] = self.source.locate(
                condition.route.path
            )
        if options:
            node["options"] = options
        if speech:
            node["speech"] = speech
        self._input_errors(action, node_id, node)
        if not action.conditions:
            default = self.route(
                action.error("NoMatchingCondition") or action.error("NoMatchingError")
            )
            if default is not None:
                # no conditions: whatever key the caller presses takes the Default route
                node["options"] = {"/.+/": default}
                self._add_note(node, "It has no conditions: any key takes the Default route.")
        self._timeout(action, node)
        if unused:
            self._add_note(
                node, f"Never taken, an earlier condition matches first: {', '.join(unused)}."
            )
        return node

    def _input_errors(self, action: Action, node_id: str, node: dict[str, Any]) -> None:
        """no_input / no_match of a menu, with Connect's fallback to the Error branch."""
        fallback = action.error("NoMatchingError")
        timeout = action.error("InputTimeLimitExceeded")
        nomatch = action.error("NoMatchingCondition")
        no_input = self.route(timeout or fallback)
        no_match = self.route(nomatch or fallback)
        used = {
            no_input,
            no_match,
            *node.get("options", {}).values(),
            *node.get("speech", {}).values(),
        }
        leftovers = [
            (f"error {name}", route)
            for name, route in action.errors
            if name not in ("InputTimeLimitExceeded", "NoMatchingCondition")
            and self.route(route) not in used
        ]
        if action.next is not None and self.route(action.next) not in used:
            leftovers.append(("NextAction", action.next))
        no_match = self._fanout(action, node_id, "no match or error", leftovers, no_match)
        if no_input is not None:
            node["no_input"] = no_input
            self._position(node_id, "no_input", timeout or fallback)
        if no_match is not None:
            node["no_match"] = no_match
            self._position(node_id, "no_match", nomatch or fallback)
        notes = []
        if timeout is None and fallback is not None:
            notes.append("No Timeout branch: Connect takes the Error branch on silence.")
        if nomatch is None and fallback is not None and node["type"] == "menu":
            notes.append("No Default branch: Connect takes the Error branch on an invalid key.")
        if fallback is None and (timeout is None or nomatch is None):
            notes.append("A missing error branch means Connect disconnects the contact.")
        for text in notes:
            self._add_note(node, text)

    def _position(self, node_id: str, field: str, route: Route | None) -> None:
        if route is not None:
            self.positions[("nodes", node_id, field)] = self.source.locate(route.path)

    def _lex_menu(self, action: Action, node_id: str) -> dict[str, Any]:
        """A Lex bot: intents are spoken choices; silence ends in the bot's fallback intent."""
        node: dict[str, Any] = {"type": "menu", **self._prompt(action)}
        speech: dict[str, str] = {}
        for condition in action.conditions:
            target = self.route(condition.route)
            phrase = " / ".join(condition.operands) or self._when(action, condition)
            if target is None or phrase in speech:
                continue
            speech[phrase] = target
            self.positions[("nodes", node_id, "speech", phrase)] = self.source.locate(
                condition.route.path
            )
        if speech:
            node["speech"] = speech
        fallback = action.error("NoMatchingError")
        nomatch = action.error("NoMatchingCondition")
        no_match = self.route(nomatch or fallback)
        leftovers = [
            (f"error {name}", route)
            for name, route in action.errors
            if name != "NoMatchingCondition" and self.route(route) != no_match
        ]
        if action.next is not None and self.route(action.next) not in (no_match, *speech.values()):
            leftovers.append(("NextAction", action.next))
        routed = self._fanout(action, node_id, "no match or error", leftovers, no_match)
        if routed is not None:
            node["no_match"] = routed
            node["no_input"] = no_match if no_match is not None else routed
            self._position(node_id, "no_match", nomatch or fallback)
        if fallback is None and nomatch is None:
            self._add_note(node, "A missing error branch means Connect disconnects the contact.")
        bot = action.params.get("LexV2Bot") or action.params.get("LexBot") or {}
        name = _text(bot.get("AliasArn")) or _text(bot.get("Name")) or "a Lex bot"
        self._add_note(
            node,
            f"Speech input through {name}; on silence Lex re-prompts, then returns its "
            "fallback intent, which matches no condition (the Default route).",
        )
        return node

    def _ask(self, action: Action, node_id: str) -> dict[str, Any]:
        """Store customer input: the value lands in $.StoredCustomerInput."""
        node: dict[str, Any] = {"type": "ask", **self._prompt(action)}
        node["collects"] = self._collected_name(action)
        following = self.route(action.next)
        after = self._fanout(action, node_id, "result", self._conditions(action), following)
        if after is not None:
            node["next"] = after
            # Connect: with no input the contact takes Success, StoredCustomerInput = "Timeout"
            node["no_input"] = following or after
        invalid = action.error("InvalidPhoneNumber")
        if invalid is not None:
            node["no_match"] = self.route(invalid)
            self._position(node_id, "no_match", invalid)
        failed = self._fanout(
            action, node_id, "errors", self._errors(action, ("InvalidPhoneNumber",)), None
        )
        if failed is not None:
            node["fail"] = failed
        self._timeout(action, node)
        self._add_note(
            node,
            "Stores the digits in $.StoredCustomerInput; with no input Connect takes the "
            "Success branch with the value 'Timeout'.",
        )
        return node

    def _collected_name(self, action: Action) -> str:
        """The attribute the stored input is copied into a few blocks later, if any."""
        seen = {action.ident}
        current = self.actions.get(action.next.target) if action.next else None
        for _ in range(6):
            if current is None or current.ident in seen:
                break
            seen.add(current.ident)
            for table in ("Attributes", "LambdaInvocationAttributes"):
                values = current.params.get(table)
                if isinstance(values, dict):
                    for key, value in values.items():
                        if isinstance(value, str) and _STORED_INPUT in value:
                            return str(key)
            if _STORED_INPUT in str(current.params.get("CallbackNumber", "")):
                return "callback_number"
            if current.type in ("GetParticipantInput", "ConnectParticipantWithLexBot"):
                break
            current = self.actions.get(current.next.target) if current.next else None
        validation = action.params.get("InputValidation")
        if isinstance(validation, dict) and "PhoneNumberValidation" in validation:
            return "phone_number"
        return "StoredCustomerInput"

    def _attributes_from_input(self) -> list[str]:
        """Contact attributes set from stored input: the agent's screen shows them."""
        found: list[str] = []
        for action in self.flow.actions:
            values = action.params.get("Attributes")
            if action.type == "UpdateContactAttributes" and isinstance(values, dict):
                for key, value in values.items():
                    if isinstance(value, str) and _STORED_INPUT in value and key not in found:
                        found.append(str(key))
        return found

    def _working_queue(self) -> str | None:
        """The queue every Set working queue block of the flow names, when they agree."""
        names = set()
        for action in self.flow.actions:
            if action.type == "UpdateContactTargetQueue":
                names.add(self._queue_name(action) or "?")
        return names.pop() if len(names) == 1 and "?" not in names else None

    def _queue_name(self, action: Action) -> str | None:
        shown = action.meta.get("queue")
        shown = shown.get("text") if isinstance(shown, dict) else None
        if isinstance(shown, str) and shown:
            return f"queue:{shown}"
        queue = _text(action.params.get("QueueId"))
        agent = _text(action.params.get("AgentId"))
        if agent:
            return f"agent:{agent}"
        return f"queue:{queue}" if queue else None

    def _hangup(self, action: Action) -> dict[str, Any]:
        return self._leftover(action, "", {"type": "hangup", **self._prompt(action)}, "contact")

    def _transfer_fail(self, action: Action, node_id: str, after: str) -> str | None:
        """Where the call goes when the transfer does not end the flow: every error, and
        ``NextAction`` (which the designer usually wires to the error route as well)."""
        cases = self._errors(action, ("NoMatchingError",))
        label = "errors"
        if action.next is not None:
            cases.append((after, action.next))
            if self.route(action.next) != self.route(action.error("NoMatchingError")):
                label = "outcome"
        return self._fanout(
            action, node_id, label, cases, self.route(action.error("NoMatchingError"))
        )

    def _queue_transfer(self, action: Action, node_id: str) -> dict[str, Any]:
        target = self._queue_name(action) or self.working_queue or "queue:working queue"
        node: dict[str, Any] = {"type": "transfer", "target": target, "human": True}
        if self.passed:
            node["passes"] = list(self.passed)
        failed = self._transfer_fail(
            action, node_id, "NextAction (after the contact leaves the queue)"
        )
        if failed is not None:
            node["fail"] = failed
        return node

    def _phone_transfer(self, action: Action, node_id: str) -> dict[str, Any]:
        number = _text(action.params.get("ThirdPartyPhoneNumber"))
        node: dict[str, Any] = {
            "type": "transfer",
            "target": f"phone:{number}" if number else "phone",
            "human": True,
        }
        resumes = str(action.params.get("ContinueFlowExecution", "")).lower() == "true"
        label = "after the call ends (ContinueFlowExecution)" if resumes else "NextAction"
        failed = self._transfer_fail(action, node_id, label)
        if failed is not None:
            node["fail"] = failed
        return node

    def _flow_transfer(self, action: Action, node_id: str) -> dict[str, Any]:
        flow = action.meta.get("ContactFlow")
        shown = flow.get("text") if isinstance(flow, dict) else None
        target = shown or _text(action.params.get("ContactFlowId")) or "another flow"
        node: dict[str, Any] = {
            "type": "transfer",
            "target": f"flow:{target}",
            "human": False,
            "note": f"Hands the contact to another flow ({target}); this flow ends here.",
        }
        failed = self._transfer_fail(action, node_id, "NextAction")
        if failed is not None:
            node["fail"] = failed
        return node

    def _hours(self, action: Action, node_id: str) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "hours"}
        hours = _text(action.params.get("HoursOfOperationId"))
        shown = action.meta.get("Hours")
        shown = shown.get("text") if isinstance(shown, dict) else None
        node["schedule"] = shown or hours or "the hours of operation of the working queue"
        routes: dict[str, Route] = {}
        others: list[tuple[str, Route | None]] = []
        for condition in action.conditions:
            value = condition.operands[0].lower() if condition.operands else ""
            name = {"true": "open", "false": "closed"}.get(value)
            if name is not None and name not in routes:
                routes[name] = condition.route
            else:
                others.append((self._when(action, condition), condition.route))
        opened = self.route(routes.get("open"))
        closed = self.route(routes.get("closed"))
        holiday = self._fanout(action, node_id, "override", others, None)
        leftovers = [
            case
            for case in self._errors(action)
            if self.route(case[1]) not in (opened, closed, holiday)
        ]
        if action.next is not None and self.route(action.next) not in (opened, closed, holiday):
            leftovers.append(("NextAction", action.next))
        closed = self._fanout(action, node_id, "closed or error", leftovers, closed)
        for field, target in (("open", opened), ("closed", closed), ("holiday", holiday)):
            if target is not None:
                node[field] = target
        self._position(node_id, "open", routes.get("open"))
        self._position(node_id, "closed", routes.get("closed"))
        return node

    def _branch(self, action: Action, node_id: str) -> dict[str, Any]:
        """Conditions in order become cases; the no-match route is ``else``."""
        loop = action.type == "Loop"
        staffing = action.type == "CheckStaffing"
        count = _text(action.params.get("LoopCount"))
        else_route = action.error("NoMatchingCondition")
        cases: list[tuple[str, Route]] = []
        for condition in action.conditions:
            last = ("DoneLooping",) if loop else ("False",)
            if (loop or staffing) and condition.operands == last and else_route is None:
                else_route = condition.route
                continue
            when = self._when(action, condition)
            if loop and condition.operands == ("ContinueLooping",):
                rounds = f" (loop count {count})" if count else ""
                when = f"loop: ContinueLooping{rounds}"
            cases.append((when, condition.route))
        if else_route is None:
            else_route = action.next or action.error("NoMatchingError")
        otherwise = self.route(else_route)
        targets = {otherwise, *(self.route(route) for _, route in cases)}
        for name, route in action.errors:
            if route is not else_route and self.route(route) not in targets:
                cases.append((f"error {name}", route))
                targets.add(self.route(route))
        if action.next is not None and self.route(action.next) not in targets:
            cases.append(("NextAction", action.next))
        node: dict[str, Any] = {"type": "branch", "cases": []}
        for when, route in cases:
            target = self.route(route)
            if target is None:
                continue
            self.positions[("nodes", node_id, "cases", len(node["cases"]), "next")] = (
                self.source.locate(route.path)
            )
            node["cases"].append({"when": when, "next": target})
        if otherwise is not None:
            node["else"] = otherwise
            self._position(node_id, "else", else_route)
        return node

    def _callback(self, action: Action, node_id: str) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "callback", **self._prompt(action)}
        after = self._fanout(
            action,
            node_id,
            "result",
            [*self._conditions(action), *self._errors(action)],
            self.route(action.next),
        )
        if after is not None:
            node["next"] = after
        return node

    def _end_flow(self, action: Action, node_id: str) -> dict[str, Any]:
        """End flow / Resume: a disconnect in an inbound flow, otherwise the call goes on."""
        if self.kind == "contactflow":
            node = {"type": "hangup"}
            self._add_note(node, "End flow in an inbound flow: Connect disconnects the contact.")
            return self._leftover(action, node_id, node, "flow")
        if self.kind in _WHISPER_TYPES:
            target, how = "agent", "the whisper ends and the call is connected to the agent"
        else:
            target, how = "queue", "the contact goes back to waiting in the queue for an agent"
        node = {
            "type": "transfer",
            "target": f"{target}:the contact's {target}",
            "human": True,
            "note": f"End flow / Resume: {how}.",
        }
        return node

    def _action(self, action: Action, node_id: str) -> dict[str, Any]:
        node: dict[str, Any] = {"type": "action", **self._prompt(action)}
        node.pop("note", None)
        node["note"] = self._describe(action)
        after = self._fanout(
            action, node_id, "result", self._conditions(action), self.route(action.next)
        )
        if after is not None:
            node["next"] = after
        failed = self._fanout(
            action,
            node_id,
            "errors",
            self._errors(action, ("NoMatchingError",)),
            self.route(action.error("NoMatchingError")),
        )
        if failed is not None:
            node["error"] = failed
        return node

    def _describe(self, action: Action) -> str:
        params = action.params
        kind = action.type
        if kind == "InvokeLambdaFunction":
            function = params.get("LambdaFunctionARN") or params.get("FunctionArn") or "(not set)"
            return f"Invokes Lambda function {function}."
        if kind == "InvokeFlowModule":
            module = params.get("FlowModuleId") or "(not set)"
            return f"Runs flow module {module}; the call continues at next when it returns."
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
