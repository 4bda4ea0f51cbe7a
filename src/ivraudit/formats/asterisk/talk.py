"""What the applications that talk with the caller become: prompts merged with the menu,
question, transfer, hang-up or voicemail that follows them, and the menus a context's
extensions make (Background, WaitExten, Read then GotoIf on the key)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ivraudit.formats.asterisk.apps import SAY_APPS, Kind, goto_parts, read_test
from ivraudit.formats.asterisk.handlers import invalid_keys
from ivraudit.formats.asterisk.match import DTMF, char_class, is_dialable, normalize
from ivraudit.formats.asterisk.nodes import Pool, branch_node, joined, with_notes
from ivraudit.formats.asterisk.parse import Extension
from ivraudit.formats.asterisk.targets import Loc, Target, Targets, Timed
from ivraudit.model.errors import Position

if TYPE_CHECKING:
    from ivraudit.formats.asterisk.flow import Flow
    from ivraudit.formats.asterisk.walker import Walker


_MESSAGE_NOTE = (
    "Background() then a Goto elsewhere with nothing waiting for digits: an announcement, "
    "not a menu"
)


#: Most priorities the arms of a GotoIf after Background() are followed over.
_MAX_FORWARD_STEPS = 16


def _sends_on(loc: Loc, kind: Kind) -> bool:
    """Whether the priority at ``loc`` sends the call on without waiting for digits: a Goto
    into another context, or a transfer to people."""
    if kind.tag == "transfer":
        return kind.human
    if kind.tag != "goto" or not kind.target:
        return False
    parts = goto_parts(kind.target)
    return len(parts) == 3 and parts[0] not in ("", loc.chan, loc.step.context)


def _branches_on(walker: Walker, targets: Targets, loc: Loc, kind: Kind) -> bool:
    """Whether every arm of the ``GotoIf`` at ``loc`` sends the call on (past
    bookkeeping such as ``Set``, ``MixMonitor`` and further ``GotoIf``s) without waiting
    for digits: ``GotoIf($["${CALLERID(num)}" = ""]?direct)``, ``MixMonitor(rec.wav)``,
    ``n(direct),Goto(support,s,1)`` is still Background() then a forward (docs.asterisk.org,
    Background: to keep waiting for digits after it, WaitExten() is needed)."""
    pending: list[Loc | str | None] = []
    for arm in (kind.then, kind.otherwise):
        pending.append(targets.goto(loc, arm) if arm else walker.successor(loc))
    seen: set[int] = {id(loc.step)}
    while pending:
        here = pending.pop()
        if not isinstance(here, Loc) or len(seen) > _MAX_FORWARD_STEPS:
            return False
        if id(here.step) in seen:
            continue
        seen.add(id(here.step))
        inner = walker.kind(here)
        if inner.tag == "pass":
            pending.append(walker.successor(here))
        elif inner.tag == "gotoif":
            for arm in (inner.then, inner.otherwise):
                pending.append(targets.goto(here, arm) if arm else walker.successor(here))
        elif not _sends_on(here, inner):
            return False
    return True


class Talk:
    """Builds the nodes of prompts, menus, questions and the ends of a call."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.targets = flow.targets
        self.walker = flow.walker

    def run(self, pool: Pool, loc: Loc, node_id: str) -> dict[str, Any]:
        """Prompts merged with what follows them: a message, a menu, a question, an end.

        What the author wrote beside a recording (``Playback(closed) ; We are closed``)
        is kept as its ``recording_note``: read for whether a hangup gives a reason,
        never as words the caller is known to hear."""
        noted: list[str] = []
        node = self._run(pool, loc, node_id, noted)
        if noted and node.get("play") and not node.get("say"):
            node["recording_note"] = " ".join(noted)
        return node

    def _run(self, pool: Pool, loc: Loc, node_id: str, noted: list[str]) -> dict[str, Any]:
        says: list[str] = []
        plays: list[str] = []
        notes: list[str] = []
        conditional = 0
        interruptible = False
        options_context: str | None = None
        timeout: float | None = None
        current = loc
        first = True
        start = self._menu_start(loc)
        if start is not None:
            pool.menu_starts[node_id] = start
        while True:
            kind = self.walker.kind(current)
            tag = kind.tag
            if tag == "pass":
                timeout = kind.timeout or timeout
            elif tag == "prompt":
                if kind.say:
                    says.append(kind.say)
                if kind.play:
                    plays.append(kind.play)
                    noted.extend(self.flow.plan.noted(current.step.where))
                if kind.app.strip().lower() in SAY_APPS and kind.note:
                    notes.append(kind.note)
                if kind.note and kind.note.startswith("played only"):
                    conditional += 1
                    if conditional <= 3:
                        notes.append(f"{kind.play or kind.say} is {kind.note}")
                if kind.interruptible:
                    interruptible = True
                    options_context = kind.context or options_context
            elif tag == "waitexten":
                menu = self.menu(pool, node_id, current, current.chan, says, plays, None, None)
                menu["timeout"] = kind.timeout or timeout or self.walker.earlier_timeout(current)
                follow = self.walker.successor(current)
                if isinstance(follow, Loc):
                    menu["no_input"] = self.flow.enter(pool, follow)
                else:
                    menu["no_input"] = self.flow.handler_link(
                        pool, current.chan, ("t", "e"), node_id, "timeout", current.step.where
                    )
                passing = _pass_through(menu, node_id)
                if passing is not None:
                    return with_notes(passing, notes)
                return with_notes(menu, notes)
            elif tag in ("read", "hangup", "transfer", "voicemail") and (
                first or not interruptible or self._message_before(current, kind, options_context)
            ):
                node = self._finish(pool, current, node_id, kind, says, plays)
                return with_notes(node, notes)
            else:
                if interruptible and self._message_before(current, kind, options_context):
                    interruptible = False
                    notes.append(_MESSAGE_NOTE)
                return self.prompts(
                    pool, node_id, current, says, plays, interruptible, options_context, notes, True
                )
            if conditional > 3 and len(notes) == 3:
                notes.append("more prompts play only under conditions (ExecIf)")
            first = False
            follow = self.walker.successor(current)
            if not isinstance(follow, Loc) or self.walker.is_target(follow.step):
                nxt = self.flow.after(pool, current)
                return self.prompts(
                    pool, node_id, current, says, plays, interruptible, options_context, notes, nxt
                )
            current = follow

    def _message_before(self, loc: Loc, kind: Kind, options_context: str | None) -> bool:
        """Whether Background() prompts that run straight into ``loc`` are a message: it
        sends the call on (a Goto to another context, a Dial or Queue) without waiting for
        digits, so no key is expected (Asterisk docs, Background: "the extension ... when
        the caller presses a key"; with nothing waiting, callers just hear it)."""
        if options_context:
            return False
        if kind.tag == "gotoif":
            return _branches_on(self.walker, self.targets, loc, kind)
        return _sends_on(loc, kind)

    def _menu_start(self, loc: Loc) -> Position | None:
        """Where the Background prompts that run straight into ``loc`` (a Background or
        WaitExten of the same extension) begin: they and ``loc`` are one menu."""
        kind = self.walker.kind(loc)
        if kind.tag != "waitexten" and not (kind.tag == "prompt" and kind.interruptible):
            return None
        steps = loc.step.exten.steps
        start: Position | None = None
        for number in range(loc.step.number - 1, 0, -1):
            step = steps.get(number)
            if step is None:
                break
            earlier = self.walker.kind(Loc(loc.chan, step))
            if earlier.tag == "prompt" and earlier.interruptible:
                start = step.where
            elif earlier.tag != "pass":
                break
        return start

    def prompts(
        self,
        pool: Pool,
        node_id: str,
        loc: Loc,
        says: list[str],
        plays: list[str],
        interruptible: bool,
        options_context: str | None,
        notes: list[str],
        nxt: str | bool,
    ) -> dict[str, Any]:
        """Prompts that lead to ``nxt`` (True: to ``loc``): a message, or a menu when keys
        pressed during them choose an extension."""
        following = self.flow.enter(pool, loc) if nxt is True else nxt
        if interruptible:
            chan = options_context or loc.chan
            menu = self.menu(pool, node_id, loc, chan, says, plays, None, None)
            menu["no_input"] = following
            notes = ["keys pressed during the prompt (Background) choose an extension", *notes]
            return with_notes(menu, notes)
        node = {
            "type": "say",
            "say": joined(says, " "),
            "play": joined(plays, "&"),
            "next": following,
        }
        return with_notes(node, notes)

    def menu(
        self,
        pool: Pool,
        node_id: str,
        loc: Loc,
        chan: str,
        says: list[str],
        plays: list[str],
        no_input: str | None,
        timeout: float | None,
    ) -> dict[str, Any]:
        """A menu of the extensions a caller can dial in ``chan`` (with its includes);
        a wrong key goes to its 'i' or 'e' extension."""
        options: dict[str, str] = {}
        bodies: dict[str, Extension] = {}
        seen_regex: set[str] = set()
        switched = False
        chan = self.targets.canonical(chan) if chan in self.targets.contexts else chan
        for context, timing in self.targets.search_order(chan):
            for extension in [*context.extensions.values()]:
                name = extension.name.partition("/")[0]
                if extension.pattern is None:
                    if not is_dialable(name):
                        continue
                    key = normalize(name)
                    if key in options or f"/^{re.escape(key)}$/" in options:
                        continue
                    hits = self.targets.find(chan, key, 1)
                    if not hits:
                        continue
                    target: Target = self.targets.hits_target(chan, hits)
                    bodies[key] = extension
                    if len(key) > 20:
                        key = f"/^{re.escape(key)}$/"
                else:
                    regex = extension.pattern.dtmf_regex()
                    if (
                        regex is None
                        or regex in seen_regex
                        or regex in options
                        or len(regex) > 202
                        or 1 not in extension.steps
                    ):
                        continue
                    seen_regex.add(regex)
                    key = regex
                    target = Loc(chan, extension.steps[1])
                    if timing:
                        target = Timed(timing, target, self.targets.invalid(chan, None))
                role = f"option {key}"
                options[key] = self.flow.link(pool, target, node_id, role, extension.where)  # type: ignore[assignment]
                pool.where[("nodes", node_id, "options", key)] = extension.where
            if context.switches and not switched:
                switched = True
                text = context.switches[0][0]
                helper, new = pool.claim(("helper", node_id, "switch"), f"{node_id}:switch")
                if new:
                    note = (
                        f"keys that match no extension here are looked up through switch => "
                        f"{text}, a remote dialplan ivraudit cannot read"
                    )
                    node = {"type": "unknown", "target": f"switch => {text}", "note": note}
                    pool.add(helper, node, context.switches[0][1])
                options.setdefault("/^[0-9*#]+$/", helper)
        node: dict[str, Any] = {
            "type": "menu",
            "say": joined(says, " "),
            "play": joined(plays, "&"),
            "options": same_answer(
                pool, node_id, invalid_keys(pool, node_id, options, bodies, chan)
            ),
            "no_input": no_input,
            "no_match": self.flow.handler_link(
                pool, chan, ("i", "e"), node_id, "invalid", loc.step.where
            ),
            "timeout": timeout,
        }
        unread = _unread_note(self.targets, chan)
        if unread:
            node["note"] = unread
        return node

    def _finish(
        self,
        pool: Pool,
        loc: Loc,
        node_id: str,
        kind: Kind,
        says: list[str],
        plays: list[str],
    ) -> dict[str, Any]:
        tag = kind.tag
        say, play = joined(says, " "), joined(plays, "&")
        if tag == "hangup":
            node: dict[str, Any] = {"type": "hangup", "say": say, "play": play, "note": kind.note}
            tone = intercept_tone(self.walker, loc, kind)
            if tone is not None:
                node["reason"] = "completed"
                node["note"] = f"{kind.note}; {tone}" if kind.note else tone
            return node
        if tag == "transfer":
            return {
                "type": "transfer",
                "say": say,
                "play": play,
                "target": kind.target,
                "human": kind.human,
                "fail": None if kind.waits else self.flow.after(pool, loc),
                "waits_in_queue": kind.waits,
                "note": kind.note,
            }
        if tag == "voicemail":
            return {
                "type": "voicemail",
                "say": say,
                "play": play,
                "box": kind.box,
                "next": self._voicemail_exit(pool, loc, node_id),
                "note": kind.note,
            }
        return self._read(pool, loc, node_id, kind, says, plays)

    def _voicemail_exit(self, pool: Pool, loc: Loc, node_id: str) -> str:
        following = self.flow.after(pool, loc)
        if loc.step.app.strip().lower() != "voicemail":
            return following
        cases = []
        for name, key in (("o", "0"), ("a", "*")):
            found = self.targets.handler(loc.chan, name)
            if found is not None:
                linked = self.flow.link(pool, found, node_id, f"exit {name}", loc.step.where)
                cases.append((f"the caller pressed {key} during the greeting", linked))
        if not cases:
            return following
        helper, new = pool.claim(("helper", node_id, "after"), f"{node_id}:after")
        if new:
            note = "VoiceMail sends 0 to extension 'o' and * to extension 'a'"
            pool.add(helper, branch_node(cases, following, note), loc.step.where)
        return helper

    def _read(
        self,
        pool: Pool,
        loc: Loc,
        node_id: str,
        kind: Kind,
        says: list[str],
        plays: list[str],
    ) -> dict[str, Any]:
        if kind.play:
            plays = [*plays, kind.play]
        menu = self._read_menu(pool, loc, node_id, kind, says, plays)
        if menu is not None:
            return menu
        following = self.flow.after(pool, loc)
        return {
            "type": "ask",
            "say": joined(says, " "),
            "play": joined(plays, "&"),
            "collects": kind.var or None,
            "next": following,
            "fail": following,
            "timeout": kind.timeout,
            "note": "Read() goes on with an empty value when the caller enters nothing",
        }

    def _read_menu(
        self,
        pool: Pool,
        loc: Loc,
        node_id: str,
        kind: Kind,
        says: list[str],
        plays: list[str],
    ) -> dict[str, Any] | None:
        """Read(VAR,prompt,1) then GotoIf on ${VAR} = 1, 2, ...: a menu, not a question."""
        if not kind.var or kind.app.strip().lower() != "read":
            return None
        tests: list[tuple[str, str, str, Loc]] = []
        explicit: tuple[str, Loc] | None = None
        current = self.walker.successor(loc)
        while isinstance(current, Loc) and not self.walker.is_target(current.step):
            step_kind = self.walker.kind(current)
            if step_kind.tag == "pass":
                current = self.walker.successor(current)
                continue
            if step_kind.tag != "gotoif" or not step_kind.then:
                break
            test = read_test(step_kind.cond or "", kind.var)
            if test is None:
                break
            tests.append((test[0], test[1], step_kind.then, current))
            if step_kind.otherwise:
                explicit = (step_kind.otherwise, current)
                current = self.walker.successor(current)
                break
            current = self.walker.successor(current)
        keys = [key for what, key, _, _ in tests if what == "key"]
        if not keys or not (kind.maxdigits == 1 or len(set(keys)) >= 2):
            return None
        if (
            kind.maxdigits != 1
            and explicit is None
            and isinstance(current, Loc)
            and "${" + kind.var + "}" in current.step.data
        ):
            return None  # more checks on the value after the keys (a range): free input
        options: dict[str, str | None] = {}
        no_input: str | None = None
        for what, key, spec, where in tests:
            linked_role = f"option {key}" if what == "key" else "no input"
            if what == "key" and key in options:
                continue
            if what == "empty" and no_input is not None:
                continue
            target = self.flow.link(
                pool, self.targets.goto(where, spec), node_id, linked_role, where.step.where
            )
            if what == "key":
                options[key] = target
                pool.where[("nodes", node_id, "options", key)] = where.step.where
            else:
                no_input = target
        if explicit is not None:
            spec, where = explicit
            no_match = self.flow.link(
                pool, self.targets.goto(where, spec), node_id, "invalid", where.step.where
            )
        elif isinstance(current, Loc):
            no_match = self.flow.enter(pool, current)
        else:
            last = tests[-1][3]
            no_match = self.flow.falloff(pool, last)
        return {
            "type": "menu",
            "say": joined(says, " "),
            "play": joined(plays, "&"),
            "options": same_answer(pool, node_id, options),
            "no_input": no_input or no_match,
            "no_match": no_match,
            "timeout": kind.timeout,
            "note": f"Read({kind.var}) then GotoIf on the key entered",
        }


