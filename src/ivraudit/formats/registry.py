"""The table of input formats: what each looks like and how it becomes a Menu.

Platform packages describe their formats as :class:`Format` values; the
package ``ivraudit.formats`` puts them in :data:`FORMATS` in detection order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
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

NATIVE_FORMAT = Format(
    name="native",
    title="ivraudit menu (YAML or JSON)",
    kind="data",
    suffixes=(".yaml", ".yml", ".json"),
    detect=native.detect,
    convert=native.convert,
)


class FormatTable(Mapping[str, Format]):
    """Every format by name, in detection order.

    The platform packages are imported only when a platform format is first looked
    at (``ivraudit --version`` and a native menu never need them); names and file
    suffixes are known without importing them, and ``ivraudit.formats`` checks that
    they match what the packages declare.
    """

    def __init__(self, first: Format, names: tuple[str, ...], suffixes: tuple[str, ...]) -> None:
        self._formats: dict[str, Format] = {first.name: first}
        self._names = (first.name, *names)
        self.suffixes = suffixes
        self._load: Callable[[], dict[str, Format]] | None = None

    def loads_platforms_with(self, load: Callable[[], dict[str, Format]]) -> None:
        """How to import the platform packages (set once by ``ivraudit.formats``)."""
        self._load = load

    def loaded(self) -> dict[str, Format]:
        """The formats, with every platform package imported."""
        if self._load is not None:
            load, self._load = self._load, None
            self._formats.update(load())
        return self._formats

    def __getitem__(self, name: str) -> Format:
        if name in self._formats:
            return self._formats[name]
        return self.loaded()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names


#: The platform formats, in detection order, and every suffix a menu file may have.
PLATFORM_NAMES = ("twilio", "freeswitch", "vxml", "asterisk", "connect", "connect-legacy")
MENU_SUFFIXES = (".conf", ".json", ".template", ".vxml", ".xml", ".yaml", ".yml")

FORMATS = FormatTable(NATIVE_FORMAT, PLATFORM_NAMES, MENU_SUFFIXES)
