"""Route-exact splits: a widget copied per route where what a split reads differs by route.

Studio docs, *Gather Input On Call*: ``{{widgets.X.Digits}}`` is what the caller
keyed the last time gather X ran (empty text if it never ran); *Split Based
On...*: the split takes the first transition whose conditions hold.  A split on
X's Digits is one widget, but which of its transitions a call takes depends on
the route the call came by: after "press 1" at X only the case for ``1`` can
hold.  One node for every route would let witnesses and metrics follow routes
Studio cannot take ("presses 2 ... case 1 holds").

So the flow is walked as pairs (widget, the values each tracked gather's Digits
can hold there), the values narrowed by the splits on the way as
:mod:`.decisions` does.  Pairs of one widget whose futures are the same (the same
split transitions taken, to the same kinds of pairs) are merged by partition
refinement, so a widget is copied only where routes into it truly differ: the
split, and the widgets between the gather and it.  A gather and every widget that
is not a split, a Say/Play or a Set Variables keeps one node (its pairs' values
are joined there, as :mod:`.decisions` does for the whole flow).  The walk is
bounded: past :data:`MAX_PAIRS` pairs or :data:`MAX_COPIES` copies the flow is
read as before (one node per widget) and the splits concerned say so in a note.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ivraudit.formats._build import unique_id
from ivraudit.formats.twilio.decisions import (
    ANY,
    Decision,
    Values,
    finish_key,
    flow_out,
    merge_values,
    outcomes,
    split_subject,
    why_decided,
)
from ivraudit.formats.twilio.flow import Flow, State, Transition

#: Widgets that may be copied per route: those a route passes through on its way to a split.
_COPYABLE = frozenset({"split-based-on", "say-play", "set-variables"})
#: At most this many (widget, values) pairs are walked; past it, routes are not told apart.
MAX_PAIRS = 2000
#: At most this many extra nodes per flow; past it, routes are not told apart.
MAX_COPIES = 64

_Key = tuple[str, tuple[tuple[str, Values], ...] | None]
#: Whether a transition of a widget leads to a widget built into the same node.
Inlined = Callable[[State, Transition], bool]


@dataclass
class Copy:
    """One node of a widget: the routes into it whose futures are the same."""

    state: State
    node_id: str
    #: ``{gather: values its Digits can hold}`` on these routes.
    values: dict[str, Values]
    #: ``{transition index: copy index}``: where each transition goes on these routes.
    next: dict[int, int] = field(default_factory=dict)
    #: The split's decision on these routes (None: every transition can be taken).
    decision: Decision | None = None
    #: Whether it gets a node: some route reaches it other than through a widget built into
    #: another node (a menu takes its choices from its split, whoever else reaches it).
    built: bool = True


@dataclass
class Copies:
    """The copies of one flow's widgets (``by_widget`` lists copy indexes per widget name)."""

    copies: list[Copy] = field(default_factory=list)
    by_widget: dict[str, list[int]] = field(default_factory=dict)
    #: Splits whose routes were not told apart because it would take too many copies.
    merged: set[str] = field(default_factory=set)

    def via(self, index: int, inlined: Inlined) -> dict[int, str]:
        """``{id(transition): node id}`` for copy ``index``: its transitions and those of the
        widgets built into its node (a menu's own split, a retry counter), on its routes."""
        found: dict[int, str] = {}
        stack = [index]
        seen = {index}
        while stack:
            copy = self.copies[stack.pop()]
            for position, target in copy.next.items():
                transition = copy.state.transitions[position]
                found[id(transition)] = self.copies[target].node_id
                if inlined(copy.state, transition) and target not in seen:
                    seen.add(target)
                    stack.append(target)
        return found

    def merged_note(self, name: str) -> str | None:
        """What a split whose routes were not told apart says about it, else None."""
        if name not in self.merged:
            return None
        return (
            "the routes into it are not told apart (that would take more than "
            f"{MAX_PAIRS} routes walked or {MAX_COPIES} copies of widgets): its cases are "
            "those of every route together"
        )

    def built(self, name: str) -> list[int]:
        """The copies of widget ``name`` that get a node (empty: the widget is built as is)."""
        return [index for index in self.by_widget.get(name, []) if self.copies[index].built]


