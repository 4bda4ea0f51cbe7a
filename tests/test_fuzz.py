"""The fuzz harness (benchmarks/fuzz.py): a short bounded campaign over the real corpus."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py"


def _harness():
    spec = importlib.util.spec_from_file_location("ivraudit_fuzz", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fuzz = _harness()


def test_every_kind_of_failure_is_told_apart():
    secret = fuzz.SECRET
    assert fuzz.classify(1, '{"findings": []}', "") is None
    assert fuzz.classify(2, '{"findings": []}', "a.json:1:1: invalid JSON") is None
    assert fuzz.classify(1, f'{{"message": "{secret}"}}', "") == "content from outside the root"
    assert fuzz.classify(2, "", f"a.conf:1:1: {secret}") == "content from outside the root"
    assert (
        fuzz.classify(2, "", "ivraudit: error: internal error: UnicodeEncodeError: ...")
        == "internal error UnicodeEncodeError"
    )
    assert fuzz.classify(1, "{", "") == "stdout is not JSON"
    assert fuzz.classify(-9, "{}", "") == "exit -9"


def test_mutants_are_the_same_for_the_same_seed():
    data = b'{"states": [{"name": "a", "say": "hello"}]}'
    first = [fuzz.mutate(data, ".json", random.Random(7), "/out")[1] for _ in range(5)]
    again = [fuzz.mutate(data, ".json", random.Random(7), "/out")[1] for _ in range(5)]
    assert first == again


@pytest.mark.skipif(not fuzz.CORPUS.is_dir(), reason=f"no corpus at {fuzz.CORPUS}")
def test_a_short_campaign_over_the_corpus_finds_nothing():
    """150 mutants, fixed seed, each under 20 s and 2 GiB: every one a report or an error."""
    summary = fuzz.campaign(150, seed=15, batch=75, seconds=20, megabytes=2048)
    assert summary["mutants"] == 150
    assert summary["classes"] == {}, summary["examples"]
