"""Samples: demos, tests and examples that say so in their own name.

Platforms ship demo menus (FreeSWITCH's ``demo_ivr``, Asterisk's ``[demo]``
context) and teams keep test flows beside the live ones (``VMXAWSTestFlow``,
``holiday_routing_test``).  Nobody calls them as a customer line, so caller-line
rules (no operator, dead ends, depth) would only add noise there.  A part whose
own name -- the flow, context or menu name, not the folder or repository it sits
in -- has one of the words below as a word of its own is a ``sample``: it gets
the structural rules only, like an internal part.  Menus written in ivraudit's
own format are audited as written: their author asked for it.  Config ``audit_samples =
true`` turns this off, and ``entries`` naming the part makes it an entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ivraudit.model.menu import Menu

#: The words that make a name a sample's, with the word used in the reason.
SAMPLE_WORDS = {
    "demo": "demo",
    "demos": "demo",
    "example": "example",
    "examples": "example",
    "sample": "sample",
    "samples": "sample",
    "test": "test",
    "tests": "test",
    "testing": "test",
    "tutorial": "tutorial",
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WORD = re.compile(r"[A-Za-z]+")


def name_words(name: str) -> list[str]:
    """The words of a name, lower case: ``VMXAWSTestFlow`` -> vmxaws, test, flow."""
    return [word.lower() for word in _WORD.findall(_CAMEL.sub(" ", name))]


def sample_kind(menu: Menu) -> str | None:
    """``"demo"``, ``"test"``, ... when the menu's own name says it is one, else None."""
    name = menu.id if menu.id else menu.title
    for word in name_words(name or ""):
        if word in SAMPLE_WORDS:
            return SAMPLE_WORDS[word]
    return None


def mark_samples(menus: Iterable[Menu]) -> None:
    """Give every caller-facing menu named as a demo, test or example the role ``sample``."""
    for menu in menus:
        if menu.role not in ("entry", "reached") or menu.source_format == "native":
            continue
        kind = sample_kind(menu)
        if kind is not None:
            name = menu.id if menu.id else menu.title
            menu.with_role(
                "sample",
                f"named as a {kind} ({name!r}): audited for structure only "
                "(config 'audit_samples = true' or 'entries' audits it as a caller's line)",
            )
