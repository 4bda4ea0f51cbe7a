"""Time every stage of ivraudit on generated menus of 1k to 1M nodes, and print ratios.

    python benchmarks/run.py                  # 1k, 10k, 100k, 1M nodes
    python benchmarks/run.py --sizes 1000 10000 --repeat 3
    python benchmarks/run.py --many 100000    # the many-findings shape (issue 15)

Each size runs in a fresh process, and its peak memory is a check run alone. The
table shows seconds per stage; then, for each stage, the time at 10x the
nodes divided by the time at 1x (target <= 11: linear), the total check time
divided by a plain ``json.load`` of the same file (target <= 10 at 100k
nodes), and the peak memory per node of a check run alone (interpreter included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

FAMILIES = ("structure", "dead_ends", "identity", "depth", "menus")
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html")
LINEAR = 11.0
VERSUS_JSON = 10.0


def best_of(repeat: int, run) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(size: int, repeat: int, folder: str) -> dict[str, Any]:
    """Every stage at one size (run in its own process by :func:`main`).

    Stages run with the cyclic collector paused, as ``ivraudit check`` runs them.
    """
    from generate import generate

    from ivraudit._gc import collector_paused

    with collector_paused():
        return _measure(size, repeat, folder, generate)


def _measure(size: int, repeat: int, folder: str, generate: Any) -> dict[str, Any]:
    import ivraudit
    from ivraudit.analysis.context import AuditContext
    from ivraudit.analysis.metrics import metrics
    from ivraudit.config import Config
    from ivraudit.reports import RenderOptions, render
    from ivraudit.rules import all_rules
    from ivraudit.rules.config import config_from_dict
    from ivraudit.rules.engine import audit
    from ivraudit.runner import _Job, check_file

    path = os.path.join(folder, f"menu-{size}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(generate(size), handle)
    limit = max(os.path.getsize(path) * 2, 64 * 1024 * 1024)
    config = Config(max_bytes=limit)
    times: dict[str, float] = {}

    def json_load() -> Any:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)

    times["json.load"], _ = best_of(repeat, json_load)
    times["load"], menu = best_of(repeat, lambda: ivraudit.load(path, max_bytes=limit))
    times["graph"], _ = best_of(repeat, lambda: ivraudit.to_graph(menu))

    def analyse() -> AuditContext:
        context = AuditContext(menu, config)
        metrics(menu, context=context)
        return context

    times["metrics"], context = best_of(repeat, analyse)
    for family in FAMILIES:
        ids = [rule.id for rule in all_rules() if rule.check.__module__.endswith(family)]
        family_config = config_from_dict({"select": ids, "max_bytes": limit})
        times[f"rules:{family}"], _ = best_of(
            repeat, lambda c=family_config: audit(menu, c, context=context)
        )
    report = audit(menu, config, context=context)
    report.metrics.append(metrics(menu, context=context))
    for format in FORMATS:
        times[f"report:{format}"], _ = best_of(
            repeat, lambda f=format: render(report, f, RenderOptions())
        )

    def whole_check() -> str:
        # What `ivraudit check FILE --format json` does, without the interpreter's start.
        report, _ = check_file(path, job)
        return render(report, "json", RenderOptions())

    job = _Job(config, None, False, False)

    times["total check"], _ = best_of(repeat, whole_check)
    return {
        "size": size,
        "nodes": len(menu.nodes),
        "edges": context.graph.number_of_edges(),
        "bytes": os.path.getsize(path),
        "findings": len(report.findings),
        "times": times,
    }


def peak(size: int, folder: str) -> int:
    """Peak memory (bytes) of checking the generated file, alone in this process."""
    from ivraudit.config import Config
    from ivraudit.reports import RenderOptions, render
    from ivraudit.runner import _Job, check_file

    path = os.path.join(folder, f"menu-{size}.json")
    config = Config(max_bytes=max(os.path.getsize(path) * 2, 64 * 1024 * 1024))
    report, _ = check_file(path, _Job(config, None, False, False))
    render(report, "json", RenderOptions())
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_size(size: int, repeat: int) -> dict[str, Any]:
    """Measure one size in a fresh interpreter, then a check's peak memory in another."""
    with tempfile.TemporaryDirectory(prefix="ivraudit-bench-") as folder:
        result = json.loads(_child(size, folder, "--one", "--repeat", str(repeat)))
        result["peak_bytes_per_node"] = int(_child(size, folder, "--peak")) / result["nodes"]
    return result


def _child(size: int, folder: str, option: str, *more: str) -> str:
    command = [sys.executable, __file__, option, str(size), *more, "--folder", folder]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"size {size} failed:\n{completed.stderr}")
    return completed.stdout


