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
    python benchmarks/traffic_generate.py menus/bank.yaml --log-format twilio-studio -o /tmp/s.json

``--log-format`` writes the platforms' own logs instead of the generic one (docs/traffic.md,
"Platform logs"): Twilio Studio execution steps (a JSON array; every step of a call in
one second, so their order is the file's), Amazon Connect flow logs (JSON Lines) or
Asterisk CEL records (CSV; two applications per step).  A menu read from the
platform's own file is logged in the names that platform gives its nodes (a Connect
block's Identifier, a dialplan's ``context,exten``, with the extension a caller dials
at a menu as a step of its own); any other menu by node id (in CEL, each node an
extension of the context ``ivr``).  The counts the tool must report for the log are what
:func:`generate` returns, as the format can tell them (a Studio step has no digit; CEL
knows a key only from the next extension): the property tests in tests/traffic/
compare every one of them.
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
#: The log formats this can write.
LOG_FORMATS = ("generic", "twilio-studio", "connect-flow-logs", "asterisk-cel")
#: The Studio event that leaves a widget, by what the caller did there.
TWILIO_EVENTS = {"no_input": "timeout", "no_match": "noMatch", "": "next"}
#: A Connect Get customer input block's Results, by what the caller did there.
CONNECT_RESULTS = {"no_input": "Timeout", "no_match": "NoMatchingCondition"}


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


@dataclass(frozen=True)
class PlatformNames:
    """What a platform's log calls the nodes of a menu read from that platform's file (a
    Connect block's Identifier, an Asterisk ``context,exten``), as ivraudit joins them
    (``ivraudit.traffic.menu_names``); nodes the importer adds (a block's outcome) have
    none and are no step.  ``menus`` are the menu nodes (a dialplan menu's key is the
    extension dialled next)."""

    names: dict[str, str]
    menus: frozenset[str]
    flow: str


def platform_names(menu_path: str, menu: Any) -> PlatformNames | None:
    """The log names of ``menu``'s nodes, or None for a menu whose log names its node
    ids (a native menu, a Studio flow)."""
    from ivraudit.traffic import menu_names

    aliases = menu_names([menu_path]).aliases
    if not aliases:
        return None
    names = {}
    for node, alias in aliases.items():
        if alias.names:
            names[node] = sorted(alias.names)[0]
        elif alias.context is not None and alias.pattern is not None:
            names[node] = f"{alias.context},{_example_extension(alias.pattern)}"
    menus = frozenset(node for node, model in menu.nodes.items() if model.type == "menu")
    return PlatformNames(names, menus, menu.id or "generated")


def _example_extension(pattern: str) -> str:
    """An extension an Asterisk pattern matches (``_9XX``: ``900``)."""
    told, chars = [], iter(pattern.removeprefix("_"))
    for char in chars:
        if char in ".!":
            told.append("0")
            break
        if char == "[":
            choices = "".join(itertools.takewhile(lambda c: c != "]", chars))
            told.append(choices[:1])
            continue
        told.append({"X": "0", "Z": "1", "N": "2"}.get(char.upper(), char))
    return "".join(told)


#: The extension a dialplan menu runs for what the caller did (a key is its own).
_DIALLED = {"no_input": "t", "no_match": "i"}


def _named(
    route: list[tuple[str, str]], platform: PlatformNames, dialled: bool
) -> list[tuple[str, str]]:
    """A route in the platform's names: nodes without a name left out, a block the
    importer splits in two (``X (runs)``, ``X``) one step; with ``dialled``, the
    extension a caller dials at a dialplan menu as a step of its own when the importer
    folded it into an edge (``1`` that only does ``Goto``)."""
    told: list[tuple[str, str]] = []
    for index, (node, key) in enumerate(route):
        name = platform.names.get(node)
        if name is None:
            continue
        if told and told[-1][0] == name:
            told[-1] = (name, key)
        else:
            told.append((name, key))
        extension = _DIALLED.get(key, key)
        if not (dialled and node in platform.menus and re.fullmatch(r"[0-9*#it]", extension)):
            continue
        context = name.partition(",")[0]
        after = platform.names.get(route[index + 1][0]) if index + 1 < len(route) else None
        if after is not None and after != f"{context},{extension}":
            told.append((f"{context},{extension}", ""))
    return told


