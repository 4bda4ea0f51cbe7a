"""Mutation fuzzing of ivraudit against the real corpus: any bytes end in a report or an error.

    python benchmarks/fuzz.py                          # the release check: 3,000 mutants
    python benchmarks/fuzz.py --count 150 --seed 15    # the campaign the test suite runs
    python benchmarks/fuzz.py --keep /tmp/fuzz         # keep the failing mutants to replay

Every mutant of a file of ``../shared/corpus`` (byte flips, truncation,
duplication, and mutations that know JSON, XML and dialplans: lone surrogate
escapes, duplicate keys, odd XML encodings, references to a file outside the
root, doubling variables, include and Goto chains) is checked with
``ivraudit check -f json`` (and, when it reads, ``ivraudit import``, whose YAML
must read back) in-process, through click's CliRunner, in worker
processes that run one batch each under a memory limit (``resource.setrlimit``)
with a time limit per mutant.  A mutant fails when the exit code is not 0, 1 or
2, when stderr says "internal error", when stdout is not JSON, when anything of
a planted secret outside the root shows, or when it runs out of time or memory.
The summary counts mutants per class of failure and names an example of each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
#: What the planted file outside the root says; no output may ever contain it.
SECRET = "FUZZSECRET7731"
SUFFIXES = (".json", ".yaml", ".xml", ".vxml", ".conf", ".ael")
ENCODINGS = ("punycode", "idna", "utf-7", "klingon", "utf-16", "cp037", "euc-jp", "latin-1")
HOSTILE_TEXT = (
    "\\ud800",
    "\\udfff tail",
    "\\ud83d\\ude00",
    "\\u0000",
    "x" * 5000,
    "../../secret/secret.json",
    "{outside}/secret.vxml",
)


# -- mutants ----------------------------------------------------------------------------------


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    """The corpus files a mutant can start from, in a stable order."""
    return sorted(
        path
        for path in corpus.rglob("*")
        if path.is_file() and path.suffix.lower() in SUFFIXES and path.stat().st_size < 400_000
    )


def mutate(data: bytes, suffix: str, rng: random.Random, outside: str) -> tuple[str, bytes]:
    """One mutation of ``data``: ``(what was done, the mutant's bytes)``."""
    text = data.decode("utf-8", "replace")
    aware = []
    if text.lstrip().startswith(("{", "[")):
        aware = [_json_string, _json_duplicate, _json_nesting]
    elif text.lstrip().startswith("<"):
        aware = [_xml_encoding, _xml_reference, _xml_text]
    elif suffix in (".conf", ".ael"):
        aware = [_dialplan_include, _dialplan_globals, _dialplan_chain, _dialplan_lines]
    blind = [_flip, _truncate, _duplicate, _insert]
    mutation = rng.choice(aware * 3 + blind if aware else blind)
    return mutation.__name__.lstrip("_"), mutation(data, text, rng, outside)


def _flip(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if buffer:
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
    return bytes(buffer)


def _truncate(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _duplicate(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    start = rng.randrange(len(data) + 1)
    end = min(len(data), start + rng.randint(1, 400))
    return data[:end] + data[start:end] * rng.randint(1, 20) + data[end:]


def _insert(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice([b"\x00", b"\xff\xfe", b"\xed\xa0\x80", b"{", b"<", b"]]>", b"&x;", b"\n"])
    return data[:at] + junk * rng.randint(1, 30) + data[at:]


def _hostile(rng: random.Random, outside: str) -> str:
    return rng.choice(HOSTILE_TEXT).replace("{outside}", outside)


def _json_string(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    strings = list(re.finditer(r'"(?:[^"\\\n]|\\.){0,80}"', text))
    for match in rng.sample(strings, min(len(strings), rng.randint(1, 4))):
        text = text[: match.start()] + f'"{_hostile(rng, outside)}"' + text[match.end() :]
        break  # offsets moved: one replacement per mutant keeps them right
    return text.encode("utf-8")


def _json_duplicate(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    pairs = list(re.finditer(r'"[^"\\\n]{1,40}"\s*:\s*"[^"\\\n]{0,80}"', text))
    if not pairs:
        return data
    pair = rng.choice(pairs)
    return (text[: pair.end()] + ", " + pair.group() + text[pair.end() :]).encode("utf-8")


def _json_nesting(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    depth = rng.choice([100, 600, 5000])
    at = text.find(":") + 1
    return (text[:at] + "[" * depth + "1" + "]" * depth + text[at:]).encode("utf-8")


def _xml_encoding(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    declaration = f'<?xml version="1.0" encoding="{rng.choice(ENCODINGS)}"?>'
    body = re.sub(r"\A\s*<\?xml[^>]*\?>", "", text)
    return (declaration + "\n" + body).encode("utf-8")


def _xml_reference(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    target = rng.choice(
        [f"{outside}/secret.vxml", "../../secret/secret.vxml", f"file://{outside}/"]
    )
    element = rng.choice(
        [
            f'<goto next="{target}"/>',
            f'<submit next="{target}"/>',
            f'<subdialog name="s" src="{target}"/>',
            f'<X-PRE-PROCESS cmd="include" data="{outside}/*.xml"/>',
        ]
    )
    tags = list(re.finditer(r"<(block|form|menu|menus|context|extension|include)\b[^>]*>", text))
    if not tags:
        return data
    tag = rng.choice(tags)
    return (text[: tag.end()] + element + text[tag.end() :]).encode("utf-8")


def _xml_text(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    value = rng.choice(["&#xD800;", "&#0;", "\ufffe", "]]>", "x" * 10000, "&lt;" * 500])
    at = text.find(">", len(text) // 2) + 1
    return (text[:at] + value + text[at:]).encode("utf-8", "surrogatepass")


def _dialplan_include(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    line = rng.choice(
        [
            f"#include {outside}/secret.conf",
            "#include ../../secret/secret.conf",
            f'#exec "cat {outside}"',
        ]
    )
    return (line + "\n" + text).encode("utf-8")


def _dialplan_globals(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    lines = ["[globals]", "G0=xxxxxxxxxxxxxxxx"]
    lines += [f"G{n}=${{G{n - 1}}}${{G{n - 1}}}" for n in range(1, rng.randint(20, 60))]
    lines += ["[fuzz-doubling]", f"exten => s,1,Playback(${{G{len(lines) - 3}}})"]
    return ("\n".join(lines) + "\n" + text).encode("utf-8")


def _dialplan_chain(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    count = rng.choice([200, 2000])
    kind = rng.choice(["include", "goto"])
    lines = []
    for n in range(count):
        lines.append(f"[chain-{n}]")
        if kind == "include":
            lines.append(f"include => chain-{n + 1}")
        else:
            lines.append(f"exten => s,1,Background(menu-{n})")
            lines.append(f"exten => 1,1,Goto(chain-{n + 1},s,1)")
            lines.append(f"exten => 2,1,Goto(chain-{max(n - 1, 0)},s,1)")
    return (text + "\n" + "\n".join(lines) + "\n").encode("utf-8")


def _dialplan_lines(data: bytes, text: str, rng: random.Random, outside: str) -> bytes:
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(rng.randint(1, 6)):
        index = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "swap", "garble"])
        if action == "delete":
            del lines[index]
            lines = lines or [""]
        elif action == "duplicate":
            lines.insert(index, lines[index] * rng.randint(1, 5))
        elif action == "swap":
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines[index] = lines[index][: rng.randrange(len(lines[index]) + 1)] + rng.choice(
                ["${", "$[", ",", "(", ")", "=>", ";", "\\"]
            )
    return "".join(lines).encode("utf-8")


def plant_secrets(folder: Path) -> Path:
    """Files outside the root, in every format a reference could load; returns their folder."""
    outside = folder / "secret"
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.json").write_text(
        json.dumps({"ivraudit": 1, "start": SECRET, "nodes": {SECRET: {"type": "say"}}})
    )
    (outside / "secret.vxml").write_text(
        f'<vxml version="2.1"><form id="{SECRET}"><block><prompt>{SECRET}</prompt>'
        "</block></form></vxml>\n"
    )
    (outside / "secret.xml").write_text(
        f'<include><menu name="{SECRET}" greet-long="say:{SECRET}"/></include>\n'
    )
    (outside / "secret.conf").write_text(f"[{SECRET}]\nexten => s,1,Playback({SECRET})\n")
    return outside


# -- running them -----------------------------------------------------------------------------


class _OutOfTime(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` of ivraudit hides it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _OutOfTime()


def check_one(path: str, seconds: int) -> dict[str, Any]:
    """``ivraudit check PATH -f json`` in this process: the failure class, or None."""
    from click.testing import CliRunner

    from ivraudit.cli import main

    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(seconds)
    started = time.perf_counter()
    try:
        result = CliRunner().invoke(main, ["check", path, "-f", "json", "--jobs", "1"])
        failure = classify(result.exit_code, result.stdout, result.stderr)
        if failure is None and result.exit_code in (0, 1):
            imported = CliRunner().invoke(main, ["import", path])
            failure = classify_import(imported.exit_code, imported.stdout, imported.stderr)
    except _OutOfTime:
        return {"path": path, "failure": f"over {seconds} s"}
    except MemoryError:
        return {"path": path, "failure": "out of memory"}
    finally:
        signal.alarm(0)
    return {"path": path, "failure": failure, "seconds": round(time.perf_counter() - started, 3)}


def classify_import(exit_code: int, stdout: str, stderr: str) -> str | None:
    """What is wrong with one ``ivraudit import``: its YAML must read back as a menu."""
    import ivraudit

    failure = classify(exit_code, "{}", stderr) or (SECRET in stdout and "import: secret")
    if failure or exit_code != 0:
        return failure or None
    try:
        ivraudit.loads(stdout, name="imported.yaml")
    except ivraudit.MenuError as error:
        return f"import does not read back: {error.message[:40]}"
    return None


def classify(exit_code: int, stdout: str, stderr: str) -> str | None:
    """What is wrong with one run, or None when it is a report or a clear error."""
    if SECRET in stdout or SECRET in stderr:
        return "content from outside the root"
    internal = re.search(r"internal error: (\w+)", stderr)
    if internal:
        return f"internal error {internal.group(1)}"
    if "MemoryError" in stderr:
        return "out of memory"
    if exit_code not in (0, 1, 2):
        return f"exit {exit_code}"
    try:
        json.loads(stdout)
    except ValueError:
        return "stdout is not JSON"
    return None


def _child(batch_file: str, seconds: int, megabytes: int) -> None:
    """Run one batch under the memory limit; one JSON line per mutant on stdout."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for path in json.loads(Path(batch_file).read_text()):
        outcome = check_one(path, seconds)
        print(json.dumps(outcome), flush=True)


def run_batch(paths: list[str], folder: Path, seconds: int, megabytes: int) -> list[dict]:
    """Check a batch in a fresh process; a process that dies blames the mutant it was on."""
    batch_file = folder / f"batch-{os.getpid()}-{time.monotonic_ns()}.json"
    batch_file.write_text(json.dumps(paths))
    command = [sys.executable, __file__, "--child", str(batch_file), "--timeout", str(seconds)]
    command += ["--memory", str(megabytes)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    process = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=seconds * len(paths) + 60
    )
    outcomes = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
    if len(outcomes) < len(paths):
        died = paths[len(outcomes)]
        tail = process.stderr.strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        outcomes.append({"path": died, "failure": f"process died: {tail[0][:80]}"})
        if len(outcomes) < len(paths):
            outcomes += run_batch(paths[len(outcomes) :], folder, seconds, megabytes)
    return outcomes


def campaign(
    count: int = 3000,
    seed: int = 15,
    *,
    batch: int = 75,
    seconds: int = 20,
    megabytes: int = 2048,
    corpus: Path = CORPUS,
    keep: Path | None = None,
) -> dict[str, Any]:
    """Make ``count`` mutants of the corpus and check them all; the failures by class."""
    rng = random.Random(seed)
    sources = corpus_files(corpus)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ivraudit-fuzz-") as scratch:
        folder = Path(scratch)
        outside = plant_secrets(folder)
        made: dict[str, str] = {}
        for number in range(count):
            source = rng.choice(sources)
            what, mutant = mutate(source.read_bytes(), source.suffix.lower(), rng, str(outside))
            case = folder / "root" / f"{number:05d}"
            case.mkdir(parents=True)
            path = case / source.name
            path.write_bytes(mutant)
            made[str(path)] = f"{source.name} ({what})"
        paths = list(made)
        outcomes: list[dict] = []
        for start in range(0, len(paths), batch):
            outcomes += run_batch(paths[start : start + batch], folder, seconds, megabytes)
        failures = [outcome for outcome in outcomes if outcome["failure"]]
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for failure in failures:
                kept = keep / Path(failure["path"]).relative_to(folder / "root")
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_bytes(Path(failure["path"]).read_bytes())
    classes = Counter(failure["failure"] for failure in failures)
    examples = {}
    for failure in failures:
        examples.setdefault(failure["failure"], made[failure["path"]])
    slowest = max(outcomes, key=lambda outcome: outcome.get("seconds", 0), default={})
    return {
        "mutants": len(outcomes),
        "failures": len(failures),
        "classes": dict(classes.most_common()),
        "examples": examples,
        "mutations": dict(Counter(what.split("(")[-1].rstrip(")") for what in made.values())),
        "slowest": (made.get(slowest.get("path", ""), ""), slowest.get("seconds", 0)),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--batch", type=int, default=75)
    parser.add_argument("--timeout", type=int, default=20, help="seconds per mutant")
    parser.add_argument("--memory", type=int, default=2048, help="MiB per worker process")
    parser.add_argument("--keep", type=Path, help="copy failing mutants here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.timeout, args.memory)
        return 0
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    summary = campaign(
        args.count,
        args.seed,
        batch=args.batch,
        seconds=args.timeout,
        megabytes=args.memory,
        keep=args.keep,
    )
    print(f"{summary['mutants']} mutants in {summary['seconds']} s, seed {args.seed}: ", end="")
    print(f"{summary['failures']} failures")
    for failure, number in summary["classes"].items():
        print(f"  {number:5d}  {failure}  (e.g. {summary['examples'][failure]})")
    print(f"slowest: {summary['slowest'][0]} {summary['slowest'][1]} s")
    print("mutations: " + ", ".join(f"{k} {v}" for k, v in sorted(summary["mutations"].items())))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
