"""Test hooks: parts of a caller's line whose own name says they are a test or a demo.

A live flow may keep a hook for test automation beside its service routes: a Twilio
Studio widget ``cyara_test`` behind an unannounced key 9 that plays the test
harness's recording and ends.  No caller is meant to go there, so DE003 and DE005 do
not judge it, nor what callers reach only through it (``caller_reachable`` of
:class:`~ivraudit.analysis.facts.MenuFacts`), DP002 does not take a person only it
leads to for the nearest, and the hidden key itself is MN010's.

A part is a test hook when its own name -- the widget's, the block's, the context's
(a node's id in the menu it is written in) -- has one of the words of
:mod:`ivraudit.formats.samples` as a word of its own (``cyara_test``,
``Copy_of_cyara_test``, ``DemoGoodbye``; not ``Contest`` or ``attestation``).  The
words and the way a name is split are the same as there (:mod:`ivraudit.model.names`).  Not a hook:

- a branch: a decision named for what it tests (an Asterisk label ``test2``, a
  split ``test_vip``) is not a place callers are sent;
- the node calls start at, and any node of a part whose own name (the menu's id or
  its start's name: an Asterisk ``[demo]`` context, whose nodes all carry its name)
  already says so: whether the whole part is a sample is the menu's role, decided
  from its own name, description and opening prompt;
- where a key its menu's prompt announces leads ("press 9 to test your line"): an
  option offered to callers is a caller's route, whatever its name;
- anything in a menu written in ivraudit's own format, or when config
  ``audit_samples`` is set: then it is audited as written.
"""

from __future__ import annotations

from ivraudit.model.names import named_kind

#: Node types that are decisions, not places: their names say what they test.
_DECISIONS = frozenset({"branch", "hours"})


def is_test_hook(name: str, kind: str) -> bool:
    """Whether a node of type ``kind`` whose own name is ``name`` is a test hook."""
    return kind not in _DECISIONS and named_kind(name) is not None