def plan_copies(flow: Flow, kept: list[State], taken: set[str], inlined: Inlined) -> Copies:
    """The copies of the flow's widgets; every widget the walk reaches has at least one.

    ``inlined`` says which transitions lead to a widget built into the node of the
    widget they leave (a menu's own split, a retry counter).
    """
    names = {state.name for state in kept}
    subjects = {s.name: split_subject(s) for s in kept if s.type == "split-based-on"}
    tracked = sorted({x or "" for kind, x in filter(None, subjects.values()) if kind == "digits"})
    digit_splits = {n for n, found in subjects.items() if found and found[0] == "digits"}
    if not tracked or flow.start not in names:
        return Copies()
    gathers = {name for name in tracked if name in flow.by_name}
    walked = _walk(flow, names, subjects, gathers, tracked)
    if walked is None:
        return Copies(merged=digit_splits)
    pairs, edges, labels = walked
    blocks = _refine(labels, edges)
    scratch = set(taken)
    copies = _build(flow, pairs, edges, blocks, scratch, subjects, inlined)
    extra = sum(max(len(copies.built(name)) - 1, 0) for name in copies.by_widget)
    if extra > MAX_COPIES:
        many = {name for name, indexes in copies.by_widget.items() if len(indexes) > 1}
        return Copies(merged=many & digit_splits or digit_splits)
    taken |= scratch
    for name in copies.by_widget:
        built = copies.built(name)
        if built:
            flow.by_name[name].node_id = copies.copies[built[0]].node_id
    return copies


def _walk(
    flow: Flow,
    names: set[str],
    subjects: dict[str, tuple[str, str | None] | None],
    gathers: set[str],
    tracked: list[str],
) -> tuple[list[tuple[State, dict[str, Values]]], list[list[tuple[int, int]]], list[object]] | None:
    """The (widget, values) pairs from the start, each pair's edges (transition index, pair)
    and its label (the widget and the transitions it can take); None past MAX_PAIRS."""
    values_at: dict[_Key, dict[str, Values]] = {}
    start = flow.start or ""
    first = _key(flow.by_name[start], dict.fromkeys(tracked, frozenset({""})))
    values_at[first] = dict.fromkeys(tracked, frozenset({""}))
    queue: deque[_Key] = deque([first])
    while queue:
        key = queue.popleft()
        widget = flow.by_name[key[0]]
        for transition, out in flow_out(widget, values_at[key], subjects.get(key[0]), gathers):
            if transition.next is None or transition.next not in names:
                continue
            target = _key(flow.by_name[transition.next], out)
            known = values_at.get(target)
            joined = out if known is None else merge_values(known, out)
            if known is None or joined != known:
                values_at[target] = joined
                queue.append(target)
                if len(values_at) > MAX_PAIRS:
                    return None
    # The values have settled: the pairs a route reaches, and their edges.
    index: dict[_Key, int] = {first: 0}
    order = [first]
    edges: list[list[tuple[int, int]]] = []
    labels: list[object] = []
    position = 0
    while position < len(order):
        key = order[position]
        position += 1
        widget = flow.by_name[key[0]]
        where = {id(t): i for i, t in enumerate(widget.transitions)}
        found: list[tuple[int, int]] = []
        possible: list[int] = []
        for transition, out in flow_out(widget, values_at[key], subjects.get(key[0]), gathers):
            possible.append(where[id(transition)])
            if transition.next is None or transition.next not in names:
                continue
            target = _key(flow.by_name[transition.next], out)
            if target not in index:
                index[target] = len(order)
                order.append(target)
            found.append((where[id(transition)], index[target]))
        edges.append(found)
        labels.append((key[0], tuple(possible)))
    pairs = [(flow.by_name[key[0]], values_at[key]) for key in order]
    return pairs, edges, labels


def _key(widget: State, values: dict[str, Values]) -> _Key:
    """A pair's identity: a widget that is never copied is one pair, whatever the values."""
    if widget.type not in _COPYABLE:
        return (widget.name, None)
    return (widget.name, tuple(sorted(values.items())))


