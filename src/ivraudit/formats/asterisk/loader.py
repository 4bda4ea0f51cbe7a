"""Asterisk dialplans (extensions.conf syntax) -> one Menu per context calls enter.

A dialplan is a set of contexts.  Calls arrive in some of them (an incoming
trunk, an IVR context nothing else jumps to); the rest are reached by ``Goto``,
``Gosub``, ``Macro`` or ``include``.  Each context where calls arrive becomes
one Menu (its id is the context name); ``Gosub``/``Macro`` subroutines become
subflows expanded at each call, so ``Return`` comes back to the right place.
See docs/formats/asterisk.md for the mapping and the heuristics.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import networkx as nx

from ivraudit.formats._build import build_menu
from ivraudit.formats._parse import Document
from ivraudit.formats.asterisk.apps import TALK_APPS, app_args, goto_parts
from ivraudit.formats.asterisk.flow import Flow
from ivraudit.formats.asterisk.match import has_variables, is_dialable, normalize, substitute
from ivraudit.formats.asterisk.nodes import TARGET_FIELDS, Pool, branch_node
from ivraudit.formats.asterisk.parse import Context, Dialplan, Extension, Step, read_dialplan
from ivraudit.formats.asterisk.targets import SPECIAL_EXTENSIONS, Loc, Target, jump_specs
from ivraudit.formats.registry import Format, NearMiss
from ivraudit.model.errors import MenuError, NotAMenuError, Position
from ivraudit.model.menu import Menu

#: A subroutine bigger than this (counting what it calls) is not expanded at each call.
MAX_SUBFLOW_NODES = 20_000
#: The most nodes all the menus of one file may hold together.
MAX_TOTAL_NODES = 2_000_000

AEL_MESSAGE = (
    "Asterisk AEL dialplan (extensions.ael): ivraudit does not read AEL; convert it to "
    "extensions.conf syntax (aelparse -d -w writes extensions.conf.aeldump) or give "
    "ivraudit the extensions.conf instead"
)

_EXTEN_LINE = re.compile(r"(?im)^[ \t]*(?:exten|same)[ \t]*=>?")
_HEADER = re.compile(r"(?m)^[ \t]*\[[^\]\r\n]+\]")
_INCLUDE_LINE = re.compile(r"(?im)^[ \t]*(?:include|switch)[ \t]*=>")
_AEL = re.compile(
    r"(?m)^[ \t]*(?:(?:context|macro|extensions)[ \t]+[\w.-]+[ \t]*(?:\([^)\n]*\))?[ \t]*\{"
    r"|globals[ \t]*\{|abstract[ \t]+context\b)"
)


def detect(text: Any) -> bool:
    """Whether a text file is an extensions.conf-style dialplan."""
    if not isinstance(text, str):
        return False
    if _EXTEN_LINE.search(text):
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
    """One Menu per context where calls enter the dialplan."""
    text = document.text
    if looks_like_ael(text, document.path):
        raise NotAMenuError(document.path, 1, 1, AEL_MESSAGE)
    plan = read_dialplan(text, document.path)
    if not any(context.extensions for context in plan.contexts.values()):
        reason = (
            "Asterisk dialplan with no extensions: every 'exten =>' line is commented out "
            "(; or ;-- --;), so there is no phone menu to audit"
            if plan.has_exten_text
            else "Asterisk dialplan with no extensions, so there is no phone menu to audit"
        )
        raise NotAMenuError(document.path, 1, 1, reason)
    flow = Flow(plan)
    entries = entry_contexts(plan, flow)
    if not entries:
        raise NotAMenuError(
            document.path,
            1,
            1,
            "Asterisk dialplan with no context where calls enter: every context that answers, "
            "plays a prompt or reads digits is reached from another one or is a subroutine, "
            "so there is no phone menu to audit",
        )
    return _Assembly(document, plan, flow).menus(entries)


# -- where calls enter -----------------------------------------------------------------------


def entry_contexts(plan: Dialplan, flow: Flow) -> list[tuple[Context, list[Extension]]]:
    """Contexts calls enter, each with the extensions they enter at (file order).

    Contexts are grouped by what leads from one to another (Goto, GotoIf,
    Gosub, Macro, ``include``, ...; a context holding nothing but one include
    counts as the context it includes): a group nothing else leads into is
    where calls enter.  Its first context (in file order) that has extensions
    of its own, is not a subroutine (a ``macro-`` context, a Gosub/Macro
    target, or one that runs Return) and talks to the caller (answers, plays
    a prompt, reads digits), or leads to a context that does, is the entry.
    So a main menu and the submenus that jump back to it make one entry.
    """
    links, called = _references(plan, flow)
    talking = {
        flow.targets.canonical(context.name)
        for context in plan.contexts.values()
        if any(_talks(step) for ext in context.extensions.values() for step in ext.steps.values())
    }
    reaches_talk = _reaching(talking, links)
    graph = nx.DiGraph()
    graph.add_nodes_from(flow.targets.canonical(name) for name in plan.contexts)
    graph.add_edges_from(links)
    condensed = nx.condensation(graph)
    order = {name: index for index, name in enumerate(plan.contexts)}
    pending: deque[str] = deque()
    for component in condensed:
        if condensed.in_degree(component) == 0:
            pending.extend(sorted(condensed.nodes[component]["members"], key=order.__getitem__))
    pending = deque(sorted(pending, key=order.__getitem__))
    seen = set(pending)
    covered: set[str] = set()
    entries = []
    while pending:
        name = pending.popleft()
        if name in covered:
            continue
        context = plan.contexts[name]
        if _eligible(context, called) and name in reaches_talk:
            chosen = entry_extensions(context, flow)
            if chosen:
                entries.append((context, chosen))
                covered.update(nx.descendants(graph, name))
                continue
        # Nothing to enter here (only includes, a trunk hop, a subroutine): go on.
        for target in sorted(graph.successors(name), key=order.__getitem__):
            if target not in seen:
                seen.add(target)
                pending.append(target)
    entries.sort(key=lambda entry: order[entry[0].name])
    return entries


def _eligible(context: Context, called: set[str]) -> bool:
    if context.name.lower().startswith("macro-") or context.name in called:
        return False
    apps = {
        step.app.strip().lower()
        for ext in context.extensions.values()
        for step in ext.steps.values()
    }
    return bool(apps) and not apps & {"return", "macroexit"}


def _reaching(talking: set[str], links: set[tuple[str, str]]) -> set[str]:
    """Contexts from which a talking context can be reached (by any jump or include)."""
    into: dict[str, list[str]] = {}
    for source, target in links:
        into.setdefault(target, []).append(source)
    seen = set(talking)
    stack = list(talking)
    while stack:
        for source in into.get(stack.pop(), ()):
            if source not in seen:
                seen.add(source)
                stack.append(source)
    return seen


def _talks(step: Step) -> bool:
    name = step.app.strip().lower()
    if name in TALK_APPS:
        return True
    kind = step.kind
    if kind.tag == "prompt":
        return True
    if kind.tag in ("execif", "execiftime"):
        for text in (kind.then, kind.otherwise):
            inner = (text or "").split("(", 1)[0].strip().lower()
            if inner in TALK_APPS:
                return True
    return False


def _references(plan: Dialplan, flow: Flow) -> tuple[set[tuple[str, str]], set[str]]:
    """What leads from one context to another, and contexts run as subroutines.

    Context names are canonical: a context that only includes another is that one.
    """
    links: set[tuple[str, str]] = set()
    called: set[str] = set()
    for context in plan.contexts.values():
        source = flow.targets.canonical(context.name)
        for include in context.includes:
            target = flow.targets.canonical(include.name)
            if include.name in plan.contexts and target != source:
                links.add((source, target))
        for extension in context.extensions.values():
            for step in extension.steps.values():
                for target, subroutine in _step_targets(step, flow):
                    if target not in plan.contexts:
                        continue
                    canonical = flow.targets.canonical(target)
                    if subroutine:
                        called.update({target, canonical})
                    if canonical != source:
                        links.add((source, canonical))
    return links, called


def _step_targets(step: Step, flow: Flow) -> list[tuple[str, bool]]:
    """Contexts a priority names as a place to go, and whether it runs them as a subroutine."""
    kind = step.kind
    found: list[tuple[str, bool]] = []
    subroutine = kind.tag in ("call", "callif")
    if subroutine and kind.call == "macro":
        for spec in (kind.target, kind.then, kind.otherwise):
            args = app_args(spec or "")
            if args and not has_variables(args[0]):
                found.append((f"macro-{args[0]}", True))
        return found
    for spec in jump_specs(step):
        parts = goto_parts(substitute(spec, flow.targets.constants, None, step.context))
        if len(parts) == 3 and not has_variables(parts[0]):
            found.append((parts[0], subroutine))
    if kind.tag == "transfer" and kind.target and kind.target.startswith("DISA:"):
        found.append((kind.target[5:], False))
    if kind.tag == "prompt" and kind.context:
        found.append((kind.context, False))
    return found


def entry_extensions(context: Context, flow: Flow) -> list[Extension]:
    """The extensions calls enter a context at.

    Those no other extension of the context leads to (by a jump, or as a
    menu choice), ``s`` first; when every extension is reached from another
    (a menu whose options lead back to it), the first that answers the call.
    Calls also arrive at such extensions of the contexts it includes.
    """
    roots = _roots(context, flow)
    if roots is None:
        return []
    if not roots:
        own = _own(context)
        for ext in own:
            if any(step.app.strip().lower() == "answer" for step in ext.steps.values()):
                return [ext]
        return [own[0]]
    seen = {ext.name.partition("/")[0] for ext in roots}
    for included, _ in flow.targets.search_order(context.name)[1:]:
        for ext in _roots(included, flow) or []:
            name = ext.name.partition("/")[0]
            if name not in seen and name != "s":
                seen.add(name)
                roots.append(ext)
    return roots


def _own(context: Context) -> list[Extension]:
    return [
        ext
        for ext in context.extensions.values()
        if ext.name.partition("/")[0] not in SPECIAL_EXTENSIONS - {"s"} and 1 in ext.steps
    ]


def _roots(context: Context, flow: Flow) -> list[Extension] | None:
    """Extensions of a context nothing else in it leads to (None: it has none at all)."""
    own = _own(context)
    if not own:
        return None
    incoming: dict[str, set[str]] = {ext.key: set() for ext in own}
    dialable = [
        ext for ext in own if ext.pattern is not None or is_dialable(ext.name.partition("/")[0])
    ]
    for ext in own:
        for target in _extension_refs(ext, own, dialable, flow):
            if target.key != ext.key:
                incoming[target.key].add(ext.key)
    roots = [ext for ext in own if not incoming[ext.key]]
    roots.sort(key=lambda ext: (ext.name != "s", ext.order))
    return roots


def _extension_refs(
    ext: Extension, own: list[Extension], dialable: list[Extension], flow: Flow
) -> list[Extension]:
    found: list[Extension] = []
    last = ext.steps[max(ext.steps)].kind.tag if ext.steps else "hangup"
    if not flow.plan.autofallthrough and last not in ("hangup", "goto", "return"):
        found.extend(dialable)  # running out of priorities waits for another extension
    for step in ext.steps.values():
        kind = step.kind
        if kind.tag == "waitexten" or (kind.tag == "prompt" and kind.interruptible):
            found.extend(dialable)
        for spec in jump_specs(step):
            parts = goto_parts(substitute(spec, flow.targets.constants, None, step.context))
            if len(parts) == 3 and flow.targets.canonical(parts[0]) != flow.targets.canonical(
                step.context
            ):
                continue
            if len(parts) < 2:
                continue
            found.extend(other for other in own if _may_name(parts[-2], other))
    return found


def _may_name(text: str, ext: Extension) -> bool:
    """Whether a (possibly partly dynamic) extension name in a jump can be ``ext``."""
    name = ext.name.partition("/")[0]
    if not has_variables(text):
        wanted = normalize(text)
        if ext.pattern is not None:
            return ext.pattern.matches(wanted)
        return normalize(name) == wanted
    prefix = normalize(re.split(r"\$[{\[]", text, maxsplit=1)[0])
    if not prefix:
        return False  # anywhere at all: says nothing about which extension
    if ext.pattern is not None:
        return name.startswith("_" + prefix) or ext.pattern.matches(prefix + "0")
    return normalize(name).startswith(prefix)


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

    def menus(self, entries: list[tuple[Context, list[Extension]]]) -> list[Menu]:
        main = self.flow.pools["main"]
        starts = [(context.name, self._start(main, context, chosen)) for context, chosen in entries]
        self.flow.run()
        starts = [(name, self.flow.resolve(main, start)) for name, start in starts]
        self._discover([start for _, start in starts])
        self._bound()
        menus = []
        total = 0
        for name, start in starts:
            reach = _reachable(main, start)
            total += len(reach) + sum(self._size(key) for key in self._calls(main, reach))
            if total > MAX_TOTAL_NODES:
                raise MenuError(
                    self.document.path,
                    1,
                    1,
                    f"this dialplan expands to more than {MAX_TOTAL_NODES:,} nodes",
                    "audit its contexts in smaller files",
                )
            menus.append(self._menu(main, start, reach, name))
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
            for node_id in sorted(_reachable(pool, start)):
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
            for callee in self._calls(pool, _reachable(pool, start)):
                graph.add_edge(key, callee)
        opaque: dict[str, str] = {}
        for component in nx.strongly_connected_components(graph):
            if len(component) > 1 or any(graph.has_edge(key, key) for key in component):
                for key in component:
                    opaque[key] = "it calls itself (directly or through other subroutines)"
        self._opaque(opaque)
        sizes: dict[str, int] = {}
        acyclic = graph.subgraph(key for key in graph if key not in opaque)
        for key in reversed(list(nx.topological_sort(acyclic))):
            pool, start = self.subflows[key]
            reach = _reachable(pool, start)
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

    def _menu(self, pool: Pool, start: str, reach: set[str], name: str) -> Menu:
        files = {name: index for index, name in enumerate(self.plan.files)}
        nodes = {node_id: pool.nodes[node_id] for node_id in _ordered(pool, reach, files)}
        positions = _positions(pool, nodes)
        menu = build_menu(
            self.document, nodes=nodes, start=start, positions=positions, id=name, title=None
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
            self.built[current] = self._menu(pool, start, self.reach[current], current)
        return self.built[key]


def _reachable(pool: Pool, start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in pool.nodes:
            continue
        seen.add(node_id)
        stack.extend(_targets(pool.nodes[node_id]))
    return seen


def _targets(node: dict[str, Any]) -> list[str]:
    found = []
    for field in TARGET_FIELDS:
        value = node.get(field)
        if isinstance(value, str):
            found.append(value)
    found.extend(value for value in node.get("options", {}).values() if isinstance(value, str))
    found.extend(case["next"] for case in node.get("cases", ()) if case.get("next"))
    return found


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
