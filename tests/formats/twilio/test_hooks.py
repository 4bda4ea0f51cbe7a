"""Test hooks in a live Studio flow (issue 14, "A hidden test key is its own finding").

Fixture hook.json is written from the Studio docs (Split Based On...: a transition per
condition on the gather's Digits; Say/Play: plays a recorded message from a URL; a
transition with no next widget ends the flow).  Key 9 goes to ``cyara_test``, the
Cyara test harness's recording, as in the techmatters/flex-plugins flows of the corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import ivraudit
from ivraudit import loads
from ivraudit.rules.config import config_from_dict

HERE = Path(__file__).resolve().parent / "fixtures"


def _flow(**changes: str) -> dict:
    flow = json.loads((HERE / "hook.json").read_text(encoding="utf-8"))
    for state in flow["states"]:
        if state["name"] == "main" and "prompt" in changes:
            state["properties"].pop("say")
            state["properties"]["play"] = changes["prompt"]
        if state["name"] == "main" and "say" in changes:
            state["properties"]["say"] = changes["say"]
    text = json.dumps(flow, indent=2)
    if "hook" in changes:
        text = text.replace("cyara_test", changes["hook"])
    return json.loads(text)


def _found(flow: dict, **config: object) -> list[tuple[str, str, int, str]]:
    menu = loads(json.dumps(flow, indent=2), "twilio", name="hook.json")
    report = ivraudit.audit(menu, config_from_dict(dict(config)) if config else None)
    return [(f.rule, f.node, f.line, f.message) for f in report.findings]


def test_a_hidden_test_key_behind_a_known_prompt_is_one_info_finding():
    menu = ivraudit.load(HERE / "hook.json")
    (finding,) = ivraudit.audit(menu).findings
    assert (finding.rule, finding.severity.value, finding.node, finding.line) == (
        "MN010",
        "info",
        "main",
        45,
    )
    assert finding.message == (
        "menu 'main' has a hidden test key 9: its prompt never announces it, and it leads "
        "to test hook 'cyara_test'; a caller who presses 9 by mistake hears the recording "
        "'https://example.com/cyara/ivr-check.mp3', and the call ends"
    )
    assert "Split condition" in finding.fix
    assert [step.node for step in finding.witness] == ["main", "cyara_test"]


def test_the_hook_is_no_dead_end_and_its_key_no_mn003():
    # Named for what it is, the hook is not a caller's route: no DE003 for its end, no
    # MN003 for its key (MN010 tells it once).  Named as a service, the same widget is
    # a dead end and an unannounced key.
    assert [rule for rule, *_ in _found(_flow())] == ["MN010"]
    assert [(rule, node) for rule, node, *_ in _found(_flow(hook="goodbye"))] == [
        ("MN003", "main"),
        ("DE003", "goodbye"),
    ]


def test_behind_a_recorded_prompt_the_hidden_key_is_unknown_not_a_finding():
    # The corpus's Cyara hooks sit behind recorded menu prompts: whether key 9 is
    # announced is unknown, so nothing is reported, and the hook is still no dead end.
    assert _found(_flow(prompt="https://example.com/main-menu.mp3")) == []


def test_a_key_the_prompt_offers_is_a_callers_route_whatever_its_name():
    # "press 9 to test your line": an announced option is offered to callers, so where
    # it leads is judged like any other route (its end gives no reason: DE003).  Key 1
    # plays the opening hours and comes back: an option too, so the prompt's 1 then 9
    # skips 2 to 8 (MN007).
    say = "For our opening hours press 1. To test your line press 9. For an adviser press 0."
    assert [(rule, node) for rule, node, *_ in _found(_flow(say=say))] == [
        ("MN007", "main"),
        ("DE003", "cyara_test"),
    ]


def test_audit_samples_audits_the_hook_as_written():
    assert [rule for rule, *_ in _found(_flow(), audit_samples=True)] == ["MN003", "DE003"]
