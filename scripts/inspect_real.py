#!/usr/bin/env python3
"""What `dedup clean` removes from real scraped Arabic news pages, site by site.

Usage: python scripts/inspect_real.py CORPUS_DATA_DIR [--out DIR] [--dedup EXE] [--json FILE]

Reads three folders of CORPUS_DATA_DIR at run time (nothing is copied into the project):

- ar-russell219-scraped-news: kb_articles_v2.csv (RT, DW, BBC, Al-Masry, Wikipedia; `link` is a
  full URL) and saheeh_masr_claims.csv (saheeh.news; text = claim + description, BOM in the header);
- ar-nahla-factcheck-scrapes: Aljazeera (site-relative `Link`), MISBAR (the file holds two tables:
  after row 723 a second header `Category,Classification,Label,URL,Content,Correction` starts, so
  in those rows the URL sits under `Date`, the claim under `URL` and the verification under
  `Content`) and FATABAYYANO (653 rows have an empty `Content`; they are left out);
- ar-saudinewsnet: two zipped JSON arrays (one per day), `content` with `\\n` between paragraphs.

Each folder becomes one JSONL of {"id", "url", "text", "source"}, cleaned by one `dedup clean` run
(so a site learns only from its own pages), and the report gives per site: pages, share of
characters removed, duplicates, removed characters by kind, the most frequent removed spans, and
specific PASS/FAIL checks on boilerplate the SOURCE.md files document.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_WS_RE = re.compile(r"\s+")
_HOST_PREFIXES = ("www.", "m.", "amp.")
_MISBAR_PLACEHOLDER = "Content or Correction not available"
_LEAD_CHARS = 80
_EXAMPLE_CHARS = 300
_TOP_SPANS = 8

RT = "arabic.rt.com"
MASRY = "almasryalyoum.com"
JAZEERA = "aljazeera.net"
MISBAR = "misbar.com"
WIKI = "ar.wikipedia.org"
FATABYYANO = "fatabyyano.net"

RT_HEADER = "خبر نبض الملاعب"
RT_FOOTER = "Facebook X VK.com Telegram"
MASRY_BAR = "طباعة ارسل لصديق"
JAZEERA_DISCLAIMER = "الآراء الواردة في هذا المقال هي آراء الكاتب"
MISBAR_READ_ALSO = "اقرأ/ي أيضًا"
MISBAR_OPENER = "تتداول حسابات وصفحات على مواقع التواصل الاجتماعي"


# ----------------------------------------------------------------------------- records


@dataclass
class Record:
    """One page as written to the JSONL given to `dedup clean`."""

    id: str
    url: str
    text: str
    source: str

    def as_json(self) -> dict[str, str]:
        """The JSONL form."""
        return {"id": self.id, "url": self.url, "text": self.text, "source": self.source}


@dataclass
class Cleaned:
    """A page after cleaning: the raw text, the cleaned text and the audit."""

    record: Record
    site: str
    text: str
    removed: list[dict[str, Any]]
    duplicate_of: str | None


def norm(text: str) -> str:
    """Whitespace collapsed to single spaces, stripped."""
    return _WS_RE.sub(" ", text).strip()


def site_of(url: str) -> str:
    """The host of a URL, lowercased, without `www.`/`m.`/`amp.` (as dedup names sites)."""
    host = (urlsplit(url).hostname or "").lower()
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def page_url(link: str, site: str, page_id: str) -> str:
    """The row's link if it is a full URL, the site plus a relative link, else https://<site>/<id>."""
    link = link.strip()
    if link.startswith(("http://", "https://")):
        return link
    if link.startswith("/"):
        return f"https://{site}{link}"
    return f"https://{site}/{page_id}"


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV as dicts (a UTF-8 BOM on the header is dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def join_text(*parts: str) -> str:
    """The non-empty parts, one paragraph each."""
    return "\n".join(p.strip() for p in parts if p and p.strip())


# ----------------------------------------------------------------------------- loaders


def load_russell(folder: Path) -> list[Record]:
    """kb_articles_v2.csv and saheeh_masr_claims.csv."""
    name = folder.name
    records: list[Record] = []
    for i, row in enumerate(read_csv(folder / "kb_articles_v2.csv")):
        page_id = f"kb:{i}"
        url = page_url(row["link"], "unknown.kb", page_id)
        records.append(Record(page_id, url, row["full_text"], name))
    for row in read_csv(folder / "saheeh_masr_claims.csv"):
        page_id = f"saheeh:{row['node_id']}"
        url = page_url(row["url"], "saheeh.news", row["node_id"])
        records.append(Record(page_id, url, join_text(row["claim"], row["description"]), name))
    return records


def misbar_row(row: dict[str, str]) -> tuple[str, str]:
    """(url, text) of a MISBAR row of either table layout."""
    if row["URL"].startswith("http"):
        return row["URL"], row["Content"]
    claim = "" if row["URL"].strip() == _MISBAR_PLACEHOLDER else row["URL"]
    return row["Date"], join_text(claim, row["Content"])


def load_nahla(folder: Path) -> list[Record]:
    """The Aljazeera, MISBAR and FATABAYYANO CSVs (empty texts and repeated headers left out)."""
    name = folder.name
    records: list[Record] = []
    for i, row in enumerate(read_csv(folder / "Aljazeera" / "aljazeera_articles .csv")):
        page_id = f"aljazeera:{i}"
        records.append(
            Record(page_id, page_url(row["Link"], "www.aljazeera.net", page_id), row["Text"], name)
        )
    for i, row in enumerate(read_csv(folder / "MISBAR" / "MISBAR_FACTCHECK_COLLECTED.csv")):
        url, text = misbar_row(row)
        if url.startswith("http") and text.strip():
            records.append(Record(f"misbar:{i}", url, text, name))
    for i, row in enumerate(read_csv(folder / "FATABAYYANO" / "FATABAYYANO_articles_RAW_data.csv")):
        page_id = f"fatabyyano:{i}"
        if row["Content"].strip():
            records.append(Record(page_id, page_url(row["URL"], FATABYYANO, page_id), row["Content"], name))
    return records


def load_saudinewsnet(folder: Path) -> list[Record]:
    """Every zipped JSON array under dataset/."""
    records: list[Record] = []
    for zpath in sorted((folder / "dataset").glob("*.zip")):
        with zipfile.ZipFile(zpath) as zf:
            for member in zf.namelist():
                for i, item in enumerate(json.loads(zf.read(member))):
                    page_id = f"{zpath.stem}:{i}"
                    url = page_url(item.get("url") or "", f"{item.get('source', 'unknown')}.sa", page_id)
                    records.append(Record(page_id, url, item.get("content") or "", folder.name))
    return [r for r in records if r.text.strip()]


LOADERS: dict[str, Callable[[Path], list[Record]]] = {
    "ar-russell219-scraped-news": load_russell,
    "ar-nahla-factcheck-scrapes": load_nahla,
    "ar-saudinewsnet": load_saudinewsnet,
}


# ----------------------------------------------------------------------------- cleaning


def write_jsonl(path: Path, records: Iterable[Record]) -> None:
    """One JSON object a line."""
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record.as_json(), ensure_ascii=False) + "\n")


