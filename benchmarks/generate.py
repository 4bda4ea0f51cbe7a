"""Generate realistic synthetic menus of any size, deterministically.

The shape follows real contact-centre menus: nested menus of four to six
options, each with 0 to a person and * back to the parent, retries on
silence and invalid keys, opening-hours checks, identity questions before
transfers (some handing the details over, some not), information messages
that return to their menu, and every kind of outcome.

    python benchmarks/generate.py 10000 -o /tmp/menu-10k.json
"""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

PROMPTS = (
    "For billing and payments",
    "For technical support",
    "To report a fault",
    "For new services",
    "To move home",
    "For your account balance",
    "For opening hours",
    "To make a complaint",
)
FIELDS = ("account_number", "date_of_birth", "postcode", "pin")


def generate(size: int, seed: int = 7) -> dict[str, Any]:
    """A native menu with about ``size`` nodes (deterministic for a size and seed)."""
    rng = random.Random(seed * 1_000_003 + size)
    nodes: dict[str, dict[str, Any]] = {}
    nodes["welcome"] = {"type": "say", "say": "Thank you for calling Northshire.", "next": "hours"}
    nodes["hours"] = {"type": "hours", "open": "m0", "closed": "closed", "holiday": "closed"}
    nodes["closed"] = {
        "type": "say",
        "say": "We are open Monday to Friday 8am to 6pm. Please leave a message.",
        "next": "voicemail",
    }
    nodes["voicemail"] = {"type": "voicemail", "say": "Please leave a message.", "next": "bye"}
    nodes["bye"] = {"type": "hangup", "reason": "completed", "say": "Thank you. Goodbye."}
    nodes["operator"] = {"type": "transfer", "target": "queue:operators", "fail": "callback"}
    nodes["callback"] = {"type": "callback", "say": "We will call you back.", "next": "bye"}
    queue: list[tuple[str, str | None, int]] = [("m0", None, 0)]
    count = 0
    while queue and len(nodes) < size:
        menu_id, parent, depth = queue.pop(0)
        count += 1
        width = rng.randint(3, 5)
        options: dict[str, str] = {}
        spoken = []
        for key in range(1, width + 1):
            child = f"{menu_id}.{key}"
            options[str(key)] = child
            spoken.append(f"{PROMPTS[(key + depth) % len(PROMPTS)]} press {key}.")
            if key == 1 and len(nodes) + len(queue) * 6 < size:
                queue.append((child, menu_id, depth + 1))  # the tree always keeps growing
            else:
                _leaf_or_menu(nodes, queue, rng, child, menu_id, depth, size)
        options["0"] = "operator"
        if parent is not None:
            options["*"] = parent
            spoken.append("To go back press star.")
        spoken.append("To speak to someone press 0.")
        nodes[menu_id] = {
            "type": "menu",
            "say": " ".join(spoken),
            "options": options,
            "no_input": menu_id,
            "no_match": menu_id,
            "retries": 2,
            "retries_exhausted": "operator",
        }
    # Menus still queued when the size was reached become plain transfers.
    for menu_id, _, _ in queue:
        nodes.setdefault(menu_id, {"type": "transfer", "target": f"queue:{menu_id}"})
    return {
        "ivraudit": 1,
        "id": f"synthetic-{size}",
        "title": f"Synthetic menu of about {size} nodes",
        "start": "welcome",
        "nodes": nodes,
    }


def _leaf_or_menu(
    nodes: dict[str, dict[str, Any]],
    queue: list[tuple[str, str | None, int]],
    rng: random.Random,
    child: str,
    parent: str,
    depth: int,
    size: int,
) -> None:
    roll = rng.random()
    if roll < 0.45 and len(nodes) + len(queue) * 6 < size:
        queue.append((child, parent, depth + 1))
        return
    if roll < 0.62:
        field = FIELDS[rng.randrange(len(FIELDS))]
        passes = [field] if rng.random() < 0.7 else []
        nodes[child] = {
            "type": "ask",
            "say": f"Please enter your {field.replace('_', ' ')}.",
            "collects": field,
            "next": f"{child}.t",
            "fail": "operator",
        }
        nodes[f"{child}.t"] = {
            "type": "transfer",
            "target": f"queue:{child}",
            "passes": passes,
            "fail": "callback",
        }
    elif roll < 0.72:
        nodes[child] = {
            "type": "say",
            "say": "Our opening hours are 8am to 6pm, Monday to Friday.",
            "next": parent,
        }
    elif roll < 0.8:
        nodes[child] = {"type": "hours", "open": f"{child}.t", "closed": "voicemail"}
        nodes[f"{child}.t"] = {"type": "transfer", "target": f"queue:{child}", "fail": "callback"}
    elif roll < 0.88:
        nodes[child] = {"type": "action", "next": f"{child}.ok", "error": "operator"}
        nodes[f"{child}.ok"] = {
            "type": "hangup",
            "reason": "completed",
            "say": "Your request has been processed. Goodbye.",
        }
    elif roll < 0.94:
        nodes[child] = {"type": "callback", "say": "We will call you back today.", "next": "bye"}
    else:
        nodes[child] = {"type": "transfer", "target": f"queue:{child}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", type=int)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(generate(args.size, args.seed), handle)


if __name__ == "__main__":
    main()