def table(results: list[dict[str, Any]]) -> str:
    stages = list(results[0]["times"])
    header = ["stage", *(f"{r['nodes']:,} nodes" for r in results)]
    header += [
        f"x{results[i + 1]['size'] // results[i]['size']} ratio" for i in range(len(results) - 1)
    ]
    rows = [header]
    for stage in stages:
        row = [stage, *(f"{r['times'][stage]:.3f} s" for r in results)]
        for i in range(len(results) - 1):
            before, after = results[i]["times"][stage], results[i + 1]["times"][stage]
            row.append(f"{after / before:.1f}" if before > 0 else "-")
        rows.append(row)
    rows.append(["edges", *(f"{r['edges']:,}" for r in results)])
    rows.append(["file size", *(f"{r['bytes'] / 1e6:.1f} MB" for r in results)])
    rows.append(["findings", *(f"{r['findings']:,}" for r in results)])
    rows.append(
        ["check's peak memory / node"]
        + [f"{r['peak_bytes_per_node'] / 1024:.1f} KiB" for r in results]
    )
    widths = [max(len(row[i]) if i < len(row) else 0 for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i else cell.ljust(widths[i]) for i, cell in enumerate(row)
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if number == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for i in range(len(results) - 1):
        small, large = results[i], results[i + 1]
        factor = large["size"] / small["size"]
        worst_stage, worst = max(
            (
                (stage, large["times"][stage] / small["times"][stage])
                for stage in small["times"]
                if small["times"][stage] >= 0.01
            ),
            key=lambda item: item[1],
        )
        target = LINEAR * factor / 10
        mark = "ok" if worst <= target else "OVER TARGET"
        lines.append(
            f"{small['nodes']:,} -> {large['nodes']:,} nodes (x{factor:g}): worst stage "
            f"'{worst_stage}' x{worst:.1f} (target <= {target:g}): {mark}"
        )
    for result in results:
        ratio = result["times"]["total check"] / result["times"]["json.load"]
        target = f" (target <= {VERSUS_JSON:g})" if result["size"] == 100_000 else ""
        mark = "" if not target else (": ok" if ratio <= VERSUS_JSON else ": OVER TARGET")
        lines.append(
            f"{result['nodes']:,} nodes: total check / json.load = {ratio:.1f}{target}{mark}"
        )
    return lines


#: The formats measured besides JSON and SARIF on the many-findings shape.
STREAMED = ("text", "junit", "github", "markdown", "html")

#: Targets for the many-findings shape at 100k nodes (issue 15): time ÷ json.load, and
#: peak memory in bytes.
MANY_TARGETS = {
    "check -f json": (20.0, 1_000_000_000),
    "check -f sarif": (None, 1_500_000_000),
    "check --no-witness": (8.0, None),
    # Every other format streams too: memory bounded by the audit, as SARIF's.
    **{f"check -f {format}": (None, 1_500_000_000) for format in STREAMED},
}


def many(size: int) -> list[str]:
    """The many-findings shape (:func:`generate.generate_many`): each command in a fresh
    interpreter, its wall time ÷ a ``json.load`` of the file, and its peak memory."""
    from generate import generate_many

    lines = []
    with tempfile.TemporaryDirectory(prefix="ivraudit-many-") as folder:
        path = os.path.join(folder, f"many-{size}.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(generate_many(size), handle)

        def json_load() -> Any:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)

        floor, data = best_of(3, json_load)
        lines.append(
            f"many-findings shape: {len(data['nodes']):,} nodes, "
            f"{os.path.getsize(path) / 1e6:.1f} MB; json.load {floor:.3f} s"
        )
        del data
        commands = {
            "check -f json": ["-f", "json"],
            "check -f sarif": ["-f", "sarif"],
            "check --no-witness": ["-f", "json", "--no-witness"],
            **{f"check -f {format}": ["-f", format] for format in STREAMED},
        }
        for name, options in commands.items():
            out = os.path.join(folder, "report")
            command = [sys.executable, __file__, "--cli", path, out, *options]
            completed = subprocess.run(command, capture_output=True, text=True, check=True)
            measured = json.loads(completed.stdout)
            ratio_target, memory_target = MANY_TARGETS[name]
            ratio = measured["seconds"] / floor
            marks = []
            if ratio_target is not None:
                marks.append("ok" if ratio <= ratio_target else f"OVER {ratio_target:g}x")
            if memory_target is not None:
                within = measured["peak"] <= memory_target
                marks.append("ok" if within else f"OVER {memory_target / 1e9:g} GB")
            found = measured["findings"]
            lines.append(
                f"  {name}: {measured['seconds']:.2f} s = {ratio:.1f} x json.load, "
                f"peak {measured['peak'] / 1e9:.2f} GB, report "
                f"{os.path.getsize(out) / 1e6:.1f} MB"
                + (f", {found:,} findings" if found is not None else "")
                + f" ({', '.join(marks)})"
            )
    return lines


def cli_run(path: str, out: str, options: list[str]) -> dict[str, Any]:
    """``ivraudit check PATH OPTIONS -o OUT`` in this process: seconds and peak memory."""
    from ivraudit.cli import main as cli

    started = time.perf_counter()
    with contextlib.suppress(SystemExit):  # the exit code says there are findings
        cli.main(["check", path, "--max-bytes", str(10**9), "-o", out, *options])
    seconds = time.perf_counter() - started
    # The peak before the report is read back to count its findings.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "peak": peak, "findings": _findings_in(out)}


def _findings_in(out: str) -> int | None:
    """The findings a JSON or SARIF report holds (None for the other formats)."""
    with open(out, "rb") as handle:
        if handle.read(1) != b"{":
            return None
        handle.seek(0)
        data = json.load(handle)
    if "runs" in data:
        left_out = data["runs"][0].get("properties", {}).get("ivrauditResultsLeftOut", 0)
        return len(data["runs"][0]["results"]) + left_out
    return len(data["findings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per stage")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--peak", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--many", type=int, help="measure the many-findings shape at this size")
    parser.add_argument("--cli", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cli:
        print(json.dumps(cli_run(args.cli[0], args.cli[1], args.cli[2:])))
        return
    if args.many:
        print("\n".join(many(args.many)))
        return
    if args.one:
        print(json.dumps(measure(args.one, args.repeat, args.folder)))
        return
    if args.peak:
        print(peak(args.peak, args.folder))
        return
    results = []
    for size in args.sizes:
        repeat = args.repeat if size <= 100_000 else 1
        print(f"measuring {size:,} nodes ...", file=sys.stderr, flush=True)
        results.append(run_size(size, repeat))
    print(table(results))
    print()
    print("\n".join(verdicts(results)))


if __name__ == "__main__":
    main()
