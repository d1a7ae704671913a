#!/usr/bin/env python3
"""Words kept / removed by `dedup clean` on real HTML benchmarks with gold main text.

Usage: python scripts/eval_html_bench.py CORPUS_DATA_DIR [--dedup PATH] [--json] [--keep-temp]

Each HTML page is turned into plain text with dedup.io.html.html_to_text (everything visible, one
block element per line), written as a JSONL record {"id", "url", "text"} whose URL host groups the
pages of one site, and cleaned with `<dedup> clean IN.jsonl -o OUT.jsonl`. Scores are over word
multisets (lowercased \\w+ tokens), micro-averaged over the pages of a benchmark:

- kept: share of the gold words present in the page text that are still in the cleaned text;
- removed: share of the page's non-gold words (page minus gold, as multisets) that are gone.

The same two figures are given for the baseline "plain per-site line-frequency rule": drop every
line (exact, whitespace-stripped) seen on 2 or more pages of the same host.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

try:
    from dedup.io.html import decode_html, html_to_text
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from dedup.io.html import decode_html, html_to_text

_WORD_RE = re.compile(r"\w+")
_GOLD_MARKUP_RE = re.compile(r"<!--.*?-->|<[A-Za-z/!][^>]*>", re.DOTALL)


@dataclass
class Page:
    """One benchmark page: its id, a URL whose host names its site, the page text and the gold text."""

    id: str
    url: str
    text: str
    gold: str

    @property
    def host(self) -> str:
        """The site the page belongs to."""
        return urlsplit(self.url).hostname or ""


@dataclass
class Score:
    """Micro-averaged word counts for one benchmark and one cleaner."""

    gold_in_page: int = 0
    gold_kept: int = 0
    other_in_page: int = 0
    other_removed: int = 0
    pages: int = 0
    missing: list[str] = field(default_factory=list)

    def add(self, page_words: Counter[str], gold_words: Counter[str], cleaned_words: Counter[str]) -> None:
        """Add one page's counts."""
        gold_in_page = gold_words & page_words
        other = page_words - gold_words
        self.gold_in_page += sum(gold_in_page.values())
        self.gold_kept += sum((gold_in_page & cleaned_words).values())
        still_there = (cleaned_words - gold_words) & other
        self.other_in_page += sum(other.values())
        self.other_removed += sum(other.values()) - sum(still_there.values())
        self.pages += 1

    @property
    def kept(self) -> float | None:
        """Share of the page's gold words still in the cleaned text."""
        return self.gold_kept / self.gold_in_page if self.gold_in_page else None

    @property
    def removed(self) -> float | None:
        """Share of the page's non-gold words no longer in the cleaned text."""
        return self.other_removed / self.other_in_page if self.other_in_page else None


def words(text: str) -> Counter[str]:
    """Lowercased \\w+ tokens of a text, as a multiset."""
    return Counter(_WORD_RE.findall(text.lower()))


def markup_to_text(gold: str) -> str:
    """Strip CleanEval/DAniEL markers (<p>, <h>, <l>, </p>, comments) and decode entities."""
    return html.unescape(_GOLD_MARKUP_RE.sub("\n", gold))


# ----------------------------------------------------------------------------------------- loaders


def load_cleanportaleval(root: Path) -> list[Page]:
    """CleanPortalEval: input/<domain>_<n>.html with GoldStandard/<domain>_<n>.txt (CleanEval format)."""
    pages: list[Page] = []
    for html_path in sorted((root / "input").glob("*.html")):
        gold_path = root / "GoldStandard" / (html_path.stem + ".txt")
        if not gold_path.is_file():
            continue
        domain = html_path.stem.split("_", 1)[0]  # washingtonpost.com_blog1_0 -> washingtonpost.com
        gold_lines = gold_path.read_text("utf-8", errors="replace").splitlines()
        path = ""
        body: list[str] = []
        for line in gold_lines:
            if not body and not line.strip():
                continue
            if not path and not body and line.startswith("URL:"):
                path = urlsplit(html.unescape(line[4:].strip())).path
                continue
            body.append(line)
        url = f"http://{domain}/{html_path.stem}{path}"
        text = html_to_text(decode_html(html_path.read_bytes()))
        pages.append(Page(html_path.stem, url, text, markup_to_text("\n".join(body))))
    return pages


