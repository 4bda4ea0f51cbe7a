"""Where ``transfer EXT XML CONTEXT`` takes a caller, read from the estate's XML dialplan.

``transfer`` leaves the menu for the dialplan (mod_dptools: the menu stack ends
and the dialplan is hunted again for ``EXT`` in ``CONTEXT``).  mod_dialplan_xml
hunts a context's extensions in order: an extension whose ``destination_number``
condition matches is taken (unless it says ``continue="true"``); its actions
run, and when the last one returns the call is hung up.  What the extension's
applications do decides the node:

- ``bridge user/...`` (or ``group/``, ``${group_call(...)}``): a person; with
  ``continue_on_fail`` set, what follows the bridge (``loopback/app=voicemail``,
  ``voicemail``) is the fallback on busy or no answer; without it, none;
- ``echo``, hold music (``playback $${hold_music}``), ``conference``,
  ``valet_park``, ``voicemail check``: a hand-off that is not a person;
- ``voicemail``: voicemail; ``hangup`` and the end of the actions: a hangup;
- ``fifo NAME in``: a queue where a person picks the caller up;
- ``transfer``: hunted in turn (at most :data:`MAX_HOPS` times);
- a bridge to anywhere else (SIP URIs, gateways), another dialplan (``enum``),
  a target known only at run time, ``ivr`` (another menu stack), scripts: unknown.

Conditions on channel variables, times or dates hold or fail at run time: both
ways are followed, and when they do not agree the result is unknown (run-time).
A context not in the estate is unknown (not-given).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from ivraudit.formats.freeswitch.conf import Action, Conf, Extension
from ivraudit.formats.freeswitch.sounds import sound, with_prompts
from ivraudit.model.keypad import keypad_samples

#: The key of a node read from the dialplan that says where it is written: ``(file, line,
#: column)`` of the action that decides it (the ``bridge``, the ``hangup``), or of the
#: extension that runs out of actions.  The importer writes the node there, so every menu
#: entry that transfers to one extension meets one node, and one fault is reported once.
AT = "_at"

#: How many transfers in a row are followed before the destination is called unknown.
MAX_HOPS = 8
#: Most hunts one route may start, transfers within transfers included: each extension
#: of a hunt may have several ways (conditions tested at run time), each transferring
#: again, so without a bound a small dialplan could take exponential time.
MAX_HUNTS = 2000

#: Applications that return at once and leave the call where it is.
PASSIVE_APPS = frozenset(
    [
        "answer",
        "pre_answer",
        "ring_ready",
        "acknowledge_call",
        "sleep",
        "set",
        "export",
        "unset",
        "multiset",
        "push",
        "unshift",
        "set_global",
        "set_profile_var",
        "set_user",
        "log",
        "info",
        "event",
        "hash",
        "db",
        "group",
        "limit",
        "bind_meta_app",
        "unbind_meta_app",
        "bind_digit_action",
        "send_display",
        "send_dtmf",
        "start_dtmf",
        "stop_dtmf",
        "record_session",
        "stop_record_session",
        "execute_extension",
        "eval",
        "gentones",
        "set_audio_level",
        "privacy",
        "flush_dtmf",
        "sched_hangup",
        "sched_transfer",
        "sched_broadcast",
        "conference_set_auto_outcall",
        "esf_page_group",
        "respond",
    ]
)
_PERSON_DIAL = re.compile(r"^(user/|group/|skinny/|\$\{group_call\(|\$\{sofia_contact\()")
_ENDLESS = re.compile(r"hold_music|local_stream://|\{loops=-1\}|endless", re.IGNORECASE)


def transfer_target(
    conf: Conf, words: list[str], samples: list[str] | None, digits: str | None
) -> dict[str, Any]:
    """The node (a tree: ``fail`` may hold a node) for ``transfer EXT [DIALPLAN [CONTEXT]]``
    run from a menu whose entry matched ``digits`` (``$1`` is what it captured)."""
    extension = words[0]
    dialplan = words[1] if len(words) > 1 else "XML"
    target = " ".join(words)
    if len(words) < 3 and dialplan == "XML":
        return unknown(
            "run-time",
            target,
            f"transfers to extension {extension} of the caller's current context, known "
            "only at run time",
        )
    context = words[2] if len(words) > 2 else ""
    if "$" in extension and digits and samples:
        found = []
        for sample in samples:
            match = re.search(digits, sample)
            value = _expand(extension, match) if match else None
            if value is None:
                break
            found.append(hunt(conf, value, dialplan, context, 0))
        if len(found) == len(samples):
            return _agree(found, target, "the digits the caller types")
    if "$" in extension:
        return unknown("run-time", target, f"transfers to '{extension}', known only at run time")
    return hunt(conf, extension, dialplan, context, 0)


def hunt(conf: Conf, extension: str, dialplan: str, context: str, hops: int) -> dict[str, Any]:
    """The node for the call once ``extension`` is hunted in ``context``."""
    target = f"{extension} {dialplan} {context}".strip()
    if dialplan != "XML":
        return unknown(
            "run-time" if dialplan == "enum" else "not-given",
            target,
            f"transfers to {extension} in the '{dialplan}' dialplan, which ivraudit does not read",
        )
    if hops >= MAX_HOPS:
        return unknown("unsupported", target, f"more than {MAX_HOPS} transfers in a row")
    budget = conf.memo.get("hunts", 0) + 1 if hops else 1
    conf.memo["hunts"] = budget
    if budget > MAX_HUNTS:
        return unknown(
            "unsupported",
            target,
            f"more than {MAX_HUNTS} ways through the dialplan from one place: not followed",
        )
    if context not in conf.contexts:
        return unknown(
            "not-given",
            target,
            f"transfers to extension {extension} of context '{context}', which is not in "
            "the files given",
        )
    results: list[dict[str, Any]] = []
    for ext in conf.contexts[context]:
        decided = _decide(ext, extension)
        if decided is None:
            continue
        held, match = decided
        if ext.continues:
            continue  # it sets things up and the hunt goes on
        ways = _ways(ext)
        for actions in ways:
            results.append(_run(conf, actions, ext, match, context, hops))
        if held:
            break
    else:
        results.append(
            {
                "type": "hangup",
                "note": f"no extension of context '{context}' matches {extension}: FreeSWITCH "
                "hangs up (NO_ROUTE_DESTINATION)",
            }
        )
    return _agree(results, target, "conditions tested at run time")


def after_ivr(conf: Conf, menu: str) -> dict[str, Any] | None:
    """The node for the call once ``ivr MENU`` returns (the menu stack gave up or ended),
    or None when no extension of the dialplan runs ``ivr MENU``.

    mod_dptools' ``ivr`` returns when the menu stack ends, and the extension goes on
    with the actions after it; running out of them hangs up.  Each extension that
    runs the menu is followed; when they go on to different places the node is
    ``unknown`` (run-time: which extension ran the menu decides).
    """
    results: list[dict[str, Any]] = []
    for context, extensions in conf.contexts.items():
        for ext in extensions:
            for actions in _ways(ext):
                for index, action in enumerate(actions):
                    if action.app != "ivr" or action.data.split()[:1] != [menu]:
                        continue
                    rest = actions[index + 1 :]
                    for match in _number_matches(ext):
                        results.append(_run(conf, rest, ext, match, context, 0))
    if not results:
        return None
    return _agree(results, f"ivr {menu}", f"which extension ran 'ivr {menu}'")


def _number_matches(ext: Extension) -> list[re.Match[str] | None]:
    """What the extension's ``destination_number`` condition captures, for the first and
    last numbers it takes (``$1`` in the actions after ``ivr``); ``[None]`` without one."""
    for condition in ext.conditions:
        if condition.field != "destination_number" or not condition.expression:
            continue
        found = []
        for sample in keypad_samples(condition.expression) or []:
            with contextlib.suppress(re.error):
                found.append(re.search(condition.expression, sample))
        return found or [None]
    return [None]


def unknown(reason: str, target: str, note: str) -> dict[str, Any]:
    return {"type": "unknown", "reason": reason, "target": target, "note": note}


def _expand(template: str, match: re.Match[str]) -> str | None:
    try:
        return re.sub(r"\$(\d)", lambda m: match.group(int(m.group(1))) or "", template)
    except IndexError:
        return None


def _agree(results: list[dict[str, Any]], target: str, why: str) -> dict[str, Any]:
    first = results[0]
    if all(_same(result, first) for result in results[1:]):
        return first
    return unknown("run-time", target, f"where the call goes depends on {why}")


def _same(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two results lead the caller to the same place, hearing the same messages
    (their notes and where they are written may differ)."""

    def shape(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        return {k: shape(v) for k, v in node.items() if k not in ("note", AT)}

    return shape(one) == shape(other)


def _decide(ext: Extension, number: str) -> tuple[bool, re.Match[str] | None] | None:
    """Whether ``ext`` takes ``number``: None (it does not), ``(True, match)`` (it does),
    ``(False, match)`` (it may: a condition is tested at run time)."""
    tests_number = False
    held = True
    match: re.Match[str] | None = None
    for condition in ext.conditions:
        if condition.field == "destination_number" and not condition.timed:
            tests_number = True
            try:
                found = re.search(condition.expression or "", number)
            except re.error:
                return None
            if found is None:
                return None
            match = found
        elif condition.field or condition.expression or condition.timed:
            held = held and bool(condition.anti)  # the other way runs its anti-actions
    if not tests_number:
        return None  # a guard for looped or debug calls, not where a number goes
    return held, match


def _ways(ext: Extension) -> list[list[Action]]:
    """The action lists the extension may run: all conditions hold, or one run-time
    condition fails and runs its anti-actions."""
    actions = [action for condition in ext.conditions for action in condition.actions]
    ways = [actions]
    for condition in ext.conditions:
        if condition.anti and (condition.field != "destination_number" or condition.timed):
            ways.append(list(condition.anti))
    return ways


def _run(
    conf: Conf,
    actions: list[Action],
    ext: Extension,
    match: re.Match[str] | None,
    context: str,
    hops: int,
) -> dict[str, Any]:
    """The node for running ``actions`` of ``ext`` in turn: the first that does not return
    decides it, and it is written there (:data:`AT`); the messages played before it
    (``playback``, ``speak``, ``phrase``) are what the caller hears on it."""
    where = f"extension '{ext.name}' ({conf.shown(ext.file, ext.line)})"
    on_fail = False
    heard: list[dict[str, str]] = []
    for index, action in enumerate(actions):
        app, data = action.app, _captures(action.data, match)
        if app in ("set", "export") and data.replace(" ", "").startswith("continue_on_fail="):
            on_fail = data.split("=", 1)[1].strip().lower() not in ("false", "")
        if app in PASSIVE_APPS:
            continue
        message = _message(conf, app, data)
        if message is not None:
            heard.extend([message] if message else [])
            continue  # a message, then the next action
        node = _ending(conf, actions, index, ext, match, context, hops, on_fail)
        if node is None:
            continue
        node.setdefault(AT, (action.file, action.line, action.column))
        return with_prompts(node, heard)
    node = {"type": "hangup", "note": f"{where} runs out of actions: FreeSWITCH hangs up"}
    node[AT] = (ext.file, ext.line, ext.column)
    return with_prompts(node, heard)


def _message(conf: Conf, app: str, data: str) -> dict[str, str] | None:
    """What the caller hears from an application that plays a message and returns (``{}``
    for silence), or None when ``app`` is not one.  Hold music and ``endless_playback``
    are not messages: they keep the caller (:func:`handoff`)."""
    if app == "playback" and not _ENDLESS.search(data):
        return {} if data.startswith("silence_stream://") else sound(data, conf.phrases)
    if app == "speak":
        text = data.split("|", 2)[-1].strip()  # speak engine|voice|text
        return {"say": text} if text else {}
    if app == "phrase":
        macro = data.split(",")[0].strip()
        return sound(f"phrase:{macro}", conf.phrases) if macro else {}
    return None


def _ending(
    conf: Conf,
    actions: list[Action],
    index: int,
    ext: Extension,
    match: re.Match[str] | None,
    context: str,
    hops: int,
    on_fail: bool,
) -> dict[str, Any] | None:
    """The node for ``actions[index]``, an application the call does not come back from
    (None: a ``transfer`` with no destination, which returns)."""
    where = f"extension '{ext.name}' ({conf.shown(ext.file, ext.line)})"
    action = actions[index]
    app, data = action.app, _captures(action.data, match)
    if app == "bridge":
        # The dial string as written ($1 and all): the same for every number it takes.
        rest = actions[index + 1 :]
        return _bridge(conf, action.data, where, on_fail, rest, ext, match, context, hops)
    if app == "transfer":
        words = [word for word in data.split() if word not in ("-bleg", "-both")]
        if not words:
            return None
        if "$" in words[0]:
            return unknown("run-time", " ".join(words), f"{where} transfers to '{words[0]}'")
        return hunt(
            conf,
            words[0],
            words[1] if len(words) > 1 else "XML",
            words[2] if len(words) > 2 else context,
            hops + 1,
        )
    return _application(app, data, where)


def _captures(data: str, match: re.Match[str] | None) -> str:
    if match is None or "$" not in data:
        return data
    return _expand(data, match) or data


def handoff(app: str, data: str, where: str) -> dict[str, Any] | None:
    """The node for an application that keeps the caller until they hang up, with no
    person (a ``transfer`` with ``human: false``), or None for any other application.

    One mapping for both places they run: an extension of the dialplan, and a menu's
    ``menu-exec-app`` (``where`` names which).  ``echo`` loops the caller's audio back
    until they hang up; ``endless_playback`` (and ``playback`` of hold music, a
    ``local_stream://``) plays until then, and DTMF does not interrupt it; ``park`` and
    ``valet_park`` hold the call; ``conference`` puts the caller in a room (mod_dptools).
    """
    if app == "endless_playback" or (app == "playback" and _ENDLESS.search(data)):
        return _handoff(f"{where} plays {data} until the caller hangs up", f"playback {data}")
    if app in ("echo", "delay_echo"):
        return _handoff(f"{where} echoes the caller's voice back (an echo test)", app)
    if app == "conference":
        return _handoff(f"{where} joins the caller to conference {data}", f"conference:{data}")
    if app in ("valet_park", "park"):
        parked = f"{app} {data}".strip()
        return _handoff(f"{where} parks the call ({parked})", parked)
    return None


def _application(app: str, data: str, where: str) -> dict[str, Any]:
    """The node for an application that the call does not come back from."""
    handed = handoff(app, data, where)
    if handed is not None:
        return handed
    if app == "fifo":
        words = data.split()
        if len(words) > 1 and words[1] == "in":
            node = {"type": "transfer", "target": f"queue:{words[0]}", "waits_in_queue": True}
            node["note"] = f"{where} holds the caller in FIFO queue {words[0]} for a person"
            return node
        return _handoff(f"{where} runs fifo {data}", f"fifo {data}")
    if app == "voicemail":
        if "check" in data.split():
            return _handoff(f"{where} lets the caller check a mailbox", f"voicemail {data}")
        box = data.split()[-1] if len(data.split()) >= 3 else None
        return {"type": "voicemail", "box": box, "note": f"{where} takes a voicemail ({data})"}
    if app == "hangup":
        return {"type": "hangup", "note": f"{where} hangs up {data}".strip()}
    if app == "ivr":
        return unknown(
            "unsupported",
            f"ivr {data}",
            f"{where} starts IVR menu '{data}' as a menu stack of its own; it is audited "
            "as its own flow",
        )
    if app in ("deflect", "redirect"):
        return unknown("not-given", data, f"{where} sends the call away ({app} {data})")
    return unknown("unsupported", f"{app} {data}".strip(), f"{where} runs '{app} {data}'".strip())


def _handoff(note: str, target: str) -> dict[str, Any]:
    return {"type": "transfer", "human": False, "target": target, "note": note}


def _bridge(
    conf: Conf,
    data: str,
    where: str,
    on_fail: bool,
    rest: list[Action],
    ext: Extension,
    match: re.Match[str] | None,
    context: str,
    hops: int,
) -> dict[str, Any]:
    dial = re.sub(r"^(\{[^}]*\}|\[[^]]*\]|<[^>]*>)+", "", data.strip())
    if dial.startswith("loopback/app=voicemail"):
        box = dial.split()[-1] if len(dial.split()) >= 3 else None
        return {"type": "voicemail", "box": box, "note": f"{where} takes a voicemail ({dial})"}
    if not _PERSON_DIAL.match(dial):
        return unknown("not-given", dial, f"{where} bridges the call to {dial}")
    node: dict[str, Any] = {"type": "transfer", "target": dial}
    if on_fail:
        node["fail"] = _run(conf, rest, ext, match, context, hops)
        node["note"] = (
            f"{where} rings {dial}; continue_on_fail is set, so a busy or unanswered call "
            "goes on with the next actions"
        )
    else:
        node["note"] = (
            f"{where} rings {dial}; continue_on_fail is not set, so a busy or unanswered "
            "call is hung up"
        )
    return node
