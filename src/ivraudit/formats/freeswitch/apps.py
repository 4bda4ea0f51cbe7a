"""What a FreeSWITCH dialplan application does to a call, as an ivraudit node.

Used for ``menu-exec-app`` entries and for ``exec-on-max-failures`` /
``exec-on-max-timeouts``: the application string is ``"name arguments"``, split at
the first space exactly as ``switch_ivr_menu.c`` splits it.  ``resume`` is where
the call goes when the application returns (the menu plays again); ``stop`` is
where it goes when FreeSWITCH cannot run the application at all (the menu stack
ends).  An application that keeps the caller until they hang up (``echo``, hold
music, ``conference``, ``valet_park``) is the same hand-off here as in the
dialplan: :func:`~ivraudit.formats.freeswitch.dialplan.handoff` maps both.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from ivraudit.formats.freeswitch.conf import Conf
from ivraudit.formats.freeswitch.dialplan import PASSIVE_APPS, handoff, transfer_target, unknown
from ivraudit.formats.freeswitch.sounds import sound
from ivraudit.model.keypad import keypad_samples

#: Applications of mod_dptools and the modules a stock FreeSWITCH loads that keep
#: the caller in the menu (they return and the menu plays again).
_RETURNING_APPS = PASSIVE_APPS | frozenset(
    [
        "system",
        "bgsystem",
        "limit_hash",
        "limit_execute",
        "curl",
        "httapi",
        "lua",
        "javascript",
        "python",
        "perl",
        "java",
        "managed",
        "erlang",
        "socket",
        "ivr",
        "echo",
        "delay_echo",
        "park",
        "valet_park",
        "start_dtmf_generate",
        "stop_dtmf_generate",
        "displace_session",
        "stop_displace_session",
        "break",
        "wait_for_silence",
        "detect_speech",
        "play_and_detect_speech",
        "clear_digit_action",
        "digit_action_set_realm",
        "queue_dtmf",
        "spandsp_start_dtmf",
        "att_xfer",
        "intercept",
        "eavesdrop",
        "three_way",
        "page",
        "mkdir",
        "rename",
        "sound_test",
        "playback",
        "endless_playback",
        "speak",
        "say",
        "phrase",
        "hangup",
        "transfer",
        "bridge",
        "callcenter",
        "fifo",
        "conference",
        "deflect",
        "redirect",
        "voicemail",
        "play_and_get_digits",
        "read",
        "record",
    ]
)


def app_node(
    command: str,
    *,
    resume: str,
    stop: str,
    known_menus: set[str],
    conf: Conf | None = None,
    digits: str | None = None,
) -> tuple[dict[str, Any], str]:
    """``(node dict, short description)`` for running ``command`` from a menu.

    ``conf`` is the estate's FreeSWITCH configuration (its dialplan decides where a
    ``transfer`` goes); ``digits`` is the entry's ``/regex/`` (its captures stand for
    ``$1`` in the command).  A node's ``fail`` may itself be a node (a tree).
    """
    name, _, args = command.strip().partition(" ")
    args = args.strip()
    if name == "transfer":
        return _transfer(args, resume, conf, digits), "transfer"
    if name == "bridge":
        return _bridge(args, resume), "bridge"
    handed = handoff(name, args, f"menu-exec-app '{command.strip()}'")
    if handed is not None:
        return handed, name
    handler = _HANDLERS.get(name)
    if handler is not None:
        return handler(name, args, resume, stop)
    if name in _RETURNING_APPS:
        return _other(name, args, resume)
    return _unknown(name, args, resume, stop, known_menus)


def _other(name: str, args: str, resume: str) -> tuple[dict[str, Any], str]:
    what = f"{name} {args}".strip()
    if name == "ivr":
        note = f"runs IVR menu '{args}' as a separate menu stack, then this menu plays again"
    else:
        note = f"runs the application '{what}', then this menu plays again"
    return {"type": "action", "note": note, "next": resume}, name


def _unknown(
    name: str, args: str, resume: str, stop: str, known_menus: set[str]
) -> tuple[dict[str, Any], str]:
    command = f"{name} {args}".strip()
    if re.fullmatch(r"[+0-9*#$][\w*#${}+.-]*", name):
        # A number where the application belongs: almost always a missing 'transfer'.
        note = (
            f"runs '{command}', but FreeSWITCH has no application called '{name}', so the "
            f"menu stack ends (did you mean 'transfer {command}'?)"
        )
        return {"type": "action", "note": note, "next": stop}, "unknown application"
    close = difflib.get_close_matches(name, sorted(_RETURNING_APPS), n=1, cutoff=0.8)
    if close:
        note = (
            f"runs '{command}', but FreeSWITCH has no application called '{name}', so the "
            f"menu stack ends (did you mean '{close[0]}'?)"
        )
        return {"type": "action", "note": note, "next": stop}, "unknown application"
    if name in known_menus:
        note = (
            f"runs '{command}', but '{name}' is a menu, not an application; FreeSWITCH ends "
            f'the menu stack (use action="menu-sub" param="{name}")'
        )
        return {"type": "action", "note": note, "next": stop}, "unknown application"
    note = f"runs the application '{command}' (not one ivraudit knows), then this menu plays again"
    return {"type": "action", "note": note, "next": resume}, name


def _transfer(args: str, resume: str, conf: Conf | None, digits: str | None) -> dict[str, Any]:
    # transfer [-bleg|-both] EXTENSION [DIALPLAN] [CONTEXT]: the call leaves the menu for
    # the dialplan, so where it goes is the dialplan's extension, read when it is given.
    words = args.split()
    while words and words[0] in ("-bleg", "-both"):
        words.pop(0)
    if not words:
        note = "transfer with no destination: FreeSWITCH logs an error and this menu plays again"
        return {"type": "action", "note": note, "next": resume}
    samples = keypad_samples(digits) if digits else None
    node = transfer_target(conf or Conf(""), words, samples, digits)
    if conf is None or not conf.contexts:
        node = unknown(
            node["reason"] if node.get("type") == "unknown" else "not-given",
            " ".join(words),
            f"transfers to {' '.join(words)}: the dialplan is not among the files given",
        )
    return node


def _bridge(args: str, resume: str) -> dict[str, Any]:
    # bridge DIALSTRING: rings the far end; when it fails, the application returns
    # and the menu plays again.
    dial = re.sub(r"^(\{[^}]*\}|\[[^]]*\]|<[^>]*>)+", "", args.strip())
    if dial.startswith("loopback/app=voicemail"):
        box = dial.split()[-1] if len(dial.split()) >= 3 else None
        return {"type": "voicemail", "box": box, "note": f"bridge {args}", "next": resume}
    if not re.match(r"(user/|group/|skinny/|\$\{group_call\(|\$\{sofia_contact\()", dial):
        return unknown("not-given", dial or args, f"bridges the call to {dial or args}")
    return {
        "type": "transfer",
        "target": dial,
        "fail": resume,
        "note": "bridges the call; when the far end is busy or does not answer, "
        "this menu plays again",
    }


def _queue(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    first = args.split()[0] if args.split() else ""
    kind = "callcenter queue" if name == "callcenter" else "FIFO queue"
    node = {
        "type": "transfer",
        "target": f"queue:{first}" if first else None,
        "fail": resume,
        "note": f"puts the caller in {kind} '{first}'; when the caller leaves the queue "
        "unanswered, this menu plays again",
    }
    return node, name


def _redirect(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    node = {"type": "transfer", "target": args or None, "note": f"{name}s the call to {args}"}
    return node, name


def _voicemail(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    words = args.split()
    if "check" in words:
        note = f"voicemail {args}: the caller listens to a mailbox, then this menu plays again"
        return {"type": "action", "note": note, "next": resume}, "voicemail check"
    box = words[-1] if len(words) >= 3 else None
    node = {
        "type": "voicemail",
        "box": box,
        "note": f"voicemail {args}",
        "next": resume,
    }
    return node, "voicemail"


def _record(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    path = args.split()[0] if args.split() else None
    node = {"type": "voicemail", "box": path, "note": f"records the caller to {path}"}
    node["next"] = resume
    return node, "record"


def _playback(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    node: dict[str, Any] = {"type": "say", "next": resume}
    node.update(sound(args))
    return node, "playback"


def _speak(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    # speak engine|voice|text
    text = args.split("|", 2)[-1].strip()
    return {"type": "say", "say": text or None, "next": resume}, "speak"


def _say(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    # say <module> <type> <method> <value>: speaks a value, not a sentence
    return {"type": "say", "note": f"say {args}", "next": resume}, "say"


def _phrase(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    macro = args.split(",")[0].strip()
    node = {"type": "say", "play": f"phrase:{macro}" if macro else None, "next": resume}
    return node, "phrase"


def _hangup(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    node: dict[str, Any] = {"type": "hangup"}
    if args:
        node["note"] = f"hangup cause {args}"
    return node, "hangup"


def _play_and_get_digits(
    name: str, args: str, resume: str, stop: str
) -> tuple[dict[str, Any], str]:
    # min max tries timeout terminators file invalid_file var_name regexp ...
    words = args.split()
    variable = words[7] if len(words) > 7 else None
    node: dict[str, Any] = {"type": "ask", "collects": variable, "next": resume, "fail": resume}
    if len(words) > 5:
        node.update(sound(words[5]))
    return node, "play_and_get_digits"


def _read(name: str, args: str, resume: str, stop: str) -> tuple[dict[str, Any], str]:
    # min max sound_file variable_name timeout terminators
    words = args.split()
    variable = words[3] if len(words) > 3 else None
    node: dict[str, Any] = {"type": "ask", "collects": variable, "next": resume, "fail": resume}
    if len(words) > 2:
        node.update(sound(words[2]))
    return node, "read"


_HANDLERS = {
    "callcenter": _queue,
    "fifo": _queue,
    "deflect": _redirect,
    "redirect": _redirect,
    "voicemail": _voicemail,
    "record": _record,
    "playback": _playback,
    "speak": _speak,
    "say": _say,
    "phrase": _phrase,
    "hangup": _hangup,
    "play_and_get_digits": _play_and_get_digits,
    "read": _read,
}
