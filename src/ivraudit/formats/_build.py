"""Helpers for importers: build a validated Menu from plain node dicts, with positions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ivraudit.formats._parse import Document
from ivraudit.model.errors import MenuError, Position
from ivraudit.model.menu import Menu, Notice, Role

#: The longest node id an importer should make (the model's limit).
MAX_ID = 200


def build_menu(
    document: Document,
    *,
    nodes: Mapping[str, Mapping[str, Any]],
    start: str | None,
    positions: Mapping[tuple[Any, ...], Position],
    id: str | None = None,
    title: str | None = None,
    role: Role = "entry",
    role_reason: str = "",
    notices: Sequence[Notice] = (),
) -> Menu:
    """Validate importer output into a Menu whose findings point at the original file.

    ``nodes`` are native node dicts (``{"type": "menu", "say": ..., "options": ...}``).
    ``positions`` maps menu paths -- ``("nodes", node_id)`` or deeper, such as
    ``("nodes", node_id, "options", "1")`` -- to where that part was written in
    the original file; a path without an entry falls back to its nearest
    enclosing entry, then to the start of the file.  ``role`` says what the menu
    is to callers (see :data:`~ivraudit.model.menu.Role`), ``role_reason`` why;
    ``notices`` are what the platform loads with a warning (reported as ST004).
    """
    data = {"ivraudit": 1, "id": id, "title": title, "start": start, "nodes": dict(nodes)}
    try:
        menu = Menu.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(part for part in error["loc"] if part != "[key]")
        where = _lookup(positions, loc[:2]) or Position(document.path, 1, 1)
        raise MenuError(
            where.file,
            where.line,
            where.column,
            f"cannot convert this flow: {'.'.join(map(str, loc))}: {error['msg']}",
            "please report it to the ivraudit developers with this file",
        ) from None
    fallback = Position(document.path, 1, 1)
    menu._locate = lambda path: _lookup(positions, path) or fallback
    menu._notices.extend(notices)
    return menu.with_role(role, role_reason)


def _lookup(
    positions: Mapping[tuple[Any, ...], Position], path: tuple[Any, ...]
) -> Position | None:
    for end in range(len(path), 0, -1):
        found = positions.get(tuple(path[:end]))
        if found is not None:
            return found
    return None


def unique_id(wanted: str, taken: set[str]) -> str:
    """A node id based on ``wanted`` that is not in ``taken`` (and add it there)."""
    base = " ".join(str(wanted).split())[: MAX_ID - 8] or "node"
    candidate = base
    number = 2
    while candidate in taken:
        candidate = f"{base}~{number}"
        number += 1
    taken.add(candidate)
    return candidate
