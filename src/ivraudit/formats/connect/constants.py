"""Check contact attributes on an attribute the flow itself set to a literal.

Admin guide, *Set contact attributes*: the block stores a key and a value on the
contact, set manually (a literal) or dynamically (a JSONPath such as
``$.External.tier``).  *Check contact attributes* (flow language ``Compare``)
compares ``$.Attributes.X`` with its conditions in the order listed, case-sensitively
("the block doesn't support case-insensitive comparisons"), and takes the first that
matches, else *No match* (``NoMatchingCondition``).

When on every route into a Compare the last block that wrote the tested attribute is
a Set contact attributes with a literal, the Compare can only see those literals:
one forward pass over the blocks (a worklist; each block's state only grows, and a
state of more than a few literals is "any value") tells which.  The flow's start, a
Lambda, a module, a Lex bot, a dynamic value or any block ivraudit does not know to
leave attributes alone make the attribute "any value", and then nothing changes.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from ivraudit.formats.connect.actions import Action, Condition, Flow, Route
from ivraudit.formats.connect.blocks import param_text, uses_lex

#: Blocks that never write a contact attribute: the attributes go through them unchanged.
_KEEPS = frozenset(
    {
        "MessageParticipant",
        "MessageParticipantIteratively",
        "Compare",
        "CheckHoursOfOperation",
        "CheckMetricData",
        "CheckStaffing",
        "CheckQueueStatus",
        "Loop",
        "DistributeByPercentage",
        "UpdateContactTargetQueue",
        "UpdateContactTextToSpeechVoice",
        "UpdateContactRecordingBehavior",
        "UpdateContactMediaStreamingBehavior",
        "UpdateFlowLoggingBehavior",
        "UpdateContactRoutingBehavior",
        "UpdateContactCallbackNumber",
        "UpdateContactEventHooks",
        "TagContact",
        "UnTagContact",
        "CreateCallbackContact",
    }
)

#: More literals than this on the routes into a block: any value (keeps the pass linear).
_MOST = 8

_ATTRIBUTE = re.compile(
    r"^\$\.(Attributes|FlowAttributes)(?:\.([^.\[\]'\"]+)|\[['\"]([^'\"]+)['\"]\])$"
)
#: Flow attributes (``$.FlowAttributes.X``, set by UpdateFlowAttributes) are tested under
#: this prefix, apart from the contact attributes of the same name.
FLOW = "FlowAttributes."

_NUMERIC = {
    "NumberEquals": lambda a, b: a == b,
    "NumberGreaterThan": lambda a, b: a > b,
    "GreaterThan": lambda a, b: a > b,
    "NumberGreaterOrEqualTo": lambda a, b: a >= b,
    "NumberGreaterThanOrEqualTo": lambda a, b: a >= b,
    "GreaterThanOrEqualTo": lambda a, b: a >= b,
    "NumberLessThan": lambda a, b: a < b,
    "LessThan": lambda a, b: a < b,
    "NumberLessOrEqualTo": lambda a, b: a <= b,
    "NumberLessThanOrEqualTo": lambda a, b: a <= b,
    "LessThanOrEqualTo": lambda a, b: a <= b,
}
_TEXT = {
    "TextContains": lambda a, b: b in a,
    "Contains": lambda a, b: b in a,
    "TextStartsWith": lambda a, b: a.startswith(b),
    "StartsWith": lambda a, b: a.startswith(b),
    "TextEndsWith": lambda a, b: a.endswith(b),
    "EndsWith": lambda a, b: a.endswith(b),
}

#: A literal and the Set contact attributes block that wrote it.
Writer = tuple[str, str]
#: What an attribute holds on the routes into a block: some literals, or None for any value.
Held = frozenset[Writer] | None


@dataclass
class Constant:
    """A Compare whose attribute holds only literals set in the flow."""

    #: ``X`` for ``$.Attributes.X``, ``FlowAttributes.X`` for ``$.FlowAttributes.X``
    attribute: str
    #: (literal, Identifier of the Set contact attributes block), in file order
    writers: list[Writer]
    #: for each writer's literal, the condition it takes (None: No match)
    takes: dict[str, Condition | None]

    @property
    def subject(self) -> str:
        """What the block compares, as the flow writes it: ``$.Attributes.tier``."""
        if self.attribute.startswith(FLOW):
            return f"$.{self.attribute}"
        return f"$.Attributes.{self.attribute}"


def tested_attribute(action: Action) -> str | None:
    """``X`` when a Check contact attributes block compares ``$.Attributes.X``,
    ``FlowAttributes.X`` when it compares ``$.FlowAttributes.X``."""
    if action.type != "Compare":
        return None
    subject = param_text(action.params.get("ComparisonValue"))
    if subject is None and action.conditions:
        subject = action.conditions[0].subject
    found = _ATTRIBUTE.match((subject or "").strip())
    if found is None:
        return None
    name = found.group(2) or found.group(3)
    return FLOW + name if found.group(1) == "FlowAttributes" else name


def literal_compares(flow: Flow) -> dict[str, Constant]:
    """The Compare blocks (by Identifier) that only see literals the flow set."""
    tested = {a.ident: name for a in flow.actions if (name := tested_attribute(a))}
    if not tested or flow.start is None:
        return {}
    names = frozenset(tested.values())
    held = _forward(flow, names)
    order = {action.ident: number for number, action in enumerate(flow.actions)}
    found: dict[str, Constant] = {}
    for action in flow.actions:
        name = tested.get(action.ident)
        state = held.get(action.ident)
        if name is None or state is None or state.get(name) is None:
            continue
        writers = sorted(state[name] or (), key=lambda w: (order.get(w[1], 0), w[0]))
        takes: dict[str, Condition | None] = {}
        for value, _ in writers:
            taken = _first_holding(action.conditions, value)
            if taken is False:
                break
            takes[value] = taken
        else:
            if writers:
                found[action.ident] = Constant(name, writers, takes)
    return found


def _forward(flow: Flow, names: frozenset[str]) -> dict[str, dict[str, Held]]:
    """What each tested attribute holds on entry to each block reached from the start."""
    actions = {action.ident: action for action in flow.actions}
    anything: dict[str, Held] = dict.fromkeys(names)
    held: dict[str, dict[str, Held]] = {}
    queue: deque[str] = deque()
    _merge(held, queue, str(flow.start), anything)
    while queue:
        ident = queue.popleft()
        action = actions.get(ident)
        if action is None:
            continue
        state = held[ident]
        done, failed = _after(action, state, anything)
        for route in success_routes(action):
            _merge(held, queue, route.target, done)
        for _, route in action.errors:
            _merge(held, queue, route.target, failed)
    return held


def success_routes(action: Action) -> list[Route]:
    """A block's routes other than its Error branches: its conditions and its next."""
    routes = [condition.route for condition in action.conditions]
    if action.next is not None:
        routes.append(action.next)
    return routes


