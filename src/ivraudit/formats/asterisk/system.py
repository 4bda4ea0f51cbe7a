"""A PBX's configuration directory read as one system: the dialplan files given in one
run (one dialplan, as Asterisk merges ``#include``d files and same-named contexts), the
``context=`` lines of its channel configs (where calls enter), and FreePBX's core dialplan
when it is absent.  Nothing outside the estate's root is read.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ivraudit.formats._parse import decode, read_bytes
from ivraudit.formats.asterisk.parse import Context, Dialplan, Step
from ivraudit.formats.estate import Estate
from ivraudit.model.errors import MenuError, Position
from ivraudit.model.menu import Menu

#: Channel drivers' configuration files: their ``context=`` lines say where calls enter.
CHANNEL_CONFIG = re.compile(
    r"^(chan_dahdi|dahdi-channels|dahdi_channels|sip|pjsip|iax|iax2|users|ooh323|chan_mobile"
    r"|skinny|unistim|motif|misdn|h323|mgcp|chan_ooh323)([_-][\w-]*)?\.conf$",
    re.IGNORECASE,
)
CHANNEL_MESSAGE = "not a dialplan: a channel config; its context= lines are read as entries"
_CONTEXT_LINE = re.compile(r"(?im)^[ \t]*context[ \t]*=>?[ \t]*([^;\s]+)")
_EXTEN_LINE = re.compile(r"(?im)^[ \t]*(?:exten|same)[ \t]*=")
_INCLUDE = re.compile(r"(?im)^[ \t]*#(?:try)?include[ \t]+[\"<]?([^\">\s;]+)")
#: FreePBX's core dialplan (extensions.conf, written by the web admin): contexts it defines
#: that the generated and custom files extend or jump into.
FREEPBX_CORE = (
    "from-internal",
    "from-internal-xfer",
    "from-internal-noxfer",
    "from-did-direct",
    "from-pstn",
    "from-trunk",
    "from-sip-external",
    "macro-dial",
    "macro-dial-one",
)
CORE_NOTE = (
    "FreePBX's core dialplan (extensions.conf) defines it, and that file is not among "
    "the files given"
)


def is_channel_config(path: str, text: str) -> bool:
    """A channel driver's config (chan_dahdi.conf, pjsip.conf, ...) rather than a dialplan."""
    if CHANNEL_CONFIG.match(os.path.basename(path)):
        return True
    return bool(_CONTEXT_LINE.search(text)) and not _EXTEN_LINE.search(text)


def group_of(path: str) -> str:
    """Files collected flat from several repositories (``owner__repo__name.conf``) are
    kept apart by their ``owner__repo__`` prefix; files of one directory share ''."""
    base = os.path.basename(path)
    return base[: base.rindex("__") + 2] if base.count("__") >= 2 else ""


@dataclass
class System:
    """The dialplan files of one group of the estate, and the entries its channel configs name."""

    files: list[tuple[str, str]] = field(default_factory=list)  # (real path, text) top-level
    named: list[tuple[str, str]] = field(default_factory=list)  # (context, why)
    core_given: bool = False


def system_of(estate: Estate, path: str, text: str, looks_like_dialplan) -> System:
    """The dialplan files of ``path``'s group in the estate, top-level ones first in order."""
    own = os.path.realpath(path)
    group = group_of(own)
    texts: dict[str, str] = {own: text}
    names = {own}
    for other in estate.files:
        base = os.path.basename(other)
        if other == own or ".conf" not in base.lower() or group_of(other) != group:
            continue
        if not estate.contains(other) or CHANNEL_CONFIG.match(base):
            continue
        try:
            other_text = decode(read_bytes(other), other)
        except MenuError:
            continue
        if looks_like_dialplan(other_text, other):
            texts[other] = other_text
            names.add(other)
    included: set[str] = set()
    for name, body in texts.items():
        for found in _INCLUDE.finditer(body):
            target = os.path.realpath(os.path.join(os.path.dirname(name), found.group(1)))
            if target not in texts and group:
                target = os.path.realpath(
                    os.path.join(os.path.dirname(name), group + os.path.basename(found.group(1)))
                )
            if target != name:
                included.add(target)
    order = [name for name in estate.files if name in texts] or [own]
    if own not in order:
        order.insert(0, own)
    top = [name for name in order if name not in included] or [own]
    # FreePBX's extensions.conf #includes its override files before the generated ones,
    # so that their lines win; keep that order when extensions.conf itself is absent.
    top.sort(key=lambda name: "override" not in os.path.basename(name).lower())
    system = System(files=[(name, texts[name]) for name in top])
    system.named = channel_contexts(estate, group)
    system.core_given = any(os.path.basename(name).lower() == "extensions.conf" for name in names)
    return system


