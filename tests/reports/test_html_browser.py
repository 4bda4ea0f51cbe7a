"""The HTML report in a real browser (headless Chromium): the diagram is there, a
click on a finding highlights its node and route, a click on a node lists its
findings, and nothing is logged to the console.  Skipped without Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from ivraudit.cli import main
from tests.conftest import MENUS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = """<script>
window.addEventListener('load', function () {
  var out = {};
  var svg = document.querySelector('.diagram svg');
  out.nodes = svg ? svg.querySelectorAll('g.node[id^="node-"]').length : 0;
  var li = document.querySelector('ol.findings > li[data-node="agent_dob"][data-target]');
  li.click();
  out.selected = Array.from(svg.querySelectorAll('.ivr-selected')).map(function (e) {
    return e.id; });
  out.highlighted = svg.querySelectorAll('.ivr-route').length;
  svg.querySelector('[id="node-roaming"]').dispatchEvent(new MouseEvent('click',
    {bubbles: true}));
  out.visible = Array.from(document.querySelectorAll('ol.findings > li')).filter(
    function (l) { return !l.classList.contains('hidden'); }).map(
    function (l) { return l.getAttribute('data-node'); });
  out.filter = document.querySelector('.filter span').textContent;
  var details = li.querySelector('details');
  out.listed_before = details.querySelectorAll('ol.route > li').length;
  details.addEventListener('toggle', function () {
    var steps = details.querySelectorAll('ol.route > li');
    out.steps = steps.length;
    out.first = steps[0].textContent;
    out.last = steps[steps.length - 1].textContent;
    out.numbers = Array.from(steps).map(function (s) { return s.value; });
    document.body.setAttribute('data-result', JSON.stringify(out));
  });
  details.open = true;
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_report_works_in_a_browser(tmp_path):
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["check", str(MENUS / "telecom-bad.yaml"), "-f", "html", "-o", str(report)]
    )
    assert result.exit_code == 1
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'data-result="([^"]*)"', completed.stdout)
    assert found, completed.stderr[-2000:]
    result = json.loads(html.unescape(found.group(1)))
    assert result["nodes"] == 29  # 27 menu nodes, the platform disconnect, one missing target
    assert result["selected"] == ["node-agent_dob"]
    assert result["highlighted"] == 19  # its 10 steps and the 9 edges between them
    assert result["visible"] == ["roaming", "roaming"]
    assert result["filter"] == "2 finding(s) at roaming"
    # The route is listed from the page's step table when its details are opened.
    assert result["listed_before"] == 0
    assert result["steps"] == 10
    assert result["numbers"] == list(range(1, 11))
    assert result["first"] == (
        "welcome \u2014 \u201cThank you for calling Connectra Mobile. Your call is important "
        "to us. Please listen carefully as our options have changed.\u201d"
    )
    assert result["last"] == "<platform disconnect> \u2192 the platform hangs up"
    console = [line for line in completed.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
