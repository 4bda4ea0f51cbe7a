"""Studio Split Based On... conditions read as a caller's choices.

A condition on ``{{widgets.<gather>.Digits}}`` (or ``.SpeechResult``) such as
``equal_to "1"`` or ``matches_any_of "3, 4"`` is a key (or phrase) of a menu;
these helpers turn conditions into keys, decide whether a gather's digit
split is a menu or a check of a number keyed in, and write conditions as text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ivraudit.formats.twilio.flow import State, Transition
from ivraudit.model.prompts import announced_keys

#: ``{{widgets.<name>.Digits}}`` or ``.SpeechResult``: what a caller keyed or said.
INPUT_VALUE = re.compile(r"\{\{\s*widgets\.([\w-]+)\.(Digits|SpeechResult)\s*\}\}")
_DTMF = re.compile(r"[0-9A-D*#]{1,20}")


@dataclass
class Choice:
    """A split's match transition read as menu choices: keys or phrases."""

    transition: Transition
    speech: bool
    keys: list[str]


def subject(split: State, condition: dict[str, Any]) -> str:
    """What a condition tests: its first argument, else the split's ``input``."""
    arguments = condition.get("arguments")
    if isinstance(arguments, list) and arguments and isinstance(arguments[0], str):
        return arguments[0]
    return split.text("input") or ""


def inputs_tested(split: State) -> list[str]:
    """The widgets whose Digits or SpeechResult a split's conditions test."""
    names: list[str] = []
    for transition in split.transitions:
        for condition in transition.conditions:
            found = INPUT_VALUE.fullmatch(subject(split, condition).strip())
            if found is not None and found.group(1) not in names:
                names.append(found.group(1))
    return names


def digit_count(gather: State) -> int | None:
    """A gather's ``number_of_digits``, when it is a whole number above zero."""
    value = gather.properties.get("number_of_digits")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def choices_of(split: State, digits: int | None) -> list[Choice] | None:
    """The split's match transitions as keys and phrases, or None if any is not a choice."""
    choices = []
    for transition in split.transitions:
        if transition.event != "match":
            continue
        condition = transition.conditions[0]
        found = INPUT_VALUE.fullmatch(subject(split, condition).strip())
        speech = found is not None and found.group(2) == "SpeechResult"
        keys = _keys(condition, speech, digits)
        if keys is None:
            return None
        choices.append(Choice(transition, speech, keys))
    return choices


def _keys(condition: dict[str, Any], speech: bool, digits: int | None) -> list[str] | None:
    """The keys (or phrases) a condition on the caller's input accepts, if it is a choice."""
    predicate, value = condition.get("type"), condition.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if predicate == "regex":
        return [f"/{value}/"] if len(value) <= 200 and "\n" not in value else None
    if predicate == "matches_any_of":
        items = [item.strip() for item in value.split(",") if item.strip()]
    elif predicate in ("equal_to", "contains", "starts_with"):
        items = [value]
    else:
        return None
    if speech:
        return items
    items = [item.upper() for item in items]
    if not all(_DTMF.fullmatch(item) for item in items):
        return None
    if predicate in ("contains", "starts_with") and not (digits == 1 and len(items[0]) == 1):
        escaped = re.escape(items[0])
        return [f"/.*{escaped}.*/" if predicate == "contains" else f"/{escaped}.*/"]
    return items


def menu_like(gather: State, choices: list[Choice]) -> bool:
    """Whether digit choices are a menu, rather than a check of a number the caller keyed in.

    A one-digit gather, single-key choices, or keys its prompt announces make a
    menu; "enter the last 4 digits of your card" tested against "1212" does not.
    """
    literal = [key for c in choices if not c.speech for key in c.keys if not key.startswith("/")]
    regex = any(key.startswith("/") for c in choices if not c.speech for key in c.keys)
    if not literal and not regex:
        return True  # speech choices only
    if digit_count(gather) == 1:
        return True
    if literal and not regex and all(len(key) == 1 for key in literal):
        return True
    return bool(set(announced_keys(gather.text("say"))) & set(literal))


def describe_match(split: State, transition: Transition) -> str:
    if transition.event != "match":
        return f"event {transition.event}"
    if not transition.conditions:
        return "match (no condition)"
    parts = []
    for condition in transition.conditions:
        predicate = condition.get("type")
        value = condition.get("value")
        text = f"{subject(split, condition).strip() or '?'} {predicate or '?'}"
        if value is not None:
            text += " " + json.dumps(value, ensure_ascii=False)[:500]
        parts.append(text)
    return " and ".join(parts)
