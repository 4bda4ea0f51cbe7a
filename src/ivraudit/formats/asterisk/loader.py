"""Asterisk dialplans (extensions.conf syntax) -> one Menu per context calls enter.

A dialplan is a set of contexts.  Calls arrive in some of them (an incoming
trunk, an IVR context nothing else jumps to); the rest are reached by ``Goto``,
``Gosub``, ``Macro`` or ``include``.  Each context where calls arrive becomes
one Menu (its id is the context name); ``Gosub``/``Macro`` subroutines become
subflows expanded at each call, so ``Return`` comes back to the right place.
See docs/formats/asterisk.md for the mapping and the heuristics.
"""

from __future__ import annotations

import os
import re
from collections import deque
from typing import TYPE_CHECKING, Any

from ivraudit.formats._build import build_menu
from ivraudit.formats._parse import Document
from ivraudit.formats.asterisk.closed import (
    mark_blacklisted_hangups,
    mark_closed_hangups,
    mark_rejected_at_the_door,
)
from ivraudit.formats.asterisk.entries import (
    Choice,
    choose,
    context_reach,
    entry_extensions,
    is_freepbx,
)
from ivraudit.formats.asterisk.flow import Flow
from ivraudit.formats.asterisk.nodes import Pool, branch_node, reachable_ids
from ivraudit.formats.asterisk.parse import Context, Dialplan, Extension, read_dialplan
from ivraudit.formats.asterisk.retries import counted_in_subroutines, counted_retries
from ivraudit.formats.asterisk.returns import Returns
from ivraudit.formats.asterisk.system import (
    CHANNEL_MESSAGE,
    CORE_NOTE,
    FREEPBX_CORE,
    is_channel_config,
    line_reader,
    owners,
    place_notices,
    system_of,
)
from ivraudit.formats.asterisk.targets import Loc, Target
from ivraudit.formats.asterisk.waits import waits_that_are_not_menus
from ivraudit.formats.registry import Format, NearMiss
from ivraudit.model.errors import EstatePartError, MenuError, NotAMenuError, Position
from ivraudit.model.menu import Menu

#: Contexts of a generated FreePBX dialplan that are its modules' code, not configuration.
_MODULE_CODE = re.compile(r"^(?:macro|sub|app)-", re.IGNORECASE)
#: A subroutine bigger than this (counting what it calls) is not expanded at each call.
MAX_SUBFLOW_NODES = 20_000
#: The most nodes all the menus of one file may hold together.
MAX_TOTAL_NODES = 2_000_000

AEL_MESSAGE = (
    "Asterisk AEL dialplan (extensions.ael): ivraudit does not read AEL; convert it to "
    "extensions.conf syntax (aelparse -d -w writes extensions.conf.aeldump) or give "
    "ivraudit the extensions.conf instead"
)

if TYPE_CHECKING:
    import networkx as nx
else:
    from ivraudit._lazy import networkx as nx

_EXTEN_LINE = re.compile(r"(?im)^[ \t]*(?:exten|same)[ \t]*=>?")
_HEADER = re.compile(r"(?m)^[ \t]*\[[^\]\r\n]+\]")
_INCLUDE_LINE = re.compile(r"(?im)^[ \t]*(?:include|switch)[ \t]*=>")
_CONTEXT_LINE = re.compile(r"(?im)^[ \t]*context[ \t]*=")
_AEL = re.compile(
    r"(?m)^[ \t]*(?:(?:context|macro|extensions)[ \t]+[\w.-]+[ \t]*(?:\([^)\n]*\))?[ \t]*\{"
    r"|globals[ \t]*\{|abstract[ \t]+context\b)"
)


def detect(text: Any) -> bool:
    """Whether a text file is an extensions.conf-style dialplan (or a channel config,
    which :func:`convert` refuses with the reason)."""
    if not isinstance(text, str):
        return False
    if _EXTEN_LINE.search(text):
        return True
    if _HEADER.search(text) and _CONTEXT_LINE.search(text):
        return True
    return bool(_HEADER.search(text) and _INCLUDE_LINE.search(text))


