#!/usr/bin/env python3
"""An audit of cleaning on every real source in ../shared/corpus-data: what is left, what is cut.

Usage: python scripts/real_audit.py CORPUS_DATA_DIR [--top N] [--cuts N] [--json FILE]

Reads the sources as scripts/inspect_real.py (the Arabic scrapes) and scripts/eval_html_bench.py
(the HTML benchmarks, turned into text) read them, at run time: nothing is copied into the
project. Each source is learned and cleaned as one batch run of the library, then:

- per site, the word runs (3+ words) still on 20% or more of its cleaned pages (dedup.leftovers);
- every removal that cuts inside a sentence of the original text: a removed span that starts or
  ends strictly inside a sentence (dedup.segment's sentence ends), counted per source and kind,
  the inner ones grouped by kind and by the first words they remove, the first --cuts groups of
  each source quoted once with the sentence around the cut.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import eval_html_bench  # noqa: E402
import inspect_real  # noqa: E402

from dedup.clean import Cleaner  # noqa: E402
from dedup.leftovers import Leftover  # noqa: E402
from dedup.leftovers import find as find_leftovers  # noqa: E402
from dedup.page import Page, Removal, site_of  # noqa: E402
from dedup.segment import line_spans, sentence_spans  # noqa: E402

QUOTE_CHARS = 90
GROUP_WORDS = 3  # the first words of a removal that name its group


@dataclass(frozen=True)
class Cut:
    """A removal that starts or ends inside a sentence of its page."""

    source: str
    page: str
    kind: str
    removed: str
    sentence: str  # the sentence the cut falls in, with the removed part in [[ ]]
    edge: bool  # the removal reaches the page's start or end: no article text on one side


def arabic_sources(data_dir: Path) -> dict[str, list[Page]]:
    """The Arabic scrapes, one source per folder."""
    out = {}
    for name, load in inspect_real.LOADERS.items():
        folder = data_dir / name
        if folder.is_dir():
            out[name] = [Page(r.id, r.text, url=r.url, site=site_of(r.url)) for r in load(folder)]
    return out


def html_sources(data_dir: Path) -> dict[str, list[Page]]:
    """The HTML benchmarks as text, one source per benchmark."""
    out = {}
    for bench in eval_html_bench.BENCHMARKS:
        root = data_dir / bench.directory
        if root.is_dir():
            out[bench.name] = [Page(p.id, p.text, url=p.url, site=site_of(p.url)) for p in bench.load(root)]
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Every sentence of a page, in order."""
    return [s for start, end in line_spans(text) for s in sentence_spans(text, start, end)]


def inside(
    text: str, spans: Sequence[tuple[int, int]], starts: Sequence[int], pos: int
) -> tuple[int, int] | None:
    """The sentence that `pos` falls strictly inside (words of it on both sides), or None."""
    k = bisect_right(starts, pos) - 1
    if k < 0:
        return None
    a, b = spans[k]
    if a < pos < b and text[a:pos].strip() and text[pos:b].strip():
        return a, b
    return None


def cuts(source: str, page: Page, removed: Sequence[Removal]) -> list[Cut]:
    """The removals of a page that cut inside one of its sentences."""
    spans = sentences(page.text)
    starts = [a for a, _ in spans]
    found = []
    for r in removed:
        hit = inside(page.text, spans, starts, r.start) or inside(page.text, spans, starts, r.end)
        if hit is None:
            continue
        a, b = min(hit[0], r.start), max(hit[1], r.end)
        quoted = page.text[a : r.start] + "[[" + page.text[r.start : r.end] + "]]" + page.text[r.end : b]
        edge = not page.text[: r.start].strip() or not page.text[r.end :].strip()
        found.append(Cut(source, page.id, r.kind, " ".join(r.text.split()), " ".join(quoted.split()), edge))
    return found


def audit(source: str, pages: list[Page]) -> tuple[list[Page], list[Cut]]:
    """Learn and clean a source as one run: its cleaned pages and its in-sentence cuts."""
    cleaner = Cleaner()
    cleaner.learn(pages)
    cleaned, found = [], []
    for page in pages:
        result = cleaner.clean(page)
        cleaned.append(Page(page.id, result.text, url=page.url, site=page.site))
        found += cuts(source, page, result.removed)
    return cleaned, found


def print_source(
    source: str, pages: int, leftovers: list[Leftover], found: list[Cut], top: int, quote: int
) -> None:
    """One source's leftovers per site and its in-sentence cuts."""
    inner = [c for c in found if not c.edge]
    print(
        f"=== {source}: {pages} pages, {len(found)} removals cut inside a sentence, {len(inner)} of them "
        "inner (article text on both sides)"
    )
    by_kind = Counter(c.kind for c in inner)
    if by_kind:
        print("  inner cuts by kind: " + ", ".join(f"{k} {n}" for k, n in by_kind.most_common()))
    sites = sorted({item.site for item in leftovers})
    for site in sites:
        rows = [item for item in leftovers if item.site == site]
        print(f"  {site}: left on 20%+ of {rows[0].site_pages} pages")
        for item in rows[:top]:
            print(f"    {item.pages:5d} {item.share:4.0%}  {item.example:24s} {item.text[:QUOTE_CHARS]}")
    groups = cut_groups(inner)
    if groups:
        print(f"  inner cuts by what they remove ({len(groups)} groups; one quoted each):")
    for group in groups[:quote]:
        c = group[0]
        print(f"    {len(group):4d} × [{c.kind}] {c.page}: {c.sentence[: 2 * QUOTE_CHARS + 40]}")


def cut_groups(found: Sequence[Cut]) -> list[list[Cut]]:
    """The cuts grouped by kind and by the first words of what they remove (digits as 0): one
    piece of furniture cut out of many pages is one group. Biggest first."""
    groups: dict[tuple[str, str], list[Cut]] = {}
    for c in found:
        head = re.sub(r"\d+", "0", " ".join(c.removed.split()[:GROUP_WORDS]))
        groups.setdefault((c.kind, head), []).append(c)
    return sorted(groups.values(), key=len, reverse=True)


def main(argv: list[str] | None = None) -> int:
    """Audit every source found; print, and write JSON when asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="the corpus-data directory, e.g. ../shared/corpus-data")
    parser.add_argument("--top", type=int, default=5, help="leftovers shown per site")
    parser.add_argument("--cuts", type=int, default=20, help="groups of inner cuts quoted per source")
    parser.add_argument("--json", type=Path, help="write every leftover and cut to this file")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"{args.data_dir} not found: nothing to audit")
        return 0
    loaders: list[Callable[[Path], dict[str, list[Page]]]] = [arabic_sources, html_sources]
    totals: dict[str, tuple[int, int]] = {}
    everything: dict[str, object] = {}
    for load in loaders:
        for source, pages in load(args.data_dir).items():
            cleaned, found = audit(source, pages)
            leftovers = find_leftovers(lambda cleaned=cleaned: cleaned)
            print_source(source, len(pages), leftovers, found, args.top, args.cuts)
            totals[source] = (len(found), sum(not c.edge for c in found))
            everything[source] = {
                "leftovers": [vars(item) | {"share": item.share} for item in leftovers],
                "cuts": [vars(c) for c in found],
            }
    print("in-sentence cuts (inner): " + ", ".join(f"{s} {n} ({k})" for s, (n, k) in totals.items()))
    print(f"all: {sum(n for n, _ in totals.values())} ({sum(k for _, k in totals.values())} inner)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