def load_daniel(root: Path) -> list[Page]:
    """DAniEL (waddle subset): html/<date>_<host>_<sha> with reference/<same id> as <p> lines."""
    corpus = root / "corpora" / "Corpus_daniel_v2.1"
    pages: list[Page] = []
    for html_path in sorted((corpus / "html").iterdir()):
        ref_path = corpus / "reference" / html_path.name
        if not html_path.is_file() or not ref_path.is_file():
            continue
        parts = html_path.name.split("_", 2)
        if len(parts) != 3:
            continue
        _, host, sha = parts
        text = html_to_text(decode_html(html_path.read_bytes()))
        gold = markup_to_text(ref_path.read_text("utf-8", errors="replace"))
        pages.append(Page(html_path.name, f"http://{host}/{sha}", text, gold))
    return pages


def load_scrapinghub(root: Path) -> list[Page]:
    """Zyte article-extraction benchmark: html/<id>.html.gz with ground-truth.json (articleBody, url)."""
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    pages: list[Page] = []
    for item_id in sorted(truth):
        html_path = root / "html" / f"{item_id}.html.gz"
        if not html_path.is_file():
            continue
        item = truth[item_id]
        text = html_to_text(decode_html(gzip.decompress(html_path.read_bytes())))
        pages.append(Page(item_id, item.get("url") or f"http://unknown/{item_id}", text, item["articleBody"]))
    return pages


@dataclass
class Benchmark:
    """A benchmark directory and how to read it."""

    name: str
    directory: str
    load: Callable[[Path], list[Page]]
    single_page_sites_only: bool = False


BENCHMARKS = (
    Benchmark("cleanportaleval", "bench-cleanportaleval", load_cleanportaleval),
    Benchmark("daniel-waddle-subset", "bench-daniel-waddle-subset", load_daniel),
    Benchmark("scrapinghub-aeb", "bench-scrapinghub-aeb", load_scrapinghub, single_page_sites_only=True),
)


# ----------------------------------------------------------------------------------------- cleaners


