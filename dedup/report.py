"""One self-contained HTML page showing what a `dedup clean` run removed, built in one pass over its output.

Only aggregates and a small deterministic sample of pages are held in memory; the page has no
scripts, fonts or links to fetch (inline CSS, CSS bars), so it opens anywhere, offline.
"""

from __future__ import annotations

import heapq
import html
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import xxhash

from dedup.audit import restore
from dedup.features import excerpt
from dedup.io import DEFAULT_FIELDS, AtomicOutput, Fields, read_pages
from dedup.leftovers import LEFTOVER_SHARE, Leftover, audited_id
from dedup.leftovers import find as find_leftovers
from dedup.model import SiteModel
from dedup.normalize import normalize
from dedup.page import Kind, Page

SAMPLE_SIZE = 20
TOP_BLOCKS = 15  # boilerplate rows per site
TOP_SITES = 50  # sites shown in the per-site sections
TOP_GROUPS = 50  # duplicate groups shown
GROUP_MEMBERS = 20  # member ids kept per duplicate group
MAX_KEYS = 20_000  # removed-span keys kept per site before the one-page ones are pruned
EXEMPLAR_CHARS = 200

# Colours of the known kinds; any other kind takes one of the spare colours.
KIND_COLOURS: dict[str, str] = {
    Kind.SITE_BOILERPLATE: "#f6bd60",
    Kind.TEMPLATE: "#f7e07a",
    Kind.WIDGET: "#8ecae6",
    Kind.READ_ALSO: "#b5e48c",
    Kind.REPEAT: "#cdb4db",
    Kind.ISLAND: "#ffafcc",
}
SPARE_COLOURS = ("#a8dadc", "#ffd6a5", "#caffbf", "#bdb2ff", "#e5e5e5")
SECTIONS = (
    ("sites", "Sites"),
    ("boilerplate", "Boilerplate learned per site"),
    ("leftovers", "Left after cleaning"),
    ("kinds", "Characters removed by kind"),
    ("histogram", "Removed share per page"),
    ("duplicates", "Duplicate groups"),
    ("samples", "Sample pages"),
)


class ReportError(Exception):
    """A file that is not a `dedup clean` output; the message says what to give instead."""


@dataclass
class _Block:
    """A removed text seen on several pages of a site: on how many, as which kinds, one exemplar."""

    pages: int
    kinds: Counter[str]
    text: str


@dataclass(frozen=True)
class SamplePage:
    """A page kept for the side-by-side view: the cleaned text and its removed spans."""

    id: str
    site: str
    text: str
    removed: tuple[dict[str, Any], ...]
    duplicate_of: str | None

    @property
    def original(self) -> str:
        """The page as it was before cleaning."""
        return restore(self.text, self.removed)