def as_logged(
    route: list[tuple[str, str]], log_format: str, platform: PlatformNames | None = None
) -> list[tuple[str, str]]:
    """A route as a log in ``log_format`` tells it: (node, key) per step; with
    ``platform``, in the names that platform's log gives the nodes."""
    if log_format == "twilio-studio":
        return [(node, key if key in ("no_input", "no_match") else "") for node, key in route]
    if platform is not None and log_format in ("connect-flow-logs", "asterisk-cel"):
        route = _named(route, platform, log_format == "asterisk-cel")
    elif log_format == "asterisk-cel":
        route = [(f"ivr,{node}", key) for node, key in route]
    if log_format != "asterisk-cel":
        return route
    visits: list[str] = []
    for node, _ in route:
        if not visits or visits[-1] != node:
            visits.append(node)
    told = []
    for here, after in itertools.zip_longest(visits, visits[1:], fillvalue=""):
        dialled = after.partition(",")[2]
        key = {"i": "no_match", "t": "no_input"}.get(dialled, "")
        if re.fullmatch(r"[0-9*#]", dialled):
            key = dialled
        told.append((here, key))
    return told


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
    log_format: str = "generic",
) -> Truth:
    """Write a log of ``calls`` calls through the menu to ``output`` (.csv, .jsonl or
    .parquet), each step placed by ``order`` ("seq", "at" or "both"), and return what
    it holds; or, with a platform's ``log_format``, that platform's log."""
    menu = ivraudit.load(menu_path)
    graph = ivraudit.to_graph(menu)
    platform = platform_names(menu_path, menu) if log_format != "generic" else None
    rng = random.Random(seed)
    truth = Truth()
    rows: list[dict[str, Any]] = []
    routes = []
    for number in range(calls):
        route = walk(graph, rng, weights or {}, hangup, answered)
        logged = as_logged(route, log_format, platform)
        if not logged:
            continue  # a call none of whose steps the platform logs
        truth.add(logged)
        routes.append(route if log_format == "twilio-studio" else logged)
        if log_format != "generic":
            continue
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
    if log_format == "generic":
        write_log(rows, output)
    else:
        flow = "generated" if platform is None else platform.flow
        WRITERS[log_format](routes, output, flow)
    return truth


def _started(number: int) -> datetime:
    return EPOCH + timedelta(seconds=37 * number)


def write_twilio(routes: list[list[tuple[str, str]]], output: str, flow: str) -> None:
    """Studio execution steps, as a JSON array: each move from a widget to the next, on
    the event that left it; the last to ``Ended`` as the caller hangs up."""
    steps = []
    for number, route in enumerate(routes):
        second = _started(number).isoformat().replace("+00:00", "Z")
        moves = [("Trigger", "incomingCall")] + [
            (
                node,
                "keypress" if re.fullmatch(r"[0-9*#A-D]", key) else TWILIO_EVENTS.get(key, "next"),
            )
            for node, key in route
        ]
        targets = [node for node, _ in route] + ["Ended"]
        for (came_from, event), went_to in zip(moves, targets, strict=True):
            if went_to == "Ended":
                event = "hangup"
            steps.append(
                {
                    "execution_sid": f"FN{number:032d}",
                    "transitioned_from": came_from,
                    "transitioned_to": went_to,
                    "name": event,
                    "date_created": second,
                    "context": {"trigger": {"call": {"From": "+14155550100"}}},
                }
            )
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(steps, handle)


def write_connect(routes: list[list[tuple[str, str]]], output: str, flow: str) -> None:
    """Connect flow-log events, one JSON object per line: a block per step (as the log
    names it), a Get customer input block where the caller did something, in ``flow``."""
    with open(output, "w", encoding="utf-8") as handle:
        for number, route in enumerate(routes):
            for index, (node, key) in enumerate(route):
                at = _started(number) + timedelta(milliseconds=1500 * index)
                event = {
                    "ContactId": f"contact-{number:07d}",
                    "ContactFlowName": flow,
                    "ContactFlowModuleType": "GetUserInput" if key else "PlayPrompt",
                    "Identifier": node,
                    "Timestamp": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                }
                if key:
                    event["Results"] = CONNECT_RESULTS.get(key, key)
                handle.write(json.dumps(event) + "\n")


def write_cel(routes: list[list[tuple[str, str]]], output: str, flow: str) -> None:
    """CEL records with a header: two applications started per step (at its
    ``context,exten``), their ends, and each channel's start and hangup."""
    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "eventtype",
                "eventtime",
                "cid_num",
                "exten",
                "context",
                "appname",
                "uniqueid",
                "linkedid",
            ]
        )
        for number, route in enumerate(routes):
            call = f"{1772445600 + number}.{number}"
            start = _started(number).timestamp()
            writer.writerow(
                ["CHAN_START", f"{start:.6f}", "4155550100", "s", "ivr", "", call, call]
            )
            for index, (node, _) in enumerate(route, start=1):
                context, _, exten = node.partition(",")
                for part, app in enumerate(("Playback", "WaitExten")):
                    at = f"{start + 2 * index + part * 0.5:.6f}"
                    row = [at, "4155550100", exten, context, app, call, call]
                    writer.writerow(["APP_START", *row])
                    writer.writerow(["APP_END", *row])
            end = f"{start + 2 * len(route) + 1:.6f}"
            writer.writerow(["HANGUP", end, "4155550100", "h", "ivr", "", call, call])


WRITERS = {
    "twilio-studio": write_twilio,
    "connect-flow-logs": write_connect,
    "asterisk-cel": write_cel,
}


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
    parser.add_argument("--log-format", choices=LOG_FORMATS, default="generic")
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
        args.log_format,
    )
    print(f"{truth.calls} calls, {truth.steps} steps, {len(truth.reached)} nodes -> {args.output}")


if __name__ == "__main__":
    main()
