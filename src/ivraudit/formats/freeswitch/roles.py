"""Which menus callers start in: read from the ``ivr`` applications of the dialplan.

A menu runs when a dialplan extension calls ``<action application="ivr"
data="NAME"/>``.  The ``public`` context is where calls from outside arrive
(the vanilla config's external SIP profile lands there), so a menu that the
public context starts, directly or through a ``transfer`` into another
context, is a caller's line (entry).  A menu started only from another context
(``default`` is what registered internal users dial) is not (internal).  A
menu the dialplan given never starts is internal too: nothing in the estate
brings a caller to it.  Without a dialplan, each top menu is an entry, and a
menu that menus of another file run with ``menu-sub`` is reached.
"""

from __future__ import annotations

import re

from ivraudit.formats.freeswitch.conf import Conf
from ivraudit.formats.freeswitch.dialplan import hunt
from ivraudit.model.keypad import keypad_samples
from ivraudit.model.menu import Role

PUBLIC = "public"


def menu_role(conf: Conf | None, name: str, path: str) -> tuple[Role, str]:
    """``(role, reason)`` of the flow that starts at menu ``name`` (defined in ``path``)."""
    callers = [item for item in (conf.run_by.get(name, []) if conf else []) if item[1] != path]
    if conf is not None and callers:
        caller, file, line = callers[0]
        return "reached", f"menu '{caller}' runs it with menu-sub ({conf.shown(file, line)})"
    if conf is None or not conf.contexts:
        return "entry", "a top menu; no dialplan was given to say which menus callers start in"
    entries = _public_starts(conf)
    if name in entries:
        return "entry", entries[name]
    uses = _ivr_uses(conf).get(name)
    if uses:
        context, ext, where = uses[0]
        return "internal", (
            f"ivr {name} runs only from extension '{ext}' of context '{context}' ({where}), "
            f"which no route from the {PUBLIC} context reaches: internal users dial it"
        )
    return "internal", f"no ivr application in the dialplan given starts '{name}'"


def _ivr_uses(conf: Conf) -> dict[str, list[tuple[str, str, str]]]:
    found: dict[str, list[tuple[str, str, str]]] = {}
    for context, extensions in conf.contexts.items():
        for ext in extensions:
            for condition in ext.conditions:
                for action in [*condition.actions, *condition.anti]:
                    if action.app == "ivr" and action.data.split():
                        found.setdefault(action.data.split()[0], []).append(
                            (context, ext.name, conf.shown(action.file, action.line))
                        )
    return found


def _public_starts(conf: Conf) -> dict[str, str]:
    """Menus the public context starts, with the reason, read once per estate."""
    cached = conf.memo.get("public_starts")
    if cached is not None:
        return cached
    found: dict[str, str] = {}
    for ext in conf.contexts.get(PUBLIC, []):
        numbers: list[str] = []
        for condition in ext.conditions:
            if condition.field == "destination_number" and condition.expression:
                samples = keypad_samples(condition.expression) or []
                matches = [re.search(condition.expression, sample) for sample in samples]
                numbers = [match.group(1) if match and match.groups() else "" for match in matches]
        for condition in ext.conditions:
            for action in [*condition.actions, *condition.anti]:
                where = f"extension '{ext.name}' of the {PUBLIC} context "
                where += f"({conf.shown(action.file, action.line)}), where outside calls arrive"
                if action.app == "ivr" and action.data.split():
                    found.setdefault(action.data.split()[0], f"ivr in {where}")
                elif action.app == "transfer":
                    for name in _started_by_transfer(conf, action.data, numbers):
                        found.setdefault(name, f"transfer from {where}")
    conf.memo["public_starts"] = found
    return found


def _started_by_transfer(conf: Conf, data: str, numbers: list[str]) -> list[str]:
    words = [word for word in data.split() if word not in ("-bleg", "-both")]
    if not words or ("$" in words[0] and words[0] != "$1"):
        return []
    candidates = [number for number in numbers if number] if words[0] == "$1" else [words[0]]
    dialplan = words[1] if len(words) > 1 else "XML"
    context = words[2] if len(words) > 2 else PUBLIC
    started = []
    for number in candidates:
        node = hunt(conf, number, dialplan, context, 0)
        target = str(node.get("target") or "")
        if node.get("type") == "unknown" and target.startswith("ivr "):
            started.append(target.split()[1])
    return started
