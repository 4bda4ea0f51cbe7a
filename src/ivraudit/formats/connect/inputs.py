"""Get customer input blocks: a DTMF menu, a Lex bot's spoken menu, or Store customer input as
an ``ask``, each with Connect's fallback of silence and invalid input to the Error branch."""

from __future__ import annotations

import re
from typing import Any

from ivraudit.formats.connect.actions import Action
from ivraudit.formats.connect.blocks import STORED_INPUT, param_text
from ivraudit.formats.connect.nodes import (
    NodeTable,
    add_note,
    condition_cases,
    describe_condition,
    error_cases,
)
from ivraudit.formats.connect.prompts import prompt_fields

_DTMF_KEY = re.compile(r"^[0-9A-D*#]{1,20}$")


def wait_node(
    table: NodeTable, action: Action, node_id: str, recording: bool = False
) -> dict[str, Any]:
    """Get customer input with no conditions and a Timeout or Error route: no key is an option,
    so it is not a menu but a wait (a timer while a voicemail records, "press any key"):
    Timeout, any key (Default) and Error each lead on.  While the flow records the caller
    (``recording``), the wait is the caller leaving a message: a ``voicemail`` node."""
    node: dict[str, Any] = {"type": "voicemail" if recording else "action", **prompt_fields(action)}
    timeout = action.error("InputTimeLimitExceeded") or action.error("NoMatchingError")
    cases = [
        ("any key (Default)", action.error("NoMatchingCondition")),
        ("NextAction", action.next),
    ]
    failed = action.error("NoMatchingError")
    if failed is not None and action.error("InputTimeLimitExceeded") is not None:
        if recording:
            cases.append(("error NoMatchingError", failed))
        else:
            node["error"] = table.route(failed)
    after = table.fanout(action, node_id, "key or timeout", cases, table.route(timeout))
    if after is not None:
        node["next"] = after
    seconds = param_text(action.params.get("InputTimeLimitSeconds")) or "5"
    add_note(
        node,
        f"It has no conditions: it waits up to {seconds} s for any key and offers no choice "
        "(a timer, not a menu).",
    )
    if recording:
        add_note(node, "The flow records the caller here: the caller leaves a message.")
    return node


def is_wait(action: Action) -> bool:
    """A DTMF Get customer input with no conditions whose silence route is wired."""
    return not action.conditions and (
        action.error("InputTimeLimitExceeded") is not None
        or action.error("NoMatchingError") is not None
    )


def menu_node(table: NodeTable, action: Action, node_id: str) -> dict[str, Any]:
    """Get customer input by DTMF: conditions are keys; Connect has no retries of its own."""
    node: dict[str, Any] = {"type": "menu", **prompt_fields(action)}
    options: dict[str, str] = {}
    speech: dict[str, str] = {}
    unused: list[str] = []
    for index, condition in enumerate(action.conditions):
        target = table.route(condition.route)
        key = condition.operands[0] if len(condition.operands) == 1 else None
        choices = options if key is not None and _DTMF_KEY.match(key) else speech
        if choices is options:
            label = key
        elif len(condition.operands) == 1 and condition.operands[0].strip():
            label = condition.operands[0]
        else:
            label = describe_condition(action, condition)
        if label in choices or target is None:
            unused.append(f"condition {index + 1} ({label})")
            continue
        choices[label] = target
        field = "options" if choices is options else "speech"
        table.positions[("nodes", node_id, field, label)] = table.source.locate(
            condition.route.path
        )
    if options:
        node["options"] = options
    if speech:
        node["speech"] = speech
    _input_errors(table, action, node_id, node)
    if not action.conditions:
        default = table.route(
            action.error("NoMatchingCondition") or action.error("NoMatchingError")
        )
        if default is not None:
            # no conditions: whatever key the caller presses takes the Default route
            node["options"] = {"/.+/": default}
            add_note(node, "It has no conditions: any key takes the Default route.")
    _timeout(action, node)
    if unused:
        add_note(node, f"Never taken, an earlier condition matches first: {', '.join(unused)}.")
    return node


def _input_errors(table: NodeTable, action: Action, node_id: str, node: dict[str, Any]) -> None:
    """no_input / no_match of a menu, with Connect's fallback to the Error branch."""
    fallback = action.error("NoMatchingError")
    timeout = action.error("InputTimeLimitExceeded")
    nomatch = action.error("NoMatchingCondition")
    no_input = table.route(timeout or fallback)
    no_match = table.route(nomatch or fallback)
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
        and table.route(route) not in used
    ]
    if action.next is not None and table.route(action.next) not in used:
        leftovers.append(("NextAction", action.next))
    no_match = table.fanout(action, node_id, "no match or error", leftovers, no_match)
    if no_input is not None:
        node["no_input"] = no_input
        table.position(node_id, "no_input", timeout or fallback)
    if no_match is not None:
        node["no_match"] = no_match
        table.position(node_id, "no_match", nomatch or fallback)
    notes = []
    if timeout is None and fallback is not None:
        notes.append("No Timeout branch: Connect takes the Error branch on silence.")
    if nomatch is None and fallback is not None and node["type"] == "menu":
        notes.append("No Default branch: Connect takes the Error branch on an invalid key.")
    if fallback is None and (timeout is None or nomatch is None):
        notes.append("A missing error branch means Connect disconnects the contact.")
    for text in notes:
        add_note(node, text)


