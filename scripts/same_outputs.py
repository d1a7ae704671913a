#!/usr/bin/env python3
"""Whether a checkout's CLI writes the same bytes as a recorded one, on every input and executor.

Usage:
  python scripts/same_outputs.py --checkout DIR --record FILE.json [--quick]
  python scripts/same_outputs.py --checkout DIR --against FILE.json [--quick]

Runs `PYTHONPATH=DIR <this python> -m dedup.cli ...` from DIR over every input x executor, and keeps
each output in FILE.outputs/ (--record) or FILE.current.outputs/ (--against) for diffing.

Inputs: the checkout's bundled corpus/pages.jsonl; ../shared/dev-corpus/pages.jsonl; this project's
corpus/generate.py at seed 7 (not the default 0); the real scrapes and HTML benchmarks of
../shared/corpus-data, turned into JSONL by this project's scripts/inspect_real.py and
scripts/eval_html_bench.py, as `make eval-real` and `make audit-real` read them. --quick: the first
two only. Generated and real inputs are made once per run by this project's code, and their sha256 is
recorded, so that both checkouts clean the same bytes.

Executors: batch (`clean IN -o OUT --workers 1`), workers2 (`--workers 2`), stream (`--stream` with a
fresh --state), learn-state (`learn IN --state S`, then `clean IN --state S -o OUT`) and spark
(`--engine spark --spark-master local[2]`; its part files hold the records in input order, so their
concatenation in name order is hashed).

The output records carry the audit (the `dedup` object): a difference is counted per record id as a
difference of text and/or of audit. Each run is also compared with batch at the same checkout
(stream cleans with what it has seen so far: it differs from batch on purpose). Exit code 1 when any
output differs from the record (or a run fails), 0 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import eval_html_bench  # noqa: E402
import inspect_real  # noqa: E402

GENERATED_SEED = 7
GENERATED_PAGES = 1200
GENERATED_NO_BREAKS_SHARE = 0.25
EXECUTORS = ("batch", "workers2", "stream", "learn-state", "spark")
SAME_AS_BATCH = ("workers2", "learn-state", "spark")  # stream differs from batch by design
FIRST = 5  # record ids quoted per difference


def sha256(path: Path) -> str:
    """The sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_jsonl(path: Path, records: list[dict[str, str]]) -> None:
    """One JSON object a line, as the project's scripts write their inputs."""
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def make_inputs(checkout: Path, shared: Path, work: Path, quick: bool) -> dict[str, Path]:
    """Every input, by name: JSONL files the CLI reads."""
    inputs = {"bundled": checkout / "corpus" / "pages.jsonl", "dev": shared / "dev-corpus" / "pages.jsonl"}
    if quick:
        return inputs
    generated = work / "generated"
    subprocess.run(
        [sys.executable, str(ROOT / "corpus" / "generate.py"), "--pages", str(GENERATED_PAGES)]
        + ["--seed", str(GENERATED_SEED), "--no-breaks-share", str(GENERATED_NO_BREAKS_SHARE)]
        + ["--out", str(generated), "--no-truth"],
        check=True,
        capture_output=True,
    )
    inputs["generated"] = generated / "pages.jsonl"
    data = shared / "corpus-data"
    for name, load in inspect_real.LOADERS.items():
        path = inputs[name] = work / f"{name}.jsonl"
        write_jsonl(path, [r.as_json() for r in load(data / name)])
    for bench in eval_html_bench.BENCHMARKS:
        path = inputs[bench.directory] = work / f"{bench.directory}.jsonl"
        pages = bench.load(data / bench.directory)
        write_jsonl(path, [{"id": p.id, "url": p.url, "text": p.text} for p in pages])
    return inputs


def run_executor(checkout: Path, executor: str, source: Path, out: Path, work: Path) -> None:
    """Clean `source` with one executor of the checkout's CLI into the single JSONL file `out`."""
    env = os.environ | {"PYTHONPATH": str(checkout)}
    cli = [sys.executable, "-m", "dedup.cli"]
    state = work / f"{out.stem}.state.db"
    state.unlink(missing_ok=True)
    target = work / f"{out.stem}.spark.jsonl" if executor == "spark" else out
    options = {
        "batch": ["--workers", "1"],
        "workers2": ["--workers", "2"],
        "stream": ["--stream", "--state", str(state)],
        "learn-state": ["--state", str(state)],
        "spark": ["--engine", "spark", "--spark-master", "local[2]"],
    }[executor]
    commands = [[*cli, "clean", str(source), "-o", str(target), *options]]
    if executor == "learn-state":
        commands.insert(0, [*cli, "learn", str(source), "--state", str(state)])
    shutil.rmtree(target, ignore_errors=True)
    for command in commands:
        subprocess.run(command, cwd=checkout, env=env, check=True, capture_output=True, text=True)
    if executor == "spark":
        with out.open("wb") as fh:
            for part in sorted(target.glob("part-*")):
                fh.write(part.read_bytes())
        shutil.rmtree(target)


def records(path: Path) -> dict[str, dict[str, object]]:
    """The output records by id."""
    with path.open(encoding="utf-8") as fh:
        return {str(r["id"]): r for r in (json.loads(line) for line in fh if line.strip())}


