"""The words that make a part's own name a demo's, a test's or an example's.

One list for the two places that read names: a whole part (a flow, a context, a
menu) named so is a ``sample`` (:mod:`ivraudit.formats.samples`), a node of a
caller's line named so is a test hook (:mod:`ivraudit.analysis.parts`).
"""

from __future__ import annotations

import re

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
    """The words of a name, lower case.

    >>> name_words("VMXAWSTestFlow"), name_words("Copy_of_cyara_test")
    (['vmxaws', 'test', 'flow'], ['copy', 'of', 'cyara', 'test'])
    """
    return [word.lower() for word in _WORD.findall(_CAMEL.sub(" ", name))]


def named_kind(name: str) -> str | None:
    """``"test"``, ``"demo"``, ... when one of the name's own words says so, else None.

    >>> named_kind("cyara_test"), named_kind("Contest"), named_kind("attestation")
    ('test', None, None)
    """
    for word in name_words(name):
        if word in SAMPLE_WORDS:
            return SAMPLE_WORDS[word]
    return None
