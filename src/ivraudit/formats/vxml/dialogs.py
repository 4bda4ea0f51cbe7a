"""The parts of a VoiceXML document the builder walks: dialogs, their form items, and the
scopes (document, dialog, item) in which handlers, links and properties are looked up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ivraudit.formats._xml import XmlElement

if TYPE_CHECKING:
    from ivraudit.formats.vxml.content import Part

HANDLERS = ("catch", "noinput", "nomatch", "error", "help")


@dataclass
class Scope:
    """Where event handlers, links and properties are looked up: an element and its parents."""

    element: XmlElement
    parent: Scope | None
    owner: str
    handlers: list[XmlElement] = field(init=False)
    links: list[XmlElement] = field(init=False)
    properties: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        children = self.element.children
        self.handlers = [child for child in children if child.tag in HANDLERS]
        self.links = [child for child in children if child.tag == "link"]
        self.properties = {}
        for child in children:
            name = child.get("name")
            if child.tag == "property" and name and child.get("value") is not None:
                self.properties[name] = str(child.get("value"))

    def chain(self) -> list[Scope]:
        scopes: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            scopes.append(scope)
            scope = scope.parent
        return scopes

    def property(self, name: str) -> str | None:
        for scope in self.chain():
            if name in scope.properties:
                return scope.properties[name]
        return None

    def modes(self) -> set[str]:
        return set((self.property("inputmodes") or "dtmf voice").split())


@dataclass
class Item:
    """A form item: its element, node id, entry (its cond guard, if any) and content."""

    element: XmlElement
    kind: str
    index: int
    id: str
    entry: str
    guard: str | None
    name: str | None
    parts: list[Part]


@dataclass
class Dialog:
    """A <form> or <menu>: its node id, items and scope."""

    element: XmlElement
    id: str
    scope: Scope
    items: list[Item] = field(default_factory=list)
    by_name: dict[str, int] = field(default_factory=dict)
