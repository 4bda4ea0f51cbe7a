"""Every rule on one hand-checked real file per format, from ../shared/corpus.

Each expectation was checked against the file by reading it: the comment says
what the findings mean for callers.
"""

from __future__ import annotations

import pytest

from ivraudit import load_all
from ivraudit.rules.engine import audit

EXPECTED = {
    # Studio: silence at any gather drops the call; there is no 0; split_1 and
    # split_2 test gather_input's Digits instead of their own gathers' (MN009), and
    # split_1's '#' is gather_2's finish key (MN008), so the support queue and the
    # "not interested" message are never reached; the sales route ends in a message that
    # gives no reason (the widget route's "Thank you for your interest" does), and no
    # route reaches the agent queue (DP003 names enqueue_1: one finding for that fault,
    # not a second ST002).
    "twilio-studio/jesperfj__twilio-ivr-studio__ivr.json": [
        ("DE004", "gather_input", 25),
        ("DP003", "gather_input", 25),
        ("MN002", "gather_input", 25),
        ("DE004", "gather_1", 101),
        ("DE004", "gather_2", 131),
        ("MN009", "split_1", 162),
        ("MN008", "split_1", 168),
        ("DE003", "say_play_1", 216),
        ("MN009", "split_2", 233),
        ("ST002", "say_play_3", 294),
    ],
    # Connect: a failed verification (or a full queue) is cut off with "we cannot take
    # your call"; the agent does not get the personal number the caller keyed in.
    # (Store customer input's Error branch is the block failing, not a caller error.)
    "connect-flow-language/amazon-connect__amazon-connect-snippets__BankIDAuth_contact-flow.json": [
        ("DE003", "Disconnect", 252),
        ("ID002", "Transfer to queue", 262),
    ],
    # Connect (older export): "not able to take your call, goodbye" when closed and
    # on errors; a full queue ends in "something went wrong, goodbye".
    "connect-legacy/edwardbrowncross__amazon-connect-simulator__simulator_test.go."
    "sampleQueueConfig.extracted.json": [
        ("DE003", "Disconnect 1", 11),
        ("DE006", "Check hours of operation", 13),
        # An invalid callback number re-asks through the block's own Error step, for ever.
        ("DE008", "Store customer input", 23),
        ("DE003", "Disconnect 2", 25),
    ],
    # Asterisk's own sample: 'i' plays "invalid" and falls off the end (hangs up),
    # 't' says thanks and hangs up, and Gosub(page,s,1) names no extension.
    "asterisk/asterisk__asterisk__extensions.conf.sample": [
        # BackGround(demo-congrats), BackGround(demo-instruct), WaitExten(): one menu (565).
        ("DE005", "demo,s,instruct", 565),
        ("MN002", "demo,s,instruct", 565),
        ("DE005", "demo,s,instruct", 566),
        ("DE005", "demo,2,1", 569),
        ("MN002", "demo,2,1", 569),
        ("DE001", "demo,76245,1", 612),
        ("ST001", "demo,76245,1", 612),
        ("DE001", "demo,_7XXX,1", 614),
        ("ST001", "demo,_7XXX,1", 614),
    ],
    # FreeSWITCH demo, read alone: it offers many keys; its transfers, and what the
    # dialplan does once 'ivr demo_ivr' returns after vm-goodbye, are in a dialplan that
    # is not given (unknown, not persons or hangups).
    "freeswitch/signalwire__freeswitch__demo_ivr.xml": [
        ("MN001", "demo_ivr", 4),
    ],
    # VoiceXML record-and-play demo: silence or a wrong key plays nomatch.wav and goes
    # back to the main menu with no count, for ever; and no person anywhere.
    "vxml/Dialogic__dialogic-vxml-netann__VoiceMail.vxml": [
        ("DE008", "main_menu", 23),
        ("DP003", "main_menu", 23),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_rule_on_a_hand_checked_real_file(corpus, name):
    found = [
        (finding.rule, finding.node, finding.line)
        for menu in load_all(corpus / name)
        for finding in audit(menu).findings
    ]
    assert found == EXPECTED[name]
