#!/usr/bin/env python3
"""Time in-page repeats' kernel, `repeated_stretches`, alone on long word lists, in this process.

Usage:
  python scripts/bench_stretches.py [--words 4000000 16000000] [--rounds 3] [--shared DIR]

Times the `dedup.detect.repeats.repeated_stretches` that the import finds: run it with
PYTHONPATH=OTHER_CHECKOUT to time another checkout's. The words are those of the pages of
../shared/dev-corpus (read there, never copied), in a shuffled order, over and over until the
count: news words as pages hold them, with copies of whole pages among them, as a huge scraped
page has. Prints the median of the rounds, the process's peak memory so far, and for the last list,
two calls on two threads at once.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import threading
import time
from pathlib import Path

from dedup.detect.repeats import repeated_stretches
from dedup.segment import words_with_offsets

ROOT = Path(__file__).resolve().parents[1]
MIN_WORDS = 8  # Repeats.min_run_words


def page_words(corpus: Path) -> list[list[str]]:
    """Each page's words, as cleaning makes them."""
    with corpus.open(encoding="utf-8") as fh:
        return [words_with_offsets(json.loads(line)["text"]).words for line in fh if line.strip()]


def word_list(pages: list[list[str]], count: int) -> list[str]:
    """`count` words: the pages in a shuffled order, again and again."""
    rng = random.Random(0)
    words: list[str] = []
    while len(words) < count:
        order = list(range(len(pages)))
        rng.shuffle(order)
        for k in order:
            words += pages[k]
    # One string per distinct word, as a page's words are made.
    vocabulary: dict[str, str] = {}
    return [vocabulary.setdefault(w, w) for w in words[:count]]


def timed(words: list[str]) -> tuple[float, int]:
    """Seconds of one call, and how many stretches it found."""
    start = time.perf_counter()
    found = repeated_stretches(words, MIN_WORDS)
    return time.perf_counter() - start, len(found)


def two_threads(words: list[str]) -> float:
    """Seconds for two calls on two threads at once."""
    threads = [threading.Thread(target=repeated_stretches, args=(words, MIN_WORDS)) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, nargs="+", default=[4_000_000, 16_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="default: ../shared")
    args = parser.parse_args()
    pages = page_words(args.shared / "dev-corpus" / "pages.jsonl")
    for count in args.words:
        words = word_list(pages, count)
        runs = [timed(words) for _ in range(args.rounds)]
        seconds = statistics.median(s for s, _ in runs)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{count:>11,} words: {seconds:.2f} s (median of {args.rounds}), {runs[0][1]:,} stretches;"
            f" the process's peak so far {peak:,.0f} MB"
        )
    threads = statistics.median(two_threads(words) for _ in range(args.rounds))
    print(f"{count:>11,} words, two calls on two threads at once: {threads:.2f} s (median of {args.rounds})")


if __name__ == "__main__":
    main()