def looks_like_ael(text: str, path: str = "") -> bool:
    """Whether a text is written in AEL (``context name { ... }``)."""
    lowered = path.lower()
    if lowered.endswith((".ael", ".ael.sample")):
        return True
    return bool(_AEL.search(text)) and not _EXTEN_LINE.search(text)


def near_miss(text: str, path: str, documents: dict[str, Document]) -> str | None:
    """Refuse AEL dialplans with the reason, since no format reads them."""
    return AEL_MESSAGE if looks_like_ael(text, path) else None


def convert(document: Document) -> list[Menu]:
    """One Menu per context where calls enter the dialplan (and per internal context
    nothing leads to), for the contexts this file defines.

    In an estate, every dialplan file given in the run is one dialplan, as Asterisk
    merges #included files and same-named contexts; each file reports the contexts it
    defines (and those of files it #includes that were not given).
    """
    text = document.text
    path = document.path
    if looks_like_ael(text, path):
        raise NotAMenuError(path, 1, 1, AEL_MESSAGE)
    if is_channel_config(path, text) and not _EXTEN_LINE.search(text):
        raise EstatePartError(path, 1, 1, CHANNEL_MESSAGE, _CHANNEL_HINT)
    estate = document.estate
    if estate is None or path.startswith("<"):
        plan = read_dialplan(text, path)
        built = _whole(document, plan, [], estate, core_given=True)
        own = path
    else:
        system = system_of(estate, path, text, _is_dialplan)
        key = ("asterisk", tuple(name for name, _ in system.files))
        built = estate.cache.get(key)
        if built is None:
            try:
                (first, first_text), *rest = system.files
                plan = read_dialplan(first_text, first, estate.root, rest)
                built = _whole(document, plan, system.named, estate, system.core_given)
            except MenuError as error:
                built = error
            estate.cache[key] = built
        own = os.path.realpath(path)
    if isinstance(built, MenuError):
        raise built
    menus = built.get(own, [])
    if not menus:
        raise EstatePartError(
            path,
            1,
            1,
            "Asterisk dialplan file with no context of its own where calls enter: callers "
            "reach its contexts through other files of the dialplan (their findings are "
            "reported there), or its contexts are not caller lines",
        )
    return menus


def _is_dialplan(text: str, path: str) -> bool:
    return (
        detect(text) and not looks_like_ael(text, path) and not is_channel_config(path, text)
    ) or bool(_EXTEN_LINE.search(text))


def _whole(
    document: Document,
    plan: Dialplan,
    named: list[tuple[str, str]],
    estate: Any,
    core_given: bool,
) -> dict[str, list[Menu]]:
    """Every Menu of one dialplan, by the file that reports it."""
    path = document.path
    if not any(context.extensions for context in plan.contexts.values()):
        reason = (
            "Asterisk dialplan with no extensions: every 'exten =>' line is commented out "
            "(; or ;-- --;), so there is no phone menu to audit"
            if plan.has_exten_text
            else "Asterisk dialplan with no extensions, so there is no phone menu to audit"
        )
        raise NotAMenuError(path, 1, 1, reason)
    if is_freepbx(plan) and not core_given:
        plan.partial = dict.fromkeys(FREEPBX_CORE, CORE_NOTE)
    flow = Flow(plan)
    # Values carried across extensions start with nothing known where calls enter.
    flow.walker.known.carried.roots = lambda context: entry_extensions(context, flow)
    choices = choose(plan, flow, named)
    if not any(choice.role == "entry" for choice in choices):
        raise NotAMenuError(
            path,
            1,
            1,
            "Asterisk dialplan with no context where calls enter: every context that answers, "
            "plays a prompt or reads digits is reached from another one, is a subroutine or "
            "is not a caller's line (a feature code, an outbound route), "
            "so there is no phone menu to audit",
        )
    menus = _Assembly(document, plan, flow).menus(choices)
    owner = owners(plan.files, plan.includer, estate)
    by_file: dict[str, list[Menu]] = {}
    for choice, menu in zip(choices, menus, strict=True):
        where = choice.context.where.file
        real = os.path.realpath(where) if not where.startswith("<") else where
        by_file.setdefault(owner.get(real, real), []).append(menu)
    reach = context_reach(plan, flow, choices)
    line_of = line_reader(plan, path, document.text)
    place_notices(plan, reach, flow.targets.canonical, menus, line_of)
    if estate is None or path.startswith("<"):
        return {path: [menu for group in by_file.values() for menu in group]}
    return by_file


