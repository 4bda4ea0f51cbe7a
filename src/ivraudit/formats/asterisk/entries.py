"""Where calls enter a dialplan, and what each context is to callers (DESIGN.md §7a).

A context is an **entry** (a caller's line) when a channel config names it with
``context=``, when it is one of FreePBX's inbound contexts (``from-trunk*``,
``from-pstn``, ``ext-did``, ...) or a FreePBX IVR (``ivr-N``) that another context
names but no inbound route given reaches, or -- in a hand-written dialplan -- when it
plays a prompt and waits for digits (or leads to such a menu) and nothing in the
dialplan leads to it.
Contexts nothing leads to that are feature codes, outbound routes, fax,
parking, paging or agent log-in are **internal**: not a caller's line.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ivraudit.formats.asterisk.apps import TALK_APPS, app_args, goto_parts
from ivraudit.formats.asterisk.flow import Flow
from ivraudit.formats.asterisk.lines import dialled_lines
from ivraudit.formats.asterisk.match import has_variables, is_dialable, normalize, substitute
from ivraudit.formats.asterisk.parse import Context, Dialplan, Extension, Step
from ivraudit.formats.asterisk.targets import SPECIAL_EXTENSIONS, jump_specs
from ivraudit.model.names import NAME_WORDS, named_kind

if TYPE_CHECKING:
    import networkx as nx
else:
    from ivraudit._lazy import networkx as nx


@dataclass
class Choice:
    """A context made into a Menu: the extensions calls enter it at, its role and why."""

    context: Context
    extensions: list[Extension]
    role: str
    reason: str
    #: The name the deployment gives the part, where it gives one (a dispatch's comment).
    title: str | None = None
    #: Whether every dispatch line into it names it a demo, test or example.
    sample_named: bool = False


#: FreePBX's inbound contexts: calls from trunks arrive here and are routed by DID.
FREEPBX_INBOUND = re.compile(
    r"^(from-trunk|from-pstn|from-dahdi|from-zaptel|from-did-direct$|ext-did$|ext-did-catchall$"
    r"|from-sip-external$)",
    re.IGNORECASE,
)
#: FreePBX's generated IVRs.
FREEPBX_IVR = re.compile(r"^ivr-\d+$", re.IGNORECASE)
#: Contexts FreePBX writes into extensions_additional.conf: their presence marks a FreePBX box.
FREEPBX_MARKS = ("from-internal-additional", "ext-did", "ext-local", "macro-user-callerid")


def is_freepbx(plan: Dialplan) -> bool:
    """Whether the dialplan is FreePBX's (or Issabel's) generated one."""
    return sum(name in plan.contexts for name in FREEPBX_MARKS) >= 2


def choose(plan: Dialplan, flow: Flow, named: list[tuple[str, str]]) -> list[Choice]:
    """The contexts to audit, in file order: entries first decided by the platform's
    own signals (``named``: contexts channel configs name, with why), then FreePBX's
    inbound structure, then the contexts nothing leads to."""
    links, called = _references(plan, flow)
    graph = nx.DiGraph()
    graph.add_nodes_from(flow.targets.canonical(name) for name in plan.contexts)
    graph.add_edges_from(links)
    freepbx = is_freepbx(plan)
    candidates: list[tuple[str, str]] = []
    for name, reason in named:
        if name in plan.contexts and not name.lower().startswith("from-internal"):
            candidates.append((name, reason))
    if freepbx:
        for name in plan.contexts:
            if FREEPBX_INBOUND.match(name):
                candidates.append((name, f"FreePBX inbound context {name}: calls from trunks"))
        for name in plan.contexts:
            if FREEPBX_IVR.match(name) and _referenced(graph, flow.targets.canonical(name)):
                candidates.append(
                    (name, f"FreePBX IVR {name}, reached from no inbound route given")
                )
    choices: list[Choice] = []
    covered: set[str] = set()
    for name, reason in _sources(candidates, graph, flow):
        context = plan.contexts[name]
        chosen = [ext for ext in entry_extensions(context, flow) if not _placeholder(ext)]
        if chosen:
            choices.append(Choice(context, chosen, "entry", reason))
            covered.add(flow.targets.canonical(name))
            covered.update(nx.descendants(graph, flow.targets.canonical(name)))
    waiting = {
        flow.targets.canonical(context.name)
        for context in plan.contexts.values()
        if any(_waits(step) for ext in context.extensions.values() for step in ext.steps.values())
    }
    reaches_wait = _reaching(waiting, links)
    dialling = dialling_contexts(plan, flow)
    for context, chosen in entry_contexts(plan, flow, (links, called)):
        canonical = flow.targets.canonical(context.name)
        if canonical in covered:
            continue
        covered.update(nx.descendants(graph, canonical))
        if freepbx:
            # Neither inbound nor an IVR: a feature code, an outbound route, or a part
            # FreePBX's core dialplan reaches; not a caller's line, and not audited.
            continue
        reason = internal_reason(context, canonical in waiting, dialling, flow)
        if reason is None and canonical not in reaches_wait:
            reason = (
                f"context {context.name} {_NO_DIGITS} (no Background, WaitExten or "
                "Read) and nothing in the dialplan leads to it"
            )
        if reason is not None:
            choices.append(Choice(context, chosen, "internal", reason))
            continue
        why = (
            f"context {context.name} plays a prompt and waits for digits, and nothing in the "
            "dialplan leads to it"
            if canonical in waiting
            else f"nothing in the dialplan leads to context {context.name}, and it leads "
            "callers to a menu"
        )
        choices.append(Choice(context, chosen, "entry", why))
    if not any(choice.role == "entry" for choice in choices):
        # Asterisk's own sample dialplan: its demo is the menu there is to audit.
        # (Or a dialplan with no menu at all: its contexts that talk to the caller.)
        for choice in choices:
            if _SAMPLE_NOTE in choice.reason:
                choice.role = "entry"
                choice.reason = f"context {choice.context.name} is the only menu: Asterisk's sample"
            elif _NO_DIGITS in choice.reason:
                choice.role = "entry"
                choice.reason = (
                    f"context {choice.context.name} answers calls and nothing in the dialplan "
                    "leads to it (no context of this dialplan waits for digits)"
                )
    # Each number an inbound context dispatches to a service of its own is a line.
    inbound = [choice.context for choice in choices if choice.role == "entry"]
    taken = {flow.targets.canonical(choice.context.name) for choice in choices}
    for line in dialled_lines(inbound, flow.targets, taken):
        # A name is a short note (NAME_WORDS); the line is a sample only when every
        # dispatch into it says so, and a line some notes name a sample and others not
        # gets no title at all (one live number into a demo context keeps it live).
        kinds = [
            named_kind(note) if len(note.split()) <= NAME_WORDS else None for note in line.notes
        ]
        sample = bool(kinds) and not line.unnoted and all(kinds)
        title = "; ".join(line.notes) if sample or not any(kinds) else None
        choices.append(
            Choice(line.context, line.extensions, "entry", line.reason, title or None, sample)
        )
    order = {name: index for index, name in enumerate(plan.contexts)}
    choices.sort(key=lambda choice: order[choice.context.name])
    return choices


def _referenced(graph: nx.DiGraph, name: str) -> bool:
    """Whether another context of the dialplan leads to ``name``: FreePBX writes an
    ``ivr-N`` context for every IVR, but only a destination that names it (an inbound
    route, a time condition, an announcement) sends callers there."""
    return any(source != name for source in graph.predecessors(name))


def _sources(
    candidates: list[tuple[str, str]], graph: nx.DiGraph, flow: Flow
) -> list[tuple[str, str]]:
    """The candidates no other candidate leads to (the first of those that lead to each other)."""
    canon = {name: flow.targets.canonical(name) for name, _ in candidates}
    below = {name: nx.descendants(graph, canon[name]) for name, _ in candidates}
    kept: list[tuple[str, str]] = []
    for name, reason in candidates:
        here = canon[name]
        if any(canon[other] == here or here in below[other] for other, _ in kept):
            continue
        if any(
            here in below[other] and canon[other] not in below[name]
            for other, _ in candidates
            if canon[other] != here
        ):
            continue
        kept.append((name, reason))
    return kept


def _placeholder(ext: Extension) -> bool:
    """FreePBX's ``exten => foo,1,Noop(bar)``: an extension that only keeps a context non-empty."""
    return all(step.app.strip().lower() == "noop" for step in ext.steps.values())


