"""The platforms' own logs: Twilio Studio execution steps, Amazon Connect flow logs and
Asterisk CEL records, read into counts named as the importers name nodes, and joined to
the findings of the menu they ran (docs/traffic.md, "Platform logs")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from ivraudit.traffic import EdgeCount, NodeCount, aggregate

FORMATS = Path(__file__).resolve().parents[1] / "formats"
TWILIO_FLOW = FORMATS / "twilio" / "fixtures" / "ivr.json"
CONNECT_FLOW = FORMATS / "connect" / "fixtures" / "main-line.json"
DIALPLAN = FORMATS / "asterisk" / "fixtures" / "main_menu.conf"

# -- Twilio Studio -------------------------------------------------------------------------
# Written from Twilio's REST API reference, Studio > Step, "Step Properties"
# (https://www.twilio.com/docs/studio/rest-api/step): a Step is the runtime processing of a
# widget, with `execution_sid`, `name` (the event that caused the transition),
# `transitioned_from`, `transitioned_to` (`Ended` when the execution ends), `context` and
# `date_created` (ISO 8601, to the second).  A list is a JSON array of steps, as the
# twilio CLI prints it with `-o json`.  The widgets are those of
# tests/formats/twilio/fixtures/ivr.json.  Steps of one call share their second.
_TWILIO_CALLS = {
    # served by sales
    "FN01": [
        ("Trigger", "welcome", "incomingCall"),
        ("welcome", "check_hours", "audioComplete"),
        ("check_hours", "hours_split", "success"),
        ("hours_split", "main_menu", "match"),
        ("main_menu", "main_keys", "keypress"),
        ("main_keys", "sales", "match"),
        ("sales", "Ended", "callCompleted"),
    ],
    # silent once at the menu, then the operator
    "FN02": [
        ("Trigger", "welcome", "incomingCall"),
        ("welcome", "check_hours", "audioComplete"),
        ("check_hours", "hours_split", "success"),
        ("hours_split", "main_menu", "match"),
        ("main_menu", "main_menu", "timeout"),
        ("main_menu", "main_keys", "keypress"),
        ("main_keys", "operator", "match"),
        ("operator", "Ended", "callComplete"),
    ],
    # the opening-hours function fails: the flow ends
    "FN03": [
        ("Trigger", "welcome", "incomingCall"),
        ("welcome", "check_hours", "audioComplete"),
        ("check_hours", "Ended", "fail"),
    ],
    # asked for an account number, says nothing: the flow ends
    "FN04": [
        ("Trigger", "welcome", "incomingCall"),
        ("welcome", "check_hours", "audioComplete"),
        ("check_hours", "hours_split", "success"),
        ("hours_split", "main_menu", "match"),
        ("main_menu", "main_keys", "keypress"),
        ("main_keys", "account_number", "match"),
        ("account_number", "Ended", "timeout"),
    ],
    # closed: voicemail, and the caller hangs up while recording
    "FN05": [
        ("Trigger", "welcome", "incomingCall"),
        ("welcome", "check_hours", "audioComplete"),
        ("check_hours", "hours_split", "success"),
        ("hours_split", "closed_message", "noMatch"),
        ("closed_message", "voicemail", "audioComplete"),
        ("voicemail", "Ended", "hangup"),
    ],
    # hangs up at the menu
    "FN06": [
        ("Trigger", "welcome", "incomingCall"),
        ("welcome", "check_hours", "audioComplete"),
        ("check_hours", "hours_split", "success"),
        ("hours_split", "main_menu", "match"),
        ("main_menu", "Ended", "hangup"),
    ],
}


def twilio_steps() -> list[dict[str, object]]:
    steps = []
    for number, (execution, moves) in enumerate(_TWILIO_CALLS.items()):
        for index, (came_from, went_to, event) in enumerate(moves):
            steps.append(
                {
                    "sid": f"FT{number:02d}{index:030d}",
                    "flow_sid": "FW" + "0" * 32,
                    "execution_sid": execution + "0" * 30,
                    "name": event,
                    "context": {"trigger": {"call": {"From": "+14155550100"}}},
                    "transitioned_from": came_from,
                    "transitioned_to": went_to,
                    "date_created": f"2026-03-02T10:0{number}:00Z",
                }
            )
    return steps


TWILIO_NODES = (
    NodeCount("", "account_number", 1, 1, 0),
    NodeCount("", "account_number: end of flow", 1, 1, 1),
    NodeCount("", "check_hours", 6, 6, 0),
    NodeCount("", "check_hours: end of flow", 1, 1, 1),
    NodeCount("", "closed_message", 1, 1, 0),
    NodeCount("", "hours_split", 5, 5, 0),
    NodeCount("", "main_keys", 3, 3, 0),
    NodeCount("", "main_menu", 4, 5, 1),
    # The call left Flex's queue after the agent's call (callComplete): it ended at the
    # queue, not at 'operator: end of flow', the flow ending on a queue failure.
    NodeCount("", "operator", 1, 1, 1),
    NodeCount("", "sales", 1, 1, 0),
    NodeCount("", "sales: end of flow", 1, 1, 1),
    NodeCount("", "voicemail", 1, 1, 1),
    NodeCount("", "welcome", 6, 6, 0),
)

# -- Amazon Connect ------------------------------------------------------------------------
# Written from the Amazon Connect Administrator Guide, "Flow logs stored in an Amazon
# CloudWatch log group" (https://docs.aws.amazon.com/connect/latest/adminguide/
# contact-flow-logs-stored-in-cloudwatch.html, linked from "Flow block: Set logging
# behavior"): one JSON event per block a contact passes, with `ContactId`,
# `ContactFlowId`, `ContactFlowName`, `ContactFlowModuleType`, `Identifier` (the block's
# Identifier in the flow), `Timestamp`, `Parameters` and `Results`; exported one event per
# line.  The blocks are those of tests/formats/connect/fixtures/main-line.json.
_BLOCK = "00000000-0000-4000-8000-0000000000{:02d}".format
_CONNECT_CALLS = {
    # presses 1, types an account number, VIP: transferred to the queue
    "c-0001": [
        (_BLOCK(1), "SetLoggingBehavior", None),
        (_BLOCK(2), "PlayPrompt", None),
        (_BLOCK(3), "CheckHoursOfOperation", "True"),
        ("Main menu", "GetUserInput", "1"),
        ("Account number", "StoreUserInput", "12345678"),
        (_BLOCK(5), "SetAttributes", None),
        (_BLOCK(6), "InvokeExternalResource", None),
        (_BLOCK(7), "CheckAttribute", "vip"),
        (_BLOCK(13), "SetQueue", None),
        (_BLOCK(14), "CheckMetricData", "0"),
        (_BLOCK(15), "Transfer", None),
    ],
    # silent once, then 0
    "c-0002": [
        (_BLOCK(1), "SetLoggingBehavior", None),
        (_BLOCK(2), "PlayPrompt", None),
        (_BLOCK(3), "CheckHoursOfOperation", "True"),
        ("Main menu", "GetUserInput", "Timeout"),
        (_BLOCK(4), "Loop", "ContinueLooping"),
        ("Main menu", "GetUserInput", "0"),
        (_BLOCK(13), "SetQueue", None),
        (_BLOCK(14), "CheckMetricData", "0"),
        (_BLOCK(15), "Transfer", None),
    ],
    # closed: to the after-hours flow
    "c-0003": [
        (_BLOCK(1), "SetLoggingBehavior", None),
        (_BLOCK(2), "PlayPrompt", None),
        (_BLOCK(3), "CheckHoursOfOperation", "False"),
        (_BLOCK(18), "PlayPrompt", None),
        (_BLOCK(22), "TransferToFlow", None),
    ],
    # a wrong key, then the queue is full: the callback offer, silence, goodbye
    "c-0004": [
        (_BLOCK(1), "SetLoggingBehavior", None),
        (_BLOCK(2), "PlayPrompt", None),
        (_BLOCK(3), "CheckHoursOfOperation", "True"),
        ("Main menu", "GetUserInput", "NoMatchingCondition"),
        (_BLOCK(4), "Loop", "DoneLooping"),
        (_BLOCK(13), "SetQueue", None),
        (_BLOCK(14), "CheckMetricData", "NoMatchingCondition"),
        (_BLOCK(16), "GetUserInput", "Timeout"),
        (_BLOCK(17), "PlayPrompt", None),
        (_BLOCK(19), "Disconnect", None),
    ],
    # hangs up at the menu
    "c-0005": [
        (_BLOCK(1), "SetLoggingBehavior", None),
        (_BLOCK(2), "PlayPrompt", None),
        (_BLOCK(3), "CheckHoursOfOperation", "True"),
        ("Main menu", "GetUserInput", None),
    ],
}


def connect_events() -> list[dict[str, object]]:
    events = []
    for number, (contact, blocks) in enumerate(_CONNECT_CALLS.items()):
        for index, (identifier, module, results) in enumerate(blocks):
            event: dict[str, object] = {
                "ContactId": contact,
                "ContactFlowId": "arn:aws:connect:us-east-1:111122223333:instance/"
                "0000/contact-flow/1111",
                "ContactFlowName": "Acme main line",
                "ContactFlowModuleType": module,
                "Identifier": identifier,
                "Timestamp": f"2026-03-02T10:0{number}:{index:02d}.250Z",
                "Parameters": {"CustomerNumber": "+14155550100"},
            }
            if results is not None:
                event["Results"] = results
            events.append(event)
    return events


# -- Asterisk ------------------------------------------------------------------------------
# Written from the Asterisk documentation, "Channel Event Logging (CEL)": the CEL event
# types (https://docs.asterisk.org/Asterisk_22_Documentation/API_Documentation/AMI_Events/
# CEL: APP_START "a channel entered into a tracked application", CHAN_START, ANSWER,
# HANGUP, CHAN_END, ...) and cel.conf's `apps` and `events` (Module Configuration > cel),
# with the fields of a CEL record as the `cel` table of cel_odbc/cel_pgsql stores them
# (eventtype, eventtime, cid_name, cid_num, exten, context, channame, appname, appdata,
# uniqueid, linkedid, ...), exported with a header row.  The dialplan is
# tests/formats/asterisk/fixtures/main_menu.conf; CEL tracks every application there.
CEL_HEADER = (
    "eventtype,eventtime,cid_name,cid_num,cid_ani,cid_rdnis,cid_dnid,exten,context,"
    "channame,appname,appdata,amaflags,accountcode,peeraccount,uniqueid,linkedid,"
    "userfield,peer,extra"
)
_CEL_CALLS = {
    # 2: the sales queue
    "1772445600.1": [
        ("s", "bank-main", "Answer"),
        ("s", "bank-main", "Set"),
        ("s", "bank-main", "BackGround"),
        ("s", "bank-main", "WaitExten"),
        ("2", "bank-main", "Playback"),
        ("2", "bank-main", "Queue"),
    ],
    # 912: an extension dialled directly
    "1772445660.2": [
        ("s", "bank-main", "Answer"),
        ("s", "bank-main", "BackGround"),
        ("s", "bank-main", "WaitExten"),
        ("912", "bank-main", "Dial"),
    ],
    # 1: accounts, then 0 for the operator
    "1772445720.3": [
        ("s", "bank-main", "Answer"),
        ("s", "bank-main", "BackGround"),
        ("s", "bank-main", "WaitExten"),
        ("1", "bank-main", "Goto"),
        ("s", "bank-accounts", "Read"),
        ("s", "bank-accounts", "Read"),
        ("s", "bank-accounts", "BackGround"),
        ("s", "bank-accounts", "WaitExten"),
        ("0", "bank-accounts", "Dial"),
    ],
    # a wrong key, the menu again, then hangs up there
    "1772445780.4": [
        ("s", "bank-main", "Answer"),
        ("s", "bank-main", "BackGround"),
        ("s", "bank-main", "WaitExten"),
        ("i", "bank-main", "Playback"),
        ("i", "bank-main", "Goto"),
        ("s", "bank-main", "BackGround"),
        ("s", "bank-main", "WaitExten"),
    ],
    # 0: the operator does not answer, closed
    "1772445840.5": [
        ("s", "bank-main", "Answer"),
        ("s", "bank-main", "BackGround"),
        ("s", "bank-main", "WaitExten"),
        ("0", "bank-main", "Dial"),
        ("0", "bank-main", "Goto"),
        ("closed", "bank-main", "Playback"),
        ("closed", "bank-main", "Hangup"),
    ],
}


def cel_rows() -> str:
    lines = [CEL_HEADER]
    for number, (linked, apps) in enumerate(_CEL_CALLS.items()):
        caller = f"PJSIP/trunk-0000000{number}"
        lines.append(
            f"CHAN_START,2026-03-02 10:0{number}:00.000001,Ann Caller,4155550100,,,,s,"
            f"bank-main,{caller},,,3,,,{linked},{linked},,,"
        )
        for index, (exten, context, app) in enumerate(apps, start=1):
            at = f"2026-03-02 10:0{number}:{index:02d}.000001"
            for event in ("APP_START", "APP_END"):
                lines.append(
                    f"{event},{at},Ann Caller,4155550100,,,,{exten},{context},{caller},"
                    f'{app},"1,2",3,,,{linked},{linked},,,'
                )
        if "Dial" in {app for _, _, app in apps}:
            # The dialled channel: its own uniqueid, the caller's linkedid, no application.
            lines.append(
                f"CHAN_START,2026-03-02 10:0{number}:30.000001,,,,,,s,from-internal,"
                f"PJSIP/912-0000000a,,,3,,,{linked}9,{linked},,,"
            )
        lines.append(
            f"HANGUP,2026-03-02 10:0{number}:59.000001,Ann Caller,4155550100,,,,h,"
            f'bank-main,{caller},,,3,,,{linked},{linked},,,"{{""hangupcause"":16}}"'
        )
    return "\n".join(lines) + "\n"


def write(path: Path, content: str | list[dict[str, object]], lines: bool = False) -> Path:
    if isinstance(content, list):
        if lines:
            content = "\n".join(json.dumps(row) for row in content) + "\n"
        else:
            content = json.dumps(content, indent=2)
    path.write_text(content, encoding="utf-8")
    return path


CONNECT_NODES = {
    _BLOCK(1): (5, 5, 0),
    _BLOCK(2): (5, 5, 0),
    _BLOCK(3): (5, 5, 0),
    _BLOCK(4): (2, 2, 0),
    _BLOCK(5): (1, 1, 0),
    _BLOCK(6): (1, 1, 0),
    _BLOCK(7): (1, 1, 0),
    _BLOCK(13): (3, 3, 0),
    _BLOCK(14): (3, 3, 0),
    _BLOCK(15): (2, 2, 2),
    _BLOCK(16): (1, 1, 0),
    _BLOCK(17): (1, 1, 0),
    _BLOCK(18): (1, 1, 0),
    _BLOCK(19): (1, 1, 1),
    _BLOCK(22): (1, 1, 1),
    "Account number": (1, 1, 0),
    "Main menu": (4, 5, 1),
}
CEL_NODES = {
    "bank-accounts,0": (1, 1, 1),
    "bank-accounts,s": (1, 1, 0),
    "bank-main,0": (1, 1, 0),
    "bank-main,1": (1, 1, 0),
    "bank-main,2": (1, 1, 1),
    "bank-main,912": (1, 1, 1),
    "bank-main,closed": (1, 1, 1),
    "bank-main,i": (1, 1, 0),
    "bank-main,s": (5, 6, 1),
}


def test_twilio_steps_count_per_widget_named_as_the_importer_names_them(tmp_path):
    counts = aggregate([str(write(tmp_path / "steps.json", twilio_steps()))], min_calls=1)
    assert (counts.calls, counts.steps) == (6, 33)
    assert counts.nodes == TWILIO_NODES
    edges = {(e.node, e.to_node, e.key): e.calls for e in counts.edges}
    # The event that leaves a widget is what the caller did there: a timeout is no input.
    assert edges[("main_menu", "main_menu", "no_input")] == 1
    assert edges[("hours_split", "closed_message", "no_match")] == 1
    assert edges[("main_menu", "main_keys", "")] == 3
    assert EdgeCount("", "welcome", "", "check_hours", "", 6, 6) in counts.edges


def test_twilio_steps_listed_newest_first_are_put_back_in_order(tmp_path):
    # Every step of a call shares its second: the file's order decides, read backwards
    # when the file lists newer steps first.
    steps = list(reversed(twilio_steps()))
    counts = aggregate([str(write(tmp_path / "steps.jsonl", steps, lines=True))], min_calls=1)
    assert counts.nodes == TWILIO_NODES


def test_connect_flow_logs_count_per_block_identifier(tmp_path):
    log = write(tmp_path / "flow-logs.jsonl", connect_events(), lines=True)
    counts = aggregate([str(log)], min_calls=1)
    assert (counts.calls, counts.steps) == (5, 39)
    assert {n.node: (n.calls, n.steps, n.ended) for n in counts.nodes} == CONNECT_NODES
    assert {n.flow for n in counts.nodes} == {"Acme main line"}
    keys = {(e.node, e.to_node): e.key for e in counts.edges}
    assert keys[("Main menu", "Account number")] == "1"
    assert keys[("Main menu", _BLOCK(13))] == "0"
    # The digits typed at the account number (StoreUserInput) are no key.
    assert keys[("Account number", _BLOCK(5))] == ""
    assert {e.key for e in counts.edges} == {"", "0", "1", "no_input", "no_match"}


def test_connect_results_that_are_objects_elsewhere_keep_their_keys(tmp_path):
    # A Lambda block's Results is an object: the column is JSON, its strings quoted.
    events = connect_events()
    events[6] = {**events[6], "Results": {"StatusCode": "200"}}
    counts = aggregate([str(write(tmp_path / "l.jsonl", events, lines=True))], min_calls=1)
    assert {e.key for e in counts.edges} == {"", "0", "1", "no_input", "no_match"}


def test_asterisk_cel_counts_app_start_per_context_and_extension(tmp_path):
    counts = aggregate([str(write(tmp_path / "Master.csv", cel_rows()))], min_calls=1)
    assert (counts.calls, counts.steps) == (5, 14)
    assert {n.node: (n.calls, n.steps, n.ended) for n in counts.nodes} == CEL_NODES
    keys = {(e.node, e.to_node): e.key for e in counts.edges}
    # The extension dialled next in the same context is the key; 'i' is no match.
    assert keys == {
        ("bank-accounts,s", "bank-accounts,0"): "0",
        ("bank-main,0", "bank-main,closed"): "",
        ("bank-main,1", "bank-accounts,s"): "",
        ("bank-main,i", "bank-main,s"): "",
        ("bank-main,s", "bank-main,0"): "0",
        ("bank-main,s", "bank-main,1"): "1",
        ("bank-main,s", "bank-main,2"): "2",
        ("bank-main,s", "bank-main,912"): "",
        ("bank-main,s", "bank-main,i"): "no_match",
    }


def test_asterisk_cel_with_epoch_times_and_only_uniqueid(tmp_path):
    rows = [
        "eventtype,eventtime,exten,context,appname,uniqueid",
        "APP_START,1772445602.5,2,bank-main,Queue,u1",
        "APP_START,1772445601.25,s,bank-main,BackGround,u1",
        "APP_END,1772445603,2,bank-main,Queue,u1",
    ]
    log = write(tmp_path / "cel.csv", "\n".join(rows) + "\n")
    counts = aggregate([str(log)], min_calls=1)
    assert counts.edges == (EdgeCount("", "bank-main,s", "", "bank-main,2", "2", 1, 1),)


def _checked(tmp_path: Path, menu: Path, log: Path, log_format: str = "auto"):
    counts = tmp_path / "counts.parquet"
    made = CliRunner().invoke(
        main,
        [
            "traffic",
            str(log),
            "--counts",
            str(counts),
            "--min-calls",
            "1",
            "--log-format",
            log_format,
        ],
    )
    assert made.exit_code == 0, made.output
    result = CliRunner().invoke(
        main, ["check", str(menu), "-f", "json", "--no-witness", "--traffic", str(counts)]
    )
    report = json.loads(result.stdout)
    found = [(f["rule"], f["node"], f["calls"], f["share"]) for f in report["findings"]]
    return made.stderr, result.stderr, found, report["traffic"]["drift"]


def test_check_weighs_a_studio_flow_by_its_execution_steps(tmp_path):
    log = write(tmp_path / "steps.json", twilio_steps())
    made, said, found, drift = _checked(tmp_path, TWILIO_FLOW, log, "twilio-studio")
    assert made == (
        "ivraudit: counted 6 calls (33 steps): 13 nodes and 13 edges of at least 1 calls "
        f"written to {tmp_path / 'counts.parquet'}\n"
    )
    assert found == [
        ("DE008", "main_menu", 4, 0.666667),  # timeout and noMatch loop back, uncounted
        ("DE003", "check_hours: end of flow", 1, 0.166667),
        ("DE004", "account_number", 1, 0.166667),
        ("DE007", "sales", 1, 0.166667),
    ]
    # main_keys (a Split folded into the menu) and the ends of flows are no drift.
    assert (said, drift) == ("", {"steps": 0, "nodes": []})


def test_check_weighs_a_connect_flow_by_its_flow_logs(tmp_path):
    log = write(tmp_path / "flow-logs.jsonl", connect_events(), lines=True)
    _, said, found, drift = _checked(tmp_path, CONNECT_FLOW, log)
    # Blocks with a UUID Identifier are nodes named by their title: the join finds them.
    assert found == [
        ("MN002", "Get customer input", 1, 0.2),
        ("DE005", "Get customer input", 1, 0.2),
        ("DE005", "Get customer input", 1, 0.2),
        ("DE003", "Disconnect", 1, 0.2),
        ("ID002", "Transfer to phone number", 0, 0.0),
        ("MN006", "Get customer input (Lex)", 0, 0.0),
    ]
    assert (said, drift) == ("", {"steps": 0, "nodes": []})


def test_check_weighs_a_dialplan_by_its_cel_records(tmp_path):
    log = write(tmp_path / "Master.csv", cel_rows())
    _, said, found, drift = _checked(tmp_path, DIALPLAN, log)
    # CEL names no priority: a node has the calls of its extension; a pattern those of
    # every extension it matches (912 for _9XX).
    assert found == [
        ("DE005", "bank-main,s,menu", 5, 1.0),
        ("DE008", "bank-main,s,menu", 5, 1.0),  # 'i' loops back to the menu, uncounted
        ("ID002", "bank-main,2,1", 1, 0.2),
        ("ID002", "bank-main,0,1", 1, 0.2),
        ("ID002", "bank-main,_9XX,1", 1, 0.2),
        ("DE004", "bank-accounts,s,4", 1, 0.2),
        ("ID002", "bank-accounts,0,1", 1, 0.2),
    ]
    # bank-main,1 only does Goto: the importer folds it into an edge; it is no drift.
    assert (said, drift) == ("", {"steps": 0, "nodes": []})


def test_a_block_the_flow_lacks_is_drift(tmp_path):
    events = connect_events()
    events[1] = {**events[1], "Identifier": "99999999-0000-4000-8000-000000000000"}
    log = write(tmp_path / "flow-logs.jsonl", events, lines=True)
    _, said, _, drift = _checked(tmp_path, CONNECT_FLOW, log)
    assert drift == {"steps": 1, "nodes": ["99999999-0000-4000-8000-000000000000"]}
    assert said == (
        "ivraudit: traffic: 1 step names 1 node not in this menu: "
        "99999999-0000-4000-8000-000000000000 (the deployed menu differs from the one "
        "checked)\n"
    )


def test_nothing_but_counts_and_node_names_leaves_a_platform_log(tmp_path):
    log = write(tmp_path / "flow-logs.jsonl", connect_events(), lines=True)
    counts = tmp_path / "counts.parquet"
    made = CliRunner().invoke(
        main, ["traffic", str(log), "--counts", str(counts), "--min-calls", "1"]
    )
    assert made.exit_code == 0
    data = counts.read_bytes()
    for secret in (b"c-0001", b"+14155550100", b"12345678", b"arn:aws"):
        assert secret not in data


def test_a_directory_holds_logs_of_several_formats(tmp_path):
    write(tmp_path / "steps.json", twilio_steps())
    write(tmp_path / "other.json", [{"call_id": "g1", "node": "welcome", "seq": 1}])
    counts = aggregate([str(tmp_path)], min_calls=1)
    assert (counts.calls, counts.steps) == (7, 34)


@pytest.mark.parametrize(
    ("forced", "message"),
    [
        (
            "connect-flow-logs",
            "steps.json: a log of Amazon Connect flow logs needs the columns contactid, "
            "identifier, timestamp; missing contactid, identifier, timestamp\n",
        ),
        (
            "generic",
            "steps.json: a call log needs the columns call_id, node and seq (or at); "
            "missing call_id, node, seq or at (found: none of them)\n",
        ),
    ],
)
def test_a_forced_log_format_the_file_is_not_in_is_refused(tmp_path, forced, message):
    log = write(tmp_path / "steps.json", twilio_steps())
    result = CliRunner().invoke(
        main, ["traffic", str(log), "--counts", str(tmp_path / "c.parquet"), "--log-format", forced]
    )
    assert result.exit_code == 2
    assert result.stderr == f"ivraudit: error: {tmp_path}/{message}"


def test_an_unknown_log_format_is_a_usage_error(tmp_path):
    log = write(tmp_path / "steps.json", twilio_steps())
    result = CliRunner().invoke(
        main, ["traffic", str(log), "--counts", str(tmp_path / "c.parquet"), "--log-format", "x"]
    )
    assert result.exit_code == 2
    assert (
        "'x' is not one of 'auto', 'twilio-studio', 'connect-flow-logs', 'asterisk-cel', 'generic'"
        in result.stderr
    )
