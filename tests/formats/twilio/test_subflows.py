"""Run Subflow widgets: flows exported without a SID, mapped by config ``twilio_flows``, and
where a subflow's routes end (Studio docs, *Run Subflow widget* and *Subflows*)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivraudit import load
from ivraudit.config import parse_config, read_config
from ivraudit.formats.estate import Estate
from ivraudit.formats.twilio.subflows import REFERENCE
from ivraudit.model.errors import ConfigError
from ivraudit.runner import check
from tests.conftest import edges, findings_of, kinds

MAPPED = Path(__file__).resolve().parent / "fixtures" / "mapped"
SID = "FW0123456789abcdef0123456789abcdef"
CONFIG = MAPPED / "ivraudit.toml"
DE008 = (
    "when the caller presses an invalid key at '{node}', it asks again with no limit: a "
    "caller who cannot answer hears it until they hang up"
)


def _estate(config_file: Path = CONFIG) -> Estate:
    config = read_config(config_file)
    estate = Estate.of([MAPPED / "main.json", MAPPED / "flows" / "billing.json"])
    return estate.referring(REFERENCE, config.flow_files(), "twilio_flows")


def test_config_maps_a_sid_to_a_flow_exported_without_one():
    # Studio docs, Run Subflow widget: 'flow_sid' names the flow to run.  The flows were
    # exported from the Studio editor, which writes no SID: ivraudit.toml maps the SID to
    # flows/billing.json (relative to the config file), so 'run_billing' runs it.
    assert read_config(CONFIG).flow_files() == {SID: str(MAPPED / "flows" / "billing.json")}
    menu = load(MAPPED / "main.json", estate=_estate())
    assert kinds(menu) == {"run_billing": "subflow", "bye": "hangup"}
    billing = menu.subflows[SID]
    assert (billing.start, billing.role) == ("billing_menu", "reached")
    # The fault inside it is found, on the route through the parent: an invalid key asks
    # again with no counter (DE008, at the split's noMatch).
    found = findings_of(MAPPED, config=read_config(CONFIG))
    node = "run_billing/billing_menu"
    assert found == [("DE008", node, 36, DE008.format(node=node))]


def test_without_the_mapping_the_subflow_route_is_unknown():
    # The same files, no config: the SID names no file of the estate, so the route leaves
    # what was read (unknown, not-given); main.json has no finding, and billing.json is
    # audited only on its own (its invalid-key loop is still its fault).
    menu = load(MAPPED / "main.json", estate=Estate.of([MAPPED / "main.json"]))
    unknown = menu.nodes[f"run_billing: flow {SID}"]
    assert (unknown.type, unknown.reason, unknown.target) == ("unknown", "not-given", SID)
    assert findings_of(MAPPED, config=parse_config({})) == [
        ("DE008", "billing_menu", 36, DE008.format(node="billing_menu"))
    ]


def test_a_subflow_s_empty_transitions_return_to_the_parent():
    # Studio docs, Run Subflow widget: 'Completed' fires when the subflow's execution is
    # completed; Subflows: it runs from the Trigger's incomingParent.  So where billing's
    # transitions lead nowhere (the silent caller's Timeout, the end of the agent's call,
    # the balance message) the parent goes on at 'completed', to 'bye': no DE004 (silence
    # is not a hangup), no ST002 on 'bye', no DE007 (the call comes back to the parent).
    menu = load(MAPPED / "main.json", estate=_estate())
    assert edges(menu) == [
        ("run_billing", "run_billing/billing_menu", "subflow", None),
        ("run_billing/agent", "run_billing/agent: end of subflow", "fail", None),
        ("run_billing/agent: end of subflow", "bye", "return", None),
        ("run_billing/balance", "run_billing/balance: end of subflow", "next", None),
        ("run_billing/balance: end of subflow", "bye", "return", None),
        ("run_billing/billing_menu", "run_billing/agent", "key", "0"),
        ("run_billing/billing_menu", "run_billing/balance", "key", "1"),
        ("run_billing/billing_menu", "run_billing/billing_menu", "no_match", None),
        ("run_billing/billing_menu", "run_billing/billing_menu: end of subflow", "no_input", None),
        ("run_billing/billing_menu: end of subflow", "bye", "return", None),
    ]
    assert kinds(menu.subflows[SID])["billing_menu: end of subflow"] == "return"


def test_the_same_widgets_entered_by_a_call_hang_up(tmp_path: Path):
    # Near-identical: billing's widgets entered at incomingCall (a flow of its own).  There an
    # empty Timeout ends the execution and Studio hangs up on the silent caller (DE004), and
    # the agent's call ending ends the flow (no fail route: DE007).
    flow = json.loads((MAPPED / "flows" / "billing.json").read_text(encoding="utf-8"))
    trigger = flow["states"][0]["transitions"]
    trigger[1]["next"], trigger[4] = "billing_menu", {"event": "incomingParent"}
    (tmp_path / "line.json").write_text(json.dumps(flow, indent=2), encoding="utf-8")
    found = {(rule, node) for rule, node, _, _ in findings_of(tmp_path / "line.json")}
    assert {("DE004", "billing_menu"), ("DE007", "agent"), ("DE008", "billing_menu")} <= found


def test_a_mapped_file_outside_the_folder_checked_is_not_read(tmp_path: Path):
    # Nothing outside the estate's root is read: a mapping that leaves it stays unknown
    # (a project's config still works when one folder of it is checked), and one that
    # names no file is a config error naming the key (exit 2).
    tmp_path = tmp_path.resolve()
    checked = tmp_path / "ivr"
    checked.mkdir()
    (checked / "main.json").write_bytes((MAPPED / "main.json").read_bytes())
    (tmp_path / "billing.json").write_bytes((MAPPED / "flows" / "billing.json").read_bytes())
    outside = tmp_path / "ivraudit.toml"
    outside.write_text(f'[twilio_flows]\n{SID} = "billing.json"\n', encoding="utf-8")
    alone = check([checked], read_config(outside)).report
    assert alone.findings == []
    assert [(u.reason, u.target) for u in alone.unknowns] == [("not-given", SID)]
    # Checked from the folder that holds both, the same config resolves the subflow.
    assert [f.node for f in check([tmp_path], read_config(outside)).report.findings] == [
        "run_billing/billing_menu"
    ]
    outside.write_text(f'[twilio_flows]\n{SID} = "gone.json"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"gone\.json' is not a file"):
        check([tmp_path], read_config(outside))
