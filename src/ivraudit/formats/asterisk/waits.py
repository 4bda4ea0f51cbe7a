"""Waits for keys that are not menus: data entry, and "press # when done".

Issue 14: "A WaitExten or Read whose every key leads to the same place is data entry or a
'press # when done' wait ... Option rules do not apply to them."  Run once the menus are
built and their retry counters found (:mod:`.retries`), over one pool's nodes:

- **Data entry.**  ``Read(DAY,enter-delivery-day,1)`` then ``GotoIf($[${DAY} = 1]?gotday)``
  ... ``= 7]?gotday``: every key accepted goes to one place (:func:`.talk.same_answer` has
  made them one ``/^[1-7]$/`` key).  The caller enters a value (docs.asterisk.org, Dialplan
  Applications/Read: "the variable the digits are stored in"), not a choice: an ``ask``
  that ``collects`` the variable, ``next`` to that place, with the menu's silence, wrong
  answer and retries kept.
- **Press # when done.**  ``WaitExten(60)`` while ``MixMonitor`` records, with
  ``exten => _[0-9*],1,Goto(s,wait)`` and ``exten => #,1,StopMixMonitor()``: every key but
  one keeps waiting (it goes back to the wait itself), the one left ends the wait, and so
  does the timeout (``t``; docs.asterisk.org, Special Dialplan Extensions) when it does what
  that key does (``StopMixMonitor()``, the same thank-you, ``Hangup()``).  Nothing is
  chosen and silence is no caller error: a ``branch`` *the caller presses #*, else the
  timeout's way.  A wait whose silence ends otherwise (no ``t``: the call is dropped and
  the recording lost) stays a menu, and its silent caller is judged (DE004, DE005).
"""

from __future__ import annotations

import re
from typing import Any

from ivraudit.formats.asterisk.match import DTMF
from ivraudit.formats.asterisk.nodes import Pool
from ivraudit.model.keypad import takes_key

#: Most single keys of a phone (a data-entry key must be one of them or a class of them).
_ONE_KEY = re.compile(r"[0-9*#]|/\^\[[^\]]+\]\$/")
_READ = re.compile(r"Read\((\w+)\)")
#: Most nodes two ways on are compared over.
_MAX_STEPS = 8


def waits_that_are_not_menus(pool: Pool) -> None:
    """Menus of ``pool`` whose keys choose nothing become an ``ask`` or a ``branch``."""
    for node_id, node in list(pool.nodes.items()):
        if node.get("type") != "menu":
            continue
        options = node.get("options") or {}
        if not options or not all(_ONE_KEY.fullmatch(key) for key in options):
            continue
        if _data_entry(node, options):
            continue
        _press_when_done(pool, node_id, node, options)


def _data_entry(node: dict[str, Any], options: dict[str, Any]) -> bool:
    """Every key (a class of at least three: :data:`.talk.SAME_ANSWER`) leads to one place."""
    targets = set(options.values())
    if len(targets) != 1 or not any(key.startswith("/") for key in options):
        return False
    place = targets.pop()
    if not isinstance(place, str):
        return False
    read = _READ.match(node.get("note") or "")
    keys = ", ".join(options)
    node["type"] = "ask"
    node["collects"] = read.group(1) if read else None
    node["next"] = place
    node["note"] = (
        f"{read.group(0) if read else 'the wait'}: every key accepted ({keys}) goes to the "
        "same place: a value entered (data entry), not a menu"
    )
    if node.get("no_match") is None and all(takes_key(options, key) for key in DTMF):
        # The patterns take every key (_[0-9#*], _X plus * and #): no key is invalid, so
        # the platform never hangs up on one; any key is the answer.
        node["no_match"] = place
        node["note"] += "; every key is a valid answer (no key is invalid)"
    del node["options"]
    return True


def _same_way(pool: Pool, one: Any, other: Any) -> bool:
    """Whether two ways on are the same steps: one node, or nodes that do the same (the
    same prompts, then the same hang-up or the same next node), compared a bounded way."""
    for _ in range(_MAX_STEPS):
        if one == other:
            return True
        first, second = pool.nodes.get(one), pool.nodes.get(other)
        if first is None or second is None:
            return False
        if {k: v for k, v in first.items() if k != "next"} != {
            k: v for k, v in second.items() if k != "next"
        }:
            return False
        one, other = first.get("next"), second.get("next")
        if one is None and other is None:
            return True
    return False


def _press_when_done(
    pool: Pool, node_id: str, node: dict[str, Any], options: dict[str, Any]
) -> None:
    """Every key but one goes back to the wait: that one key, or the timeout, ends it."""
    ending = [(key, target) for key, target in options.items() if target != node_id]
    waiting = [key for key, target in options.items() if target == node_id]
    if len(ending) != 1 or not waiting or node.get("no_match") not in (None, node_id):
        return
    if node.get("no_match") is None and not all(takes_key(options, key) for key in DTMF):
        return  # a key nothing takes hangs up (no 'i'): that stays a menu's fault (DE004)
    if "retries_exhausted" in node or node.get("say") or node.get("play"):
        return  # a counted or announced wait: judged as a menu
    timeout = node.get("no_input")
    key, target = ending[0]
    seconds = node.get("timeout")
    waited = f" {seconds:g} s" if isinstance(seconds, int | float) else ""
    if not isinstance(timeout, str) or not _same_way(pool, target, timeout):
        return  # silence ends it otherwise (the call dropped): judged as a menu's silence
    node.clear()
    node.update(
        {
            "type": "branch",
            "note": (
                f"a 'press {key} when done' wait: the other keys ({', '.join(waiting)}) keep "
                f"waiting; {key} or{waited} of silence ends it (not a menu: nothing is chosen)"
            ),
            "cases": [{"when": f"the caller presses {key}", "next": target}],
            "else": timeout,
        }
    )