#: A wait for digits this short (seconds) after the prompt only lets it finish.
PASS_SECONDS = 2.0


def _pass_through(menu: dict[str, Any], node_id: str) -> dict[str, Any] | None:
    """A Background() then a WaitExten() of a second or two whose silence (``t``) and wrong
    key (``i``) both go on to the same place, with no key leading anywhere else (a replay
    key at most): an announcement the call passes through, not a menu asking for a key.

        exten => s,n,Set(TIMEOUT(response)=1)
        exten => s,n(play),Background(wait-moment,nm)
        exten => s,n,WaitExten()
        exten => *,1,Goto(s,play)
        exten => t,1,Goto(ivr-1,s,1)
        exten => i,1,Goto(ivr-1,s,1)
    """
    timeout = menu.get("timeout")
    onward = menu.get("no_input")
    if timeout is None or timeout > PASS_SECONDS or onward is None:
        return None
    if menu.get("no_match") != onward:
        return None
    if any(target not in (node_id, onward) for target in menu.get("options", {}).values()):
        return None
    note = (
        f"Background() then WaitExten() of {timeout:g} s whose timeout ('t') and invalid "
        "key ('i') both go on to the same place: an announcement, not a menu"
    )
    return {
        "type": "say",
        "say": menu.get("say"),
        "play": menu.get("play"),
        "next": onward,
        "note": note,
    }


