"""Heavy libraries imported on first use, so that commands which never need them
(``ivraudit --version``, a check of a small native menu) do not pay for them.

Modules write ``from ivraudit._lazy import networkx as nx`` under ``if not
TYPE_CHECKING`` (and a plain ``import networkx as nx`` for type checkers).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module; imports it the first time one of its names is read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


#: networkx: the public graph and a few graph algorithms (about 0.1 s to import).
networkx = LazyModule("networkx")