def run_dedup(exe: str, src: Path, dst: Path) -> None:
    """`dedup clean SRC -o DST`; stop with its stderr if it fails."""
    proc = subprocess.run([exe, "clean", str(src), "-o", str(dst)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"dedup clean {src} failed ({proc.returncode}):\n{proc.stderr}")


def read_cleaned(path: Path, records: list[Record]) -> list[Cleaned]:
    """The cleaned output joined to the input records by id."""
    by_id = {r.id: r for r in records}
    pages: list[Cleaned] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            out = json.loads(line)
            audit = out.get("dedup") or {}
            record = by_id[str(out["id"])]
            pages.append(
                Cleaned(
                    record,
                    site_of(record.url),
                    out["text"],
                    audit.get("removed") or [],
                    audit.get("duplicate_of"),
                )
            )
    return pages


def clean_folder(folder: Path, out_dir: Path, exe: str) -> list[Cleaned]:
    """Load, write, clean and read back one corpus folder."""
    records = LOADERS[folder.name](folder)
    src = out_dir / f"{folder.name}.jsonl"
    dst = out_dir / f"{folder.name}.cleaned.jsonl"
    write_jsonl(src, records)
    run_dedup(exe, src, dst)
    return read_cleaned(dst, records)


# ----------------------------------------------------------------------------- figures


@dataclass
class SiteFigures:
    """What one site's pages lost."""

    site: str
    pages: int = 0
    chars: int = 0
    removed_chars: int = 0
    duplicates: int = 0
    duplicate_groups: int = 0
    cross_site_duplicates: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    top_spans: list[tuple[str, int]] = field(default_factory=list)
    examples: list[dict[str, str]] = field(default_factory=list)

    @property
    def removed_share(self) -> float:
        """Removed characters over raw characters."""
        return self.removed_chars / self.chars if self.chars else 0.0


def find_root(parent: dict[str, str], node: str) -> str:
    """Union-find root, following duplicate_of links."""
    seen: set[str] = set()
    while node in parent and node not in seen:
        seen.add(node)
        node = parent[node]
    return node


def duplicate_roots(pages: list[Cleaned]) -> dict[str, str]:
    """Id -> cluster root for every page that is a duplicate or has duplicates."""
    parent = {p.record.id: p.duplicate_of for p in pages if p.duplicate_of}
    members = set(parent) | set(parent.values())
    return {pid: find_root(parent, pid) for pid in members}


def span_chars(page: Cleaned) -> int:
    """Characters the audit says were removed."""
    return sum(int(r["end"]) - int(r["start"]) for r in page.removed)


def example(page: Cleaned) -> dict[str, str]:
    """Head and tail of a cleaned page."""
    return {"id": page.record.id, "head": page.text[:_EXAMPLE_CHARS], "tail": page.text[-_EXAMPLE_CHARS:]}


def site_figures(
    site: str, pages: list[Cleaned], roots: dict[str, str], site_by_id: dict[str, str]
) -> SiteFigures:
    """Counts over one site's pages; a duplicate group is the cluster root of a marked page."""
    fig = SiteFigures(site, pages=len(pages))
    kinds: Counter[str] = Counter()
    spans: Counter[str] = Counter()
    for page in pages:
        fig.chars += len(page.record.text)
        fig.removed_chars += span_chars(page)
        fig.duplicates += page.duplicate_of is not None
        for r in page.removed:
            kinds[str(r.get("kind"))] += int(r["end"]) - int(r["start"])
        spans.update({norm(str(r.get("text", "")))[:100] for r in page.removed})
    marked = [p for p in pages if p.duplicate_of is not None]
    fig.duplicate_groups = len({roots[p.record.id] for p in marked})
    fig.cross_site_duplicates = sum(site_by_id.get(str(p.duplicate_of)) != site for p in marked)
    fig.by_kind = dict(kinds.most_common())
    fig.top_spans = spans.most_common(_TOP_SPANS)
    fig.examples = [example(pages[i]) for i in sorted({0, len(pages) // 2})]
    return fig


# ----------------------------------------------------------------------------- checks


@dataclass
class Check:
    """One PASS/FAIL line: `hit` of `total` pages, passing at `need` or more (or at most, if `at_most`)."""

    name: str
    hit: int
    total: int
    need: int
    at_most: bool = False
    note: str = ""

    @property
    def passed(self) -> bool:
        """Whether the figure is on the right side of the bar."""
        return self.hit <= self.need if self.at_most else self.hit >= self.need

    def line(self) -> str:
        """Human-readable line."""
        bar = f"<= {self.need}" if self.at_most else f">= {self.need}"
        verdict = "PASS" if self.passed else "FAIL"
        note = f"  ({self.note})" if self.note else ""
        return f"  [{verdict}] {self.name}: {self.hit}/{self.total} (need {bar}){note}"


def most(total: int, share: float = 0.9) -> int:
    """The bar for `share` of `total`, rounded up."""
    return math.ceil(total * share)


def phrase_removed(name: str, pages: list[Cleaned], phrase: str) -> Check:
    """Pages whose raw text has `phrase` and whose cleaned text no longer does."""
    having = [p for p in pages if phrase in norm(p.record.text)]
    gone = sum(phrase not in norm(p.text) for p in having)
    return Check(f"{name} removed", gone, len(having), most(len(having)))


def phrase_kept(name: str, pages: list[Cleaned], phrase: str) -> Check:
    """Pages whose raw text has `phrase` and whose cleaned text still has it."""
    having = [p for p in pages if phrase in norm(p.record.text)]
    kept = sum(phrase in norm(p.text) for p in having)
    return Check(f"{name} KEPT", kept, len(having), most(len(having), 0.95))


def repeated_lead(text: str) -> str | None:
    """The first 80 characters of a paragraph (the page's first included) that occur again later."""
    offset = 0
    for para in text.split("\n"):
        lead = para[:_LEAD_CHARS]
        if len(lead) == _LEAD_CHARS and text.find(lead, offset + _LEAD_CHARS) >= 0:
            return lead
        offset += len(para) + 1
    return None


def misbar_lead_check(pages: list[Cleaned]) -> Check:
    """Pages with a repeated lead where the cleaned text has exactly one copy left."""
    leads = [(p, lead) for p in pages if (lead := repeated_lead(p.record.text))]
    counts = [p.text.count(lead) for p, lead in leads]
    note = f"both copies gone on {counts.count(0)}, still repeated on {sum(c > 1 for c in counts)}"
    return Check(
        "MISBAR repeated lead: second copy gone", counts.count(1), len(leads), most(len(leads)), note=note
    )


def wiki_check(pages: list[Cleaned]) -> Check:
    """Control group: pages that lost more than 2% of their characters."""
    lossy = sum(span_chars(p) > 0.02 * len(p.record.text) for p in pages)
    return Check(
        "Wikipedia pages losing > 2% of characters", lossy, len(pages), max(1, len(pages) // 50), True
    )


def fatabyyano_checks(pages: list[Cleaned], roots: dict[str, str]) -> list[Check]:
    """Rows with identical content: are they marked, and merged into one group each?"""
    groups: defaultdict[str, list[Cleaned]] = defaultdict(list)
    for page in pages:
        groups[norm(page.record.text)].append(page)
    repeated = [g for g in groups.values() if len(g) > 1]
    rows = [p for g in repeated for p in g]
    in_cluster = sum(p.record.id in roots for p in rows)
    marked = sum(p.duplicate_of is not None for p in rows)
    merged = sum(len({roots.get(p.record.id, p.record.id) for p in g}) == 1 for g in repeated)
    clusters = len({roots[p.record.id] for p in rows if p.record.id in roots})
    note = f"{marked} marked duplicate_of, expected {len(rows) - len(repeated)}; {clusters} dedup groups"
    return [
        Check("fatabyyano identical-content rows grouped", in_cluster, len(rows), most(len(rows)), note=note),
        Check("fatabyyano identical-content groups merged whole", merged, len(repeated), most(len(repeated))),
    ]


def run_checks(by_site: dict[str, list[Cleaned]], roots: dict[str, str]) -> dict[str, list[Check]]:
    """The checks per site, for the sites present."""
    checks: dict[str, list[Check]] = {}
    if pages := by_site.get(RT):
        checks[RT] = [
            phrase_removed("RT header run", pages, RT_HEADER),
            phrase_removed("RT footer", pages, RT_FOOTER),
        ]
    if pages := by_site.get(MASRY):
        checks[MASRY] = [phrase_removed("Al-Masry print/send bar", pages, MASRY_BAR)]
    if pages := by_site.get(JAZEERA):
        checks[JAZEERA] = [phrase_removed("Al Jazeera opinion disclaimer", pages, JAZEERA_DISCLAIMER)]
    if pages := by_site.get(MISBAR):
        checks[MISBAR] = [
            misbar_lead_check(pages),
            phrase_removed("MISBAR read-also cards", pages, MISBAR_READ_ALSO),
            phrase_kept("MISBAR house opener", pages, MISBAR_OPENER),
        ]
    if pages := by_site.get(WIKI):
        checks[WIKI] = [wiki_check(pages)]
    if pages := by_site.get(FATABYYANO):
        checks[FATABYYANO] = fatabyyano_checks(pages, roots)
    return checks


# ----------------------------------------------------------------------------- report


def print_site(fig: SiteFigures, checks: list[Check]) -> None:
    """The report block of one site."""
    print(f"\n=== {fig.site}")
    print(
        f"  pages {fig.pages}, chars removed {fig.removed_chars}/{fig.chars} ({fig.removed_share:.1%}), "
        f"duplicates marked {fig.duplicates} in {fig.duplicate_groups} groups "
        f"({fig.cross_site_duplicates} of them point to another site)"
    )
    kinds = ", ".join(f"{k} {v}" for k, v in fig.by_kind.items()) or "-"
    print(f"  removed chars by kind: {kinds}")
    if fig.top_spans:
        print("  most frequent removed spans (pages):")
    for text, n in fig.top_spans:
        print(f"    {n:5d}  {text}")
    if checks:
        print("  checks:")
    for check in checks:
        print(check.line())
    for ex in fig.examples:
        print(f"  example {ex['id']}:")
        print(f"    HEAD: {norm(ex['head'])}")
        print(f"    TAIL: {norm(ex['tail'])}")


def figures_json(figs: list[SiteFigures], checks: dict[str, list[Check]], notes: list[str]) -> dict[str, Any]:
    """Everything, JSON-ready."""
    sites = {}
    for fig in figs:
        sites[fig.site] = {
            "pages": fig.pages,
            "chars": fig.chars,
            "removed_chars": fig.removed_chars,
            "removed_share": round(fig.removed_share, 4),
            "duplicates": fig.duplicates,
            "duplicate_groups": fig.duplicate_groups,
            "cross_site_duplicates": fig.cross_site_duplicates,
            "removed_by_kind": fig.by_kind,
            "top_removed_spans": [{"text": t, "pages": n} for t, n in fig.top_spans],
            "checks": [dict(vars(c), passed=c.passed) for c in checks.get(fig.site, [])],
        }
    return {"sites": sites, "notes": notes}


def default_dedup() -> str:
    """The venv's `dedup` next to this interpreter, else the one on PATH."""
    sibling = Path(sys.executable).with_name("dedup")
    return str(sibling) if sibling.exists() else (shutil.which("dedup") or "dedup")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("data_dir", type=Path, help="CORPUS_DATA_DIR, e.g. /work/shared/corpus-data")
    ap.add_argument("--out", type=Path, help="folder for the JSONL in and out (default: a temp dir)")
    ap.add_argument("--dedup", default=default_dedup(), help="the dedup executable")
    ap.add_argument("--json", type=Path, dest="json_out", help="also write the figures as JSON here")
    return ap.parse_args(argv)


def clean_all(data_dir: Path, out_dir: Path, exe: str, notes: list[str]) -> list[Cleaned]:
    """Every corpus folder that exists, cleaned one run each."""
    pages: list[Cleaned] = []
    for name in LOADERS:
        folder = data_dir / name
        if not folder.is_dir():
            notes.append(f"{folder} is missing: skipped")
            continue
        cleaned = clean_folder(folder, out_dir, exe)
        notes.append(f"{name}: {len(cleaned)} pages cleaned ({out_dir / name}.cleaned.jsonl)")
        pages.extend(cleaned)
    return pages


def report(pages: list[Cleaned], notes: list[str], json_out: Path | None) -> None:
    """Print the per-site report, and write the JSON if asked."""
    roots = duplicate_roots(pages)
    by_site: defaultdict[str, list[Cleaned]] = defaultdict(list)
    for page in pages:
        by_site[page.site].append(page)
    checks = run_checks(by_site, roots)
    site_by_id = {p.record.id: p.site for p in pages}
    order = sorted(by_site, key=lambda s: -len(by_site[s]))
    figs = [site_figures(site, by_site[site], roots, site_by_id) for site in order]
    for note in notes:
        print(note)
    for fig in figs:
        print_site(fig, checks.get(fig.site, []))
    all_checks = [c for cs in checks.values() for c in cs]
    print(f"\nchecks passed: {sum(c.passed for c in all_checks)}/{len(all_checks)}")
    if json_out:
        json_out.write_text(json.dumps(figures_json(figs, checks, notes), ensure_ascii=False, indent=2))
        print(f"figures written to {json_out}")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"corpus data dir {args.data_dir} not found: nothing to inspect")
        return 0
    csv.field_size_limit(sys.maxsize)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="inspect_real_") as tmp:
        out_dir = args.out or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        pages = clean_all(args.data_dir, out_dir, args.dedup, notes)
        if not pages:
            print("\n".join(notes) + "\nno corpus folder found: nothing to inspect")
            return 0
        report(pages, notes, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
