"""What a platform's log calls each node of a menu: the join between counts and findings.

A generic log names nodes as ivraudit does, and so does a Twilio Studio log (a
widget's name is its node id).  An Amazon Connect flow log names a block by its
``Identifier``, which the importer turns into a title (``Play prompt 2``) when it is
an opaque UUID; an Asterisk CEL record names the context and extension a call was in,
not the priority, so a node ``bank-main,2,3`` is met by the log name ``bank-main,2``
(and ``bank-main,_9XX,1`` by ``bank-main,912``).  :class:`MenuNames` holds, per node,
which log names stand for it (docs/traffic.md, "Platform logs").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ivraudit.formats import Estate, load_all, menu_files
from ivraudit.model.errors import MenuError
from ivraudit.model.menu import Menu

#: The node a Twilio step to ``Ended`` names: the importer's hangup where the flow ends.
TWILIO_END = ": end of flow"


@dataclass(frozen=True)
class Alias:
    """The log names of one node: exact names, or an Asterisk extension pattern in a context."""

    names: frozenset[str] = frozenset()
    context: str | None = None
    pattern: str | None = None
    #: Whether calls that ended at these names ended at this node: not when the names
    #: stand for several nodes (the priorities of one extension, a block and the step
    #: in front of it).
    sole: bool = True

    def matches(self, name: str) -> bool:
        if name in self.names:
            return True
        if self.pattern is None or self.context is None:
            return False
        context, _, exten = name.partition(",")
        if context != self.context or not exten:
            return False
        from ivraudit.formats.asterisk.match import Pattern

        return Pattern.parse(self.pattern).matches(exten)


@dataclass
class MenuNames:
    """The node ids of the menus checked, and the log names that stand for some of them."""

    nodes: set[str] = field(default_factory=set)
    aliases: dict[str, Alias] = field(default_factory=dict)
    #: Studio widgets and dialplan extensions the importer folds into another node (a
    #: Split after a Gather is the menu's options; an extension that only does Goto is
    #: the edge to where it goes): a log names them, and they are no drift.
    folded: set[str] = field(default_factory=set)

    def names_of(self, node: str) -> Alias | None:
        return self.aliases.get(node)

    def knows(self, name: str) -> bool:
        """Whether a log name stands for a node of these menus (else it is drift)."""
        if name in self.nodes or name in self.folded:
            return True
        if name.endswith(TWILIO_END) and name[: -len(TWILIO_END)] in self.nodes:
            # A flow that ends after a widget whose own end the importer does not draw
            # (a transfer that ended): the call ended at that widget.
            return True
        return any(alias.matches(name) for alias in self.aliases.values())


def menu_names(
    paths: Sequence[str], format: str | None = None, root: str | None = None
) -> MenuNames:
    """The node names of every menu under ``paths`` and their log names (files that cannot
    be read add none: the check reports them)."""
    files = menu_files(list(paths))
    estate = Estate.of(files, root) if root is not None else Estate.named(list(paths), files)
    found = MenuNames()
    for path in files:
        try:
            menus = load_all(path, format, estate=estate)
        except MenuError:
            continue
        for menu in menus:
            found.nodes.update(menu.nodes)
            found.aliases.update(_asterisk_aliases(menu))
        found.aliases.update(_connect_aliases(path, found.nodes))
        found.folded.update(_twilio_widgets(path))
        found.folded.update(_dialplan_extensions(path))
    found.folded -= found.nodes
    return found


_CONTEXT = re.compile(r"^\s*\[([^\]]+)\]")
_EXTEN = re.compile(r"^\s*exten\s*=>?\s*([^,\s]+)\s*,", re.IGNORECASE)


def _dialplan_extensions(path: str) -> set[str]:
    """``context,extension`` of every literal extension a dialplan file writes."""
    if not path.lower().endswith((".conf", ".ael")):
        return set()
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return set()
    found: set[str] = set()
    context = None
    for line in lines:
        header = _CONTEXT.match(line)
        if header:
            context = header.group(1).strip()
            continue
        exten = _EXTEN.match(line)
        if context and exten and not exten.group(1).startswith("_"):
            found.add(f"{context},{exten.group(1).split('/')[0]}")
    return found


def _twilio_widgets(path: str) -> set[str]:
    """The widget names of a Studio flow file (``states``), else none."""
    if not path.lower().endswith(".json"):
        return set()
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
    except (OSError, ValueError):
        return set()
    if isinstance(value, dict) and isinstance(value.get("definition"), dict):
        value = value["definition"]
    states = value.get("states") if isinstance(value, dict) else None
    if not isinstance(states, list):
        return set()
    names = {
        " ".join(str(state.get("name", "")).split()) for state in states if isinstance(state, dict)
    }
    return names - {"", "Trigger"}


def _asterisk_aliases(menu: Menu) -> dict[str, Alias]:
    """``context,extension,...`` nodes: met by the CEL name ``context,extension``."""
    places: dict[str, tuple[str, str]] = {}
    for node in menu.nodes:
        parts = node.split(",", 2)
        if len(parts) == 3 and parts[0] and parts[1]:
            places[node] = (parts[0], parts[1])
    shared = Counter(places.values())
    aliases: dict[str, Alias] = {}
    for node, (context, exten) in places.items():
        sole = shared[(context, exten)] == 1
        if exten.startswith("_"):
            aliases[node] = Alias(context=context, pattern=exten, sole=sole)
        else:
            aliases[node] = Alias(frozenset({f"{context},{exten}"}), sole=sole)
    return aliases


def _connect_aliases(path: str, nodes: set[str]) -> dict[str, Alias]:
    """Amazon Connect blocks: a node is met by its block's ``Identifier``, and so is the
    step the importer puts in front of a block that may fail (``... (runs)``)."""
    if not path.lower().endswith((".json", ".yaml", ".yml", ".template")):
        return {}
    from ivraudit.formats._parse import parse_json
    from ivraudit.formats.connect.documents import flows_of, is_flow_language, wrapper
    from ivraudit.formats.connect.nodes import NodeTable

    try:
        with open(path, encoding="utf-8") as handle:
            document = parse_json(handle.read(), path)
        if not (is_flow_language(document.value) or wrapper(document.value)):
            return {}
        found = flows_of(document)
    except (MenuError, OSError, ValueError):
        return {}
    aliases: dict[str, Alias] = {}
    for item in found:
        table = NodeTable(item.flow, item.source)
        for ident, node in table.ids.items():
            for named, sole in ((node, True), (f"{node} (runs)", False)):
                # A block whose Identifier is its node id names itself (so every block
                # has an alias, and nodes the importer adds, such as "(outcome)", none).
                if named in nodes:
                    aliases[named] = Alias(frozenset({ident}), sole=sole)
    return aliases