def _waits(step: Step) -> bool:
    kind = step.kind
    if kind.tag in ("waitexten", "read") or (kind.tag == "prompt" and kind.interruptible):
        return True
    if kind.tag in ("execif", "execiftime"):
        for text in (kind.then, kind.otherwise):
            inner = (text or "").split("(", 1)[0].strip().lower()
            if inner in ("background", "waitexten", "read", "readexten"):
                return True
    return False


_INTERNAL_NAMES = (
    (re.compile(r"^app-"), "a FreePBX feature application"),
    (re.compile(r"^(outrt-|outbound-allroutes|ext-trunk$)"), "an outbound route"),
    (re.compile(r"^vm-callme$"), "voicemail's call-me callback to the mailbox owner"),
    (re.compile(r"^park"), "call parking"),
    (re.compile(r"(^|-)(paging|page|intercom)(-|$)"), "paging/intercom"),
    (re.compile(r"fax"), "fax"),
)
#: Sound files only Asterisk's shipped [demo] context plays.
_SAMPLE_PROMPTS = ("demo-congrats", "demo-instruct")
_SAMPLE_NOTE = "Asterisk's sample demo"
_NO_DIGITS = "waits for no digits"
_DIAL_OUT = re.compile(r"callout|dialout|outbound|trunk", re.IGNORECASE)


