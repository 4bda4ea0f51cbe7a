"""What a caller hears from a FreeSWITCH sound string, as a node's ``say`` / ``play``.

Shared by the menus (``greet-long``, ``menu-play-sound``, ``menu-exec-app playback``)
and the dialplan (``playback``, ``speak`` and ``phrase`` before a ``hangup`` or a
``bridge``), so a recording is the same recording wherever it is played.
"""

from __future__ import annotations

from typing import Any


def sound(value: str | None, phrases: dict[str, tuple[str, bool]] | None = None) -> dict[str, str]:
    """``say``/``play`` for a FreeSWITCH sound string.

    ``say:TEXT`` is text to speech; ``phrase:MACRO`` says the words the macro gives
    as text (``speak-text``, ``play-file say:``) when the estate holds the macro, and
    stays a recording where it plays files (their words are unknown); anything else
    (a file, ``tone_stream://``) is audio whose words ivraudit cannot read.
    """
    text = (value or "").strip()
    if not text:
        return {}
    if text.lower().startswith("say:"):
        spoken = text[4:].strip()
        return {"say": spoken} if spoken else {}
    if text.startswith("phrase:") and phrases:
        words, complete = phrases.get(text[7:].split(":", 1)[0].strip(), ("", False))
        if words and complete:
            return {"say": words}
        if words:
            return {"say": words, "play": text}
    return {"play": text}


def with_prompts(node: dict[str, Any], heard: list[dict[str, str]]) -> dict[str, Any]:
    """``node`` (a copy) with what the caller hears before it, in order: ``heard`` first,
    then the node's own ``say`` / ``play`` (texts joined with a space, recordings with
    ``&``, as Asterisk's ``Playback(a&b)`` is read)."""
    if not heard:
        return node
    says = [part["say"] for part in heard if part.get("say")]
    plays = [part["play"] for part in heard if part.get("play")]
    said, played = node.get("say"), node.get("play")
    joined = {
        "say": " ".join([*says, said] if said else says) or None,
        "play": "&".join([*plays, played] if played else plays) or None,
    }
    return {**node, **{key: value for key, value in joined.items() if value}}
