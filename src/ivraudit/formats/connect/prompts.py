"""What a Connect block says or plays (text, SSML, prompts, media), and Play prompt and Loop
prompts blocks as ``say`` nodes."""

from __future__ import annotations

import html
import re
from typing import Any

from ivraudit.formats._build import unique_id
from ivraudit.formats.connect.actions import Action
from ivraudit.formats.connect.blocks import param_text
from ivraudit.formats.connect.nodes import NodeTable, add_note, result_cases

_SSML_TAG = re.compile(r"<[^<>]*>")
_JSON_PATH = re.compile(r"^\$\.[\w.\-\[\]'\"]+$")
_EMBEDDED_PATH = re.compile(r"\$\.[A-Za-z][\w\-]*(?:\.[A-Za-z0-9_\-]+)*")


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
        for spoken in (
            " ".join(text.split()) if text is not None and text.strip() else None,
            speakable(param_text(message.get("SSML"))),
        ):
            if not spoken:
                continue
            if _JSON_PATH.match(spoken):
                plays.append(spoken)  # the words are an attribute's value: unknown
                continue
            says.append(spoken)
            # words read from attributes inside the text are known only at run time
            plays.extend(_EMBEDDED_PATH.findall(spoken))
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
    dynamic = list(dict.fromkeys(text for text in plays if _JSON_PATH.match(text)))
    if dynamic:
        fields["note"] = (
            f"Words of the prompt are read from {', '.join(dynamic)} at run time (unknown)."
        )
    return fields


#: Flows where an agent becomes available while the prompts play: queue and hold flows.
_WAITING = {
    "customerqueue": "an agent answers: the queue connects the caller",
    "customerhold": "the agent takes the caller off hold",
}


def say_node(
    table: NodeTable, action: Action, node_id: str, kind: str | None = None
) -> dict[str, Any]:
    """Play prompt, or Loop prompts, which plays again until something interrupts it
    (in a customer queue or hold flow: the agent)."""
    node: dict[str, Any] = {"type": "say", **prompt_fields(action)}
    otherwise = table.route(action.next)
    if otherwise is None and action.type == "MessageParticipantIteratively":
        otherwise = node_id  # the messages play again until something interrupts them
        if kind in _WAITING:
            otherwise = _interrupted(table, action, node_id, kind)
    after = table.fanout(action, node_id, "result", result_cases(action), otherwise)
    if after is not None:
        node["next"] = after
    if action.type == "MessageParticipantIteratively":
        add_note(node, "Loop prompts: the messages repeat until the block is interrupted.")
    return node


def _interrupted(table: NodeTable, action: Action, node_id: str, kind: str) -> str:
    """Loop prompts in a queue or hold flow: they repeat until the agent takes the call."""
    agent = unique_id(f"{node_id} (agent)", table.taken)
    table.nodes[agent] = {
        "type": "transfer",
        "target": "queue:the contact's queue" if kind == "customerqueue" else "agent:the agent",
        "human": True,
        "waits_in_queue": True,
        "note": f"Loop prompts end when {_WAITING[kind]}.",
    }
    branch = unique_id(f"{node_id} (repeat)", table.taken)
    table.nodes[branch] = {
        "type": "branch",
        "cases": [{"when": _WAITING[kind].split(":")[0], "next": agent}],
        "else": node_id,
        "note": "Loop prompts play again until the agent takes the call.",
    }
    for made in (agent, branch):
        table.positions[("nodes", made)] = table.source.locate(action.path)
    return branch