def internal_reason(
    context: Context,
    waits: bool = False,
    dialling: dict[str, str] | None = None,
    flow: Flow | None = None,
) -> str | None:
    """Why a context is not a caller's line (feature code, outbound route, fax, ...), if it
    is not; ``waits``: it waits for digits itself, so what it runs may be a menu's options;
    ``dialling``: the contexts where calls are placed out (:func:`dialling_contexts`)."""
    name = context.name
    lower = name.lower()
    for pattern, what in _INTERNAL_NAMES:
        if pattern.search(lower):
            return f"context {name} is {what}"
    own = [
        ext
        for ext in context.extensions.values()
        if ext.name.partition("/")[0] not in SPECIAL_EXTENSIONS and 1 in ext.steps
    ]
    codes = [ext.name for ext in own if ext.name.lstrip("_").startswith("*")]
    if own and len(codes) == len(own):
        return f"feature code {', '.join(codes[:3])}{', ...' if len(codes) > 3 else ''}"
    steps = [step for ext in context.extensions.values() for step in ext.steps.values()]
    if any(sample in step.data for step in steps for sample in _SAMPLE_PROMPTS):
        return f"context {name} is {_SAMPLE_NOTE} (its prompts are demo-congrats, ...)"
    if waits:
        return None
    apps = {step.app.strip().lower() for step in steps}
    if apps & {"agentlogin", "agentcallbacklogin"}:
        return f"context {name} logs agents in (AgentLogin)"
    if apps & {"receivefax", "sendfax", "rxfax", "txfax"}:
        return f"context {name} receives or sends faxes"
    if apps & {"park", "parkedcall", "parkandannounce"}:
        return f"context {name} parks calls"
    if "page" in apps:
        return f"context {name} pages phones (intercom)"
    if "disa" in apps:
        return (
            f"context {name} gives a dial tone to place calls out (DISA, Direct Inward "
            "System Access)"
        )
    if own and all(_dials_out(ext) for ext in own):
        return f"context {name} is an outbound route: its extensions only dial out"
    if own and dialling and flow is not None:
        sent = [_sent_to(ext, dialling, flow) for ext in own]
        places = sorted({place for place in sent if place})
        if places and all(place or _dials_out(ext) for place, ext in zip(sent, own, strict=True)):
            why = "; ".join(f"{place} {dialling[place]}" for place in places[:2])
            return (
                f"context {name} places calls out: its extensions only pass the number on "
                f"to be dialled, without a word to the caller (context {why})"
            )
    return None


