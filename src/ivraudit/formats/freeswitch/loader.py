"""FreeSWITCH IVR menus (mod_ivr's ``ivr.conf.xml`` and ``ivr_menus/*.xml``) as ivraudit menus.

The semantics follow ``switch_ivr_menu.c``: a menu plays its greeting and
collects digits; invalid input and silence are counted separately against
``max-failures`` and ``max-timeouts``; ``menu-sub`` runs another menu on a
stack, and when that menu gives up or goes back the calling menu plays again;
``menu-top`` goes to the menu the ``ivr`` application started with; the stack
ends with the top menu's ``exit-sound``, after which the call goes on in the
dialplan after ``ivr``.  Each menu that no other menu runs as a ``menu-sub`` starts
one flow (a Menu whose id is its name) holding it and every menu it reaches.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Any

from ivraudit.formats._build import build_menu, unique_id
from ivraudit.formats._parse import Document
from ivraudit.formats._xml import XmlElement
from ivraudit.formats.freeswitch.apps import app_node
from ivraudit.formats.freeswitch.conf import Conf, conf_of
from ivraudit.formats.freeswitch.dialplan import AT, after_ivr, unknown
from ivraudit.formats.freeswitch.roles import menu_role
from ivraudit.formats.freeswitch.sounds import sound, with_prompts
from ivraudit.formats.registry import Format, NearMiss
from ivraudit.model.errors import MenuError, NotAMenuError, Position
from ivraudit.model.menu import Menu
from ivraudit.model.names import named_kind

#: Entry actions FreeSWITCH accepts (``iam[]`` in switch_ivr_menu.c).
ACTIONS = ("menu-exit", "menu-sub", "menu-exec-app", "menu-play-sound", "menu-back", "menu-top")
#: Actions of FreeSWITCH before 1.0, still found in old configurations.
LEGACY_ACTIONS = {
    "menu-exec-api": "menu-exec-app",
    "menu-call-transfer": 'menu-exec-app param="transfer EXTENSION XML CONTEXT"',
    "menu-playback": "menu-play-sound",
    "menu-playsound": "menu-play-sound",
    "menu-say-text": 'menu-play-sound param="say:TEXT"',
    "menu-say-phrase": 'menu-play-sound param="phrase:MACRO"',
}
_NEEDS_PARAM = {
    "menu-sub": "the name of the menu to run",
    "menu-exec-app": "the application to run, e.g. 'transfer 1000 XML default'",
    "menu-play-sound": "the sound to play",
    "menu-exec-api": "the application to run",
    "menu-call-transfer": "the extension to transfer to",
    "menu-playback": "the sound to play",
    "menu-playsound": "the sound to play",
    "menu-say-text": "the text to say",
    "menu-say-phrase": "the phrase macro to play",
}
_DEFAULT_TIMEOUT_MS = 10_000
_DEFAULT_TRIES = 3
_KEY = re.compile(r"[0-9A-Da-d*#]{1,20}")


@dataclass
class _Entry:
    element: XmlElement
    action: str
    key: str
    param: str


@dataclass
class _Menu:
    element: XmlElement
    name: str
    entries: list[_Entry] = field(default_factory=list)

    def attr(self, name: str) -> str:
        return (self.element.get(name) or "").strip()

    def subs(self) -> list[str]:
        """Menus this menu runs with menu-sub (not itself), in entry order."""
        return [
            entry.param
            for entry in self.entries
            if entry.action == "menu-sub" and entry.param != self.name
        ]


# -- recognising the file ---------------------------------------------------------------------


def _menu_elements(root: XmlElement) -> list[XmlElement] | None:
    """The <menu> elements of an IVR configuration, or None if the XML is not one."""
    if root.tag == "configuration":
        return _configuration_menus(root) if _is_ivr_conf(root) else None
    if root.tag == "document":
        found: list[XmlElement] | None = None
        for section in root.findall("section"):
            for configuration in section.findall("configuration"):
                if _is_ivr_conf(configuration):
                    found = (found or []) + _configuration_menus(configuration)
        return found
    if root.tag == "include":
        menus: list[XmlElement] = []
        for child in root.children:
            if child.tag == "menu":
                menus.append(child)
            elif child.tag == "menus":
                menus.extend(child.findall("menu"))
            elif child.tag == "configuration" and _is_ivr_conf(child):
                menus.extend(_configuration_menus(child))
        return menus or None
    return None


def _is_ivr_conf(element: XmlElement) -> bool:
    return (element.get("name") or "").strip() == "ivr.conf"


def _configuration_menus(configuration: XmlElement) -> list[XmlElement]:
    menus = configuration.findall("menu")
    for group in configuration.findall("menus"):
        menus.extend(group.findall("menu"))
    return sorted(menus, key=lambda element: (element.line, element.column))


def detect(root: Any) -> bool:
    """Whether the XML is a FreeSWITCH IVR configuration (``ivr.conf`` or an include of menus)."""
    return isinstance(root, XmlElement) and _menu_elements(root) is not None


# -- reading menus ----------------------------------------------------------------------------


def _error(document: Document, element: XmlElement, message: str, hint: str | None) -> MenuError:
    return MenuError(document.path, element.line, element.column, message, hint)


def _read_menus(document: Document) -> list[_Menu]:
    elements = _menu_elements(document.value) or []
    if not elements:
        raise NotAMenuError(
            document.path,
            document.value.line,
            document.value.column,
            "FreeSWITCH ivr.conf with no <menu>: there is no phone menu to audit",
        )
    menus: list[_Menu] = []
    first_line: dict[str, int] = {}
    for element in elements:
        name = (element.get("name") or "").strip()
        if not name:
            raise _error(
                document,
                element,
                "<menu> has no name",
                'add name="..."; the ivr application finds menus by name',
            )
        if name in first_line:
            raise _error(
                document,
                element,
                f"duplicate menu name '{name}' (first at line {first_line[name]})",
                "FreeSWITCH only ever uses the first; rename or remove one",
            )
        first_line[name] = element.line
        menu = _Menu(element, name)
        _read_entries(document, menu)
        menus.append(menu)
    return menus


def _read_entries(document: Document, menu: _Menu) -> None:
    seen: dict[str, int] = {}
    for element in menu.element.findall("entry"):
        action = (element.get("action") or "").strip()
        if action not in ACTIONS and action not in LEGACY_ACTIONS:
            raise _unknown_action(document, element, action)
        digits = (element.get("digits") or "").strip()
        if not digits:
            raise _error(
                document,
                element,
                f"entry '{action}' has no digits",
                'FreeSWITCH refuses to build a menu with such an entry; add digits="1"',
            )
        key = _key(document, element, digits)
        if key in seen:
            raise _error(
                document,
                element,
                f"digits '{digits}' are bound twice in menu '{menu.name}' "
                f"(first at line {seen[key]})",
                "FreeSWITCH runs every matching entry in turn; keep one entry per key",
            )
        seen[key] = element.line
        param = " ".join((element.get("param") or "").split())
        if action in _NEEDS_PARAM and not param:
            raise _error(
                document,
                element,
                f"entry '{action}' for digits '{digits}' has no param",
                f"param is {_NEEDS_PARAM[action]}",
            )
        menu.entries.append(_Entry(element, action, key, param))


def _unknown_action(document: Document, element: XmlElement, action: str) -> MenuError:
    if not action:
        return _error(document, element, "entry has no action", f"use one of {', '.join(ACTIONS)}")
    close = difflib.get_close_matches(action, ACTIONS, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(ACTIONS)}"
    return _error(document, element, f"unknown entry action '{action}'", hint)


def _key(document: Document, element: XmlElement, digits: str) -> str:
    if digits.startswith("/"):
        # FreeSWITCH reads "/pattern/flags"; the key keeps the pattern.
        end = digits.rfind("/")
        pattern = digits[1:end] if end > 0 else digits[1:]
        if not pattern or len(pattern) > 200:
            raise _error(
                document,
                element,
                f"digits pattern '{digits}' is {'empty' if not pattern else 'too long'}",
                "write a /regular expression/ of 1 to 200 characters",
            )
        return f"/{pattern}/"
    if not _KEY.fullmatch(digits):
        raise _error(
            document,
            element,
            f"digits '{digits}' are not DTMF keys",
            "use up to 20 of 0-9, *, #, A-D, or a /regular expression/",
        )
    return digits.upper()


# -- flows ------------------------------------------------------------------------------------


def _flows(menus: list[_Menu]) -> list[list[_Menu]]:
    """One flow per top menu: the menus it reaches through menu-sub, top first."""
    by_name = {menu.name: menu for menu in menus}
    called = {name for menu in menus for name in menu.subs()}
    tops = [menu for menu in menus if menu.name not in called]
    order = {menu.name: index for index, menu in enumerate(menus)}
    covered: set[str] = set()
    flows: list[list[_Menu]] = []
    pending = list(tops)
    while True:
        for top in pending:
            reached = _reach(top, by_name)
            covered |= reached
            rest = sorted(reached - {top.name}, key=order.__getitem__)
            flows.append([top] + [by_name[name] for name in rest])
        # Menus only reached through a cycle of menu-sub: the first of them starts a flow.
        rest = [menu for menu in menus if menu.name not in covered]
        if not rest:
            return flows
        pending = rest[:1]


def _reach(top: _Menu, by_name: dict[str, _Menu]) -> set[str]:
    reached = {top.name}
    stack = [top]
    while stack:
        for name in stack.pop().subs():
            if name in by_name and name not in reached:
                reached.add(name)
                stack.append(by_name[name])
    return reached


# -- converting one flow ----------------------------------------------------------------------


def _describe_sound(value: str) -> str:
    spoken = sound(value).get("say")
    return f'"{spoken}"' if spoken else value


def _transfers_to_a_test_hook(command: str) -> bool:
    """Whether ``command`` is ``transfer EXT ...`` to an extension whose own name says it
    is a test or a demo (``transfer cyara_test XML default``): a test hook, as a
    ``menu-sub`` to a menu named so is (analysis.parts)."""
    words = [word for word in command.split() if word not in ("-bleg", "-both")]
    return len(words) > 1 and words[0] == "transfer" and named_kind(words[1]) is not None


def _atoi(text: str) -> int:
    match = re.match(r"\s*([+-]?\d+)", text)
    return int(match.group(1)) if match else 0


class _FlowBuilder:
    """Builds the nodes of one flow (a top menu and the menus it runs)."""

    def __init__(
        self, document: Document, flow: list[_Menu], all_names: set[str], conf: Conf | None
    ) -> None:
        self.document = document
        self.conf = conf
        # Whether every file of the ivr.conf was read (so a menu none defines is missing).
        self.whole = conf.has_ivr_conf if conf is not None else document.value.tag != "include"
        self.phrases = conf.phrases if conf is not None else None
        self.flow = flow
        self.top = flow[0]
        self.by_name = {menu.name: menu for menu in flow}
        self.all_names = all_names
        self.nodes: dict[str, dict[str, Any]] = {}
        self.positions: dict[tuple[Any, ...], Position] = {}
        self.taken: set[str] = set(self.by_name)
        self._exit: str | None = None
        #: The nodes of the end of the menu stack (the exit node and what follows it).
        self._ending: set[str] = set()
        self._back: dict[str, str] = {}
        self.role = menu_role(conf, self.top.name, os.path.realpath(document.path))
        self.callers: dict[str, list[str]] = {}
        #: Entries that transfer to a dialplan extension named as a test (cyara_test).
        self.hooks: set[str] = set()
        for menu in flow:
            for name in dict.fromkeys(menu.subs()):
                self.callers.setdefault(name, []).append(menu.name)

    def position(self, element: XmlElement) -> Position:
        return Position(self.document.path, element.line, element.column)

    def add(self, wanted: str, node: dict[str, Any], element: XmlElement) -> str:
        """Add a node (and the node its ``fail`` holds, for a dialplan's fallback).

        A node read from the dialplan is written where the dialplan decides it (its
        ``AT``: the bridge, the hangup), not at ``element``: each menu entry that
        transfers to one extension makes its own node, and they are one place, so the
        engine reports a fault there once, with the route of one of them.
        """
        node_id = unique_id(wanted, self.taken)
        self.nodes[node_id] = {}
        if isinstance(node.get("fail"), dict):
            node = {**node, "fail": self.add(f"{wanted}:fail", node["fail"], element)}
        at = node.get(AT)
        self.nodes[node_id] = {
            key: value for key, value in node.items() if value is not None and key != AT
        }
        self.positions[("nodes", node_id)] = (
            self.position(element) if at is None else self.written(*at)
        )
        return node_id

    def written(self, path: str, line: int, column: int) -> Position:
        """A place in another file of the estate, spelled as the menu file was given
        (relative stays relative): the estate holds real, absolute paths."""
        given = self.document.path
        if os.path.isabs(given):
            return Position(path, line, column)
        real_dir = os.path.dirname(os.path.realpath(given))
        spelled = os.path.join(os.path.dirname(given), os.path.relpath(path, real_dir))
        return Position(os.path.normpath(spelled), line, column)

    def build(self) -> Menu:
        for menu in self.flow:
            self.nodes[menu.name] = {}  # menus first, in file order
        for menu in self.flow:
            self.menu_node(menu)
        start = self.entry(self.top.name)
        self.exit_last()
        role, reason = self.role
        built = build_menu(
            self.document,
            nodes=self.nodes,
            start=start,
            positions=self.positions,
            id=self.top.name,
            role=role,
            role_reason=reason,
        )
        return built.with_named_hooks(frozenset(self.hooks)) if self.hooks else built

    def exit_last(self) -> None:
        """Put the end of the menu stack after the menus' entries (it is made when the first
        entry needs it): a fault met both by pressing a key and by giving up (the bridge
        of an extension the menu transfers to and the dialplan goes on to after ``ivr``)
        is then shown with the key, the shorter route."""
        # In the order they were made: a set's order changes from run to run.
        ending = [node for node in self.nodes if node in self._ending]
        rest = {node: self.nodes[node] for node in self.nodes if node not in self._ending}
        self.nodes = {**rest, **{node: self.nodes[node] for node in ending}}

    # The entry of a menu: its PIN check when it has one, else the menu itself.
    def entry(self, name: str) -> str:
        menu = self.by_name[name]
        if not menu.attr("pin"):
            return name
        return self.pin_node(menu)

    def pin_node(self, menu: _Menu) -> str:
        wanted = f"{menu.name}:pin"
        if wanted in self.nodes:
            return wanted
        prompt = menu.attr("pin-file") or "ivr/ivr-please_enter_pin_followed_by_pound.wav"
        node = {
            "type": "ask",
            "collects": "pin",
            **sound(prompt, self.phrases),
            "next": menu.name,
            "fail": menu.name,
            "retries": 2,
            "note": "asks for the menu's PIN (3 tries); FreeSWITCH goes on to the menu "
            "whether or not the PIN was right",
        }
        return self.add(wanted, node, menu.element)

    def exit_node(self) -> str:
        if self._exit is None and self.role[0] == "reached":
            # Run by menu-sub from a menu of another file: ending goes back to that menu.
            node = unknown(
                "unsupported",
                "menu-back",
                f"'{self.top.name}' ends and FreeSWITCH goes back to the menu that ran it: "
                f"{self.role[1]}",
            )
            self._exit = self.add(f"{self.top.name}:back", node, self.top.element)
        if self._exit is None:
            before = set(self.nodes)
            self._exit = self.stack_end()
            self._ending = set(self.nodes) - before
        return self._exit

    def stack_end(self) -> str:
        """The exit node: the top menu's exit-sound, then what the dialplan does once the
        ivr application returns (the actions after ``ivr NAME`` in the extension that
        runs it; ``unknown`` when that dialplan is not among the files given)."""
        name = self.top.name
        after = self.after_ivr()
        exit_sound = sound(self.top.attr("exit-sound"), self.phrases)
        if after.get("type") != "unknown":
            after["note"] = (
                f"the menu stack ends and the ivr application returns; then {after['note']}"
            )
        if not exit_sound:
            return self.add(f"{name}:exit", after, self.top.element)
        if after.get("type") == "hangup":
            # The exit-sound, then what the dialplan plays before it hangs up.
            return self.add(f"{name}:exit", with_prompts(after, [exit_sound]), self.top.element)
        # The exit node keeps its name and plays the exit-sound; the dialplan goes on after it.
        exit_id = unique_id(f"{name}:exit", self.taken)
        self.nodes[exit_id] = {}
        then = self.add(f"{name}:after-ivr", after, self.top.element)
        node = {"type": "say", **exit_sound, "next": then, "note": f"'{name}' exit-sound"}
        self.nodes[exit_id] = node
        self.positions[("nodes", exit_id)] = self.position(self.top.element)
        return exit_id

    def after_ivr(self) -> dict[str, Any]:
        """What follows ``ivr TOP`` in the dialplan, as a node (a tree, with ``fail``)."""
        name = self.top.name
        if self.conf is None or not self.conf.contexts:
            return unknown(
                "not-given",
                f"ivr {name}",
                "the menu stack ends and the ivr application returns to the dialplan that "
                f"runs 'ivr {name}', not given",
            )
        node = after_ivr(self.conf, name)
        if node is None:
            return unknown(
                "not-given",
                f"ivr {name}",
                "the menu stack ends and the ivr application returns, but no extension of "
                f"the dialplan given runs 'ivr {name}' (a script or a file not given may)",
            )
        return node

    def back(self, menu: _Menu) -> str:
        """Where the call goes when ``menu`` ends: the calling menu, or the end of the stack."""
        if menu.name in self._back:
            return self._back[menu.name]
        callers = self.callers.get(menu.name, [])
        targets = [*callers, self.exit_node()] if menu is self.top else callers
        if len(targets) == 1:
            target = targets[0]
        else:
            cases = [
                {"when": f"'{menu.name}' was run by menu '{caller}'", "next": caller}
                for caller in targets[:-1]
            ]
            node = {
                "type": "branch",
                "cases": cases,
                "else": targets[-1],
                "note": "FreeSWITCH goes back to the menu that ran this one (menu-sub)",
            }
            target = self.add(f"{menu.name}:back", node, menu.element)
        self._back[menu.name] = target
        return target

    def menu_node(self, menu: _Menu) -> None:
        element = menu.element
        node: dict[str, Any] = {"type": "menu"}
        node.update(sound(menu.attr("greet-long") or menu.attr("greet-short"), self.phrases))
        failures = _atoi(menu.attr("max-failures"))
        failures = failures if failures > 0 else _DEFAULT_TRIES
        timeouts_text = menu.attr("max-timeouts") or menu.attr("max-failures")
        timeouts = _atoi(timeouts_text)
        timeouts = timeouts if timeouts > 0 else _DEFAULT_TRIES
        timeout_ms = _atoi(menu.attr("timeout"))
        timeout_ms = timeout_ms if timeout_ms > 0 else _DEFAULT_TIMEOUT_MS
        options: dict[str, str] = {}
        for entry in menu.entries:
            target = self.entry_target(menu, entry)
            # An entry no keypad input matches stays wired: MN008 names it for what it is.
            options[entry.key] = target
            self.positions[("nodes", menu.name, "options", entry.key)] = self.position(
                entry.element
            )
        node["options"] = options
        node["no_input"] = menu.name
        node["no_match"] = menu.name
        node["retries"] = failures - 1
        node["retries_exhausted"] = self.exhausted(menu)
        node["timeout"] = min(timeout_ms / 1000, 3600)
        node["note"] = self.menu_note(menu, failures, timeouts)
        self.nodes[menu.name] = {key: value for key, value in node.items() if value is not None}
        self.positions[("nodes", menu.name)] = self.position(element)

    def menu_note(self, menu: _Menu, failures: int, timeouts: int) -> str:
        parts = []
        if not menu.attr("greet-long") and not menu.attr("greet-short"):
            parts.append(
                "no greet-long or greet-short: FreeSWITCH collects no digits without a "
                "greeting, so the menu fails at once"
            )
        elif not menu.attr("greet-long"):
            parts.append(
                "no greet-long: the first pass plays nothing and counts as a failure; "
                "later passes play greet-short"
            )
        spoken = [menu.attr(name) for name in ("greet-long", "greet-short", "exit-sound")]
        if any(sound(value).get("say") for value in spoken) and not (
            menu.attr("tts-engine") and menu.attr("tts-voice")
        ):
            parts.append(
                "say: prompts need tts-engine and tts-voice (on the menu or the channel) "
                "to be heard"
            )
        short = menu.attr("greet-short")
        if short and short != menu.attr("greet-long") and menu.attr("greet-long"):
            parts.append(f"repeats with greet-short {_describe_sound(short)}")
        if menu.attr("invalid-sound"):
            parts.append(f"an invalid entry plays {menu.attr('invalid-sound')}")
        parts.append(
            f"gives up after {failures} invalid entr{'y' if failures == 1 else 'ies'} or "
            f"{timeouts} timeout{'' if timeouts == 1 else 's'}"
        )
        if menu.attr("confirm-macro"):
            key = menu.attr("confirm-key")
            parts.append(
                f"each entry is confirmed with phrase '{menu.attr('confirm-macro')}'"
                + (f" and key {key}" if key else "")
            )
        return "; ".join(parts)

    def exhausted(self, menu: _Menu) -> str:
        back = self.back(menu)
        on_failures = self.on_max(menu, "exec-on-max-failures", back)
        on_timeouts = self.on_max(menu, "exec-on-max-timeouts", back)
        if on_failures == on_timeouts:
            return on_failures
        node = {
            "type": "branch",
            "cases": [{"when": "ivr_menu_status == 'failure'", "next": on_failures}],
            "else": on_timeouts,
            "note": "max-failures and max-timeouts run different applications",
        }
        return self.add(f"{menu.name}:exhausted", node, menu.element)

    def on_max(self, menu: _Menu, attribute: str, back: str) -> str:
        command = " ".join(menu.attr(attribute).split())
        if not command:
            return back
        wanted = f"{menu.name}:{attribute.removeprefix('exec-on-')}"
        if wanted in self.nodes:
            return wanted
        node, _ = app_node(
            command,
            resume=back,
            stop=self.exit_node(),
            known_menus=self.all_names,
            conf=self.conf,
        )
        node["note"] = f"{attribute}: " + str(node.get("note") or command)
        return self.add(wanted, node, menu.element)

    def elsewhere(self, menu: _Menu, entry: _Entry) -> str:
        """A menu-sub to a menu this file does not define."""
        conf = self.conf
        defined = conf.menus.get(entry.param) if conf is not None else None
        if defined is not None and conf is not None:
            node = unknown(
                "unsupported",
                f"menu-sub {entry.param}",
                f"runs menu '{entry.param}' of {conf.shown(*defined)} (menu-sub); it is "
                "audited there, as a menu callers reach from this one",
            )
        elif self.whole:
            return entry.param  # no file of the ivr.conf defines it: a missing target (ST001)
        else:
            node = unknown(
                "not-given",
                f"menu-sub {entry.param}",
                f"runs menu '{entry.param}', defined in a file of ivr.conf that was not given",
            )
        return self.add(f"{menu.name}:{entry.key}", node, entry.element)

    def entry_target(self, menu: _Menu, entry: _Entry) -> str:
        action = entry.action
        wanted = f"{menu.name}:{entry.key}"
        legacy = LEGACY_ACTIONS.get(action)
        if action == "menu-sub":
            if entry.param == menu.name:
                return menu.name  # FreeSWITCH just plays this menu again
            if entry.param in self.by_name:
                return self.entry(entry.param)
            return self.elsewhere(menu, entry)
        if action == "menu-top":
            return self.top.name
        if action == "menu-back":
            return self.back(menu)
        if action == "menu-exit":
            return self.exit_node()
        if action in ("menu-play-sound", "menu-playback", "menu-playsound", "menu-say-phrase"):
            played = entry.param
            if action == "menu-say-phrase":
                played = f"phrase:{played}"
            node: dict[str, Any] = {"type": "say", **sound(played), "next": menu.name}
        elif action == "menu-say-text":
            node = {"type": "say", "say": entry.param, "next": menu.name}
        elif action == "menu-call-transfer":
            node, _ = app_node(
                f"transfer {entry.param}",
                resume=menu.name,
                stop=self.exit_node(),
                known_menus=self.all_names,
                conf=self.conf,
            )
        else:  # menu-exec-app, menu-exec-api
            node, _ = app_node(
                entry.param,
                resume=menu.name,
                stop=self.exit_node(),
                known_menus=self.all_names,
                conf=self.conf,
                digits=entry.key[1:-1] if entry.key.startswith("/") else None,
            )
        if legacy is not None:
            warning = (
                f"legacy action '{action}' (FreeSWITCH before 1.0): current FreeSWITCH "
                f"refuses to build a menu that uses it; write {legacy}"
            )
            node["note"] = f"{node['note']}; {warning}" if node.get("note") else warning
        node_id = self.add(wanted, node, entry.element)
        command = f"transfer {entry.param}" if action == "menu-call-transfer" else entry.param
        if _transfers_to_a_test_hook(command):
            self.hooks.add(node_id)
        return node_id


def convert(document: Document) -> list[Menu]:
    """Convert a FreeSWITCH IVR configuration to one Menu per top menu.

    With an estate, the rest of the configuration (dialplan, other menu files,
    phrases) says where transfers go and which menus callers start in.
    """
    menus = _read_menus(document)
    names = {menu.name for menu in menus}
    conf = conf_of(document.estate)
    return [_FlowBuilder(document, flow, names, conf).build() for flow in _flows(menus)]


#: The formats this platform reads, in the order detection tries them.
FORMATS: tuple[Format, ...] = (
    Format(
        name="freeswitch",
        title="FreeSWITCH IVR menu XML (ivr.conf)",
        kind="xml",
        suffixes=(".xml",),
        detect=detect,
        convert=convert,
    ),
)

#: Explanations for files that look like this platform's but are refused.
NEAR_MISSES: tuple[NearMiss, ...] = ()
