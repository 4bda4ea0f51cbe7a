"""Generate a call log in the generic format by walking a menu at random, and say what
it holds (docs/traffic.md).

Each call starts at the menu's start and, at each node, takes one of the node's
edges, chosen with the weight given for its key (``1=0.5``) or its kind of edge
(``no_input=0.05``; every other edge weighs 1).  A call hangs up at any step with
probability ``--hangup``; at a transfer, voicemail, callback or hangup it ends with
probability ``--answered`` (else it takes the node's other edges, such as a busy
route); it ends where nothing leads on, or where the platform would hang up.

    python benchmarks/traffic_generate.py menus/bank.yaml --calls 10000 -o /tmp/bank.csv
    python benchmarks/traffic_generate.py menus/bank.yaml -p 1=3 -p 0=0.5 -o /tmp/bank.parquet

The counts the tool must report for the log are what :func:`generate` returns:
the property tests in tests/traffic/ compare every one of them.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import ivraudit

#: Node kinds where a call ends when it is answered (or taken by the caller's choice).
OUTCOMES = frozenset({"transfer", "voicemail", "callback", "hangup"})
COLUMNS = ("call_id", "node", "seq", "at", "key", "seconds")
#: When the first generated call starts (the log's ``at`` column counts from here).
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@dataclass
class Truth:
    """What a generated log holds: calls and steps, per node and per edge."""

    calls: int = 0
    steps: int = 0
    #: node -> calls that reached it (each call once).
    reached: Counter[str] = field(default_factory=Counter)
    #: node -> steps taken there.
    visits: Counter[str] = field(default_factory=Counter)
    #: node -> calls whose last step it was.
    ended: Counter[str] = field(default_factory=Counter)
    #: (node, next node, key) -> calls that took the edge (each call once).
    edge_calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: (node, next node, key) -> times the edge was taken.
    edge_steps: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def add(self, route: list[tuple[str, str]]) -> None:
        """Count one call's route: (node, key pressed there) per step."""
        self.calls += 1
        self.steps += len(route)
        self.visits.update(node for node, _ in route)
        self.reached.update({node for node, _ in route})
        self.ended[route[-1][0]] += 1
        pairs = itertools.pairwise(route)
        edges = [(node, nxt, counted_key(key)) for (node, key), (nxt, _) in pairs]
        self.edge_steps.update(edges)
        self.edge_calls.update(set(edges))


def counted_key(key: str) -> str:
    """The key as counts keep it (docs/traffic.md): one keypad symbol or a short
    lower-case word; anything else (digits a caller typed) counts as no key."""
    return key if re.fullmatch(r"[0-9*#A-D]|[a-z_]{1,32}", key) else ""


def _weight(via: str, key: str | None, weights: dict[str, float]) -> float:
    if via == "key" and key is not None and key in weights:
        return weights[key]
    return weights.get(via, 1.0)


def _logged_key(via: str, key: str | None) -> str:
    """What the log says the caller did: the key pressed, or no_input/no_match."""
    if via == "key" and key is not None:
        return key
    return via if via in ("no_input", "no_match") else ""


def walk(
    graph: Any, rng: random.Random, weights: dict[str, float], hangup: float, answered: float
) -> list[tuple[str, str]]:
    """One call's route through ``graph``: (node, key pressed there) per step."""
    route: list[tuple[str, str]] = []
    node = graph.graph["start"]
    while node is not None and len(route) < 200:
        edges = [
            (target, data["via"], data.get("key"))
            for _, target, data in graph.out_edges(node, data=True)
            if not graph.nodes[target].get("synthetic")
        ]
        weighted = [(edge, _weight(edge[1], edge[2], weights)) for edge in edges]
        weighted = [(edge, weight) for edge, weight in weighted if weight > 0]
        ends = rng.random() < hangup or not weighted
        if graph.nodes[node].get("kind") in OUTCOMES and rng.random() < answered:
            ends = True
        if ends:
            route.append((node, ""))
            break
        target, via, key = rng.choices(
            [edge for edge, _ in weighted], [weight for _, weight in weighted]
        )[0]
        route.append((node, _logged_key(via, key)))
        node = target
    return route


def generate(
    menu_path: str,
    output: str,
    calls: int = 1000,
    seed: int = 0,
    weights: dict[str, float] | None = None,
    hangup: float = 0.05,
    answered: float = 0.9,
    order: str = "seq",
) -> Truth:
    """Write a log of ``calls`` calls through the menu to ``output`` (.csv, .jsonl or
    .parquet), each step placed by ``order`` ("seq", "at" or "both"), and return what
    it holds."""
    graph = ivraudit.to_graph(ivraudit.load(menu_path))
    rng = random.Random(seed)
    truth = Truth()
    rows: list[dict[str, Any]] = []
    for number in range(calls):
        route = walk(graph, rng, weights or {}, hangup, answered)
        truth.add(route)
        start = EPOCH + timedelta(seconds=37 * number)
        for seq, (node, key) in enumerate(route, start=1):
            at = (start + timedelta(seconds=4 * seq)).isoformat().replace("+00:00", "Z")
            call = f"call-{number:07d}"
            rows.append({"call_id": call, "node": node, "seq": seq, "at": at, "key": key})
            rows[-1]["seconds"] = round(rng.uniform(1, 12), 1)
            if order == "seq":
                del rows[-1]["at"]
            elif order == "at":
                del rows[-1]["seq"]
    write_log(rows, output)
    return truth


def write_log(rows: list[dict[str, Any]], output: str) -> None:
    """Write steps as CSV, JSON Lines or Parquet (by the suffix of ``output``)."""
    if output.endswith(".csv"):
        with open(output, "w", newline="", encoding="utf-8") as handle:
            names = [column for column in COLUMNS if not rows or column in rows[0]]
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            writer.writerows(rows)
    elif output.endswith((".jsonl", ".ndjson")):
        with open(output, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row) + "\n")
    elif output.endswith(".parquet"):
        import duckdb

        folder = os.path.dirname(os.path.abspath(output))
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", dir=folder, delete=False) as tmp:
            for row in rows:
                tmp.write(json.dumps(row) + "\n")
        try:
            source = tmp.name.replace("'", "''")
            target = output.replace("'", "''")
            duckdb.sql(
                f"COPY (SELECT * FROM read_json('{source}', format = 'newline_delimited')) "
                f"TO '{target}' (FORMAT parquet)"
            )
        finally:
            os.unlink(tmp.name)
    else:
        raise SystemExit(f"{output}: name the log .csv, .jsonl or .parquet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("menu", help="the menu to walk")
    parser.add_argument("-o", "--output", required=True, help="the log: .csv, .jsonl, .parquet")
    parser.add_argument("--calls", type=int, default=1000, help="calls to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "-p",
        "--probability",
        action="append",
        default=[],
        metavar="KEY=WEIGHT",
        help="weight of a key's edge, or of a kind of edge (no_input=0.05); default 1",
    )
    parser.add_argument("--hangup", type=float, default=0.05, help="chance to hang up per step")
    parser.add_argument("--answered", type=float, default=0.9, help="chance a transfer answers")
    parser.add_argument("--order", choices=["seq", "at", "both"], default="seq")
    args = parser.parse_args()
    weights = {}
    for item in args.probability:
        key, _, weight = item.partition("=")
        weights[key] = float(weight)
    truth = generate(
        args.menu,
        args.output,
        args.calls,
        args.seed,
        weights,
        args.hangup,
        args.answered,
        args.order,
    )
    print(f"{truth.calls} calls, {truth.steps} steps, {len(truth.reached)} nodes -> {args.output}")


if __name__ == "__main__":
    main()