# -- menus -----------------------------------------------------------------------------------


class _Assembly:
    """Builds the node pools from the entries, then the Menus and their subflows."""

    def __init__(self, document: Document, plan: Dialplan, flow: Flow) -> None:
        self.document = document
        self.plan = plan
        self.flow = flow
        self.subflows: dict[str, tuple[Pool, str]] = {}
        self.reach: dict[str, set[str]] = {}
        self.built: dict[str, Menu] = {}

    def menus(self, choices: list[Choice]) -> list[Menu]:
        main = self.flow.pools["main"]
        starts = [
            (choice.context.name, self._start(main, choice.context, choice.extensions))
            for choice in choices
        ]
        self.flow.run()
        starts = [(name, self.flow.resolve(main, start)) for name, start in starts]
        self._discover([start for _, start in starts])
        self._bound()
        Returns(self.flow, self.subflows, reachable_ids).run(self.order)
        for key, (pool, start) in self.subflows.items():
            self.reach[key] = reachable_ids(pool, start)
            self.sizes.setdefault(key, len(self.reach[key]))
        for pool in self.flow.pools.values():
            opened = [start for each, start in self.subflows.values() if each is pool]
            if pool is main:
                opened.extend(start for _, start in starts)
            mark_closed_hangups(pool, opened)
            mark_blacklisted_hangups(pool, opened)
            subs = [start for each, start in self.subflows.values() if each is pool]
            entries = [start for _, start in starts] if pool is main else []
            mark_rejected_at_the_door(pool, entries, subs)
        for pool in self.flow.pools.values():
            counted_retries(pool)
        counted_in_subroutines(list(self.flow.pools.values()), self.subflows, self.reach)
        for pool in self.flow.pools.values():
            waits_that_are_not_menus(pool)
        for key, (pool, start) in self.subflows.items():
            self.reach[key] = reachable_ids(pool, start)  # with the retry exits copied in
        menus = []
        total = 0
        for (name, start), choice in zip(starts, choices, strict=True):
            reach = reachable_ids(main, start)
            total += len(reach) + sum(self._size(key) for key in self._calls(main, reach))
            if total > MAX_TOTAL_NODES:
                raise MenuError(
                    self.document.path,
                    1,
                    1,
                    f"this dialplan expands to more than {MAX_TOTAL_NODES:,} nodes",
                    "audit its contexts in smaller files",
                )
            menu = self._menu(main, start, reach, name, choice.role, choice.reason, choice.title)
            menus.append(menu)
        _name_hooks(menus, choices)
        return menus

    def _start(self, pool: Pool, context: Context, chosen: list[Extension]) -> str:
        targets: list[tuple[Extension, Target]] = []
        for ext in chosen:
            name = ext.name.partition("/")[0]
            if ext.pattern is None:
                target = self.flow.targets.locate(context.name, name, "1")
            else:
                target = Loc(context.name, ext.steps[1])
            targets.append((ext, target))
        if len(targets) == 1:
            only = targets[0][1]
            if isinstance(only, Loc):
                return self.flow.enter(pool, only)
            return self.flow.link(pool, only, context.name, "start", context.where) or ""
        node_id, _ = pool.claim(("entry", context.name), context.name)
        cases = []
        for number, (ext, target) in enumerate(targets, start=1):
            name = ext.name.partition("/")[0]
            if name == "s":
                when = "the call comes without a number (extension s)"
            elif ext.pattern is not None:
                when = f"the number called matches {name}"
            else:
                when = f"the number called is {name}"
            linked = self.flow.link(pool, target, node_id, f"case {number}", ext.where)
            cases.append((when, linked))
        otherwise = self.flow.link(
            pool, self.flow.targets.invalid(context.name, None), node_id, "else", context.where
        )
        note = "calls enter this context at the extension they dialed"
        pool.add(node_id, branch_node(cases, otherwise, note), context.where)
        return node_id

    def _calls(self, pool: Pool, reach: set[str]) -> list[str]:
        return [
            pool.nodes[node_id]["menu"]
            for node_id in sorted(reach)
            if pool.nodes[node_id].get("type") == "subflow"
        ]

    def _discover(self, starts: list[str]) -> None:
        """Build the start of every subroutine the entries call, and of those they call."""
        main = self.flow.pools["main"]
        pending: deque[tuple[Pool, str]] = deque((main, start) for start in starts)
        while pending:
            pool, start = pending.popleft()
            for node_id in sorted(reachable_ids(pool, start)):
                call = pool.calls.get(node_id)
                if call is None or pool.nodes[node_id].get("type") != "subflow":
                    continue
                mode, loc, key = call
                if key in self.subflows:
                    continue
                callee = self.flow.pools[mode]
                sub_start = self.flow.enter(callee, loc)
                self.flow.run()
                sub_start = self.flow.resolve(callee, sub_start)
                self.subflows[key] = (callee, sub_start)
                pending.append((callee, sub_start))

    def _bound(self) -> None:
        """Leave recursive and oversized subroutines unexpanded (an action at each call).

        Also drop the way back from calls to subroutines that never return (they
        always hang up), so the steps after such a call are not shown as reachable.
        """
        graph = nx.DiGraph()
        for key, (pool, start) in self.subflows.items():
            graph.add_node(key)
            for callee in self._calls(pool, reachable_ids(pool, start)):
                graph.add_edge(key, callee)
        opaque: dict[str, str] = {}
        for component in nx.strongly_connected_components(graph):
            if len(component) > 1 or any(graph.has_edge(key, key) for key in component):
                for key in component:
                    opaque[key] = "it calls itself (directly or through other subroutines)"
        self._opaque(opaque)
        sizes: dict[str, int] = {}
        acyclic = graph.subgraph(key for key in graph if key not in opaque)
        #: Subroutines, callees before their callers.
        self.order = list(reversed(list(nx.topological_sort(acyclic))))
        for key in self.order:
            pool, start = self.subflows[key]
            reach = reachable_ids(pool, start)
            if not any(pool.nodes[node_id].get("type") == "return" for node_id in reach):
                self._never_returns(key)
            size = len(reach) + sum(sizes.get(callee, 0) for callee in self._calls(pool, reach))
            if size > MAX_SUBFLOW_NODES:
                limit = f"{MAX_SUBFLOW_NODES:,}"
                self._opaque({key: f"expanding it at every call would make over {limit} nodes"})
                size = 0
            sizes[key] = size
            self.reach[key] = reach
        self.sizes = sizes

    def _never_returns(self, key: str) -> None:
        for pool in self.flow.pools.values():
            for node in pool.nodes.values():
                if node.get("type") == "subflow" and node.get("menu") == key:
                    node.pop("next", None)

    def _opaque(self, opaque: dict[str, str]) -> None:
        if not opaque:
            return
        for pool in self.flow.pools.values():
            for node in pool.nodes.values():
                key = node.get("menu")
                if node.get("type") == "subflow" and key in opaque:
                    node["type"] = "action"
                    node.pop("menu")
                    node["note"] = f"{node.get('note') or key}: not expanded, because {opaque[key]}"
        for key in opaque:
            self.subflows.pop(key, None)
            self.reach.pop(key, None)

    def _size(self, key: str) -> int:
        return getattr(self, "sizes", {}).get(key, 0)

    def _menu(
        self,
        pool: Pool,
        start: str,
        reach: set[str],
        name: str,
        role: str = "entry",
        reason: str = "",
        title: str | None = None,
    ) -> Menu:
        files = {name: index for index, name in enumerate(self.plan.files)}
        nodes = {node_id: pool.nodes[node_id] for node_id in _ordered(pool, reach, files)}
        positions = _positions(pool, nodes)
        menu = build_menu(
            self.document,
            nodes=nodes,
            start=start,
            positions=positions,
            id=name,
            title=title,
            role=role,  # type: ignore[arg-type]
            role_reason=reason,
        )
        menu._path = self.document.path
        menu._format = "asterisk"
        for key in sorted(set(self._calls(pool, reach))):
            menu._subflows[key] = self._subflow(key)
        return menu

    def _subflow(self, key: str) -> Menu:
        known = self.built.get(key)
        if known is not None:
            return known
        # Build callees first, without recursion: the call graph is acyclic by now.
        order: list[str] = []
        stack = [(key, False)]
        while stack:
            current, done = stack.pop()
            if current in self.built or (not done and current in order):
                continue
            if done:
                order.append(current)
                continue
            stack.append((current, True))
            pool, _ = self.subflows[current]
            for callee in self._calls(pool, self.reach[current]):
                if callee not in self.built:
                    stack.append((callee, False))
        for current in order:
            if current in self.built:
                continue
            pool, start = self.subflows[current]
            built = self._menu(pool, start, self.reach[current], current)
            vendor = self._module_code(current)
            if vendor is not None:
                built.as_platform_code(vendor)
            self.built[current] = built
        return self.built[key]

    def _module_code(self, key: str) -> str | None:
        """Why the subroutine ``key`` calls is the PBX's own code: a ``macro-``, ``sub-``
        or ``app-`` context of a file FreePBX (or a fork) generates, which it rewrites
        on every reload; None for the dialplan author's."""
        called = key.partition(" ")[2].split(",", 1)[0].strip()
        context = self.plan.contexts.get(called)
        if context is None or not _MODULE_CODE.match(called):
            return None
        generator = self.plan.generated.get(os.path.realpath(context.where.file))
        if generator is None:
            return None
        return f"[{called}] is {generator}'s own module code (its file is generated)"


