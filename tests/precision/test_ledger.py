"""The precision ledger holds: a judged-true finding stays, a fixed false one never returns.

Entries judged false or noise that ivraudit still reports are expected failures
(strict): the day a change stops reporting one, this test says so, and the entry
gets ``fixed: true``, after which its return fails the build.  A judged-true
finding with ``by_design`` (a real fault inside a part named as a sample, which
is audited for structure only, or one another entry reports once) must stay
unreported, for the reason given.
"""

from __future__ import annotations

import pytest

from tests.precision.measure import CORPUS, ledger, reported, standing

ENTRIES = ledger()


@pytest.fixture(scope="module")
def found():
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (clone ../shared beside this repo)")
    return standing(ENTRIES, reported(ENTRIES))


def _case(entry: dict):
    marks = []
    if entry["verdict"] != "true" and not entry.get("fixed"):
        marks.append(
            pytest.mark.xfail(
                strict=True,
                reason="judged-false finding still reported; when this passes, mark it fixed",
            )
        )
    return pytest.param(entry, id=entry["id"], marks=marks)


def test_the_ledger_is_well_formed():
    ids = [entry["id"] for entry in ENTRIES]
    assert len(ids) == len(set(ids))
    for entry in ENTRIES:
        assert entry["verdict"] in ("true", "false", "noise", "unknown"), entry["id"]
        assert entry["reason"].strip(), entry["id"]
        assert entry.get("fixed") in (None, True), entry["id"]
        assert not (entry["verdict"] == "true" and entry.get("fixed")), entry["id"]
        assert entry.get("by_design") is None or entry["verdict"] == "true", entry["id"]


@pytest.mark.parametrize("entry", [_case(entry) for entry in ENTRIES])
def test_judged_finding(entry, found):
    if entry.get("by_design"):
        assert entry["id"] not in found, f"reported again: {entry['by_design']}"
    elif entry["verdict"] == "true":
        assert entry["id"] in found, f"judged-true finding disappeared: {entry['reason']}"
    else:
        assert entry["id"] not in found, f"judged-{entry['verdict']} finding: {entry['reason']}"