def dialling_contexts(plan: Dialplan, flow: Flow) -> dict[str, str]:
    """Contexts where calls are placed out, with why: the context a ``DISA()`` gives its
    dial tone in (its second argument, ``disa`` when it names none; Asterisk docs, DISA:
    "the user is then given system dialtone within context on which a call may be
    placed")."""
    found: dict[str, str] = {}
    for context in plan.contexts.values():
        for ext in context.extensions.values():
            for step in ext.steps.values():
                if step.app.strip().lower() != "disa":
                    continue
                args = app_args(substitute(step.data, flow.targets.constants, None, context.name))
                place = args[1].strip() if len(args) > 1 and args[1].strip() else "disa"
                if place in plan.contexts and not has_variables(place):
                    where = f"{os.path.basename(step.where.file)}:{step.where.line}"
                    found.setdefault(place, f"is where DISA() gives a dial tone, at {where}")
    return found


def _sent_to(ext: Extension, dialling: dict[str, str], flow: Flow) -> str | None:
    """The dialling context an extension only passes its call on to (bookkeeping, then a
    Goto there), or None: it talks to the caller, waits, or goes anywhere else."""
    place: str | None = None
    for step in ext.steps.values():
        if _talks(step) or _waits(step):
            return None
        specs = jump_specs(step)
        for spec in specs:
            parts = goto_parts(substitute(spec, flow.targets.constants, None, step.context))
            if len(parts) != 3 or parts[0] not in dialling:
                return None
            place = parts[0]
        if not specs and step.kind.tag not in ("pass", "action"):
            return None
    return place


def _dials_out(ext: Extension) -> bool:
    """Whether an extension only sends the dialed number out (Dial of ${EXTEN}, Macro(callout))."""
    if ext.pattern is None and not ext.name.isdigit():
        return False
    out = False
    for step in ext.steps.values():
        app = step.app.strip().lower()
        if _waits(step):
            return False
        if (app == "dial" and "${EXTEN" in step.data) or (
            app in ("macro", "gosub") and _DIAL_OUT.search(step.data.split(",", 1)[0])
        ):
            out = True
    return out


# -- contexts nothing leads to ---------------------------------------------------------------


def entry_contexts(
    plan: Dialplan,
    flow: Flow,
    references: tuple[set[tuple[str, str]], set[str]] | None = None,
) -> list[tuple[Context, list[Extension]]]:
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
    links, called = references or _references(plan, flow)
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


def _last_doing(ext: Extension) -> str:
    """What the last priority of ``ext`` that does something (past Set, NoOp, ...) is."""
    for number in sorted(ext.steps, reverse=True):
        tag = ext.steps[number].kind.tag
        if tag != "pass":
            return tag
    return "pass"


def _extension_refs(
    ext: Extension, own: list[Extension], dialable: list[Extension], flow: Flow
) -> list[Extension]:
    found: list[Extension] = []
    falls_through = not ext.steps or flow.plan.falls_through(ext.steps[max(ext.steps)].where.file)
    if not falls_through and _last_doing(ext) == "prompt":
        # Running out of priorities right after a prompt waits for the extension it asked
        # for; after anything else the wait offers nothing (silence, then 't').
        found.extend(dialable)
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


def context_reach(plan: Dialplan, flow: Flow, choices: list[Choice]) -> list[set[str]]:
    """For each chosen context, the contexts callers' calls can get to from it (canonical
    names, itself included), by every Goto, Gosub, Macro and include; none for an internal
    part (not a caller's line)."""
    links, _ = _references(plan, flow)
    graph = nx.DiGraph()
    graph.add_nodes_from(flow.targets.canonical(name) for name in plan.contexts)
    graph.add_edges_from(links)
    reach = []
    for choice in choices:
        name = flow.targets.canonical(choice.context.name)
        internal = choice.role == "internal"
        reach.append(set() if internal else {name, *nx.descendants(graph, name)})
    return reach
