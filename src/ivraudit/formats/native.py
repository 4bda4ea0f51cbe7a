"""The native ivraudit format (version 1), in YAML or JSON.

Validation is pydantic's; this module turns pydantic's errors into one
sentence a person can act on, at the line and column of the offending key.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ivraudit.formats._parse import Document
from ivraudit.model.errors import MenuError
from ivraudit.model.menu import FORMAT_VERSION, NODE_TYPES, Audit, Case, Menu

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping of names to values",
    "list_type": "a list",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
}


def detect(value: Any) -> bool:
    """Whether a parsed document is meant to be a native ivraudit menu."""
    return isinstance(value, dict) and ("ivraudit" in value or "nodes" in value)


def convert(document: Document) -> Menu:
    """Validate a parsed native document into a Menu, or raise MenuError."""
    value = document.value
    if document.custom_tag is not None:
        tag, line, column = document.custom_tag
        raise MenuError(
            document.path, line, column, f"YAML tag '{tag}' is not allowed", "remove the tag"
        )
    if not isinstance(value, dict):
        raise document.error((), "a menu must be a mapping with 'ivraudit: 1' and 'nodes'")
    if document.duplicates:  # platforms keep the last value; a native menu says one thing
        duplicate = document.duplicates[0]
        raise MenuError(
            document.path,
            duplicate.line,
            duplicate.column,
            f"duplicate key '{duplicate.path[-1]}'",
            "remove or rename one of them",
        )
    version = value.get("ivraudit")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise document.error(
            ("ivraudit",),
            f"unsupported format version {version!r}",
            f"this ivraudit reads 'ivraudit: {FORMAT_VERSION}'",
        )
    try:
        menu = Menu.model_validate(value)
    except ValidationError as exc:
        raise translate_validation_error(exc, document) from None
    except RecursionError:
        raise document.error((), "menu nested too deeply") from None
    returns = sorted(node_id for node_id, node in menu.nodes.items() if node.type == "return")
    if returns:
        # A menu that returns is a subflow: callers reach it from another menu.
        menu.with_role("reached", f"a subflow: it ends in 'return' at '{returns[0]}'")
    return menu


def dump(menu: Menu, subflow_files: dict[str, str] | None = None) -> str:
    """The menu in the native YAML format (what ``ivraudit import`` writes).

    Loading the text again gives an equal Menu.  ``subflow_files`` renames the
    ``menu:`` of subflow nodes (see :func:`export`).
    """
    data = menu.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    nodes = {}
    for node_id, node in data.get("nodes", {}).items():
        node_type = menu.nodes[node_id].type
        fields = {k: v for k, v in node.items() if k != "type"}
        if subflow_files and node_type == "subflow" and fields.get("menu") in subflow_files:
            fields["menu"] = subflow_files[fields["menu"]]
        nodes[node_id] = {"type": node_type, **fields}
    data = {"ivraudit": FORMAT_VERSION, **data, "nodes": nodes}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def export(menu: Menu, stem: str) -> dict[str, str]:
    """The menu and every subflow it uses as native files: ``{file name: YAML text}``.

    The menu is ``<stem>.yaml``; each subflow (an imported Gosub, a VoiceXML
    subdialog, a native subflow file) becomes ``<stem>.<name>.yaml`` beside it,
    and the ``menu:`` fields point at those files, so the set loads as it stands.
    """
    names: dict[int, str] = {}
    files: dict[str, str] = {}
    pending = [(menu, f"{stem}.yaml")]
    names[id(menu)] = f"{stem}.yaml"
    while pending:
        current, name = pending.pop()
        renamed: dict[str, str] = {}
        for key, inner in sorted(current.subflows.items()):
            if id(inner) not in names:
                names[id(inner)] = _unique(f"{stem}.{_safe(key)}.yaml", set(names.values()))
                pending.append((inner, names[id(inner)]))
            renamed[key] = names[id(inner)]
        files[name] = dump(current, renamed)
    return files


def _safe(text: str) -> str:
    cleaned = "".join(char if char.isalnum() or char in "-_" else "-" for char in text)
    return "-".join(part for part in cleaned.split("-") if part)[:80] or "subflow"


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate = name.replace(".yaml", f"-{number}.yaml")
        number += 1
    return candidate


def translate_validation_error(exc: ValidationError, document: Document) -> MenuError:
    """Every problem of a pydantic error, in file order, as one MenuError.

    The error is the first problem; :attr:`MenuError.more` holds the others, so
    two typos are reported in one run.  A required field reported missing next
    to an unknown field that looks like it (``sya`` and ``say``) is one typo,
    reported once.
    """
    errors = exc.errors(include_url=False)
    problems = []
    for error in errors:
        path = _clean_location(error["loc"])
        if _is_typo_echo(error, path, errors):
            continue
        message, hint = _describe(error, path, error["loc"])
        line, column = _where_wrong(error, path, document)
        problems.append(MenuError(document.path, line, column, message, hint))
    problems.sort(key=lambda problem: (problem.line, problem.column, problem.message))
    first, *more = problems
    return MenuError(first.file, first.line, first.column, first.message, first.hint, more)


def _is_typo_echo(error: Any, path: tuple[Any, ...], errors: list[Any]) -> bool:
    """Whether a 'missing' error is the other half of a misspelt field beside it."""
    if error["type"] != "missing" or not path:
        return False
    for other in errors:
        if other["type"] != "extra_forbidden":
            continue
        other_path = _clean_location(other["loc"])
        if other_path[:-1] != path[:-1]:
            continue
        close = difflib.get_close_matches(str(other_path[-1]), [str(path[-1])], cutoff=0.6)
        if close:
            return True
    return False


def _where_wrong(error: Any, path: tuple[Any, ...], document: Document) -> tuple[int, int]:
    """Line and column of the problem: the bad value for a wrong type or choice, else the key."""
    if error["type"] in ("union_tag_invalid", "literal_error"):
        key = (*path, "type") if error["type"] == "union_tag_invalid" else path
        found = _value_position(document, key)
        if found is not None:
            return found
    where = document.locate(path)
    return (where.line, where.column) if where else (1, 1)


def _value_position(document: Document, path: tuple[Any, ...]) -> tuple[int, int] | None:
    """Where the value of the key at ``path`` starts (YAML or JSON), if the key is found."""
    where = document.locate(path)
    if where is None or document.locate(path[:-1]) == where:
        return None  # the key itself was not found, only something around it
    lines = document.text.splitlines(keepends=True)
    if where.line > len(lines):
        return None
    text = lines[where.line - 1]
    index = where.column - 1
    if text[index : index + 1] in ("'", '"'):
        index = text.find(text[index], index + 1)  # the end of a quoted key
    colon = text.find(":", max(index, 0))
    if colon < 0:
        return None
    value = colon + 1
    while value < len(text) and text[value] in " \t":
        value += 1
    if value >= len(text.rstrip("\r\n")):
        return None  # the value is on a later line: the key is the better place
    return where.line, value + 1


def _clean_location(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # Drop pydantic's discriminator tags and '[key]' markers: they are not in the file.
    path: list[Any] = []
    for index, part in enumerate(loc):
        if part == "[key]":
            continue
        if index == 2 and loc[0] == "nodes" and part in NODE_TYPES:
            continue
        path.append(part)
    return tuple(path)


def _where(path: tuple[Any, ...]) -> str:
    """A phrase naming the place: "node 'main'", "case 2 of node 'route'", "the menu"."""
    if len(path) >= 2 and path[0] == "nodes":
        node = f"node '{path[1]}'"
        rest = path[2:]
        if len(rest) >= 2 and rest[0] == "cases" and isinstance(rest[1], int):
            return f"case {rest[1] + 1} of {node}"
        if rest and rest[0] == "audit":
            return f"'audit' of {node}"
        return node
    return "the menu"


def _model_for(path: tuple[Any, ...], raw_loc: tuple[Any, ...]) -> type[BaseModel]:
    if len(path) >= 2 and path[0] == "nodes":
        rest = path[2:]
        if rest and rest[0] == "cases":
            return Case
        if rest and rest[0] == "audit":
            return Audit
        if len(raw_loc) > 2 and raw_loc[2] in NODE_TYPES:
            return NODE_TYPES[raw_loc[2]]
    return Menu


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _suggest(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _describe(
    error: Any, path: tuple[Any, ...], raw_loc: tuple[Any, ...]
) -> tuple[str, str | None]:
    kind = error["type"]
    where = _where(path)
    name = path[-1] if path else ""
    if kind == "extra_forbidden":
        model = _model_for(path[:-1], raw_loc)
        fields = _field_names(model)
        return f"unknown field '{name}' in {where}", _suggest(name, fields) or (
            "known fields: " + ", ".join(sorted(fields))
        )
    if kind == "missing":
        if path == ("nodes",):
            return "the menu has no 'nodes'", "add 'nodes:' with at least one node"
        return f"{where} is missing required field '{name}'", None
    if kind == "union_tag_invalid":
        given = error.get("ctx", {}).get("tag", "?")
        types = sorted(NODE_TYPES)
        known = "known types: " + ", ".join(types)
        guess = _suggest(given, types)
        return f"{where} has unknown type '{given}'", f"{guess} {known}" if guess else known
    if kind == "union_tag_not_found":
        return f"{where} has no 'type'", "add type: one of " + ", ".join(sorted(NODE_TYPES))
    if kind == "string_pattern_mismatch" and "[key]" in raw_loc:
        return (
            f"option key '{name}' in {where} is not a phone key",
            "use digits, '*' or '#' (quoted in YAML), or a /regular expression/",
        )
    if kind in ("string_too_short", "string_too_long") and "[key]" in raw_loc:
        return f"a key in {where} is empty or too long", None
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
        return (
            f"field '{name}' of {where} must be one of {expected}, got {_show(error.get('input'))}",
            _suggest(str(error.get("input")), choices),
        )
    if kind in _TYPE_NAMES:
        shown = _show(error.get("input"))
        return f"field '{name}' of {where} must be {_TYPE_NAMES[kind]}, got {shown}", None
    if kind.startswith(("greater_than", "less_than")):
        return f"field '{name}' of {where}: {error['msg'].lower()}", None
    if kind in ("string_too_short",):
        return f"field '{name}' of {where} must not be empty", None
    if kind == "recursion_loop":
        return "the menu refers to itself (YAML alias loop)", None
    return f"{where}, field '{name}': {error['msg']}", None


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
