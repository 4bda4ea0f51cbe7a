"""A config checked against the rule registry: what the CLI and the library load.

:mod:`ivraudit.config` reads and validates the file's shape and knows nothing
of rules; here every rule the config names is also checked to exist, since a
typo in ``select`` or ``ignore`` would otherwise silently do nothing.
"""

from __future__ import annotations

import os
from typing import Any

from ivraudit.config import Config, parse_config, read_config
from ivraudit.rules.registry import check_config

__all__ = ["config_from_dict", "load_config"]


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read a config file (or find one, walking up); defaults when there is none.

    Raises :class:`~ivraudit.ConfigError` for an unreadable file, a bad key or
    value, or a rule name that names no rule.
    """
    config = read_config(path)
    check_config(config)
    return config


def config_from_dict(data: dict[str, Any], origin: str = "<config>") -> Config:
    """Validate a config mapping, as :func:`load_config` validates a file."""
    config = parse_config(data, origin)
    check_config(config)
    return config
