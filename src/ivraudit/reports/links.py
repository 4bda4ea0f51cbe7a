"""Where ivraudit's pages live: the one copy of the URLs that reports link to.

They are the URLs ``pyproject.toml`` declares under ``[project.urls]`` (a test
keeps the two equal), so a rule link in SARIF, Markdown or HTML leads where the
project says its documentation is.
"""

from __future__ import annotations

#: The project's home (``Homepage`` in [project.urls]); SARIF's ``informationUri``.
HOMEPAGE = "https://github.com/ivraudit/ivraudit"
#: The folder of rule pages, ``docs/rules/<ID>.md`` (``Rules`` in [project.urls]).
RULES_URL = f"{HOMEPAGE}/blob/main/docs/rules/"


def rule_url(rule_id: str) -> str:
    """The page of one rule.

    >>> rule_url("ID001")
    'https://github.com/ivraudit/ivraudit/blob/main/docs/rules/ID001.md'
    """
    return f"{RULES_URL}{rule_id}.md"