def channel_contexts(estate: Estate, group: str) -> list[tuple[str, str]]:
    """``context=`` values of the channel configs in the estate (and the files they
    #include inside its root), with where each is written."""
    found: list[tuple[str, str]] = []
    pending = [
        name
        for name in estate.files
        if CHANNEL_CONFIG.match(os.path.basename(name)) and group_of(name) == group
    ]
    seen: set[str] = set()
    while pending:
        name = pending.pop(0)
        if name in seen or not estate.contains(name) or not os.path.isfile(name):
            continue
        seen.add(name)
        try:
            body = decode(read_bytes(name), name)
        except MenuError:
            continue
        shown = estate.shown(name)
        for number, line in enumerate(body.split("\n"), start=1):
            content = line.split(";", 1)[0]
            match = _CONTEXT_LINE.match(content)
            if match:
                context = match.group(1).strip()
                if context not in (entry for entry, _ in found):
                    why = f"context {context} is named by {shown}:{number} context={context}"
                    found.append((context, why))
            include = _INCLUDE.match(content)
            if include:
                target = estate.resolve(name, include.group(1))
                if target is not None:
                    pending.append(target)
    return found


def owners(files: list[str], includer: dict[str, str], estate: Estate | None) -> dict[str, str]:
    """Each file read -> the given file that reports its contexts: itself when it was
    given in the run, else the file whose #include read it."""
    owner: dict[str, str] = {}
    for name in files:
        real = os.path.realpath(name) if not name.startswith("<") else name
        current = real
        seen = set()
        while (
            estate is not None
            and not estate.given(current)
            and current in includer
            and current not in seen
        ):
            seen.add(current)
            current = includer[current]
        owner[real] = current
    return owner


class _Lines:
    """Where each context's ``[header]`` and priorities stand, per file, for bisecting."""

    def __init__(self, plan: Dialplan) -> None:
        self.headers: dict[str, list[tuple[int, str]]] = {}
        self.steps: dict[str, list[tuple[int, Step]]] = {}
        for context in plan.contexts.values():
            self.headers.setdefault(context.where.file, []).append(
                (context.where.line, context.name)
            )
            for ext in context.extensions.values():
                for step in ext.steps.values():
                    self.steps.setdefault(step.where.file, []).append((step.where.line, step))
        for entries in (*self.headers.values(), *self.steps.values()):
            entries.sort(key=lambda entry: entry[0])

    def place(self, plan: Dialplan, position: Position) -> tuple[Context | None, Step | None]:
        """The context a skipped line stands in (the nearest ``[header]`` or priority above
        it in its file), and the priority written just above it in that context, if any."""
        file, line = position.file, position.line
        headers = self.headers.get(file, [])
        index = bisect.bisect_right(headers, line, key=lambda entry: entry[0]) - 1
        header, name = headers[index] if index >= 0 else (0, "")
        context = plan.contexts.get(name)
        steps = self.steps.get(file, [])
        index = bisect.bisect_left(steps, line, key=lambda entry: entry[0]) - 1
        before = steps[index][1] if index >= 0 else None
        if before is not None and before.where.line > header:
            context = plan.contexts.get(before.context, context)
        if before is not None and context is not None and before.context != context.name:
            before = None
        return context, before


_HANGUP_LINE = re.compile(r"(?i)^[^=]*=>?\s*[^,]*,\s*hangup\s*(\(\s*\))?\s*;?\s*$")


def changes_nothing(
    plan: Dialplan, position: Position, text: str | None, before: Step | None
) -> bool:
    """Whether skipping the line changes no call: it is a ``Hangup()`` that would have been
    the last priority of its extension, in a file where Asterisk hangs up there anyway
    (autofallthrough)."""
    if text is None or before is None or not _HANGUP_LINE.match(text.strip()):
        return False
    if not plan.falls_through(position.file):
        return False
    later = [
        step
        for step in before.exten.steps.values()
        if step.where.file == position.file and step.where.line > position.line
    ]
    return not later and max(before.exten.steps) == before.number


def place_notices(
    plan: Dialplan,
    reach: list[set[str]],
    canonical: Callable[[str], str],
    menus: list[Menu],
    line_of: Callable[[Position], str | None],
) -> None:
    """Give each line Asterisk skips (a notice, ST004) to the first menu whose callers can
    get to its context.  A line in a context no caller's route reaches (FreePBX's feature
    codes, a part that is not a caller's line, a context nothing enters) and a skipped
    ``Hangup()`` that changes nothing are not reported."""
    lines = _Lines(plan) if plan.notices else None
    for notice in plan.notices:
        context, before = lines.place(plan, notice.position)  # type: ignore[union-attr]
        if changes_nothing(plan, notice.position, line_of(notice.position), before):
            continue
        if context is None:
            if menus:
                menus[0]._notices.append(notice)
            continue
        name = canonical(context.name)
        for menu, reached in zip(menus, reach, strict=True):
            if name in reached:
                menu._notices.append(notice)
                break


def line_reader(plan: Dialplan, path: str, text: str) -> Callable[[Position], str | None]:
    """The text of a line of the dialplan's files (only files it read: nothing else)."""
    texts: dict[str, list[str]] = {path: text.split("\n")}
    allowed = set(plan.files)

    def line_of(position: Position) -> str | None:
        lines = texts.get(position.file)
        if lines is None:
            if position.file not in allowed or position.file.startswith("<"):
                return None
            try:
                lines = decode(read_bytes(position.file), position.file).split("\n")
            except (MenuError, OSError):
                return None
            texts[position.file] = lines
        index = position.line - 1
        return lines[index] if 0 <= index < len(lines) else None

    return line_of