#: Keys that all lead to one place are one answer when at least this many share it.
SAME_ANSWER = 3


def _unread_note(targets: Targets, chan: str) -> str | None:
    """Why a menu's options may be missing: #includes of its contexts not read."""
    names: list[str] = []
    for context, _ in targets.search_order(chan):
        names.extend(name for name in context.unread if name not in names)
    if not names:
        return None
    return (
        "options may be missing: #include "
        + ", ".join(f"'{n}'" for n in names[:3])
        + " could not be read"
    )


def same_answer(pool: Pool, node_id: str, options: dict[str, Any]) -> dict[str, Any]:
    """Single keys that all lead to the same place are one answer, not several options:
    a weekday entered as 1-6 (``GotoIf($[${DAY}=1]?next)`` ... ``=6]?next``), or keys
    pressed while recording that all keep waiting (``exten => 0,1,Goto(waiting,1)`` ...).
    They become one ``/regex/`` key, so the wait is read as data entry, not a long menu.
    Key 0 stays apart: the operator key is judged on its own (MN002)."""
    groups: dict[Any, list[str]] = {}
    for key, target in options.items():
        if len(key) == 1 and key in DTMF and key != "0" and target is not None:
            groups.setdefault(target, []).append(key)
    merged = {target: keys for target, keys in groups.items() if len(keys) >= SAME_ANSWER}
    if not merged:
        return options
    result: dict[str, Any] = {}
    for key, target in options.items():
        keys = merged.get(target)
        if keys is None or key not in keys:
            result[key] = target
            continue
        if key != keys[0]:
            continue
        allowed = "".join(char for char in DTMF if char in keys)
        joined_key = f"/^{char_class(allowed)}$/"
        result[joined_key] = target
        where = pool.where.get(("nodes", node_id, "options", key))
        if where is not None:
            pool.where[("nodes", node_id, "options", joined_key)] = where
    return result