def lex_menu_node(table: NodeTable, action: Action, node_id: str) -> dict[str, Any]:
    """A Lex bot: intents are spoken choices; silence ends in the bot's fallback intent."""
    node: dict[str, Any] = {"type": "menu", **prompt_fields(action)}
    speech: dict[str, str] = {}
    for condition in action.conditions:
        target = table.route(condition.route)
        phrase = " / ".join(condition.operands) or describe_condition(action, condition)
        if target is None or phrase in speech:
            continue
        speech[phrase] = target
        table.positions[("nodes", node_id, "speech", phrase)] = table.source.locate(
            condition.route.path
        )
    if speech:
        node["speech"] = speech
    fallback = action.error("NoMatchingError")
    nomatch = action.error("NoMatchingCondition")
    no_match = table.route(nomatch or fallback)
    leftovers = [
        (f"error {name}", route)
        for name, route in action.errors
        if name != "NoMatchingCondition" and table.route(route) != no_match
    ]
    if action.next is not None and table.route(action.next) not in (no_match, *speech.values()):
        leftovers.append(("NextAction", action.next))
    routed = table.fanout(action, node_id, "no match or error", leftovers, no_match)
    if routed is not None:
        node["no_match"] = routed
        node["no_input"] = no_match if no_match is not None else routed
        table.position(node_id, "no_match", nomatch or fallback)
    if fallback is None and nomatch is None:
        add_note(node, "A missing error branch means Connect disconnects the contact.")
    bot = action.params.get("LexV2Bot") or action.params.get("LexBot") or {}
    name = param_text(bot.get("AliasArn")) or param_text(bot.get("Name")) or "a Lex bot"
    add_note(
        node,
        f"Speech input through {name}; on silence Lex re-prompts, then returns its "
        "fallback intent, which matches no condition (the Default route).",
    )
    return node


def ask_node(
    table: NodeTable, action: Action, node_id: str, actions: dict[str, Action]
) -> dict[str, Any]:
    """Store customer input: the value lands in $.StoredCustomerInput.

    ``actions`` (every block by Identifier) is followed to name what is collected.
    """
    node: dict[str, Any] = {"type": "ask", **prompt_fields(action)}
    collects = _collected_name(action, actions)
    if collects is not None:
        node["collects"] = collects
    following = table.route(action.next)
    invalid = action.error("InvalidPhoneNumber")
    validation = action.params.get("InputValidation")
    validates = isinstance(validation, dict) and "PhoneNumberValidation" in validation
    if invalid is None and validates:
        # an invalid number with no Invalid number branch takes the Error branch
        invalid = action.error("NoMatchingError")
    # The Error branch is the block failing (Connect: "Chat: No - Error branch"), not the
    # caller: it is a case of the result, never a caller error.
    after = table.fanout(
        action,
        node_id,
        "result",
        [*condition_cases(action), *error_cases(action, ("InvalidPhoneNumber",))],
        following,
    )
    if after is not None:
        node["next"] = after
        # Connect: with no input the contact takes Success, StoredCustomerInput = "Timeout"
        node["no_input"] = following or after
        # without validation whatever is keyed is stored: there is no invalid input
        node["no_match"] = following or after
    if invalid is not None:
        node["no_match"] = table.route(invalid)
        table.position(node_id, "no_match", invalid)
    _timeout(action, node)
    add_note(
        node,
        "Stores the digits in $.StoredCustomerInput; with no input Connect takes the "
        "Success branch with the value 'Timeout'; its Error branch is the block failing, "
        "not the caller.",
    )
    return node


def _collected_name(action: Action, actions: dict[str, Action]) -> str | None:
    """The attribute the stored input is copied into a few blocks later, if any; else
    ``phone_number`` for phone-number validation; else None (what is collected is read from
    the prompt only: ``StoredCustomerInput`` is Connect's name for any stored input)."""
    seen = {action.ident}
    current = actions.get(action.next.target) if action.next else None
    for _ in range(6):
        if current is None or current.ident in seen:
            break
        seen.add(current.ident)
        for attributes in ("Attributes", "LambdaInvocationAttributes"):
            values = current.params.get(attributes)
            if isinstance(values, dict):
                for key, value in values.items():
                    if isinstance(value, str) and STORED_INPUT in value:
                        return str(key)
        if STORED_INPUT in str(current.params.get("CallbackNumber", "")):
            return "callback_number"
        if current.type in ("GetParticipantInput", "ConnectParticipantWithLexBot"):
            break
        current = actions.get(current.next.target) if current.next else None
    validation = action.params.get("InputValidation")
    if isinstance(validation, dict) and "PhoneNumberValidation" in validation:
        return "phone_number"
    return None


def _timeout(action: Action, node: dict[str, Any]) -> None:
    value = param_text(action.params.get("InputTimeLimitSeconds"))
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        seconds = None
    if seconds is not None and 0 <= seconds <= 3600:
        node["timeout"] = seconds
