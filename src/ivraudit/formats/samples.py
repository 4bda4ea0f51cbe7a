"""Samples: demos, tests and examples that say so themselves.

Platforms ship demo menus (FreeSWITCH's ``demo_ivr``, Asterisk's ``[demo]``
context) and teams keep test flows beside the live ones (``VMXAWSTestFlow``,
``holiday_routing_test``).  Nobody calls them as a customer line, so caller-line
rules (no operator, dead ends, depth) would only add noise there.  A part is a
``sample`` -- it gets the structural rules only, like an internal part -- when it
says so itself, in the places its platform gives a part to describe itself:

- its own **name** (the flow, context or menu name, or the name its deployment
  gives it -- a Terraform resource name, the comment beside the Asterisk dispatch
  line that sends a number to it; not the folder or repository it sits in) has one
  of the words below as a word of its own: ``demo_ivr``, ``VMXAWSTestFlow``,
  ``Holiday Routing Test``, or, in scripts written without spaces, ends a compound
  with one (``출입문통제서비스데모``, "door control service demo");
- its **description** (a flow's description field, a VoiceXML document's header
  comment or the ``<log>`` it writes as it starts: importers give it as the menu's
  title) calls it a demo, test or example script, flow or application:
  "Record and Play a Message Demo script", "Started test VXML script",
  "Basic test flow to validate the deployment";
- its **opening prompt** (the first prompts on the straight route from the
  start, before the caller is asked anything) introduces it as one:
  "This is the sample flow to demonstrate ...", "Welcome to the OPAL IVR
  example.", "Hi! This is the welcome service. DTMF test.";
- its **opening recording**, when the flow opens with a file and no words, is named
  only as one: ``test.wav``, ``demo.mp3`` (not ``demo-thanks.wav``: a message).

Words count only whole (``Contest``, ``attestation`` and ``demonstration`` are
not samples), and a prompt counts only where it introduces the flow ("press 1 to
test your line" is an option, not a self-description).  Menus written in
ivraudit's own format are audited as written: their author asked for it.  Config
``audit_samples = true`` turns this off, and ``entries`` naming the part makes it
an entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ivraudit.model.menu import Menu
from ivraudit.model.names import NAME_WORDS, SAMPLE_WORDS, name_words, named_kind

_SAMPLE = "|".join(sorted(SAMPLE_WORDS))
#: What a part calls itself: a flow, a script, an application, a menu.
_SELF = (
    r"(?:flows?|scripts?|applications?|apps?|ivrs?|i\s*v\s*r|menus?|pages?|documents?|"
    r"programs?|programmes?)"
)
#: Words that make what follows an object ("test the app"), not a kind of flow ("test flow").
_DETERMINER = r"(?:a|an|the|your|our|my|this|that|these|those)"
#: In a description: "Demo script", "test flow", "test VXML script", "the OPAL IVR example."
_DESCRIBED = re.compile(
    rf"\b(?P<word>{_SAMPLE})\b(?:[\s-]+(?!{_DETERMINER}\b)[\w-]+){{0,2}}?[\s-]+{_SELF}\b"
    rf"|\b(?:a|an|the|our|this)\s+(?:[\w-]+\s+){{0,4}}?(?P<end>{_SAMPLE})\s*(?:[.!:]|$)",
    re.IGNORECASE,
)
#: ... or one that says what it demonstrates: "This form demonstrates how to record a message".
_DEMONSTRATES = re.compile(
    r"\b(?:this|the)\s+(?:[\w-]+\s+){0,2}?(?:form|menu|dialog|document|page|script|flow|"
    r"application|app)\s+(?:is\s+)?(?:demonstrates|shows\s+how)\b",
    re.IGNORECASE,
)
#: In an opening prompt, a sentence introducing the flow: "This is the sample flow to ...",
#: "Welcome to the OPAL I V R example", "You have reached the test menu".
_INTRODUCED = re.compile(
    rf"^(?:(?:hi|hello|hey|welcome)\W+)?(?:this\s+is|welcome\s+to|you\s+have\s+reached)\s+"
    rf"(?:a|an|the|our|my)\s+(?:[\w'-]+\s+){{0,4}}?(?P<word>{_SAMPLE})(?:\s+{_SELF}\b|\s*$)",
    re.IGNORECASE,
)
#: ... or a sentence of its own that names it: "DTMF test."
_TAGGED = re.compile(rf"^(?:[\w'-]+\s+){{0,2}}(?P<word>{_SAMPLE})$", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?]+")
#: How far the opening is read: prompts, sentences per prompt, steps along the route.
_OPENING_PROMPTS = 3
_OPENING_SENTENCES = 3
_OPENING_STEPS = 40


def sample_kind(menu: Menu) -> str | None:
    """``"demo"``, ``"test"``, ... when the menu says it is one (:func:`sample_said`)."""
    said = sample_said(menu)
    return said[0] if said is not None else None


def sample_said(menu: Menu) -> tuple[str, str] | None:
    """``(kind, where it says so)`` when the menu's own name, description or opening
    prompt says it is a demo, test or example, else None."""
    name = _name(menu)
    named = named_kind(name or "")
    if named is not None:
        how = "named" if menu.id else "titled"
        return named, f"{how} as {_a(named)} ({name!r})"
    title = menu.title if menu.title and menu.title != name else None
    if title and len(title.split()) <= NAME_WORDS:
        # A short title is another name, the one its deployment gives the part (the
        # comment naming the number a dispatch sends to it).
        named = named_kind(title)
        if named is not None:
            return named, f"titled as {_a(named)} ({title!r})"
    description = title
    if description:
        kind = described_kind(description)
        if kind is not None:
            return kind, f"described as {_a(kind)} ({_quote(description)})"
    if menu.about:
        kind = described_kind(menu.about)
        if kind is not None:
            return kind, f"described as {_a(kind)} ({_quote(menu.about)})"
    for node_id, text in opening_prompts(menu):
        kind = introduced_kind(text)
        if kind is not None:
            return kind, (
                f"its opening prompt at '{node_id}' introduces it as {_a(kind)} ({_quote(text)})"
            )
    for node_id, play in opening_recordings(menu):
        kind = recording_kind(play)
        if kind is not None:
            return kind, f"its opening recording at '{node_id}' is named as {_a(kind)} ({play!r})"
    return None


def _name(menu: Menu) -> str | None:
    """The menu's own name: its id, or a short title when it has none (a longer title is
    a description)."""
    if menu.id:
        return menu.id
    if menu.title and len(menu.title.split()) <= NAME_WORDS:
        return menu.title
    return None


def described_kind(text: str) -> str | None:
    """The kind of sample a description calls its part ("Demo script for ...", "This
    form demonstrates how to ..."), or None."""
    text = " ".join(text.split())
    match = _DESCRIBED.search(text)
    if match is None:
        return "demo" if _DEMONSTRATES.search(text) else None
    return SAMPLE_WORDS[(match.group("word") or match.group("end")).lower()]


def introduced_kind(prompt: str) -> str | None:
    """The kind of sample an opening prompt introduces its flow as, or None: one of its
    first sentences says "This is the sample flow ...", "Welcome to the ... example" or is
    a short "DTMF test."."""
    text = re.sub(r"<[^>]{0,200}>", " ", prompt)  # SSML tags
    sentences = [" ".join(part.split()) for part in _SENTENCE.findall(text)]
    for sentence in [part for part in sentences if part][:_OPENING_SENTENCES]:
        match = _INTRODUCED.search(sentence) or _TAGGED.search(sentence)
        if match is not None:
            return SAMPLE_WORDS[match.group("word").lower()]
    return None


def _opening(menu: Menu) -> Iterator[tuple[str, Any]]:
    """The nodes (id, node) of the straight route from the start, up to and including
    the first node that waits for the caller."""
    node_id = menu.start
    seen: set[str] = set()
    while node_id is not None and node_id not in seen and len(seen) < _OPENING_STEPS:
        seen.add(node_id)
        node = menu.nodes.get(node_id)
        if node is None:
            return
        yield node_id, node
        if node.type in ("menu", "ask"):
            return
        node_id = getattr(node, "next", None)


def opening_prompts(menu: Menu) -> list[tuple[str, str]]:
    """The first prompts (node id, text) on the straight route from the start, up to and
    including the first node that waits for the caller."""
    found = [(node_id, node.say) for node_id, node in _opening(menu) if node.say]
    return found[:_OPENING_PROMPTS]


def recording_kind(play: str) -> str | None:
    """The kind of sample a recording's own file name says it is, when every word of the
    name is a sample word (``test.wav``, ``demo.mp3``; not ``demo-thanks`` or
    ``contest.wav``), else None."""
    name = re.split(r"[|?#]", play.strip(), maxsplit=1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    words = name_words(name.split(".", 1)[0])
    kinds = {SAMPLE_WORDS.get(word) for word in words}
    if len(kinds) != 1 or None in kinds:
        return None
    return kinds.pop()


def opening_recordings(menu: Menu) -> list[tuple[str, str]]:
    """The recordings (node id, file) played with no text on the straight route from the
    start, before the caller is asked anything: what :func:`opening_prompts` reads, for
    prompts that are files."""
    found: list[tuple[str, str]] = []
    for node_id, node in _opening(menu):
        if node.say:
            break  # spoken words come first: the opening prompt speaks for the flow
        if node.play:
            found.extend((node_id, play) for play in node.play.split("&") if play.strip())
    return found[:_OPENING_PROMPTS]


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 80 else text[:77].rstrip() + "...")


def mark_samples(menus: Iterable[Menu]) -> None:
    """Give every caller-facing menu that says it is a demo, test or example the role
    ``sample``."""
    for menu in menus:
        if menu.role not in ("entry", "reached") or menu.source_format == "native":
            continue
        said = sample_said(menu)
        if said is not None:
            menu.with_role(
                "sample",
                f"{said[1]}: audited for structure only "
                "(config 'audit_samples = true' or 'entries' audits it as a caller's line)",
            )
