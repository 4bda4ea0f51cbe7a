"""What each Asterisk application does to the call, in the terms ivraudit models.

:func:`classify` reads one priority (``App(args)``) and says whether it is
bookkeeping the caller never notices (folded away), a prompt, a menu, a
question, a jump, a transfer, a hang-up, or an external step kept as an action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivraudit.formats.asterisk.match import app_args, call_with_args, split_condition, split_top

#: Applications the caller does not notice: they set variables, log, answer or wait.
PASS_APPS = frozenset(
    [
        "answer",
        "wait",
        "waituntil",
        "waitforsilence",
        "waitfornoise",
        "noop",
        "verbose",
        "log",
        "set",
        "mset",
        "setvar",
        "importvar",
        "resetcdr",
        "nocdr",
        "forkcdr",
        "endcdr",
        "setamaflags",
        "setcallerpres",
        "setcidname",
        "setcidnum",
        "setlanguage",
        "ringing",
        "progress",
        "proceeding",
        "playtones",
        "stopplaytones",
        "monitor",
        "mixmonitor",
        "stopmonitor",
        "stopmixmonitor",
        "pausemonitor",
        "unpausemonitor",
        "changemonitor",
        "sipaddheader",
        "sipremoveheader",
        "pjsipaddheader",
        "sipdtmfmode",
        "chanisavail",
        "dumpchan",
        "userevent",
        "senddtmf",
        "sendtext",
        "sendurl",
        "stackpop",
        "clearhash",
        "dbdel",
        "dbdeltree",
        "musiconhold",
        "startmusiconhold",
        "stopmusiconhold",
        "setmusiconhold",
        "waitmusiconhold",
        "trace",
        "misdn_set_opt",
        "zapateller",
        "macroexclusive",
        "raiseexception",
        "cdr_prop",
        "channelredirect",
        "bridgewait",
        "lock",
        "unlock",
    ]
)
#: Applications that play recorded audio; Background also listens for keys.
PLAY_APPS = frozenset(["playback", "controlplayback", "mp3player", "mpg123", "playbackfile"])
INTERRUPTIBLE_APPS = frozenset(["background", "backgrounddetect"])
#: Applications that speak text (text to speech), with the argument holding the text.
TTS_APPS = {"festival": 0, "flite": 0, "swift": 0, "espeak": 0, "saytext": 0, "marytts": 0}
#: AGI scripts known to speak their second argument.
_TTS_AGI = re.compile(r"tts|speak|festival|flite|swift|polly|pico", re.IGNORECASE)
SAY_APPS = frozenset(
    [
        "saydigits",
        "saynumber",
        "sayalpha",
        "sayalphacase",
        "sayphonetic",
        "sayunixtime",
        "saymoney",
        "sayordinal",
        "saycountednoun",
        "saycountedadj",
        "datetime",
    ]
)
HANGUP_APPS = frozenset(["hangup", "busy", "congestion"])
VOICEMAIL_APPS = frozenset(["voicemail", "record", "minivmrecord"])
#: Applications that hand the caller to people (or to a conference of people).
TRANSFER_APPS = frozenset(
    [
        "dial",
        "queue",
        "followme",
        "meetme",
        "confbridge",
        "page",
        "transfer",
        "retrydial",
    ]
)
#: Applications that talk to the caller: a context using one of them takes calls.
TALK_APPS = (
    PLAY_APPS
    | INTERRUPTIBLE_APPS
    | SAY_APPS
    | frozenset(TTS_APPS)
    | frozenset(["answer", "waitexten", "read", "readexten", "voicemail", "record"])
)

#: Run-time values a ${VARIABLE} can take, for ``Goto(s-${DIALSTATUS},1)``.
DOMAINS = {
    "DIALSTATUS": ("NOANSWER", "BUSY", "CHANUNAVAIL", "CONGESTION"),
    "QUEUESTATUS": ("TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL", "LEAVEUNAVAIL"),
    "VMSTATUS": ("SUCCESS", "USEREXIT", "FAILED"),
}


@dataclass
class Kind:
    """What one priority does; ``tag`` says which of the fields matter."""

    tag: str
    app: str = ""
    say: str | None = None
    play: str | None = None
    interruptible: bool = False
    note: str | None = None
    target: str | None = None
    cond: str | None = None
    then: str | None = None
    otherwise: str | None = None
    var: str | None = None
    maxdigits: int | None = None
    timeout: float | None = None
    context: str | None = None
    human: bool = True
    box: str | None = None
    call: str | None = None
    #: The caller waits (a parking lot) until a person picks the call up: no fail route.
    waits: bool = False


def classify(app: str, data: str) -> Kind:
    """The kind of a priority from its application name and (substituted) data."""
    name = app.strip().lower()
    args = app_args(data)
    first = args[0] if args else ""
    if name in PASS_APPS:
        return _pass_kind(name, args)
    if name in PLAY_APPS:
        return Kind("prompt", app, play=first or None)
    if name in INTERRUPTIBLE_APPS:
        context = args[3] if len(args) > 3 and name == "background" and args[3] else None
        return Kind("prompt", app, play=first or None, interruptible=True, context=context)
    if name in SAY_APPS:
        spoken = args[1] if name in ("sayalphacase", "saycountednoun") and len(args) > 1 else first
        if name in ("sayunixtime", "datetime"):
            spoken = "the time"
        return Kind("prompt", app, say=spoken or None, note=f"{app}({data})")
    if name in TTS_APPS:
        return Kind("prompt", app, say=first or None)
    if name in ("agi", "eagi", "deadagi", "fastagi"):
        return _agi_kind(app, data, args)
    if name == "waitexten":
        return Kind("waitexten", app, timeout=_seconds(first))
    if name in ("read", "readexten"):
        return _read_kind(app, name, args)
    if name == "goto":
        if not data.strip():
            return Kind("hangup", app, note="Goto() names no target: Asterisk hangs up")
        return Kind("goto", app, target=data.strip())
    if name == "gotoif":
        return _conditional("gotoif", app, data)
    if name == "gotoiftime":
        return _conditional("gotoiftime", app, data)
    if name in ("gosub", "macro"):
        return Kind("call", app, target=data.strip(), call=name)
    if name in ("gosubif", "macroif"):
        kind = _conditional("callif", app, data)
        kind.call = "gosub" if name == "gosubif" else "macro"
        return kind
    if name in ("execif", "execiftime"):
        return _conditional(name, app, data)
    if name in ("return", "macroexit"):
        return Kind("return", app)
    if name in ("while", "endwhile", "exitwhile", "continuewhile"):
        return Kind(name, app, cond=data.strip())
    if name == "random":
        return _random_kind(app, data)
    if name in HANGUP_APPS:
        return Kind("hangup", app, note=f"{app}({data})" if name != "hangup" else None)
    if name in VOICEMAIL_APPS:
        return Kind("voicemail", app, box=first or None, note=f"{app}({data})")
    if name in TRANSFER_APPS:
        return _transfer_kind(app, name, data, args)
    if name in ("park", "parkandannounce"):
        return _park_kind(app, data, args)
    if name in ("pickup", "pickupchan"):
        return _pickup_kind(app, data, args)
    if name == "directory":
        return _directory_kind(app, data, args)
    if name == "disa":
        where = args[1] if len(args) > 1 else "the caller's own context"
        return Kind(
            "transfer",
            app,
            target=f"DISA:{where}",
            human=False,
            note=f"{app}({data}): the caller gets a dial tone to place a call from {where}",
        )
    return Kind("action", app, note=f"runs {app}({shortened(data)})")


def _pass_kind(name: str, args: list[str]) -> Kind:
    kind = Kind("pass", name)
    if name == "set" and args:
        variable, _, value = args[0].partition("=")
        if variable.strip().upper() == "TIMEOUT(RESPONSE)":
            kind.timeout = _seconds(value)
    return kind


def _agi_kind(app: str, data: str, args: list[str]) -> Kind:
    script = args[0] if args else ""
    if _TTS_AGI.search(script.rsplit("/", 1)[-1]) and len(args) > 1:
        return Kind("prompt", app, say=args[1] or None, note=f"text to speech by {script}")
    return Kind(
        "action",
        app,
        note=f"runs the AGI script {app}({shortened(data)}); what it does to the call is not "
        "visible in the dialplan",
    )


def _read_kind(app: str, name: str, args: list[str]) -> Kind:
    variable = args[0] if args else ""
    prompt = args[1] if len(args) > 1 and args[1] else None
    if name == "readexten":
        context = args[2] if len(args) > 2 and args[2] else None
        timeout = _seconds(args[4]) if len(args) > 4 else None
        return Kind("read", app, var=variable, play=prompt, context=context, timeout=timeout)
    options = args[3] if len(args) > 3 else ""
    if "i" in options:
        prompt = None  # the "file" is an indication tone, not a prompt
    maxdigits = _integer(args[2]) if len(args) > 2 else None
    timeout = _seconds(args[5]) if len(args) > 5 else None
    return Kind("read", app, var=variable, play=prompt, maxdigits=maxdigits, timeout=timeout)


def _conditional(tag: str, app: str, data: str) -> Kind:
    parts = split_condition(data)
    if parts is None:
        return Kind(
            "action",
            app,
            note=f"{app}({shortened(data)}) has no '?': Asterisk takes no branch and goes on",
        )
    condition, then, otherwise = parts
    return Kind(tag, app, cond=condition, then=then or None, otherwise=otherwise or None)


def _random_kind(app: str, data: str) -> Kind:
    chance, _, label = data.partition(":")
    return Kind("gotoif", app, cond=f"random {chance.strip()}%", then=label.strip() or None)


def _transfer_kind(app: str, name: str, data: str, args: list[str]) -> Kind:
    first = args[0] if args else ""
    if name == "queue":
        return Kind("transfer", app, target=f"queue:{first}")
    if name in ("meetme", "confbridge"):
        return Kind("transfer", app, target=f"conference:{first}")
    note = None
    if name == "dial" and first.lower().startswith("local/"):
        note = f"dials {first}: a Local channel runs that dialplan context for the callee"
    if name == "page":
        note = "pages phones: the caller is heard on their speakers"
    return Kind("transfer", app, target=first or None, note=note)


def _park_kind(app: str, data: str, args: list[str]) -> Kind:
    """Park() and ParkAndAnnounce(): the call waits in a parking lot until a person picks
    it up (ParkedCall); ParkAndAnnounce() also tells someone where it waits.

    Asterisk does not go on to the next priority: a call nobody picks up goes back to
    whoever parked it, or to the ``c(context,exten,prio)`` option's place.
    """
    lot = args[0] if args and args[0] else "default"
    if "PARKED" in lot or ":" in lot:
        # ParkAndAnnounce's older form opens with the announcement (pbx-transfer:PARKED),
        # not a lot: the call goes to the default lot.
        lot = "default"
    return Kind(
        "transfer",
        app,
        target=f"parking:{lot}",
        waits=True,
        note=f"{app}({shortened(data)}): the call waits in parking lot {lot} until a person "
        "picks it up (ParkedCall); when nobody does, the parking lot's timeout decides",
    )


def _pickup_kind(app: str, data: str, args: list[str]) -> Kind:
    """Pickup()/PickupChan(): the caller answers a phone that is ringing (docs.asterisk.org,
    Dialplan Applications Pickup: "Directed extension call pickup"): the caller is put
    through to the call that was ringing there, a person; when nothing rings, the
    dialplan goes on with the next priority, as after Dial()."""
    where = args[0] if args and args[0] else "the caller's pickup group"
    return Kind(
        "transfer",
        app,
        target=f"pickup:{where}",
        note=f"{app}({shortened(data)}): answers a call ringing at {where}",
    )


def _directory_kind(app: str, data: str, args: list[str]) -> Kind:
    """Directory(): the caller spells a name and Asterisk dials the extension of the
    mailbox chosen (docs.asterisk.org, Dialplan Applications Directory: "the call is
    connected to the extension"), a person; with no choice (DIRECTORY_RESULT TIMEOUT,
    USEREXIT) the dialplan goes on with the next priority, as after Dial()."""
    where = args[1] if len(args) > 1 and args[1] else (args[0] if args and args[0] else "default")
    return Kind(
        "transfer",
        app,
        target=f"directory:{where}",
        note=f"{app}({shortened(data)}): dials the extension whose name the caller spells",
    )


def _seconds(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if 0 < value <= 3600 else None


def _integer(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def shortened(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters for a note."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def inner_app(text: str) -> tuple[str, str]:
    """``App(args)`` inside ExecIf: its name and arguments."""
    return call_with_args(text)


def classify_inner(text: str) -> Kind:
    """The kind of the ``App(args)`` an ExecIf runs, read as written (nothing substituted)."""
    app, data = inner_app(text)
    return classify(app, data)


def goto_parts(text: str) -> list[str]:
    """``[[context,]exten,]priority`` -> its parts, trimmed (1 to 3 of them)."""
    return [part.strip() for part in split_top(text, ",")]


def priority_and_args(text: str) -> str:
    """A Gosub priority without its ``(arguments)``: ``1(${EXTEN})`` -> ``1``."""
    opening = text.find("(")
    return text[:opening].strip() if opening >= 0 else text.strip()


_LEADING_NUMBER = re.compile(r"\s*(\d+)\s*")


def leading_number(text: str) -> int | None:
    """The priority number a Goto reads, as pbx.c's ``pbx_parseable_goto`` does since
    Asterisk 12: ``sscanf(pri, "%30d%1s")`` must read a number and nothing after it, so
    ``1)`` (a stray parenthesis) is a label, not priority 1; None when not a number."""
    found = _LEADING_NUMBER.fullmatch(text)
    return int(found.group(1)) if found is not None else None


_SPACES_QUOTES = re.compile(r"[\s\"']")


def read_test(condition: str, variable: str) -> tuple[str, str] | None:
    """Whether a GotoIf condition tests the digits a Read stored in ``variable``.

    Returns ("empty", "") for "nothing was entered", ("key", "1") for
    "the caller entered 1", or None for any other condition.
    """
    text = _SPACES_QUOTES.sub("", condition)
    var = re.escape("${" + variable + "}")
    empties = (
        rf"\$\[\$\{{LEN\({var}\)\}}(?:=|==)0\]",
        rf"\$\[\$\{{LEN\({var}\)\}}<1\]",
        rf"\$\[{var}(?:=|==)\]",
        rf"\$\[(?:=|==){var}\]",
        rf"\$\{{ISNULL\({var}\)\}}",
        rf"\$\[\$\{{ISNULL\({var}\)\}}\]",
        rf"\$\[!\$\{{EXISTS\({var}\)\}}\]",
        rf"\$\[\$\{{EXISTS\({var}\)\}}(?:=|==)0\]",
    )
    for empty in empties:
        if re.fullmatch(empty, text):
            return "empty", ""
    key = r"([0-9*#]{1,20})"
    for form in (rf"\$\[{var}(?:=|==){key}\]", rf"\$\[{key}(?:=|==){var}\]"):
        found = re.fullmatch(form, text)
        if found:
            return "key", found.group(1)
    return None


#: Names of the closed branch, in the languages dialplans are written in: English,
#: French (fermé), Portuguese (fora do horário, feriado, fechado), Spanish (fuera de
#: horario, cerrado, noche, festivo), Italian (chiuso, notte), German (geschlossen, Nacht).
_CLOSED_LABEL = re.compile(
    r"clos|holiday|night|after|weekend|ferm|noservice|fora|fuera|feriad|fechad|cerrad|noche"
    r"|festiv|chius|notte|nacht|geschloss|ausser|au\u00dfer",
    re.I,
)
_WHOLE = frozenset({"*", ""})
_WHOLE_DAY = frozenset({"*", "", "00:00-23:59", "00:00-24:00", "0:00-23:59"})


def closed_label(label: str) -> bool:
    """Whether a GotoIfTime target's name says it is the closed branch ("closed", "night",
    "FORADEATENDIMENTO", "feriado", "cerrado")."""
    return bool(_CLOSED_LABEL.search(label))


def holiday_spec(times: str) -> bool:
    """Whether a GotoIfTime ``times,weekdays,mdays,months`` names whole days of the
    calendar (``*,*,25,dec``): a holiday check, whose true side is closed."""
    fields = [part.strip().lower() for part in re.split(r"[,|]", times)]
    if len(fields) < 4 or fields[0] not in _WHOLE_DAY:
        return False
    days, months = fields[2], fields[3]
    return days not in ("*", "", "1-31") or months not in ("*", "", "jan-dec")


def closed_then(kind: Kind) -> bool:
    """Whether a GotoIfTime's true side is the closed one: named so (``?closed``,
    ``?FORADEATENDIMENTO``) while its false side is not, or a holiday check of dates."""
    if not kind.then or closed_label(kind.otherwise or ""):
        return False
    return closed_label(kind.then) or holiday_spec(kind.cond or "")
