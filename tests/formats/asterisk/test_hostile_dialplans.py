"""Asterisk dialplans built to hurt (issue 15): globals that double, include chains of
10,000 contexts, and #include of files outside the root.  Each asserts the exact outcome;
none is timed (benchmarks/asterisk_scaling.py prints the growth ratios)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from click.testing import CliRunner

from ivraudit.cli import main
from ivraudit.formats.asterisk import parse
from ivraudit.formats.asterisk.match import MAX_EXPANSION, expand, substitute
from ivraudit.formats.asterisk.parse import read_dialplan
from ivraudit.formats.asterisk.targets import Targets, numeric_targets

HERE = Path(__file__).resolve().parent / "fixtures" / "round5"


def lines_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith(" ")]


# -- [globals] that double ------------------------------------------------------------------


def test_globals_that_double_are_unknown_past_the_bound_not_a_memory_error():
    path = HERE / "doubling_globals.conf"
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    # Read whole: the line plays a recording whose name is a run-time value and hangs up.
    # Its words are unknown and every caller hears it: an announcement, so neither DE003
    # nor DP003 is established (their docs).
    assert lines_of(result.output) == ["0 findings (0 errors, 0 warnings, 0 info) in 1 file."]


def test_a_global_is_filled_in_up_to_the_bound_and_unknown_beyond_it():
    plan = read_dialplan((HERE / "doubling_globals.conf").read_text(), str(HERE / "x.conf"))
    # G12 is 2^13 = 8192 characters: it fits; G13 (16384) does not, nor any global made of it.
    assert len(plan.globals["G12"]) == MAX_EXPANSION == 8192
    assert sorted(name for name in plan.globals if name not in ("G0",)) == sorted(
        f"G{i}" for i in range(1, 13)
    )


def test_expansion_stops_at_the_bound_and_says_so():
    values = {"BIG": "x" * MAX_EXPANSION, "SMALL": "ab"}
    assert expand("${SMALL}", values, None, "ctx") == ("ab", True)
    text, fitted = expand("${BIG}${BIG}", values, None, "ctx")
    assert (len(text), text.endswith("${BIG}"), fitted) == (MAX_EXPANSION + 6, True, False)
    # Many references to a long value on one line add at most the bound, in every round.
    line = "${BIG}" * 1000
    assert len(substitute(line, values, None, "ctx")) == MAX_EXPANSION + 6 * 999


# -- include chains -------------------------------------------------------------------------


#: The include chain the scaling benchmark times (benchmarks/asterisk_scaling.py).
_SCALING = Path(__file__).resolve().parents[3] / "benchmarks" / "asterisk_scaling.py"
_spec = importlib.util.spec_from_file_location("asterisk_scaling", _SCALING)
assert _spec is not None and _spec.loader is not None
_scaling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_scaling)
chain = _scaling.chain


class Counting(dict):
    """A dict of contexts that counts the lookups made in it."""

    gets = 0

    def get(self, key, default=None):
        Counting.gets += 1
        return super().get(key, default)


def test_a_chain_of_include_only_contexts_is_followed_once_not_once_per_context():
    plan = read_dialplan(chain(10_000, own_extensions=False), "<chain>")
    plan.contexts = Counting(plan.contexts)
    Counting.gets = 0
    targets = Targets(plan)
    # Asked from the first context to the last (each a longer chain than the one before).
    assert {targets.canonical(f"c{i}") for i in range(10_000)} == {"c0"}
    assert Counting.gets <= 2 * 10_000  # was one walk down the whole chain per context


def test_lookups_through_a_long_include_chain_cost_their_hits_not_the_chain(monkeypatch):
    plan = read_dialplan(chain(3_000, own_extensions=True), "<chain>")
    targets = Targets(plan)
    seen = []
    original = Targets.literals
    monkeypatch.setattr(
        Targets, "literals", lambda self, context: seen.append(1) or original(self, context)
    )
    # c2999 includes c2998, ... c0: every number 1..2998 is found through the chain.
    for number in range(1, 3_000):
        (hit,) = targets.find("c2999", str(number), 1)
        assert hit[2].context == f"c{number}"
    assert not targets.find("c2999", "9999", 1)
    assert len(seen) <= 2 * 3_000  # was one context per step down the chain per lookup


def test_numbered_jumps_reach_every_included_context():
    text = (
        "[a]\nexten => s,1,Goto(b,s,3)\ninclude => b\n"
        "[b]\nexten => s,1,Playback(x)\ninclude => c\ninclude => a\n"
        "[c]\nexten => t,1,Goto(5)\n[d]\nexten => s,1,Goto(${X},s,7)\n"
    )
    numbered, anywhere = numeric_targets(read_dialplan(text, "<t>"))
    assert {name: sorted(numbers) for name, numbers in numbered.items()} == {
        "b": [3],
        "c": [3, 5],
        "a": [3],
    }
    assert anywhere == {7}


def test_ten_thousand_chained_includes_give_the_findings_of_the_one_context_they_reach(
    tmp_path,
):
    path = tmp_path / "extensions.conf"
    path.write_text(chain(10_000, own_extensions=False))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    # The one context reached plays the recording 'hi' and hangs up: an announcement.
    assert lines_of(result.output) == ["0 findings (0 errors, 0 warnings, 0 info) in 1 file."]
    entries = CliRunner().invoke(main, ["entries", str(path)])
    assert entries.exit_code == 0, entries.output
    assert "c0" in entries.output


# -- #include outside the root --------------------------------------------------------------

SECRET = "TOPSECRET-5f1c"


def planted(tmp_path: Path) -> Path:
    """A dialplan in root/ whose #includes point at a secret file beside root/."""
    secret = tmp_path / "secret.conf"
    secret.write_text(f"[{SECRET}\n{SECRET} => nothing\nexten => 9,1,Dial(SIP/{SECRET})\n")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(secret, root / "link.conf")
    (root / "extensions.conf").write_text(
        "; docs.asterisk.org, Configuration/Core-Configuration/Config-File-Format: #include\n"
        "[from-pstn]\n"
        f"#include {secret}\n"
        "#include ../secret.conf\n"
        "#tryinclude ../secret.conf\n"
        f'#include "{tmp_path}/*.conf"\n'
        "#include ../root/../secret.conf\n"
        "#include link.conf\n"
        "exten => s,1,Answer()\n"
        " same => n,Background(welcome)\n"
        " same => n,WaitExten(5)\n"
        "exten => 0,1,Dial(SIP/100)\n"
        "exten => i,1,Goto(s,1)\n"
        "exten => t,1,Goto(s,1)\n"
    )
    return root


