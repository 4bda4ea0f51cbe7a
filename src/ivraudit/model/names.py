"""The words that make a part's own name a demo's, a test's or an example's.

One list for the two places that read names: a whole part (a flow, a context, a
menu) named so is a ``sample`` (:mod:`ivraudit.formats.samples`), a node of a
caller's line named so is a test hook (:mod:`ivraudit.analysis.parts`).
"""

from __future__ import annotations

import re

#: A title of at most this many words is a name; a longer one is a description.
NAME_WORDS = 6

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

#: The same words in scripts written without spaces between words (Korean, Japanese,
#: Chinese): there a name is a compound, and its last word says what it is
#: (출입문통제서비스데모, "door control service demo").
CJK_SAMPLE_WORDS = {
    "데모": "demo",
    "테스트": "test",
    "샘플": "sample",
    "예제": "example",
    "デモ": "demo",
    "テスト": "test",
    "サンプル": "sample",
    "演示": "demo",
    "测试": "test",
    "測試": "test",
    "示例": "example",
}
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")

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
    >>> named_kind("출입문통제서비스데모 070-7540-1473"), named_kind("데모버전안내")
    ('demo', None)
    """
    for word in name_words(name):
        if word in SAMPLE_WORDS:
            return SAMPLE_WORDS[word]
    for run in _CJK_RUN.findall(name):
        for word, kind in CJK_SAMPLE_WORDS.items():
            if run.endswith(word):
                return kind
    return None