def intercept_tone(walker: Walker, loc: Loc, kind: Kind) -> str | None:
    """What the caller hears that tells why the call ends, when the hangup at ``loc``
    sounds the telephone network's intercept: ``Congestion()`` (the congestion tone
    until Asterisk hangs up: docs.asterisk.org, *Dialplan Applications/Congestion*), or
    ``Playtones(info)`` (the Special Information Tone of indications.conf, ITU-T E.180's
    "the number cannot be reached") on the priorities just before it, with no jump
    landing between them.  That is the standard answer to a number no service takes
    (an unassigned or too short number), not a service refused in silence.  A
    ``Congestion()`` right after a ``Dial()``/``Queue()`` it is the fallback of is the
    fast busy of a failed transfer to people: a refusal, not credited."""
    steps = loc.step.exten.steps
    if kind.app.strip().lower() == "congestion":
        before = steps.get(loc.step.number - 1)
        if before is not None and walker.kind(Loc(loc.chan, before)).tag == "transfer":
            return None
        return "the caller hears the congestion tone: the call cannot be completed"
    if walker.is_target(loc.step):
        return None
    for number in range(loc.step.number - 1, 0, -1):
        step = steps.get(number)
        if step is None:
            return None
        here = Loc(loc.chan, step)
        if walker.kind(here).tag != "pass":
            return None
        if step.app.strip().lower() == "playtones" and step.data.strip().lower() == "info":
            return (
                f"{step.app}({step.data}) at line {step.where.line}: the caller hears the "
                "special information tone (the number dialled cannot be completed)"
            )
        if walker.is_target(step):
            return None
    return None