_CHANNEL_HINT = "check it with the dialplan it serves: name both files, or their directory"


def _name_hooks(menus: list[Menu], choices: list[Choice]) -> None:
    """A line its dispatch names as a demo or a test (``GotoIf($[${NUM} = 1473]?door,s,1)
    ; door control demo``) is a sample part of its own (formats.samples reads the title);
    in the other parts whose routes run into it -- the trunk that dispatches -- its
    context's nodes are test hooks, not a caller's route."""
    named = {choice.context.name for choice in choices if choice.sample_named}
    if not named:
        return
    for menu in menus:
        hooks = frozenset(
            node
            for node in menu.nodes
            if node.split(",", 1)[0] in named and node.split(",", 1)[0] != menu.id
        )
        if hooks:
            menu.with_named_hooks(hooks)


def _ordered(pool: Pool, reach: set[str], files: dict[str, int]) -> list[str]:
    # File order of the nodes (the dialplan, then its #includes), then their ids.
    def key(node_id: str) -> tuple[int, int, int, str]:
        where = pool.where.get(("nodes", node_id)) or Position("")
        return (files.get(where.file, len(files)), where.line, where.column, node_id)

    return sorted(reach, key=key)


def _positions(pool: Pool, nodes: dict[str, Any]) -> dict[tuple[Any, ...], Position]:
    positions: dict[tuple[Any, ...], Position] = {}
    for path, where in pool.where.items():
        if len(path) >= 2 and path[1] in nodes:
            positions[path] = where
    return positions


#: The formats this platform reads, in the order detection tries them.
FORMATS: tuple[Format, ...] = (
    Format(
        name="asterisk",
        title="Asterisk dialplan (extensions.conf)",
        kind="text",
        suffixes=(".conf",),
        detect=detect,
        convert=convert,
    ),
)

#: Explanations for files that look like this platform's but are refused.
NEAR_MISSES: tuple[NearMiss, ...] = (near_miss,)