def _after(
    action: Action, state: dict[str, Held], anything: dict[str, Held]
) -> tuple[dict[str, Held], dict[str, Held]]:
    """The state after a block: on its success routes, and on its Error routes."""
    kind = action.type
    if kind == "UpdateFlowAttributes":
        # API reference, UpdateFlowAttributes: {"FlowAttributes": {name: {"Value": ...}}},
        # all set or none; contact attributes are left alone.
        attributes = action.params.get("FlowAttributes")
        if not isinstance(attributes, dict):
            return anything, anything
        done = dict(state)
        for name in state:
            if not name.startswith(FLOW) or name[len(FLOW) :] not in attributes:
                continue
            setting = attributes[name[len(FLOW) :]]
            raw = setting.get("Value") if isinstance(setting, dict) else setting
            value = param_text(raw)
            literal = value is not None and "$." not in value
            done[name] = frozenset({(value, action.ident)}) if literal else None
        return done, state
    if kind == "UpdateContactAttributes":
        attributes = action.params.get("Attributes")
        target = action.params.get("TargetContact")
        if not isinstance(attributes, dict) or target not in (None, "", "Current"):
            return anything, anything
        done = dict(state)
        for name in state:
            if name in attributes and not name.startswith(FLOW):
                value = param_text(attributes[name])
                literal = value is not None and "$." not in value
                done[name] = frozenset({(value, action.ident)}) if literal else None
        return done, state
    if kind in _KEEPS or (kind == "GetParticipantInput" and not uses_lex(action.params)):
        return state, state
    return anything, anything


def _merge(
    held: dict[str, dict[str, Held]], queue: deque[str], ident: str, incoming: dict[str, Held]
) -> None:
    """Join what a route brings into a block's state; queue the block when it grew."""
    current = held.get(ident)
    if current is None:
        held[ident] = dict(incoming)
        queue.append(ident)
        return
    grew = False
    for name, value in incoming.items():
        now = current[name]
        if now is None:
            continue
        joined = None if value is None or len(now | value) > _MOST else now | value
        if joined != now:
            current[name] = joined
            grew = True
    if grew:
        queue.append(ident)


def literals_meeting(condition: Condition, literals: list[str]) -> list[str]:
    """The literals a condition holds for (those ivraudit cannot tell are left out)."""
    return [value for value in literals if _holds(condition, value) is True]


def _first_holding(conditions: list[Condition], value: str) -> Condition | bool | None:
    """The first condition the literal meets (None: none does), or False when one cannot be
    told."""
    for condition in conditions:
        holds = _holds(condition, value)
        if holds is None:
            return False
        if holds:
            return condition
    return None


def _holds(condition: Condition, value: str) -> bool | None:
    """Whether a condition holds for a literal; None when ivraudit cannot tell."""
    if len(condition.operands) != 1:
        return None
    operand = condition.operands[0]
    operator = condition.operator
    if operator == "Equals":
        if value == operand:
            return True
        number = _number(value)
        if number is not None and number == _number(operand):
            return None  # another spelling of the same number: leave it to Connect
        # Another case is another value: "the block doesn't support case-insensitive
        # comparisons" (admin guide, Check contact attributes, Configuration tips).
        return False
    if operator in _NUMERIC:
        left, right = _number(value), _number(operand)
        if left is None or right is None:
            return None
        return bool(_NUMERIC[operator](left, right))
    if operator in _TEXT:
        return bool(_TEXT[operator](value, operand))
    return None


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None