@dataclass
class ReportData:
    """What the report shows, gathered one page at a time."""

    sample_size: int = SAMPLE_SIZE
    pages: int = 0
    unaudited: int = 0
    skipped: int = 0  # records the reader could not turn into pages
    chars_in: int = 0
    removed_by_kind: Counter[str] = field(default_factory=Counter)
    spans_by_kind: Counter[str] = field(default_factory=Counter)
    site_pages: Counter[str] = field(default_factory=Counter)
    site_chars: Counter[str] = field(default_factory=Counter)
    site_removed: Counter[str] = field(default_factory=Counter)
    share_bins: list[int] = field(default_factory=lambda: [0] * 11)  # 0%, then ten 10% bins
    blocks: dict[str, dict[str, _Block]] = field(default_factory=dict)
    groups: dict[str, list[tuple[str, float | None]]] = field(default_factory=dict)  # (member, similarity)
    group_sizes: Counter[str] = field(default_factory=Counter)
    group_lowest: dict[str, float] = field(default_factory=dict)  # the least similar member's similarity
    leftovers: list[Leftover] = field(default_factory=list)  # runs left on many pages of a site
    _sample: list[tuple[int, int, SamplePage]] = field(default_factory=list)

    def add(self, item: object) -> None:
        """Account for one record of the output (a Page; anything else the reader yields is skipped)."""
        if not isinstance(item, Page):
            self.skipped += 1
            return
        audit = _audit(item.record.get("dedup"))
        removed = _spans(audit)
        if removed is None:
            self.unaudited += 1
            removed = ()
        site = item.site or ""
        chars = len(item.text) + sum(len(r["text"]) for r in removed)
        self.pages += 1
        self._count(site, chars, removed)
        self._learn_blocks(site, removed)
        fields = audit if isinstance(audit, dict) else {}
        page_id = audited_id(item)  # a record without an id is `input-file:line`, not the output's
        canonical = fields.get("duplicate_of")
        canonical = canonical if isinstance(canonical, str) else None
        if canonical is not None:
            similarity = fields.get("similarity")
            self._add_duplicate(
                canonical, page_id, similarity if isinstance(similarity, float | int) else None
            )
        self._offer(SamplePage(page_id, site, item.text, removed, canonical))

    def _count(self, site: str, chars: int, removed: Sequence[dict[str, Any]]) -> None:
        """Characters per site and kind, and the page's bin of the removed-share histogram."""
        gone = sum(len(r["text"]) for r in removed)
        self.chars_in += chars
        self.site_pages[site] += 1
        self.site_chars[site] += chars
        self.site_removed[site] += gone
        for r in removed:
            self.removed_by_kind[r["kind"]] += len(r["text"])
            self.spans_by_kind[r["kind"]] += 1
        self.share_bins[share_bin(gone / chars if chars else 0.0)] += 1

    def _learn_blocks(self, site: str, removed: Sequence[dict[str, Any]]) -> None:
        """Count on how many pages each removed text (normalized) was removed, per site."""
        blocks = self.blocks.setdefault(site, {})
        seen: set[str] = set()
        for r in removed:
            key = normalize(r["text"])
            if not key:
                continue
            block = blocks.get(key)
            if block is None:
                blocks[key] = block = _Block(0, Counter(), excerpt(r["text"], EXEMPLAR_CHARS))
            block.kinds[r["kind"]] += 1
            if key not in seen:
                seen.add(key)
                block.pages += 1
        if len(blocks) > MAX_KEYS:  # a bounded memory: texts seen once are not boilerplate
            self.blocks[site] = {k: b for k, b in blocks.items() if b.pages > 1}

    def _add_duplicate(self, canonical: str, member: str, similarity: float | None) -> None:
        """Record a page as a member of its canonical page's group, with its similarity to it."""
        self.group_sizes[canonical] += 1
        members = self.groups.setdefault(canonical, [])
        if len(members) < GROUP_MEMBERS:
            members.append((member, similarity))
        if similarity is not None:
            self.group_lowest[canonical] = min(self.group_lowest.get(canonical, 1.0), float(similarity))

    def _offer(self, page: SamplePage) -> None:
        """Keep the page if it ranks among the sample: pages that lost something first, then by id hash."""
        rank = (0 if page.removed else 1 << 64) + xxhash.xxh64_intdigest(page.id.encode())
        entry = (-rank, self.pages, page)
        if len(self._sample) < self.sample_size:
            heapq.heappush(self._sample, entry)
        elif -rank > self._sample[0][0]:
            heapq.heapreplace(self._sample, entry)

    @property
    def sample(self) -> list[SamplePage]:
        """The sample pages, by site then id."""
        return sorted((e[2] for e in self._sample), key=lambda p: (p.site, p.id))


def _audit(value: object) -> object:
    """The `dedup` object of a record; columnar outputs (Parquet) hold it as a JSON string."""
    if isinstance(value, str | bytes):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    return value


def _spans(audit: object) -> tuple[dict[str, Any], ...] | None:
    """The well-formed removed spans of a `dedup` object, or None when the record has none."""
    if not isinstance(audit, dict) or not isinstance(audit.get("removed"), list):
        return None
    spans = [
        r
        for r in audit["removed"]
        if isinstance(r, dict)
        and isinstance(r.get("start"), int)
        and isinstance(r.get("text"), str)
        and isinstance(r.get("kind"), str)
    ]
    return tuple(sorted(spans, key=lambda r: int(r["start"])))


def share_bin(share: float) -> int:
    """Histogram bin of a removed share: 0 for nothing removed, then 1..10 for (0,10%] .. (90,100%]."""
    if share <= 0:
        return 0
    return min(10, max(1, math.ceil(share * 10)))


def collect(
    paths: Iterable[Path], fields: Fields = DEFAULT_FIELDS, sample_size: int = SAMPLE_SIZE
) -> ReportData:
    """Read a cleaned output once and gather what the report shows."""
    data = ReportData(sample_size=sample_size)
    for item in read_pages(list(paths), fields):
        data.add(item)
    if data.pages and data.unaudited == data.pages:
        raise ReportError("no record has a `dedup` object: give the output of `dedup clean`, not its input")
    return data


