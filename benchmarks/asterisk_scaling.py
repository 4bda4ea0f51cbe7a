"""Asterisk dialplans that once grew faster than linear (issue 15): print load times and ratios.

    python benchmarks/asterisk_scaling.py                 # 1k, 10k contexts
    python benchmarks/asterisk_scaling.py --sizes 1000 4000 16000

Shapes: a chain of include-only contexts (``[cN] include => cN-1``, the fuzz finding:
quadratic before, 10,000 contexts did not finish in 30 s), and a chain where each context
also has an extension of its own (every number found through the chain).  For each shape the
table shows seconds to load at each size and the time at the next size divided by the time
at this one, over the size ratio (1.0 is exactly linear; bigger dictionaries alone add
some, as docs/performance.md shows for json.load; the quadratic lookup this replaced gave
10 and more, and did not finish 10,000 contexts in 60 s).  The doubling
[globals] (G1=${G0}${G0} ... G39, 2^40 characters if filled in) load in bounded memory.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def chain(size: int, own_extensions: bool) -> str:
    out = ["[c0]", "exten => s,1,Playback(hi)", " same => n,Hangup()"]
    for i in range(1, size):
        out.append(f"[c{i}]")
        if own_extensions:
            out += [f"exten => {i},1,Playback(p{i})", " same => n,Hangup()"]
        out.append(f"include => c{i - 1}")
    return "\n".join(out) + "\n"


def doubling_globals() -> str:
    lines = ["[globals]", "G0=ab"] + [f"G{i}=${{G{i - 1}}}${{G{i - 1}}}" for i in range(1, 40)]
    return "\n".join(
        [*lines, "[from-pstn]", "exten => s,1,Playback(${G39})", " same => n,Hangup()"]
    )


def timed_load(folder: Path, name: str, text: str) -> float:
    from ivraudit import load_all
    from ivraudit._gc import collector_paused

    path = folder / name
    path.write_text(text)
    started = time.perf_counter()
    with collector_paused():
        load_all(path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        timed_load(here, "warm.conf", chain(10, True))  # imports, outside the measure
        print("| shape | " + " | ".join(f"{size:,} contexts" for size in args.sizes) + " | ratio |")
        print("|---|" + "---:|" * (len(args.sizes) + 1))
        for label, own in (("include-only chain", False), ("chain with extensions", True)):
            times = [
                timed_load(here, f"{label[:5]}-{size}.conf", chain(size, own))
                for size in args.sizes
            ]
            ratios = [
                (times[i + 1] / times[i]) / (args.sizes[i + 1] / args.sizes[i])
                for i in range(len(times) - 1)
            ]
            cells = " | ".join(f"{seconds:.3f} s" for seconds in times)
            print(f"| {label} | {cells} | {', '.join(f'{r:.2f}' for r in ratios)} |")
        seconds = timed_load(here, "globals.conf", doubling_globals())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\ndoubling [globals] G0..G39: {seconds:.3f} s, process peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
