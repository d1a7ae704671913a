#!/usr/bin/env python3
"""Are the duplicate groups on real scrapes real? Per source: the groups, their members, and how
similar each member's article is to its canonical page's.

Usage: python scripts/real_duplicates.py CORPUS_DATA_DIR [--dedup PATH] [--out DIR] [--weakest N]

Every source of CORPUS_DATA_DIR (the Arabic scrapes, SaudiNewsNet, the HTML benchmarks turned into
text) is written as JSONL and cleaned with `<dedup> clean IN -o OUT`. The similarity of a member to
its canonical is measured here, apart from dedup's own judgement, on the cleaned texts folded as
dedup folds text (`dedup.normalize.normalize`: case, diacritics, hamza forms, digits):
- `text`: the Jaccard of their word 5-gram sets;
- `article`: the same after leaving out the 5-grams found on a fifth or more of the site's pages
  (and on 3 pages or more): what the site repeats is not the article.
- `contained`: the share of the smaller article's 5-grams found in the larger one.
A pair is weak when its articles share less than half their shingles (Jaccard < 0.5); a weak pair
whose smaller article lies mostly (70 %) inside the larger is a short version of a long one, which
is a duplicate too: the other weak pairs are counted apart.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_html_bench  # noqa: E402
import inspect_real  # noqa: E402

from dedup.normalize import normalize  # noqa: E402

SITE_SHARE = 0.2  # a 5-gram on this share of a site's pages is the site's, not an article's
SITE_PAGES = 3
WEAK = 0.5
CONTAINED = 0.7


@dataclass
class Out:
    """A cleaned page: its id, site and cleaned text, and the page it duplicates."""

    id: str
    site: str
    text: str
    duplicate_of: str | None
    similarity: float | None


def grams(text: str) -> frozenset[str]:
    """The folded word 5-grams of a text (the whole text when shorter)."""
    words = normalize(text).split()
    return (
        frozenset(" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))) if words else frozenset()
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (1.0 for two empty sets)."""
    return len(a & b) / len(a | b) if a | b else 1.0


