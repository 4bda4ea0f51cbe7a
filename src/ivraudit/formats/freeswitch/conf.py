"""The FreeSWITCH configuration of an estate: its dialplan, its menus and its phrases.

FreeSWITCH builds one XML document from ``freeswitch.xml`` and the files its
``<X-PRE-PROCESS cmd="include" data="...">`` lines pull in (a path or a glob,
relative to the including file's directory).  ivraudit reads the files of the
run and what they include the same way, but only inside the estate's root: an
include that points outside it, or that matches no file, is left unread.  From
them it keeps:

- the dialplan: each ``<context>`` with its ``<extension>``s in order (an
  include inside a context adds its extensions in place);
- which file defines each IVR ``<menu>`` (so a ``menu-sub`` into another file of
  the same ``ivr.conf`` is not a missing menu);
- each phrase ``<macro>``: the words it speaks where it gives them as text.

Read once per run and kept in the estate's cache.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ivraudit.formats._parse import decode, read_bytes
from ivraudit.formats._xml import XmlElement, parse_xml
from ivraudit.model.errors import MenuError

if TYPE_CHECKING:
    from ivraudit.formats.estate import Estate

#: The most files one estate's includes may pull in (a glob over a large tree stops here).
MAX_FILES = 2000
_CACHE_KEY = ("freeswitch", "conf")
_CONTEXT_PARENTS = frozenset({"", "include", "section"})
_MENU_PARENTS = frozenset({"include", "menus", "configuration"})
_MACRO_PARENTS = frozenset({"include", "macros"})


@dataclass(frozen=True)
class Action:
    """One ``<action>`` / ``<anti-action>`` of an extension: application and data."""

    app: str
    data: str
    file: str
    line: int
    column: int


@dataclass
class Condition:
    """A ``<condition>``: what it tests, and what runs when it holds or fails."""

    field: str
    expression: str | None
    timed: bool
    actions: list[Action] = field(default_factory=list)
    anti: list[Action] = field(default_factory=list)


@dataclass
class Extension:
    """An ``<extension>`` of a dialplan context, in the order FreeSWITCH hunts them."""

    name: str
    file: str
    line: int
    continues: bool
    column: int = 1
    conditions: list[Condition] = field(default_factory=list)


@dataclass
class Conf:
    """What the estate's FreeSWITCH XML holds besides the menus of the file being read."""

    root: str
    contexts: dict[str, list[Extension]] = field(default_factory=dict)
    menus: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: menu name -> the menus (name, file, line) that run it with menu-sub
    run_by: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    phrases: dict[str, tuple[str, bool]] = field(default_factory=dict)
    #: whether the estate holds an ``ivr.conf`` (so a menu no file defines is missing)
    has_ivr_conf: bool = False
    #: what converters work out from the rest once per run (e.g. the menus callers start in)
    memo: dict[str, Any] = field(default_factory=dict)

    def shown(self, path: str, line: int | None = None) -> str:
        """A file of the estate (and a line) as a person reads it: relative to the root."""
        where = os.path.relpath(path, self.root)
        return f"{where}:{line}" if line is not None else where


def conf_of(estate: Estate | None) -> Conf | None:
    """The estate's FreeSWITCH configuration (read once per run), or None without an estate."""
    if estate is None:
        return None
    cached = estate.cache.get(_CACHE_KEY)
    if cached is None:
        cached = _Reader(estate).read()
        estate.cache[_CACHE_KEY] = cached
    return cached


