"""The table of input formats: what each looks like and how it becomes a Menu.

Platform packages describe their formats as :class:`Format` values; the
package ``ivraudit.formats`` puts them in :data:`FORMATS` in detection order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ivraudit.formats import native
from ivraudit.formats._parse import Document
from ivraudit.model.menu import Menu
from ivraudit.model.words import NATIVE, Words

Kind = Literal["data", "xml", "text"]


@dataclass(frozen=True)
class Format:
    """An input format: its name, what it looks like, and how to convert it.

    ``kind`` says how the file is parsed before ``detect`` and ``convert`` see
    it: ``data`` (JSON or YAML: the parsed value), ``xml`` (the root
    :class:`~ivraudit.loaders._xml.XmlElement`) or ``text`` (the text itself).
    ``convert`` returns one Menu, or a list when a file holds several flows.
    """

    name: str
    title: str
    kind: Kind
    suffixes: tuple[str, ...]
    detect: Callable[[Any], bool]
    convert: Callable[[Document], Menu | list[Menu]]
    #: How findings on this format's files say what to do (see ivraudit.model.words).
    words: Words = NATIVE


#: Recognisers of files that are *almost* a supported format (an SMS-only flow, a
#: flow wrapped in a JavaScript module): each returns the exact reason the file is
#: refused -- or ``(reason, how to fix it)`` -- or None.  They run only when no
#: format accepted the file.
NearMiss = Callable[[str, str, "dict[Kind, Document]"], "str | tuple[str, str] | None"]
NEAR_MISSES: list[NearMiss] = []

FORMATS: dict[str, Format] = {
    "native": Format(
        name="native",
        title="ivraudit menu (YAML or JSON)",
        kind="data",
        suffixes=(".yaml", ".yml", ".json"),
        detect=native.detect,
        convert=native.convert,
    ),
}