def write_report(
    source: Path,
    report: Path,
    model: SiteModel | None = None,
    fields: Fields = DEFAULT_FIELDS,
    sample_size: int = SAMPLE_SIZE,
) -> ReportData:
    """Build the report of a cleaned output and write it atomically; returns the gathered data."""
    data = collect([source], fields, sample_size)
    data.leftovers = find_leftovers(lambda: (p for p in read_pages([source], fields) if isinstance(p, Page)))
    page = render(data, model, title=f"dedup report: {source.name}")
    with AtomicOutput(report) as out:
        out.write(page.encode("utf-8"))
    return data


# ---- rendering -------------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,"DejaVu Sans","Noto Sans","Noto Sans Arabic",sans-serif;margin:0;
 color:#1d1d1f;background:#fafafa}
header{background:#23395b;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.85}
nav{padding:8px 24px;background:#e8edf3;position:sticky;top:0;z-index:1}
nav a{margin-right:16px;color:#23395b}
main{padding:0 24px 48px;max-width:1500px}
section{margin-top:28px}
h2{border-bottom:2px solid #23395b;padding-bottom:4px}
h3{margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0}
th,td{border-bottom:1px solid #ddd;padding:3px 10px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#e3e3e3;width:220px;height:12px;border-radius:2px}
.bar span{display:block;height:12px;background:#4f6d9a;border-radius:2px}
.loud{color:#b00020;font-weight:600}
.note{color:#555}
.bt{unicode-bidi:plaintext;text-align:start;max-width:760px}
.hist{display:flex;align-items:flex-end;gap:6px;height:180px;border-bottom:1px solid #999;padding-top:18px}
.hist div{flex:1;background:#4f6d9a;position:relative;min-height:1px}
.hist div b{position:absolute;top:-17px;width:100%;text-align:center;font-size:11px;font-weight:400}
.hist-labels{display:flex;gap:6px}
.hist-labels span{flex:1;text-align:center;font-size:11px;color:#555}
.legend span{display:inline-block;margin:0 10px 4px 0;padding:0 6px;border-radius:3px}
.page{background:#fff;border:1px solid #ddd;border-radius:4px;padding:8px 14px;margin:14px 0}
.page h3{margin:4px 0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:14px}
@media (max-width:900px){.pair{grid-template-columns:1fr}}
.pair h4{margin:4px 0;color:#555;font-weight:500}
.text{white-space:pre-wrap;unicode-bidi:plaintext;text-align:start;overflow-wrap:anywhere;
 border:1px solid #eee;padding:8px;max-height:560px;overflow:auto;background:#fcfcfc}
del{text-decoration:line-through;text-decoration-color:#7a1f1f;color:#4a4a4a;border-radius:2px}
"""


def render(data: ReportData, model: SiteModel | None = None, title: str = "dedup report") -> str:
    """The whole report as one HTML document."""
    kinds = _kind_classes(data)
    nav = "".join(f'<a href="#{sid}">{name}</a>' for sid, name in SECTIONS)
    body = "".join(
        (
            _sites(data),
            _boilerplate(data, model),
            _leftovers(data),
            _kinds(data, kinds),
            _histogram(data),
            _duplicates(data),
            _samples(data, kinds),
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}{_kind_css(kinds)}</style></head>\n"
        f"<body><header><h1>{_e(title)}</h1><p>{_headline(data)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>\n"
    )


def _e(text: object) -> str:
    """Text escaped for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def _pct(part: float, whole: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{part / whole:.1%}" if whole else "0.0%"


def _bar(part: float, whole: float) -> str:
    """A horizontal CSS bar for a share."""
    width = 100 * part / whole if whole else 0
    return f'<div class="bar"><span style="width:{width:.1f}%"></span></div>'


def _section(sid: str, inner: str) -> str:
    """A section with its heading, by id."""
    name = dict(SECTIONS)[sid]
    return f'<section id="{sid}"><h2>{name}</h2>{inner}</section>'


def _headline(data: ReportData) -> str:
    """The one-line summary under the title."""
    removed = sum(data.removed_by_kind.values())
    parts = [
        f"{data.pages:,} pages",
        f"{len(data.site_pages):,} sites",
        f"{removed:,} of {data.chars_in:,} characters removed ({_pct(removed, data.chars_in)})",
        f"{sum(data.group_sizes.values()):,} duplicates in {len(data.group_sizes):,} groups",
    ]
    if data.skipped:
        parts.append(f"{data.skipped:,} unreadable records skipped")
    if data.unaudited:
        parts.append(f"{data.unaudited:,} records without a dedup object")
    return _e(" · ".join(parts))


def _dir(text: str) -> str:
    """The base direction of a text by its letters: rtl when Arabic-script letters outnumber the others."""
    rtl = other = 0
    for ch in text[:4000]:
        if "\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc":
            rtl += 1
        elif ch.isalpha():
            other += 1
    return "auto" if rtl == other == 0 else "rtl" if rtl > other else "ltr"


def _site_order(data: ReportData) -> list[str]:
    """Sites by page count, the largest first, up to TOP_SITES."""
    return sorted(data.site_pages, key=lambda s: (-data.site_pages[s], s))[:TOP_SITES]


def _more(shown: int, total: int, what: str) -> str:
    """A note on rows left out, if any."""
    return f'<p class="note">…and {total - shown:,} more {what}.</p>' if total > shown else ""


def _sites(data: ReportData) -> str:
    """Per site: pages, characters, removed characters and share (a share over 60% is flagged)."""
    rows = []
    for site in _site_order(data):
        chars, gone = data.site_chars[site], data.site_removed[site]
        loud = ' class="loud"' if chars and gone / chars > 0.6 else ""
        rows.append(
            f"<tr><td>{_e(site or '(no site)')}</td><td class=n>{data.site_pages[site]:,}</td>"
            f"<td class=n>{chars:,}</td><td class=n>{gone:,}</td>"
            f"<td class=n{loud}>{_pct(gone, chars)}</td><td>{_bar(gone, chars)}</td></tr>"
        )
    head = (
        "<tr><th>site</th><th class=n>pages</th><th class=n>characters</th>"
        "<th class=n>removed</th><th class=n>share</th><th></th></tr>"
    )
    more = _more(len(rows), len(data.site_pages), "sites")
    return _section("sites", f"<table>{head}{''.join(rows)}</table>{more}")


def _boilerplate(data: ReportData, model: SiteModel | None) -> str:
    """Per site of the output, the boilerplate learned: from the model when it knows the site, else
    from the removed spans."""
    known = model.sites if model is not None else {}
    spans = "texts removed from two or more pages of a site, grouped by normalized text."
    note = (
        f"From the removed spans: {spans}"
        if not known
        else "From the site model: lines as a page shows them, learned as a block (the whole line) "
        "or a label (its start, before a slot), with their page counts; for a site the model does "
        f"not know, {spans}"
    )
    tables = [
        t
        for site in _site_order(data)
        if (
            t := _model_table(site, model) if model is not None and site in known else _span_table(site, data)
        )
    ]
    if not tables:
        tables = ['<p class="note">Nothing was removed from more than one page of a site.</p>']
    more = _more(min(len(data.site_pages), TOP_SITES), len(data.site_pages), "sites")
    return _section("boilerplate", f'<p class="note">{_e(note)}</p>{"".join(tables)}{more}')


def _leftovers(data: ReportData) -> str:
    """Per site, the word runs still on a large share of its cleaned pages, with an example page."""
    note = (
        f"Runs of 3+ words (numbers and dates as one slot) still present after cleaning on "
        f"{LEFTOVER_SHARE:.0%} or more of a site's pages: furniture missed, or the site's house style."
    )
    by_site: dict[str, list[Leftover]] = {}
    for item in data.leftovers:
        by_site.setdefault(item.site, []).append(item)
    tables = []
    for site in sorted(by_site, key=lambda s: (-data.site_pages[s], s))[:TOP_SITES]:
        items = by_site[site]
        body = "".join(
            f'<tr><td class="bt" dir="{_dir(i.text)}">{_e(i.text)}</td><td>{_e(i.example)}</td>'
            f"<td class=n>{i.pages:,}</td><td class=n>{_pct(i.pages, i.site_pages)}</td></tr>"
            for i in items[:TOP_BLOCKS]
        )
        head = (
            "<tr><th>words left</th><th>example page</th><th class=n>pages</th><th class=n>of site</th></tr>"
        )
        tables.append(
            f"<h3>{_e(site or '(no site)')} <small class=note>{items[0].site_pages:,} pages</small></h3>"
            f"<table>{head}{body}</table>{_more(min(len(items), TOP_BLOCKS), len(items), 'runs')}"
        )
    if not tables:
        tables = ['<p class="note">Nothing is left on that many pages of any site.</p>']
    return _section("leftovers", f'<p class="note">{_e(note)}</p>{"".join(tables)}')


def _model_table(name: str, model: SiteModel) -> str:
    """One site's learned lines, most frequent first."""
    rows = model.learned(name)
    shown = [(excerpt(r.text, EXEMPLAR_CHARS), ", ".join(r.kinds), r.pages) for r in rows[:TOP_BLOCKS]]
    return _block_table(name, model.sites[name].pages, shown, len(rows))


def _span_table(site: str, data: ReportData) -> str:
    """One site's texts removed from two or more of its pages, most frequent first."""
    blocks = [b for b in data.blocks.get(site, {}).values() if b.pages > 1]
    top = sorted(blocks, key=lambda b: (-b.pages, b.text))[:TOP_BLOCKS]
    rows = [(b.text, b.kinds.most_common(1)[0][0], b.pages) for b in top]
    return _block_table(site, data.site_pages[site], rows, len(blocks)) if rows else ""


def _block_table(site: str, pages: int, rows: Sequence[tuple[str, str, int]], total: int) -> str:
    """A table of boilerplate texts of one site: text, kind, pages."""
    body = "".join(
        f'<tr><td class="bt" dir="{_dir(text)}">{_e(text)}</td><td>{_e(kind)}</td>'
        f"<td class=n>{count:,}</td><td class=n>{_pct(count, pages)}</td></tr>"
        for text, kind, count in rows
    )
    head = "<tr><th>text</th><th>kind</th><th class=n>pages</th><th class=n>of site</th></tr>"
    return (
        f"<h3>{_e(site or '(no site)')} <small class=note>{pages:,} pages</small></h3>"
        f"<table>{head}{body}</table>{_more(len(rows), total, 'texts')}"
    )


def _kind_classes(data: ReportData) -> dict[str, str]:
    """A CSS class for every kind seen, known kinds first."""
    known = [k for k in KIND_COLOURS if k in data.spans_by_kind]
    other = sorted(k for k in data.spans_by_kind if k not in KIND_COLOURS)
    return {k: f"k{i}" for i, k in enumerate(known + other)}


def _kind_css(classes: dict[str, str]) -> str:
    """The background colour of every kind's class."""
    spare = iter(SPARE_COLOURS * (len(classes) // len(SPARE_COLOURS) + 1))
    return "".join(f".{c}{{background:{KIND_COLOURS.get(k) or next(spare)}}}" for k, c in classes.items())


def _legend(classes: dict[str, str]) -> str:
    """The kinds and their colours."""
    items = "".join(f'<span class="{c}">{_e(k)}</span>' for k, c in classes.items())
    return f'<p class="legend">{items or "nothing removed"}</p>'


def _kinds(data: ReportData, classes: dict[str, str]) -> str:
    """Characters and spans removed, by kind, with a bar of each kind's share of all removed."""
    removed = sum(data.removed_by_kind.values())
    rows = "".join(
        f'<tr><td><span class="{classes[k]}">&nbsp;&nbsp;</span> {_e(k)}</td><td class=n>{chars:,}</td>'
        f"<td class=n>{data.spans_by_kind[k]:,}</td><td class=n>{_pct(chars, data.chars_in)}</td>"
        f"<td>{_bar(chars, removed)}</td></tr>"
        for k, chars in data.removed_by_kind.most_common()
    )
    head = (
        "<tr><th>kind</th><th class=n>characters</th><th class=n>spans</th>"
        "<th class=n>of all text</th><th>of removed</th></tr>"
    )
    total = (
        f"<tr><th>all</th><th class=n>{removed:,}</th><th class=n>{sum(data.spans_by_kind.values()):,}</th>"
        f"<th class=n>{_pct(removed, data.chars_in)}</th><th></th></tr>"
    )
    return _section("kinds", f"<table>{head}{rows}{total}</table>")


def _histogram(data: ReportData) -> str:
    """Pages by the share of their text removed: nothing, then ten bins of 10%."""
    peak = max(data.share_bins) or 1
    bars = "".join(
        f'<div style="height:{100 * n / peak:.1f}%" title="{n:,} pages"><b>{n:,}</b></div>'
        for n in data.share_bins
    )
    labels = "".join(
        f"<span>{label}</span>" for label in ["0%"] + [f"{10 * i}–{10 * i + 10}%" for i in range(10)]
    )
    note = '<p class="note">Pages by the share of their characters removed.</p>'
    return _section(
        "histogram", f'{note}<div class="hist">{bars}</div><div class="hist-labels">{labels}</div>'
    )


def _duplicates(data: ReportData) -> str:
    """The duplicate groups, largest first: canonical page, then its members with their similarity
    to it, and the lowest similarity in the group."""
    order = sorted(data.group_sizes, key=lambda c: (-data.group_sizes[c], c))[:TOP_GROUPS]
    rows = "".join(
        f"<tr><td>{_e(c)}</td><td>→</td><td>{_e(', '.join(_member(m, s) for m, s in data.groups[c]))}"
        f"{' …' if data.group_sizes[c] > len(data.groups[c]) else ''}</td>"
        f"<td class=n>{data.group_sizes[c]:,}</td>"
        f"<td class=n>{_similarity(data.group_lowest.get(c))}</td></tr>"
        for c in order
    )
    if not rows:
        return _section("duplicates", '<p class="note">No near-duplicate pages.</p>')
    head = (
        "<tr><th>canonical</th><th></th><th>duplicates (similarity to the canonical)</th>"
        "<th class=n>count</th><th class=n>lowest similarity</th></tr>"
    )
    more = _more(len(order), len(data.group_sizes), "groups")
    return _section("duplicates", f"<table>{head}{rows}</table>{more}")


def _member(member: str, similarity: float | None) -> str:
    """A member of a group, with its similarity to the canonical page when the output gives it."""
    return member if similarity is None else f"{member} ({similarity:.2f})"


def _similarity(value: float | None) -> str:
    """A similarity for a table cell, or a dash."""
    return "–" if value is None else f"{value:.2f}"


def _samples(data: ReportData, classes: dict[str, str]) -> str:
    """The sample pages side by side: the original with removed spans struck through, and the cleaned text."""
    note = (
        f'<p class="note">{len(data.sample)} pages (those that lost something first, chosen by a hash of '
        "their id). Removed spans are struck through and coloured by kind; hover one for its evidence.</p>"
    )
    pages = "".join(_sample_page(p, classes) for p in data.sample)
    return _section("samples", note + _legend(classes) + pages)


def _sample_page(page: SamplePage, classes: dict[str, str]) -> str:
    """One sample page: a heading with what it lost, then the original and the cleaned text."""
    original = page.original
    gone = sum(len(r["text"]) for r in page.removed)
    dup = f" · duplicate of {_e(page.duplicate_of)}" if page.duplicate_of else ""
    direction = _dir(original)
    return (
        f'<article class="page" data-id="{_e(page.id)}" data-removed="{len(page.removed)}">'
        f"<h3>{_e(page.id)} <small class=note>{_e(page.site or '(no site)')}</small></h3>"
        f'<p class="note">{len(page.removed)} removed spans, {gone:,} of {len(original):,} characters '
        f"({_pct(gone, len(original))}){dup}</p>"
        f'<div class="pair"><div><h4>original</h4><div class="text original" dir="{direction}">'
        f"{_marked(original, page.removed, classes)}</div></div>"
        f'<div><h4>cleaned</h4><div class="text cleaned" dir="{direction}">{_e(page.text)}</div></div>'
        "</div></article>"
    )


def _marked(original: str, removed: Sequence[dict[str, Any]], classes: dict[str, str]) -> str:
    """The original text, escaped, with every removed span in a <del> of its kind's colour."""
    parts, pos = [], 0
    for r in removed:
        start = int(r["start"])
        end = start + len(r["text"])
        tip = f"{r['kind']}: {json.dumps(r.get('evidence') or {}, ensure_ascii=False)[:300]}"
        parts.append(_e(original[pos:start]))
        parts.append(
            f'<del class="{classes.get(r["kind"], "")}" data-kind="{_e(r["kind"])}" title="{_e(tip)}">'
            f"{_e(original[start:end])}</del>"
        )
        pos = end
    parts.append(_e(original[pos:]))
    return "".join(parts)