class _Reader:
    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.conf = Conf(estate.root)
        self.seen: set[str] = set()
        self.queue: list[str] = []

    def read(self) -> Conf:
        self.queue = [path for path in self.estate.files if path.lower().endswith(".xml")]
        index = 0
        while index < len(self.queue) and len(self.seen) < MAX_FILES:
            path = self.queue[index]
            index += 1
            root = self.parse(path)
            if root is not None:
                self.walk(root, path)
        return self.conf

    def parse(self, path: str) -> XmlElement | None:
        real = os.path.realpath(path)
        if real in self.seen or not self.estate.contains(real):
            return None
        self.seen.add(real)
        try:
            return parse_xml(decode(read_bytes(real), real), real).value
        except (MenuError, OSError, ValueError):
            return None  # not XML FreeSWITCH would load: nothing to learn from it

    def included(self, element: XmlElement, path: str) -> list[str]:
        """The files an ``<X-PRE-PROCESS cmd="include">`` names, inside the root only."""
        if (element.get("cmd") or "").strip().lower() != "include":
            return []
        pattern = (element.get("data") or "").strip()
        if not pattern or "$$" in pattern:
            return []
        folder = self.estate.resolve(path, os.path.dirname(pattern) or ".")
        if folder is None or not os.path.isdir(folder):
            return []  # outside the root, or not there: left unread
        names = sorted(glob.glob(os.path.join(glob.escape(folder), os.path.basename(pattern))))
        return [os.path.realpath(name) for name in names if self.estate.contains(name)]

    def walk(self, root: XmlElement, path: str) -> None:
        # (element, its parent's tag): menus, contexts and macros count only where
        # FreeSWITCH's documents put them (not a VoiceXML <menu>, say).
        stack: list[tuple[XmlElement, str]] = [(root, "")]
        while stack:
            element, parent = stack.pop()
            if element.tag == "context" and parent in _CONTEXT_PARENTS:
                self.context(element, path)
                continue
            if element.tag == "menu" and parent in _MENU_PARENTS and element.get("name"):
                self.menu(element, path)
            elif element.tag == "macro" and parent in _MACRO_PARENTS and element.get("name"):
                self.conf.phrases.setdefault(element.get("name", "").strip(), _phrase(element))
            elif element.tag == "X-PRE-PROCESS":
                self.queue.extend(self.included(element, path))
            elif element.tag == "configuration" and element.get("name") == "ivr.conf":
                self.conf.has_ivr_conf = True
            stack.extend((child, element.tag) for child in reversed(element.children))

    def menu(self, element: XmlElement, path: str) -> None:
        name = (element.get("name") or "").strip()
        self.conf.menus.setdefault(name, (path, element.line))
        for entry in element.findall("entry"):
            target = (entry.get("param") or "").strip()
            if (entry.get("action") or "").strip() == "menu-sub" and target != name:
                self.conf.run_by.setdefault(target, []).append((name, path, entry.line))

    def context(self, element: XmlElement, path: str) -> None:
        name = (element.get("name") or "").strip()
        extensions = self.conf.contexts.setdefault(name, [])
        # Children in order; an include inside the context adds its extensions in place.
        pending: list[tuple[XmlElement, str]] = [(child, path) for child in element.children]
        pending.reverse()
        while pending:
            child, where = pending.pop()
            if child.tag == "extension":
                extensions.append(_extension(child, where))
            elif child.tag == "X-PRE-PROCESS":
                for other in reversed(self.included(child, where)):
                    root = self.parse(other)
                    if root is not None:
                        pending.extend((item, other) for item in reversed(root.children))


def _extension(element: XmlElement, path: str) -> Extension:
    extension = Extension(
        name=(element.get("name") or "").strip(),
        file=path,
        line=element.line,
        column=element.column,
        continues=(element.get("continue") or "").strip().lower() == "true",
    )
    for item in element.findall("condition"):
        expression = item.get("expression")
        if expression is None and item.find("expression") is not None:
            expression = item.find("expression").all_text()  # type: ignore[union-attr]
        timed = any(
            name in item.attrib
            for name in (
                "wday",
                "hour",
                "minute",
                "mday",
                "mon",
                "year",
                "yday",
                "week",
                "mweek",
                "minute-of-day",
                "time-of-day",
                "date-time",
                "regex",
            )
        )
        condition = Condition((item.get("field") or "").strip(), expression, timed)
        for child in item.children:
            if child.tag in ("action", "anti-action"):
                action = Action(
                    (child.get("application") or "").strip(),
                    " ".join((child.get("data") or "").split()),
                    path,
                    child.line,
                    child.column,
                )
                (condition.actions if child.tag == "action" else condition.anti).append(action)
        extension.conditions.append(condition)
    return extension


def _phrase(macro: XmlElement) -> tuple[str, bool]:
    """``(words given as text, whether that is all it plays)`` for a phrase macro."""
    words: list[str] = []
    complete = True
    for action in macro.iter("action"):
        function = (action.get("function") or "").strip()
        data = (action.get("data") or "").strip()
        if function == "speak-text":
            words.append(data)
        elif function == "play-file" and data.lower().startswith("say:"):
            words.append(data[4:].strip())
        elif function in ("play-file", "say", "execute") and not data.startswith(
            "silence_stream://"
        ):
            complete = False
    return " ".join(word for word in words if word), complete