def contained(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of the smaller set inside the larger (1.0 when one is empty)."""
    return len(a & b) / min(len(a), len(b)) if a and b else 1.0


def sources(root: Path) -> dict[str, list[dict[str, str]]]:
    """Every source's records ({"id", "url", "text"}), by source name."""
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for folder, load in inspect_real.LOADERS.items():
        if (root / folder).is_dir():
            for r in load(root / folder):
                out[_source_name(folder, r.id)].append({"id": r.id, "url": r.url, "text": r.text})
    benches: dict[str, Callable[[Path], list[eval_html_bench.Page]]] = {
        "bench-cleanportaleval": eval_html_bench.load_cleanportaleval,
        "bench-daniel-waddle-subset": eval_html_bench.load_daniel,
        "bench-scrapinghub-aeb": eval_html_bench.load_scrapinghub,
    }
    for name, load_bench in benches.items():
        if (root / name).is_dir():
            out[name] = [{"id": p.id, "url": p.url, "text": p.text} for p in load_bench(root / name)]
    return dict(out)


def _source_name(folder: str, page_id: str) -> str:
    """saheeh, fatabyyano, misbar, aljazeera apart; the other folders whole."""
    prefix = page_id.split(":", 1)[0]
    return prefix if prefix in ("saheeh", "kb", "misbar", "fatabyyano", "aljazeera") else folder


def clean(dedup: str, name: str, records: list[dict[str, str]], work: Path) -> list[Out]:
    """`dedup clean` of one source; the cleaned pages in input order."""
    src, dst = work / f"{name}.jsonl", work / f"{name}.cleaned.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    proc = subprocess.run([dedup, "clean", str(src), "-o", str(dst)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"dedup clean {name} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    site = {r["id"]: urlsplit(r["url"]).hostname or "" for r in records}
    pages = []
    with dst.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            audit = rec.get("dedup") or {}
            pages.append(
                Out(
                    str(rec["id"]),
                    site[str(rec["id"])],
                    rec["text"],
                    audit.get("duplicate_of"),
                    audit.get("similarity"),
                )
            )
    return pages


def site_grams(records: Iterable[dict[str, str]]) -> dict[str, set[str]]:
    """Per site, the 5-grams on a fifth or more of its pages (and on 3 pages or more)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    pages: Counter[str] = Counter()
    for r in records:
        site = urlsplit(r["url"]).hostname or ""
        pages[site] += 1
        counts[site].update(grams(r["text"]))
    return {
        site: {g for g, n in c.items() if n >= max(SITE_PAGES, SITE_SHARE * pages[site])}
        for site, c in counts.items()
    }


def report(name: str, records: list[dict[str, str]], pages: list[Out], weakest: int) -> tuple[int, int, int]:
    """Print one source's groups and similarities; (pairs, weak pairs, weak pairs not contained)."""
    by_id = {p.id: p for p in pages}
    common = site_grams(records)
    groups: dict[str, list[Out]] = defaultdict(list)
    for p in pages:
        if p.duplicate_of:
            groups[p.duplicate_of].append(p)
    rows = []
    for canonical, members in groups.items():
        c = by_id[canonical]
        ca = grams(c.text)
        for m in members:
            a, b = ca - common.get(c.site, set()), grams(m.text) - common.get(m.site, set())
            rows.append((jaccard(a, b), contained(a, b), m.similarity, canonical, m.id))
    sizes = sorted((len(v) + 1 for v in groups.values()), reverse=True)
    weak = [r for r in rows if r[0] < WEAK]
    apart = [r for r in weak if r[1] < CONTAINED]
    print(
        f"\n== {name}: {len(pages)} pages, {len(groups)} groups, {len(rows)} members marked; "
        f"largest groups {sizes[:8]}"
    )
    if rows:
        arts = sorted(r[0] for r in rows)
        q = statistics.quantiles(arts, n=10) if len(arts) > 1 else arts * 9
        print(
            f"   article Jaccard to the canonical: min {arts[0]:.2f}, p10 {q[0]:.2f}, "
            f"median {statistics.median(arts):.2f}, p90 {q[-1]:.2f}"
        )
        print(
            f"   weak (Jaccard < {WEAK}): {len(weak)} ({len(weak) / len(rows):.1%}); of those, not a short "
            f"version inside a long one (contained < {CONTAINED}): {len(apart)} "
            f"({len(apart) / len(rows):.1%})"
        )
        for jac, inside, sim, canonical, member in sorted(rows)[:weakest]:
            said = f"{sim:.2f}" if isinstance(sim, float | int) else "-"
            print(f"   Jaccard {jac:.2f}, contained {inside:.2f} (dedup: {said})  {member} -> {canonical}")
            print(f"      {by_id[member].text[:90]!r}\n      {by_id[canonical].text[:90]!r}")
    return len(rows), len(weak), len(apart)


def main(argv: list[str] | None = None) -> int:
    """Clean every source and print its duplicate groups."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus_data", type=Path)
    ap.add_argument("--dedup", default=shutil.which("dedup") or str(Path(sys.executable).parent / "dedup"))
    ap.add_argument("--out", type=Path, default=None, help="keep the JSONL files here")
    ap.add_argument("--weakest", type=int, default=10, help="pairs to show, weakest first")
    ap.add_argument("--only", default=None, help="one source")
    args = ap.parse_args(argv)
    if not args.corpus_data.is_dir():
        print(f"{args.corpus_data} not found: nothing to check", file=sys.stderr)
        return 0
    work = args.out or Path(tempfile.mkdtemp(prefix="dedup-real-dups-"))
    work.mkdir(parents=True, exist_ok=True)
    total = weak = apart = 0
    for name, records in sorted(sources(args.corpus_data).items()):
        if args.only and name != args.only:
            continue
        pairs, w, a = report(name, records, clean(args.dedup, name, records, work), args.weakest)
        total, weak, apart = total + pairs, weak + w, apart + a
    print(f"\nall sources: {total} members marked, {weak} weak, {apart} of them not contained either")
    if args.out is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