def baseline_clean(pages: list[Page]) -> dict[str, str]:
    """Drop every (stripped) line seen on 2 or more pages of the same host."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for page in pages:
        seen[page.host].update({line.strip() for line in page.text.splitlines() if line.strip()})
    cleaned: dict[str, str] = {}
    for page in pages:
        counts = seen[page.host]
        kept = [ln for ln in page.text.splitlines() if ln.strip() and counts[ln.strip()] < 2]
        cleaned[page.id] = "\n".join(kept)
    return cleaned


def _dumps(record: dict[str, str]) -> str:
    """One JSON line."""
    return json.dumps(record, ensure_ascii=False)


def _read_jsonl(path: Path) -> Iterable[dict[str, object]]:
    """Records of a JSONL file, skipping blank lines."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def dedup_clean(pages: list[Page], executable: str, workdir: Path, name: str) -> dict[str, str]:
    """Run `<executable> clean in.jsonl -o out.jsonl` and return cleaned text by id (missing ids: empty)."""
    in_path = workdir / f"{name}.jsonl"
    out_path = workdir / f"{name}.cleaned.jsonl"
    with in_path.open("w", encoding="utf-8") as handle:
        for page in pages:
            handle.write(_dumps({"id": page.id, "url": page.url, "text": page.text}) + "\n")
    proc = subprocess.run(
        [executable, "clean", str(in_path), "-o", str(out_path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0 or not out_path.is_file():
        raise RuntimeError(
            f"{executable} clean failed on {name} (exit {proc.returncode}):\n{proc.stderr.strip()[-2000:]}"
        )
    cleaned: dict[str, str] = {}
    for record in _read_jsonl(out_path):
        text = record.get("text")
        cleaned[str(record.get("id"))] = text if isinstance(text, str) else ""
    return cleaned


# ----------------------------------------------------------------------------------------- report


def score(pages: list[Page], cleaned: dict[str, str]) -> Score:
    """Micro-averaged kept / removed figures of one cleaner over some pages."""
    result = Score()
    for page in pages:
        if page.id not in cleaned:
            result.missing.append(page.id)
        result.add(words(page.text), words(page.gold), words(cleaned.get(page.id, "")))
    return result


def evaluate(
    data_dir: Path, executable: str | None, workdir: Path
) -> tuple[list[dict[str, object]], list[str]]:
    """Score dedup and the baseline on every benchmark found; return rows and warnings."""
    rows: list[dict[str, object]] = []
    warnings: list[str] = []
    for bench in BENCHMARKS:
        root = data_dir / bench.directory
        if not root.is_dir():
            warnings.append(f"{root} not found: skipped")
            continue
        pages = bench.load(root)
        if not pages:
            warnings.append(f"{root}: no pages found")
            continue
        per_host = Counter(page.host for page in pages)
        base = baseline_clean(pages)
        ours: dict[str, str] | None = None
        if executable:
            try:
                ours = dedup_clean(pages, executable, workdir, bench.name)
            except (OSError, RuntimeError) as exc:
                warnings.append(str(exc))
        subsets = [(bench.name, pages)]
        if bench.single_page_sites_only:
            single = [page for page in pages if per_host[page.host] == 1]
            subsets = [(f"{bench.name} (single-page sites)", single), (f"{bench.name} (all)", pages)]
        for label, subset in subsets:
            b = score(subset, base)
            row: dict[str, object] = {
                "benchmark": label,
                "pages": len(subset),
                "sites": len({page.host for page in subset}),
                "dedup_kept": None,
                "dedup_removed": None,
                "baseline_kept": b.kept,
                "baseline_removed": b.removed,
            }
            if ours is not None:
                d = score(subset, ours)
                row["dedup_kept"], row["dedup_removed"] = d.kept, d.removed
                if d.missing:
                    row["dedup_missing_ids"] = len(d.missing)
                    warnings.append(
                        f"{label}: {len(d.missing)} ids missing from dedup output, scored as empty"
                    )
            rows.append(row)
    return rows, warnings


def _fmt(value: object) -> str:
    """A share with three decimals, or n/a."""
    return f"{value:.3f}" if isinstance(value, float) else "n/a"


def print_table(rows: list[dict[str, object]]) -> None:
    """Print the results as an aligned text table."""
    header = ["benchmark", "pages", "sites", "dedup kept", "dedup removed", "base kept", "base removed"]
    body = [
        [
            str(row["benchmark"]),
            str(row["pages"]),
            str(row["sites"]),
            _fmt(row["dedup_kept"]),
            _fmt(row["dedup_removed"]),
            _fmt(row["baseline_kept"]),
            _fmt(row["baseline_removed"]),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    for n, line in enumerate([header, *body]):
        cells = [line[0].ljust(widths[0])] + [
            cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print("\nkept = gold words of the page text still there; removed = non-gold words gone (micro-averaged).")
    print("base = drop every line seen on 2+ pages of the same host.")


def default_executable() -> str:
    """The `dedup` script installed next to the running Python."""
    return str(Path(sys.executable).parent / "dedup")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="the corpus-data directory, e.g. ../shared/corpus-data")
    parser.add_argument(
        "--dedup", default=None, help="path to the dedup executable (default: next to python)"
    )
    parser.add_argument("--no-dedup", action="store_true", help="only score the baseline")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--keep-temp", action="store_true", help="keep the JSONL files and print where")
    args = parser.parse_args(argv)

    if not args.data_dir.is_dir():
        missing = args.data_dir
        if args.data_dir.name == "corpus-data" and not args.data_dir.parent.is_dir():
            missing = args.data_dir.parent  # e.g. ../shared itself is absent
        print(f"{missing} not found: nothing to measure")
        return 0

    executable: str | None = None
    if not args.no_dedup:
        executable = args.dedup or default_executable()
        if not Path(executable).exists():
            print(f"warning: {executable} not found: scoring the baseline only", file=sys.stderr)
            executable = None

    workdir = Path(tempfile.mkdtemp(prefix="eval-html-bench-"))
    try:
        rows, warnings = evaluate(args.data_dir, executable, workdir)
    finally:
        if args.keep_temp:
            print(f"JSONL files kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not rows:
        print(f"{args.data_dir}: no benchmark found: nothing to measure")
        return 0
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
