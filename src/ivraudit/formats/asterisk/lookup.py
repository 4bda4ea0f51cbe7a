"""Extension lookup through a context's includes, as Asterisk searches (pbx.c
pbx_find_extension): the search order, literal names before patterns, and per
looked-up context one merged index, so a lookup costs its hits, not the include chain.

Every walk here is linear: include chains are walked with a stack, each chain of
include-only contexts once over all calls, and a context's search order at most
once per context looked up.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from ivraudit.formats.asterisk.match import normalize
from ivraudit.formats.asterisk.parse import Context, Dialplan, Extension, Step


@dataclass(frozen=True)
class _Index:
    """A search order's extensions: literal name -> hits, and every pattern; a hit is
    ``(position in the search order, 0 literal / 1 pattern, include's time limit, ext)``."""

    literals: dict[str, list[tuple[int, int, str | None, Extension]]]
    patterns: list[tuple[int, int, str | None, Extension]]


class Lookup:
    """The contexts of one dialplan and how Asterisk searches them for an extension."""

    def __init__(self, plan: Dialplan) -> None:
        self.plan = plan
        self.contexts = plan.contexts
        self._searches: dict[str, list[tuple[Context, str | None]]] = {}
        self._literals: dict[str, dict[str, list[Extension]]] = {}
        self._patterns: dict[str, list[Extension]] = {}
        self._aliases: dict[str, str] = {}
        self._indexes: dict[str, _Index] = {}
        self._switched: dict[str, list[str]] = {}
        self._partly: dict[str, str | None] = {}
        self._hidden: dict[str, bool] = {}
        #: Contexts only partly in the files given (FreePBX's core dialplan), and why.
        self.partial: dict[str, str] = dict(plan.partial)

    def canonical(self, name: str) -> str:
        """A context with nothing of its own but one include is the context it includes."""
        known = self._aliases.get(name)
        if known is not None:
            return known
        # One walk down the chain of include-only contexts, each context visited once
        # over all calls (the names met are remembered): linear in the dialplan.
        seen = [name]
        members = {name}
        current = name
        while True:
            context = self.contexts.get(current)
            if (
                context is None
                or context.extensions
                or context.switches
                or len(context.includes) != 1
                or context.includes[0].timing
                or context.includes[0].name not in self.contexts
                or context.includes[0].name in members
            ):
                break
            current = context.includes[0].name
            known = self._aliases.get(current)
            if known is not None:
                current = known
                break
            seen.append(current)
            members.add(current)
        for each in seen:
            self._aliases[each] = current
        return current

    def search_order(self, name: str) -> list[tuple[Context, str | None]]:
        """The contexts Asterisk searches for an extension, in order, with their time limits."""
        known = self._searches.get(name)
        if known is not None:
            return known
        order: list[tuple[Context, str | None]] = []
        seen: set[str] = set()
        stack: list[tuple[str, str | None]] = [(name, None)]
        while stack:
            current, timing = stack.pop()
            context = self.contexts.get(current)
            if context is None or current in seen:
                continue
            seen.add(current)
            order.append((context, timing))
            for include in reversed(context.includes):
                joined = " and ".join(part for part in (timing, include.timing) if part) or None
                stack.append((include.name, joined))
        self._searches[name] = order
        return order

    def literals(self, context: Context) -> dict[str, list[Extension]]:
        known = self._literals.get(context.name)
        if known is None:
            known = {}
            for extension in context.extensions.values():
                if extension.pattern is None:
                    base = normalize(extension.name.partition("/")[0])
                    known.setdefault(base, []).append(extension)
            for group in known.values():
                group.sort(key=lambda ext: (ext.cid is None, ext.order))
            self._literals[context.name] = known
        return known

    def patterns(self, context: Context) -> list[Extension]:
        known = self._patterns.get(context.name)
        if known is None:
            known = [ext for ext in context.extensions.values() if ext.pattern is not None]
            known.sort(key=lambda ext: (ext.pattern.sort_key(), ext.order))  # type: ignore[union-attr]
            self._patterns[context.name] = known
        return known

    def _index(self, chan: str) -> _Index:
        """The extensions of ``chan``'s search order, merged once: its literal names, each
        with the extensions that carry it in search order, and its patterns in search order.
        Built once per context looked up, so a lookup costs its hits, not the include chain."""
        known = self._indexes.get(chan)
        if known is None:
            literals: dict[str, list[tuple[int, int, str | None, Extension]]] = {}
            patterns: list[tuple[int, int, str | None, Extension]] = []
            for position, (context, timing) in enumerate(self.search_order(chan)):
                for base, group in self.literals(context).items():
                    hits = literals.setdefault(base, [])
                    hits.extend((position, 0, timing, ext) for ext in group)
                patterns.extend((position, 1, timing, ext) for ext in self.patterns(context))
            known = self._indexes[chan] = _Index(literals, patterns)
        return known

    def ordered(self, chan: str, test: Extension | str) -> Iterator[tuple[str | None, Extension]]:
        """Every extension of ``chan``'s search order a dialed string (or an extension's
        strings) can reach, with the time limit of its include, in Asterisk's order: what
        ``matching`` yields context by context, without walking contexts that hold none."""
        index = self._index(chan)
        if isinstance(test, Extension) and test.pattern is not None:
            source = test.pattern
            for _, _, timing, ext in index.patterns:
                if ext is test or source.intersects(ext.pattern):  # type: ignore[arg-type]
                    yield timing, ext
            return
        text = test.name.partition("/")[0] if isinstance(test, Extension) else test
        literal = index.literals.get(normalize(text), ())
        matched = (hit for hit in index.patterns if hit[3].pattern.matches(text))  # type: ignore[union-attr]
        for _, _, timing, ext in heapq.merge(literal, matched, key=lambda hit: hit[:2]):
            yield timing, ext

    def matching(self, context: Context, test: Extension | str) -> Iterator[Extension]:
        """Extensions of one context a dialed string (or an extension's strings) can reach."""
        if isinstance(test, str):
            yield from self.literals(context).get(normalize(test), ())
            for extension in self.patterns(context):
                if extension.pattern.matches(test):  # type: ignore[union-attr]
                    yield extension
            return
        if test.pattern is None:
            yield from self.matching(context, test.name.partition("/")[0])
            return
        for extension in self.patterns(context):
            if extension is test or test.pattern.intersects(extension.pattern):  # type: ignore[arg-type]
                yield extension

    def find(
        self, chan: str, test: Extension | str, want: int | str, first: Extension | None = None
    ) -> list[tuple[str | None, str | None, Step]]:
        """Steps with priority (or label) ``want`` a lookup reaches, in Asterisk's order.

        Each hit is ``(timing, condition, step)``; the list ends at the first
        hit that holds whatever the clock or the caller ID say.
        """
        hits: list[tuple[str | None, str | None, Step]] = []
        if first is not None:
            step = step_of(first, want)
            if step is not None:
                return [(None, None, step)]
        for timing, extension in self.ordered(chan, test):
            step = step_of(extension, want)
            if step is None:
                continue
            condition = f"the caller ID is {extension.cid}" if extension.cid else None
            hits.append((timing, condition, step))
            if timing is None and condition is None:
                return hits
        return hits

    def exists(self, chan: str, test: str) -> bool:
        return next(self.ordered(chan, test), None) is not None

    def _switches(self, chan: str) -> list[str]:
        known = self._switched.get(chan)
        if known is None:
            known = self._switched[chan] = [
                text for context, _ in self.search_order(chan) for text, _ in context.switches
            ]
        return known

    def partly_given(self, chan: str) -> str | None:
        """Why ``chan`` (or a context it includes) is only partly in the files given."""
        if chan not in self._partly:
            self._partly[chan] = self._partly_given(chan)
        return self._partly[chan]

    def _partly_given(self, chan: str) -> str | None:
        for context, _ in self.search_order(chan):
            why = self.partial.get(context.name)
            if why is not None:
                return why
        for context, _ in self.search_order(chan):
            for include in context.includes:
                why = self.partial.get(include.name)
                if why is not None and include.name not in self.contexts:
                    return why
        return None

    def hidden(self, chan: str) -> bool:
        """Whether an #include that could not be read was inside ``chan`` (or what it
        includes): then its extensions may be in that file."""
        known = self._hidden.get(chan)
        if known is None:
            known = self._hidden[chan] = any(
                context.unread for context, _ in self.search_order(chan)
            )
        return known


def step_of(extension: Extension, want: int | str) -> Step | None:
    if isinstance(want, int):
        return extension.steps.get(want)
    number = extension.labels.get(want)
    return extension.steps.get(number) if number is not None else None