def test_an_include_outside_the_root_is_never_read_nor_echoed(tmp_path, monkeypatch):
    root = planted(tmp_path)
    read: list[str] = []
    original = parse.read_bytes
    monkeypatch.setattr(parse, "read_bytes", lambda path: read.append(path) or original(path))
    for form in ("text", "sarif", "html"):
        result = CliRunner().invoke(main, ["check", str(root / "extensions.conf"), "-f", form])
        # The one finding: 'i' and 't' go back to the menu with no counter (DE008).
        assert result.exit_code == 1, result.output
        assert SECRET not in result.output
        if form == "text":
            assert lines_of(result.output) == [
                f"{root / 'extensions.conf'}:10:2: DE008 warning: when the caller says nothing "
                "or presses an invalid key at 'from-pstn,s,2', it asks again with no limit: a "
                "caller who cannot answer hears it until they hang up",
                "1 finding (0 errors, 1 warning, 0 info) in 1 file.",
            ]
    assert read == []  # not one #include was read: each points outside the root
    plan = read_dialplan((root / "extensions.conf").read_text(), str(root / "extensions.conf"))
    outside = f"it is outside {os.path.realpath(root)}, the root of the files given"
    assert [(item.name, item.reason) for item in plan.unread] == [
        (str(tmp_path / "secret.conf"), outside),
        ("../secret.conf", outside),
        ("../secret.conf", outside),
        (f"{tmp_path}/*.conf", outside),
        ("../root/../secret.conf", outside),
        ("link.conf", outside),
    ]
    assert list(plan.contexts) == ["from-pstn"]
