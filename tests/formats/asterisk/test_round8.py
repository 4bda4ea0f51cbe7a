"""Asterisk, round 8: the autofallthrough=no wait is silence until the timeout, not a
menu of the context's extensions, and a hang-up that sounds the network's intercept
(Congestion(), Playtones(info)) tells the caller why the call ends (fixtures under
fixtures/round8/, citing the docs)."""

from __future__ import annotations

from pathlib import Path

from ivraudit import load_all
from ivraudit.runner import check

HERE = Path(__file__).resolve().parent / "fixtures" / "round8"
WAIT = (
    "extension 1 has no priority 2; with autofallthrough=no Asterisk waits silently (the "
    "response timeout, 10 s) for an extension to be dialled, with no prompt asking for one: "
    "the caller hears silence, then the timeout"
)


def fields(menu, node_id: str) -> dict:
    return menu.nodes[node_id].model_dump(exclude_none=True, by_alias=True, exclude_defaults=True)


def findings(path: Path) -> list[tuple[str, int, str]]:
    report = check([str(path)], skip_non_menus=True).report
    return [(f.rule, f.line, f.message) for f in report.findings]


def test_the_fallthrough_wait_is_silence_then_t_and_the_intercept_tones_give_the_reason():
    path = HERE / "intercept_tone.conf"
    (menu,) = load_all(path)
    # After the Dial() comes back: no extension of [from-trunk] is offered, 't' runs.
    assert fields(menu, "from-trunk,1,<end>") == {
        "type": "action",
        "next": "from-trunk,t,5",
        "note": WAIT,
    }
    # 't' sounds the Special Information Tone before it hangs up: the reason is given.
    assert fields(menu, "from-trunk,t,5") == {
        "type": "hangup",
        "reason": "completed",
        "note": "Playtones(info) at line 28: the caller hears the special information tone "
        "(the number dialled cannot be completed)",
    }
    assert fields(menu, "from-trunk,3,1") == {
        "type": "hangup",
        "reason": "completed",
        "note": "Congestion(5); the caller hears the congestion tone: the call cannot be completed",
    }
    # Congestion() as the fallback of a Dial() is the fast busy of a failed transfer to
    # people: a refusal, no reason credited.
    assert fields(menu, "from-trunk,4,2") == {"type": "hangup", "note": "Congestion()"}
    # A jump lands between the tone and the hang-up (label 'quiet'): the callers of key 7
    # hear it, those of key 6 do not, and the node is one: no reason is credited.
    assert fields(menu, "from-trunk,vacant,quiet") == {"type": "hangup"}
    # 'i' goes back to the menu with no counter (DE008).
    assert findings(path) == [
        (
            "DE008",
            12,
            "when the caller presses an invalid key at 'from-trunk,s,menu', it asks again with "
            "no limit: a caller who cannot answer hears it until they hang up",
        ),
        ("MN001", 12, "menu 'from-trunk,s,menu' offers 6 options, more than the limit of 5"),
        (
            "MN002",
            12,
            "menu 'from-trunk,s,menu' has no operator key 0: callers cannot ask for a person",
        ),
        (
            "DE003",
            15,
            "'from-trunk,2,1' hangs up after \"[recording billing-closed]\" and gives no reason",
        ),
        (
            "DE003",
            26,
            "'from-trunk,vacant,quiet' hangs up after \"[recording one-moment]\" and gives no "
            "reason",
        ),
    ]
