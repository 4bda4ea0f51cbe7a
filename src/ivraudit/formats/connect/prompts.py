"""What a Connect block says or plays (text, SSML, prompts, media), and Play prompt and Loop
prompts blocks as ``say`` nodes."""

from __future__ import annotations

import html
import re
from typing import Any

from ivraudit.formats.connect.actions import Action
from ivraudit.formats.connect.blocks import param_text
from ivraudit.formats.connect.nodes import NodeTable, add_note, condition_cases, error_cases

_SSML_TAG = re.compile(r"<[^<>]*>")
_JSON_PATH = re.compile(r"^\$\.[\w.\-\[\]'\"]+$")


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


def prompt_fields(action: Action) -> dict[str, Any]:
    """``say``/``play`` fields (and a note) from a block's prompt parameters."""
    params = action.params
    says: list[str] = []
    plays: list[str] = []
    messages = params.get("Messages")
    sources = [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    for message in [params, *sources]:
        text = param_text(message.get("Text"))
        if text is not None and text.strip():
            says.append(" ".join(text.split()))
        ssml = speakable(param_text(message.get("SSML")))
        if ssml:
            says.append(ssml)
        prompt = param_text(message.get("PromptId"))
        if prompt:
            name = action.meta.get("promptName") if message is params else None
            plays.append(name if isinstance(name, str) and name else prompt)
        media = message.get("Media")
        if isinstance(media, dict) and param_text(media.get("Uri")):
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


def say_node(table: NodeTable, action: Action, node_id: str) -> dict[str, Any]:
    """Play prompt, or Loop prompts, which plays again until something interrupts it."""
    node: dict[str, Any] = {"type": "say", **prompt_fields(action)}
    otherwise = table.route(action.next)
    if otherwise is None and action.type == "MessageParticipantIteratively":
        otherwise = node_id  # the messages play again until something interrupts them
    after = table.fanout(
        action,
        node_id,
        "result",
        [*condition_cases(action), *error_cases(action)],
        otherwise,
    )
    if after is not None:
        node["next"] = after
    if action.type == "MessageParticipantIteratively":
        add_note(node, "Loop prompts: the messages repeat until the block is interrupted.")
    return node
