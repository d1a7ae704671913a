#!/usr/bin/env python3
"""The learning and cleaning passes in one process, and the cleaning pass stage by stage: µs a
page, the best of several rounds, on a generated corpus or on real pages.

Usage:
  python scripts/bench_stages.py [--pages 2600] [--seed 1] [--rounds 7] [--base DIR] [--repeat 3]
                                 [--input FILE]

Times the `dedup` the import finds, on a generated corpus or on the pages of a JSONL file
(`--input`: real pages, such as the folders of ../shared/corpus-data that
`scripts/inspect_real.py --out DIR` writes as JSONL; sites by host, as a run takes them). With
--base, this checkout's code and DIR's (another checkout, its core built) are each run in a
process of their own, in turn, `--repeat` times; each figure is the best of all its rounds, and
the last column is this checkout's over DIR's. A change of a few percent shows here, where a
paired run of the CLI on this shared machine shows only one of 10% or more (docs/benchmarks.md).

The passes are timed as they are (learning also as a batch run learns, `learn.compact`: the
shapes seen on one page kept apart); the stages in rounds of their own, each of the functions below
wrapped with a timer (a stage's time holds the stages it calls; the timers add a little). A stage
that a checkout does not have is left out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from bench import corpus  # noqa: E402

# (module, attribute) of the stages of `Cleaner.clean_keyed`; a method as "Class.method".
STAGES = [
    ("dedup.clean", "segment"),
    ("dedup.clean", "hashed_segment"),
    ("dedup.clean", "words_with_offsets"),
    ("dedup.detect.site_boilerplate", "detect"),
    ("dedup.detect.site_boilerplate", "between_furniture"),
    ("dedup.detect.widgets", "detect"),
    ("dedup.detect.repeats", "detect"),
    ("dedup.detect.context", "detect"),
    ("dedup.clean", "Cleaner._site_runs"),
    ("dedup.clean", "Cleaner._headline"),
    ("dedup.clean", "Cleaner._judged_again"),
    ("dedup.clean", "_left"),
    ("dedup.clean", "merge"),
]


def timed(pages: list[Any], rounds: int) -> dict[str, float]:
    """µs a page of each pass and stage, the best of `rounds` (in this process)."""
    from dedup.clean import Cleaner, clean_pages
    from dedup.learn import learn

    cleaner = Cleaner()
    out = {"learn": best(rounds, lambda: Cleaner().learn(pages))}
    # As a batch run learns: the shapes seen on one page kept apart until the variant merges.
    out["learn.compact"] = best(rounds, lambda: learn(Cleaner().model, cleaner.config, pages, compact=True))
    cleaner.learn(pages)
    out["clean"] = best(rounds, lambda: clean_pages(cleaner, pages))
    totals: defaultdict[str, float] = defaultdict(float)
    names = wrap_stages(totals)
    for name in names:
        out[name] = float("inf")
    for _ in range(rounds):
        totals.clear()
        clean_pages(cleaner, pages)
        for name in names:
            out[name] = min(out[name], totals[name])
    return {name: seconds / len(pages) * 1e6 for name, seconds in out.items()}


def best(rounds: int, work: Callable[[], object]) -> float:
    """The fewest seconds of `rounds` runs of `work`."""
    fastest = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def wrap_stages(totals: defaultdict[str, float]) -> list[str]:
    """Wrap each stage the checkout has with a timer that adds its seconds to `totals`; their names."""
    import importlib

    names = []
    for module_name, attribute in STAGES:
        module = importlib.import_module(module_name)
        owner: Any = module
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        if owner is None or not hasattr(owner, name):
            continue
        label = f"{module_name.rsplit('.', 1)[-1]}.{attribute}"
        setattr(owner, name, _timer(getattr(owner, name), label, totals))
        names.append(label)
    return names


def _timer(function: Callable[..., Any], label: str, totals: defaultdict[str, float]) -> Callable[..., Any]:
    def timed_call(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - start

    return timed_call


def child(path: Path, rounds: int) -> dict[str, float]:
    """The figures of the code the import finds, on the corpus at `path`."""
    from dedup.io.readers import read_pages
    from dedup.page import Page

    pages = [p for p in read_pages([path]) if isinstance(p, Page)]
    return timed(pages, rounds)


def run(checkout: Path | None, path: Path, rounds: int) -> dict[str, float]:
    """`child` in a process of its own, the code of `checkout` (None: this one's)."""
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    cmd = [sys.executable, __file__, "--child", str(path), "--rounds", str(rounds)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        where = checkout or ROOT
        sys.exit(f"bench_stages.py: the run of {where}'s code failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--pages", type=int, default=2600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7, help="rounds of each pass in a process")
    parser.add_argument("--base", type=Path, help="another checkout, its core built, to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="processes of each checkout, in turn")
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench")
    parser.add_argument("--input", type=Path, help="time the pages of this JSONL file instead")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.rounds)))
        return 0
    checkouts: dict[str, Path | None] = {"this checkout": None}
    if args.base is not None:
        if not (args.base / "dedup" / "__init__.py").is_file():
            parser.error(f"{args.base} holds no dedup/ to run")
        checkouts["base"] = args.base.resolve()
    if args.input is not None:
        if not args.input.is_file():
            parser.error(f"{args.input} is not a file")
        path, what = args.input, f"the pages of {args.input}"
    else:
        c = corpus(args.cache, args.pages, args.seed)
        path, what = c.path, f"{c.pages:,} generated pages ({c.mb:.1f} MB of page text)"
    results: dict[str, dict[str, float]] = {name: {} for name in checkouts}
    for i in range(args.repeat if args.base else 1):
        for name, checkout in checkouts.items():
            print(f"round {i + 1}: {name}", file=sys.stderr, flush=True)
            for stage, us in run(checkout, path, args.rounds).items():
                results[name][stage] = min(results[name].get(stage, us), us)
    print(f"{what}, µs a page, best of {args.rounds} rounds")
    mine, base = results["this checkout"], results.get("base")
    header = "stage".ljust(44) + "this checkout".rjust(14)
    print(header + ("base".rjust(10) + "ratio".rjust(8) if base else ""))
    for stage in list(mine) + [s for s in base or {} if s not in mine]:
        line = stage.ljust(44) + (f"{mine[stage]:14.1f}" if stage in mine else " " * 14)
        if base:
            line += f"{base[stage]:10.1f}" if stage in base else " " * 10
            # A stage no page reached in either checkout (0 µs) has no ratio.
            if base.get(stage) and stage in mine:
                line += f"{mine[stage] / base[stage]:8.3f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