def differences(a: Path, b: Path) -> dict[str, object]:
    """The record ids whose cleaned text, and whose audit, differ between two outputs."""
    left, right = records(a), records(b)
    ids = sorted(left.keys() | right.keys())
    text = [i for i in ids if (left.get(i) or {}).get("text") != (right.get(i) or {}).get("text")]
    audit = [i for i in ids if (left.get(i) or {}).get("dedup") != (right.get(i) or {}).get("dedup")]
    return {"text": len(text), "audit": len(audit), "text_ids": text[:FIRST], "audit_ids": audit[:FIRST]}


def describe(diff: dict[str, object] | str) -> str:
    """One line for a difference ('same' stays as it is)."""
    if isinstance(diff, str):
        return diff
    return (
        f"different: text of {diff['text']} records {diff['text_ids']}, "
        f"audit of {diff['audit']} records {diff['audit_ids']}"
    )


def git_head(checkout: Path) -> str:
    """The checkout's commit, or '?' when it is no git checkout."""
    found = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "?"


def run_all(
    checkout: Path, inputs: dict[str, Path], outputs: Path, work: Path, report: Callable[[str], None]
) -> dict[str, dict[str, object]]:
    """Every input x executor: output sha256, seconds, and the difference from batch at this checkout."""
    runs: dict[str, dict[str, object]] = {}
    for name, source in inputs.items():
        for executor in EXECUTORS:
            key = f"{name}/{executor}"
            out = outputs / f"{name}.{executor}.jsonl"
            start = time.monotonic()
            try:
                run_executor(checkout, executor, source, out, work)
            except subprocess.CalledProcessError as exc:
                runs[key] = {"failed": exc.stderr[-2000:]}
                report(f"{key}: FAILED (exit {exc.returncode})\n{exc.stderr[-2000:]}")
                continue
            run: dict[str, object] = {"sha256": sha256(out), "seconds": round(time.monotonic() - start, 1)}
            batch = runs.get(f"{name}/batch", {})
            if executor != "batch" and "sha256" in batch:
                same = run["sha256"] == batch["sha256"]
                run["vs_batch"] = "same" if same else differences(outputs / f"{name}.batch.jsonl", out)
            runs[key] = run
            note = f"; vs batch: {describe(run['vs_batch'])}" if "vs_batch" in run else ""
            report(f"{key}: {run['sha256'][:12]} in {run['seconds']}s{note}")
    return runs


def compare(recorded: dict[str, object], current: dict[str, object], old: Path, new: Path) -> bool:
    """Print, per input x executor, same or different from the record; True when all are the same."""
    all_same = True
    old_inputs, new_inputs = recorded["inputs"], current["inputs"]
    assert isinstance(old_inputs, dict) and isinstance(new_inputs, dict)
    for name in new_inputs:
        if old_inputs.get(name) != new_inputs[name]:
            print(f"{name}: the input itself differs from the recorded one ({new_inputs[name][:12]})")
            all_same = False
    old_runs, new_runs = recorded["runs"], current["runs"]
    assert isinstance(old_runs, dict) and isinstance(new_runs, dict)
    for key, run in new_runs.items():
        before = old_runs.get(key, {})
        if "sha256" not in run or "sha256" not in before:
            line = "failed now" if "sha256" not in run else "not recorded (or failed then)"
        elif run["sha256"] == before["sha256"]:
            line = "same"
        else:
            name, executor = key.split("/")
            file = f"{name}.{executor}.jsonl"
            line = describe(differences(old / file, new / file))
        all_same = all_same and line == "same"
        print(f"{key:40s} {line}")
    return all_same


def main(argv: list[str] | None = None) -> int:
    """Record a checkout's outputs, or compare them with a record."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", type=Path, required=True, help="the project checkout whose CLI is run")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--record", type=Path, help="write the sha256 of every output to this JSON file")
    mode.add_argument("--against", type=Path, help="compare every output with this recorded JSON file")
    parser.add_argument("--quick", action="store_true", help="only the bundled corpus and the dev corpus")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="default: ../shared")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    record = (args.record or args.against).resolve()  # the runs are made from the checkout's folder
    outputs = record.with_suffix(".outputs" if args.record else ".current.outputs")
    shutil.rmtree(outputs, ignore_errors=True)
    outputs.mkdir(parents=True)
    print(f"checkout {checkout} at {git_head(checkout)}; outputs in {outputs}", flush=True)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="same-outputs-") as tmp:
        work = Path(tmp)
        inputs = make_inputs(checkout, args.shared.resolve(), work, args.quick)
        current = {
            "checkout": str(checkout),
            "commit": git_head(checkout),
            "inputs": {name: sha256(path) for name, path in inputs.items()},
            "runs": run_all(checkout, inputs, outputs, work, lambda line: print(line, flush=True)),
        }
    print(f"all runs: {time.monotonic() - start:.0f}s")
    if args.record:
        args.record.write_text(json.dumps(current, indent=1) + "\n", encoding="utf-8")
        print(f"recorded: {args.record}")
        return int(any("failed" in run for run in current["runs"].values()))
    recorded = json.loads(args.against.read_text(encoding="utf-8"))
    print(f"against {args.against} (checkout {recorded['checkout']} at {recorded['commit']}):")
    same = compare(recorded, current, args.against.with_suffix(".outputs"), outputs)
    print("all the same" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