def _refine(labels: list[object], edges: list[list[tuple[int, int]]]) -> list[int]:
    """Each pair's block: pairs with the same label whose edges go to the same blocks
    (Moore's partition refinement; each round is linear, and rounds only split blocks)."""
    numbering: dict[object, int] = {}
    blocks = [numbering.setdefault(label, len(numbering)) for label in labels]
    count = len(numbering)
    while True:
        signatures: dict[object, int] = {}
        refined = [
            signatures.setdefault(
                (blocks[pair], tuple((t, blocks[target]) for t, target in edges[pair])),
                len(signatures),
            )
            for pair in range(len(labels))
        ]
        if len(signatures) == count:
            return refined
        blocks, count = refined, len(signatures)


def _build(
    flow: Flow,
    pairs: list[tuple[State, dict[str, Values]]],
    edges: list[list[tuple[int, int]]],
    blocks: list[int],
    taken: set[str],
    subjects: dict[str, tuple[str, str | None] | None],
    inlined: Inlined,
) -> Copies:
    copies = Copies()
    of_block: dict[int, int] = {}
    for pair, (state, values) in enumerate(pairs):
        block = blocks[pair]
        if block not in of_block:
            of_block[block] = len(copies.copies)
            copies.by_widget.setdefault(state.name, []).append(len(copies.copies))
            copies.copies.append(Copy(state, state.node_id, dict(values)))
        else:
            copy = copies.copies[of_block[block]]
            copy.values = merge_values(copy.values, values)
    reached = {0}
    for pair, found in enumerate(edges):
        copy = copies.copies[of_block[blocks[pair]]]
        for position, target in found:
            copy.next[position] = of_block[blocks[target]]
            if not inlined(copy.state, copy.state.transitions[position]):
                reached.add(of_block[blocks[target]])
    for name, indexes in copies.by_widget.items():
        if len(indexes) == 1:
            continue
        for index in indexes:
            copies.copies[index].built = index in reached
        group = [copies.copies[index] for index in indexes if index in reached]
        _name_copies(flow, group, taken, subjects.get(name))
    return copies


def _name_copies(
    flow: Flow,
    group: list[Copy],
    taken: set[str],
    subject: tuple[str, str | None] | None,
) -> None:
    """Readable ids for the copies of a widget that get a node (``route (main 1)``; a widget
    with one such copy keeps its own id) and each split copy's decision."""
    gathers = _telling_apart(group, subject[1] if subject and subject[0] == "digits" else None)
    for number, copy in enumerate(group, start=1):
        if len(group) > 1:
            words = ", ".join(f"{name} {_shown(copy.values[name])}" for name in gathers)
            copy.node_id = unique_id(f"{copy.state.name} ({words or f'route {number}'})", taken)
        if subject is not None and subject[0] == "digits" and subject[1] in copy.values:
            copy.decision = _decision(flow, copy.state, subject[1], copy.values[subject[1]])


def _telling_apart(group: list[Copy], tested: str | None) -> list[str]:
    """The gathers whose values name a widget's copies: the one its split tests, else one
    whose values tell every copy apart, else every gather whose values differ."""
    differing = [
        name for name in group[0].values if len({copy.values.get(name) for copy in group}) > 1
    ]
    for name in ([tested] if tested in differing else []) + differing:
        if len({copy.values.get(name) for copy in group}) == len(group):
            return [name]
    return differing


def _decision(flow: Flow, split: State, gather: str, values: Values) -> Decision | None:
    finish = finish_key(flow.by_name[gather]) if gather in flow.by_name else None
    taken = outcomes(split, values, finish)
    possible = [t for i, t in enumerate(split.transitions) if i in taken]
    impossible = [t for i, t in enumerate(split.transitions) if i not in taken]
    if not impossible:
        return None
    return Decision(
        possible, impossible, why_decided("digits", gather, values, finish), gather, values
    )


def _shown(values: Values | None) -> str:
    if not values:
        return "?"
    words = sorted("never ran" if v == "" else "any" if v == ANY else v for v in values)
    return " or ".join(words)
