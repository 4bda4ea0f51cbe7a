"""What an inline SRGS grammar can match: any speech, or nothing at all.

SRGS 1.0 section 2.2.3 defines three special rules: ``GARBAGE`` "may match any
speech", ``VOID`` "can never be spoken" (a sequence holding it is unspeakable), and
``NULL`` is matched without the caller saying anything.  Section 2.1 (and
2.5, DTMF grammars) says what a token of a DTMF grammar is: a keypad symbol
(0-9, ``*``, ``#``, A-D; ``4321`` is a sequence of them, ``dtmf-1``, ``dtmf-star``
and ``dtmf-pound`` are the ABNF spellings).

Two questions are asked of a grammar written inline (in XML, or in the ABNF form,
text starting ``#ABNF``), each read in one pass without recursion:

- :func:`catch_all`: the grammar is nothing but ``GARBAGE`` (no word, no other
  rule): it accepts whatever the caller says, as a catch-all <choice> or <link>;
- :func:`never_matches`: no token of the grammar can ever be heard -- every word
  of a voice grammar is a placeholder (``XXXXX XXXX``, one letter repeated),
  every token of a DTMF grammar is something no key press is, and no rule
  reference leads anywhere but to ``VOID`` or a rule of the same grammar.
  Such a grammar is written never to match, to play a prompt and move on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivraudit.formats._xml import XmlElement

#: The phrase of a catch-all grammar: analysis counts no option for it (facts' _ANY_SPEECH).
ANY_SPEECH = "<any>"
#: A placeholder word: one letter or digit repeated (XXXX, zzzzz), as written to make a
#: grammar that never matches.
PLACEHOLDER = re.compile(r"([A-Za-z0-9])\1{2,}")
#: A DTMF token: keypad symbols (``1``, ``4321``, ``*``) or their ABNF names (``dtmf-1``).
_DTMF_TOKEN = re.compile(r"[0-9A-Da-d*#]+|dtmf-(?:[0-9A-Da-d*#]|star|pound)", re.IGNORECASE)
#: Elements of SRGS XML whose text is not a token a caller says.
_NOT_SPOKEN = frozenset(["tag", "example", "meta", "metadata", "lexicon"])
#: ABNF header statements (SRGS section 4.1): no tokens in them.
_ABNF_HEADER = re.compile(
    r"^\s*(?:#ABNF\b|root\b|mode\b|language\b|tag-format\b|base\b|lexicon\b|meta\b|http-equiv\b)"
)
_ABNF_TAG = re.compile(r"\{!\{.*?\}!\}|\{[^{}]*\}", re.DOTALL)
_ABNF_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_ABNF_TOKEN = re.compile(
    r"\$<[^>]*>|\$[A-Za-z_][\w.:-]*|\"[^\"]*\"|<[^>]*>|/[^/]*/|![\w-]+|[()\[\]|]|[^\s()\[\]|\"<>/$!]+"
)
#: Media types of SRGS (VoiceXML 2.0 section 3.1.1): XML and ABNF forms.
_SRGS_TYPES = frozenset(["application/srgs+xml", "application/srgs", "application/grammar+xml"])
_ABNF_SPECIAL = {"$VOID": "VOID", "$NULL": "NULL", "$GARBAGE": "GARBAGE"}


@dataclass(frozen=True)
class _Reading:
    """What one grammar holds: its words, and the special or outside rules it refers to."""

    words: tuple[str, ...]
    specials: frozenset[str]
    outside: bool


def catch_all(grammar: XmlElement) -> bool:
    """Whether an inline grammar matches any speech: only ``GARBAGE``, no word."""
    reading = _read(grammar)
    return (
        reading is not None
        and reading.specials == {"GARBAGE"}
        and not reading.words
        and not reading.outside
    )


def never_matches(grammar: XmlElement, mode: str) -> str | None:
    """How an inline grammar of this mode (``voice``/``dtmf``) shows that nothing a caller
    says or presses matches it ("'XXXXX XXXX'", "the VOID rule"), or None when it may."""
    reading = _read(grammar)
    if reading is None or reading.outside or reading.specials - {"VOID"}:
        return None
    if mode == "dtmf":
        if any(_DTMF_TOKEN.fullmatch(word) for word in reading.words):
            return None
    elif not all(PLACEHOLDER.fullmatch(word) for word in reading.words):
        return None
    if not reading.words and not reading.specials:
        return None  # an empty grammar: nothing to judge
    shown = [f"'{' '.join(reading.words)}'"] if reading.words else []
    if mode == "dtmf" and reading.words:
        shown = [f"the key presses {shown[0]}, which no keypad sends"]
    if "VOID" in reading.specials:
        shown.append("the VOID rule, which can never be spoken")
    return " and ".join(shown)


def _read(grammar: XmlElement) -> _Reading | None:
    """The grammar's tokens and references; None for a grammar file or an expression."""
    if grammar.get("src") or grammar.get("srcexpr"):
        return None
    kind = (grammar.get("type") or "").strip().lower()
    if kind and kind not in _SRGS_TYPES:
        return None  # a platform's own grammar format (X-OPAL/digits, ...): not read
    text = grammar.all_text()
    if not grammar.children and text.lstrip().startswith("#ABNF"):
        return _read_abnf(text)
    if not grammar.findall("rule"):
        return None  # SRGS XML keeps every token in a <rule>
    words: list[str] = []
    specials: set[str] = set()
    outside = False
    stack: list[XmlElement | str] = [grammar]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            words.extend(item.split())
            continue
        if item.tag == "ruleref":
            special = (item.get("special") or "").strip().upper()
            uri = (item.get("uri") or "").strip()
            if special:
                specials.add(special)
            elif not uri.startswith("#"):
                outside = True
        if item.tag not in _NOT_SPOKEN:
            words.extend(item.text.split())
            for child in reversed(item.children):
                stack.append(child.tail)
                stack.append(child)
    return _Reading(tuple(words), frozenset(specials), outside)


def _read_abnf(text: str) -> _Reading | None:
    """Tokens of an ABNF grammar (SRGS section 4): rule expansions, without tags,
    weights, repeats, language marks and operators."""
    body = _ABNF_COMMENT.sub(" ", _ABNF_TAG.sub(" ", text))
    words: list[str] = []
    specials: set[str] = set()
    outside = False
    for statement in body.split(";"):
        if not statement.strip() or _ABNF_HEADER.match(statement):
            continue
        name, equals, expansion = statement.partition("=")
        if not equals or not re.fullmatch(r"\s*(?:public\s+|private\s+)?\$[\w.:-]+\s*", name):
            return None  # not a rule definition ivraudit reads
        for token in _ABNF_TOKEN.findall(expansion):
            if token.upper() in _ABNF_SPECIAL:
                specials.add(_ABNF_SPECIAL[token.upper()])
            elif token.startswith("$<"):
                outside = True
            elif token.startswith("$") or token[0] in "<!/()[]|":
                continue  # a local rule, a repeat, a language mark, a weight, an operator
            elif token.startswith('"'):
                words.extend(token.strip('"').split())
            else:
                words.append(token)
    return _Reading(tuple(words), frozenset(specials), outside)
