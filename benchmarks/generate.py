"""Generate realistic synthetic menus of any size, deterministically.

Large real menus are large because they are generated: one entry routes each
called number (a store, a branch, a brand) to its own menu, and every one of
those menus is a small tree. So does this generator: a two-level routing
``branch`` on the called number leads to sites; each site has a welcome, an
opening-hours check (closed: the hours, then a voicemail), a main menu of
three to five options with 0 to a person and retries, submenus with * back
to the main menu, identity questions before transfers (most handing the
details over, some not), information messages that return to their menu,
completed self-service, callbacks and voicemail -- and, as in real estates,
a sprinkling of faults (a transfer with no busy route, a menu with no
operator key, details not passed to the agent).

    python benchmarks/generate.py 100000 -o /tmp/menu-100k.json
    python benchmarks/generate.py 100000 --shape many -o /tmp/many-100k.json

``--shape many`` (:func:`generate_many`) is the other extreme: one big tree of
menus, as a large estate looks on its first run, with about two findings per
node, so that reports, not analyses, are what a check spends its time on.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import deque
from typing import Any

TOPICS = (
    "billing and payments",
    "technical support",
    "a new order",
    "moving home",
    "your account balance",
    "a complaint",
    "opening hours",
    "deliveries",
)
FIELDS = ("account_number", "date_of_birth", "postcode", "pin", "customer_id")
#: Sites per routing group: the called-number routing is two levels deep.
GROUP = 100


def generate(size: int, seed: int = 7) -> dict[str, Any]:
    """A native menu of about ``size`` nodes (the same for the same size and seed)."""
    rng = random.Random(seed * 1_000_003 + size)
    nodes: dict[str, dict[str, Any]] = {}
    nodes["operator"] = {"type": "transfer", "target": "queue:operators", "fail": "callback"}
    nodes["callback"] = {
        "type": "callback",
        "say": "All our advisers are busy. We will call you back today.",
        "next": "bye",
    }
    nodes["bye"] = {"type": "hangup", "reason": "completed", "say": "Thank you. Goodbye."}
    sites: list[str] = []
    while len(nodes) < size - 2 - len(sites) // GROUP:
        sites.append(_site(nodes, rng, len(sites)))
    groups = [sites[i : i + GROUP] for i in range(0, len(sites), GROUP)]
    for number, members in enumerate(groups):
        nodes[f"route{number}"] = {
            "type": "branch",
            "cases": [
                {"when": f"called == '{site}'", "next": f"{site}.welcome"} for site in members
            ],
            "else": f"{members[0]}.welcome",
        }
    nodes["entry"] = {
        "type": "branch",
        "cases": [
            {"when": f"called in group {number}", "next": f"route{number}"}
            for number in range(len(groups))
        ],
        "else": "route0",
    }
    return {
        "ivraudit": 1,
        "id": f"synthetic-{size}",
        "title": f"Synthetic menu estate of about {size} nodes",
        "start": "entry",
        "nodes": nodes,
    }


def generate_many(size: int) -> dict[str, Any]:
    """A native menu of about ``size`` nodes with about two findings per node.

    One tree of five-option menus (DESIGN.md §3 shape): at every level keys 1 and
    2 lead to submenus, 3 and 4 to identity asks that transfer to an agent, 0 to a
    person and ``*`` back to the menu above.  None of them handles no input or no
    match, no transfer has a busy route, agents are not handed what was asked,
    ``*`` is never announced and people sit deeper than three selections: the
    faults a large estate shows on its first run.
    """
    nodes: dict[str, dict[str, Any]] = {}
    queue: deque[tuple[str, str | None]] = deque([("main", None)])
    while queue:
        name, parent = queue.popleft()
        options: dict[str, str] = {}
        for key in range(1, 5):
            child = f"{name}.{key}"
            options[str(key)] = child
            # A menu without submenus brings 10 nodes: itself, its person, 4 asks, 4 agents.
            if key <= 2 and len(nodes) + 10 * (len(queue) + 2) < size:
                queue.append((child, name))
                continue
            field = FIELDS[(key + name.count(".")) % len(FIELDS)]
            nodes[child] = {
                "type": "ask",
                "say": f"Please enter your {field.replace('_', ' ')}.",
                "collects": field,
                "next": f"{child}.agent",
            }
            nodes[f"{child}.agent"] = {"type": "transfer", "target": f"queue:{child}"}
        options["0"] = f"{name}.person"
        nodes[f"{name}.person"] = {"type": "transfer", "target": "queue:people"}
        if parent is not None:
            options["*"] = parent
        nodes[name] = {
            "type": "menu",
            "say": f"For {TOPICS[0]} press 1. For {TOPICS[1]} press 2. For {TOPICS[2]} "
            f"press 3. For {TOPICS[3]} press 4. To speak to someone press 0.",
            "options": options,
        }
    return {
        "ivraudit": 1,
        "id": f"many-findings-{size}",
        "title": f"A tree of menus of about {size} nodes with two findings per node",
        "start": "main",
        "nodes": nodes,
    }


SHAPES = {"estate": generate, "many": lambda size, seed=7: generate_many(size)}


def _site(nodes: dict[str, dict[str, Any]], rng: random.Random, number: int) -> str:
    site = f"s{number}"
    nodes[f"{site}.welcome"] = {
        "type": "say",
        "say": f"Welcome to Northshire store {number}.",
        "next": f"{site}.hours",
    }
    nodes[f"{site}.hours"] = {
        "type": "hours",
        "open": f"{site}.main",
        "closed": f"{site}.closed",
        "holiday": f"{site}.closed",
    }
    nodes[f"{site}.closed"] = {
        "type": "say",
        "say": "We are open Monday to Friday 8am to 6pm. Please leave a message after the tone.",
        "next": f"{site}.vm",
    }
    nodes[f"{site}.vm"] = {"type": "voicemail", "box": site, "next": "bye"}
    _menu(nodes, rng, f"{site}.main", None, depth=0)
    return site


def _menu(
    nodes: dict[str, dict[str, Any]],
    rng: random.Random,
    menu: str,
    parent: str | None,
    depth: int,
) -> None:
    width = rng.randint(3, 5)
    options: dict[str, str] = {}
    spoken = []
    for key in range(1, width + 1):
        child = f"{menu}.{key}"
        options[str(key)] = child
        spoken.append(f"For {TOPICS[(key + depth) % len(TOPICS)]} press {key}.")
        if depth == 0 and rng.random() < 0.5:
            _menu(nodes, rng, child, menu, depth + 1)
        else:
            _leaf(nodes, rng, child, menu)
    if rng.random() < 0.97:
        options["0"] = "operator"
        spoken.append("To speak to someone press 0.")
    if parent is not None:
        options["*"] = parent
        spoken.append("To go back press star.")
    nodes[menu] = {
        "type": "menu",
        "say": " ".join(spoken),
        "options": options,
        "no_input": menu,
        "no_match": menu,
        "retries": 2,
        "retries_exhausted": "operator",
    }


def _leaf(nodes: dict[str, dict[str, Any]], rng: random.Random, leaf: str, menu: str) -> None:
    roll = rng.random()
    if roll < 0.35:
        field = FIELDS[rng.randrange(len(FIELDS))]
        nodes[leaf] = {
            "type": "ask",
            "say": f"Please enter your {field.replace('_', ' ')}.",
            "collects": field,
            "next": f"{leaf}.agent",
            "no_input": leaf,
            "no_match": leaf,
            "retries": 2,
            "retries_exhausted": "operator",
        }
        nodes[f"{leaf}.agent"] = {
            "type": "transfer",
            "target": f"queue:{leaf}",
            "passes": [field] if rng.random() < 0.9 else [],
            "fail": "callback",
        }
    elif roll < 0.5:
        nodes[leaf] = {
            "type": "say",
            "say": "Orders placed before 2pm are delivered the next working day.",
            "next": menu,
        }
    elif roll < 0.65:
        nodes[leaf] = {
            "type": "action",
            "note": "Self-service lookup.",
            "next": f"{leaf}.done",
            "error": "operator",
        }
        nodes[f"{leaf}.done"] = {
            "type": "hangup",
            "reason": "completed",
            "say": "Your request has been processed. Goodbye.",
        }
    elif roll < 0.75:
        nodes[leaf] = {
            "type": "callback",
            "say": "We will call you back within the hour.",
            "next": "bye",
        }
    else:
        transfer: dict[str, Any] = {"type": "transfer", "target": f"queue:{leaf}"}
        if rng.random() < 0.9:
            transfer["fail"] = "callback"
        nodes[leaf] = transfer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="estate")
    args = parser.parse_args()
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(SHAPES[args.shape](args.size, args.seed), handle)


if __name__ == "__main__":
    main()
