"""Per-key invalid-option handlers: the keys of a menu's context that each play the
same "invalid option" prompt and then do the same thing (hang up, or go back to the
menu) are the menu's answer to a wrong key written out once per digit, not options.

    exten => 4,1,Playback(NAOENTENDI)      ; "I did not understand"
    same  => n,Goto(MENU,s,2)
    exten => 5,1,Playback(NAOENTENDI)
    same  => n,Goto(MENU,s,2)
    ...

Asterisk runs each key's own priorities, so each keeps its own route (and its own
faults); the menu shows them as one ``/regex/`` key leading to a branch on the key
pressed, so they are not counted as choices to remember.  Key 0 stays apart: the
operator key is judged on its own (MN002).
"""

from __future__ import annotations

from typing import Any

from ivraudit.formats.asterisk.apps import (
    HANGUP_APPS,
    INTERRUPTIBLE_APPS,
    PLAY_APPS,
    SAY_APPS,
    TTS_APPS,
)
from ivraudit.formats.asterisk.match import DTMF, app_args, char_class
from ivraudit.formats.asterisk.nodes import Pool, branch_node
from ivraudit.formats.asterisk.parse import Extension

#: How many keys must share one handler before they are read as the no-match.
SAME_HANDLER = 3
_PROMPTS = PLAY_APPS | INTERRUPTIBLE_APPS | SAY_APPS | frozenset(TTS_APPS)


def signature(extension: Extension, chan: str) -> tuple[tuple[str, str], ...] | None:
    """What a key's extension does, when it is a handler: prompts, then a hangup, a
    Goto back into the menu's own context, or nothing (Asterisk then hangs up)."""
    done: list[tuple[str, str]] = []
    prompts = 0
    ended = False
    for number in sorted(extension.steps):
        step = extension.steps[number]
        app = step.app.strip().lower()
        if ended:
            return None
        if step.kind.tag == "pass":
            continue
        if app in _PROMPTS and not ended:
            prompts += 1
        elif app in HANGUP_APPS:
            ended = True
        elif app == "goto":
            parts = app_args(step.data)
            if len(parts) == 3 and parts[0].strip() != chan:
                return None
            ended = True
        else:
            return None
        done.append((app, step.data.strip()))
    return tuple(done) if prompts else None


def invalid_keys(
    pool: Pool, node_id: str, options: dict[str, Any], bodies: dict[str, Extension], chan: str
) -> dict[str, Any]:
    """``options`` with the keys that share one handler folded into one ``/regex/`` key
    leading to a branch on the key pressed (see the module docstring)."""
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for key, extension in bodies.items():
        if key not in DTMF or key == "0" or options.get(key) is None:
            continue
        found = signature(extension, chan)
        if found is not None:
            groups.setdefault(found, []).append(key)
    result = dict(options)
    for keys in groups.values():
        if len(keys) < SAME_HANDLER or len(keys) >= len(options):
            continue
        ordered = [char for char in DTMF if char in keys]
        helper, new = pool.claim(("helper", node_id, "invalid", ordered[0]), f"{node_id}:invalid")
        where = pool.where.get(("nodes", node_id, "options", ordered[0]))
        if new and where is not None:
            cases = [(f"the caller pressed {key}", options[key]) for key in ordered[:-1]]
            note = f"keys {', '.join(ordered)} each play the same invalid-option message"
            pool.add(helper, branch_node(cases, options[ordered[-1]], note), where)
        if where is None:
            continue
        for key in ordered:
            result.pop(key, None)
        joined_key = f"/^{char_class(''.join(ordered))}$/"
        result[joined_key] = helper
        pool.where[("nodes", node_id, "options", joined_key)] = where
    return result
