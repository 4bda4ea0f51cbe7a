"""The three real estates of ../shared/estates audit as wholes, from their root directories.

Each test checks what an engineer of that platform would: which parts callers
enter and why, which references resolve inside the estate, what is left
unknown, and the exact findings (each of them judged in the precision ledger).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ivraudit.runner import check, parts
from tests.conftest import ROOT

ESTATES = ROOT.parent / "shared" / "estates"


@pytest.fixture
def estate():
    def named(name: str) -> Path:
        folder = ESTATES / name
        if not folder.is_dir():
            pytest.skip(f"shared estate not found at {folder} (clone ../shared beside this repo)")
        return folder

    return named


def _names(path: str, root: Path) -> str:
    return Path(path).resolve().relative_to(root.resolve()).as_posix()


def test_the_connect_instance_enters_where_its_phone_numbers_do(estate):
    root = estate("goodmeasures-connect")
    found, errors = parts([str(root)])
    flows = root / "environments" / "production" / "contact_flows"
    roles = {_names(part.file, flows): part.role for part in found}
    assert [name for name, role in roles.items() if role == "entry"] == ["_00_routing_flow.json"]
    # The two holiday test flows are named so in Terraform ("Holiday Routing Test").
    assert sorted(name for name, role in roles.items() if role == "sample") == [
        "holiday_routing_test.json",
        "holiday_test_flow.json",
    ]
    assert Counter(roles.values()) == {"entry": 1, "reached": 17, "sample": 2, "internal": 4}
    # The voicemail sub-flow is a CONTACT_FLOW, but only other flows transfer to it.
    voicemail = next(part for part in found if part.file.endswith("_0x_voicemail_flow.json"))
    assert voicemail.reason.startswith(
        "flow type CONTACT_FLOW (Terraform aws_connect_contact_flow._0x_voicemail_flow); "
        "other flows of the estate transfer to it"
    )
    # Agent hold and whisper flows are not phone menus: skipped in a directory, no error.
    assert errors == []


def test_the_connect_instance_resolves_its_transfers_and_leaves_one_flow_unknown(estate):
    root = estate("goodmeasures-connect")
    report = check([str(root)], skip_non_menus=True).report
    # Every TransferToFlow resolves but the one to the flow the instance leaves out.
    assert [(u.reason, u.target, u.line) for u in report.unknowns] == [
        ("not-given", "00 MainPatient Flow - In (Open)", 435)
    ]
    flows = root / "environments" / "production" / "contact_flows"
    assert sorted((f.rule, _names(f.file, flows), f.line) for f in report.findings) == [
        ("DE003", "_00_routing_flow.json", 331),
        ("DE003", "_0x_inbound_to_agent.json", 128),
        ("ST002", "_0x_good_measures_queue_flow.json", 476),
    ]


def test_the_freeswitch_config_reads_its_menus_through_the_dialplan(estate):
    root = estate("freeswitch-vanilla")
    found, _ = parts([str(root)])
    assert sorted((_names(part.file, root), part.role) for part in found) == [
        ("conf/ivr_menus/demo_ivr.xml", "internal"),
        ("conf/ivr_menus/new_demo_ivr.xml", "internal"),
    ]
    report = check([str(root)], skip_non_menus=True).report
    assert (report.findings, report.unknowns, report.errors) == ([], [], [])


def test_the_issabel_box_enters_at_its_inbound_contexts(estate):
    root = estate("issabel-box")
    found, errors = parts([str(root)])
    assert errors == []
    assert [(part.flow, part.role) for part in found] == [
        ("ext-did-catchall", "entry"),
        ("from-trunk-sip-campanha", "entry"),
        ("from-trunk-sip-skynet", "entry"),
        ("from-zaptel", "entry"),
    ]
    assert {part.reason for part in found} == {
        f"FreePBX inbound context {part.flow}: calls from trunks" for part in found
    }


def test_the_issabel_box_audits_as_a_whole_with_the_core_dialplan_unknown(estate):
    root = estate("issabel-box")
    report = check([str(root)], skip_non_menus=True).report
    # extensions.conf, where FreePBX's core contexts live, is not part of the backup.
    # The trunk contexts hand calls to from-trunk and from-pstn, defined there; from-dahdi-
    # ${CHAN} depends on the channel the call arrives on.
    assert [(u.reason, u.target, u.line) for u in report.unknowns] == [
        ("not-given", "from-trunk,${EXTEN},1", 1577),
        ("not-given", "from-trunk,${EXTEN},1", 1611),
        ("not-given", "from-pstn,${DID},1", 2091),
        ("run-time", "from-dahdi-${CHAN},${DID},1", 2096),
        ("run-time", "from-dahdi-${CHAN},${DID},1", 2102),
    ]
    # Every finding is on the inbound routes and the custom IVRs, and each one is judged
    # in tests/precision/ledger.yaml.
    files = Counter(Path(f.file).name for f in report.findings)
    # Background() then WaitExten() in one extension is one menu, so MENU-BLOQUEIO and
    # MENU-CLIENTE each miss their i extension once (issabel-022 and issabel-049 gone).
    # extensions_additional.conf has none left: its skipped line sits in the phones'
    # app-blacklist (no caller reaches it) and app-blacklist-check's hangup is the
    # intended rejection of a blacklisted caller (issabel-001, issabel-002).
    assert files == {"extensions_custom.conf": 46}
    assert Counter(f.rule for f in report.findings) == {
        # issabel-002 gone (the blacklist); issabel-046 too (the invoice the AGI sent)
        "DE003": 21,
        "ST004": 14,  # issabel-001 and issabel-005 (a last Hangup() skipped changes nothing)
        "DE004": 6,  # was 8: issabel-022 and issabel-049, see above
        "MN002": 2,  # issabel-019 and issabel-044: the DE003 where key 0 leads names them
        "DE005": 3,
    }
