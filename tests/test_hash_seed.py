"""Output does not depend on Python's string hash seed: the same files give the same
report and the same diagram in every process.

Iterating a ``set`` of strings follows their hashes, which change from process to
process; a loader that built nodes in such an order drew its diagrams differently
from one run to the next (FreeSWITCH's menu stack end: 'exit' and 'after-ivr').
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import MENUS

#: Seeds under which a set of the FreeSWITCH demo's two end nodes iterated differently.
SEEDS = ("4", "5")


def _run(seed: str, *args: str) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    completed = subprocess.run(
        [sys.executable, "-m", "ivraudit", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )
    assert completed.returncode in (0, 1), completed.stderr
    return completed.stdout


def test_a_freeswitch_menu_stack_draws_the_same_in_every_process(corpus):
    demo = corpus / "freeswitch" / "signalwire__freeswitch__new_demo_ivr.xml"
    dots = {_run(seed, "diagram", str(demo), "-f", "dot") for seed in SEEDS}
    assert len(dots) == 1
    (dot,) = dots
    # The menu stack's end: its exit-sound, then what the dialplan does after 'ivr'.
    assert dot.index('"node-new_demo_ivr_exit_') < dot.index('"node-new_demo_ivr_after_ivr_')


def test_reports_are_the_same_in_every_process():
    reports = {_run(seed, "check", str(MENUS), "-f", "json") for seed in SEEDS}
    assert len(reports) == 1
