"""Learning, written once for every local run (the library's `Cleaner.learn`, a batch run on any
number of workers, `dedup learn`): each page's features, the copies among the pages (a copy counts
once), the originals' counts added to the site model, each site's variants merged."""

from __future__ import annotations

import marshal
import multiprocessing
import os
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, NamedTuple

import numpy as np

from dedup.config import Config, DesignPeriods
from dedup.duplicates import DuplicateFinder, PagePrint
from dedup.features import PageCounts, PageRecord, learning_pages
from dedup.hashcount import HashCounts
from dedup.io.writers import FILE_BUFFER
from dedup.model import SiteModel, SiteStats, variant_candidates
from dedup.page import Page, Unparsed, utf8_size
from dedup.periods import MonthDesigns, base_site, by_period, key_hashes, month_of, period_of
from dedup.workers import Workers, by_size, candidates, chunks


def learn(
    model: SiteModel,
    config: Config,
    pages: Iterable[Page | Unparsed],
    workers: int = 1,
    compact: bool = False,
    tick: Callable[[int], None] | None = None,
) -> int:
    """Learn the model from the pages; returns the pages counted (copies and exact repeats are not).

    One pass over the pages (a record that does not parse into one is left out), the per-page
    work on `workers` processes: each page's print (to find the copies, which count once) and its
    counts, kept in a temporary file until the copies are known; then, site by site on the
    workers, the counts of every page but the copies are added to the model and the site's
    variants merged. Which copy counts does not depend on the input order.

    `compact`, for a model that only cleans these inputs (never saved to learn more later): the
    shapes seen on one page, most of a model (an article's own sentences), are kept only where
    they join a variant cluster. Alone they can never count, so the cleaning is the same.

    `tick` is called with each page's size in UTF-8 bytes, in input order, as its work is done."""
    with tempfile.TemporaryFile("w+b", FILE_BUFFER, prefix="dedup-counts-") as file:
        spool = _prints_and_counts(config, pages, workers, file, tick)
        file.flush()  # the counting tasks read it by its descriptor
        before = dict(model.sites)
        learned: dict[str, list[str]] = {}  # site -> the names it was learned under before
        for name in before:
            learned.setdefault(base_site(name), []).append(name)
        compact = compact and _can_compact(model)
        state = _Counting(model, spool, config.periods, learned, compact, model.lsh_bands())
        sites = sorted(spool.sites.keys() | learned.keys(), key=lambda s: (-len(spool.sites.get(s, ())), s))
        tasks = by_size(sites, lambda s: len(spool.sites.get(s, ())), workers)
        # The tasks read the spool and the model where the parent holds them: forked, not copied.
        forked = workers if "fork" in multiprocessing.get_all_start_methods() else 1
        with Workers(forked, state) as pool:
            done = list(pool.map(_count_sites, tasks))
    # The sites in the order a count in input order adds them: those learned before, then the
    # new ones by their first page.
    returned = {name: stats for rows, _ in done for _, name, stats in rows}
    new = sorted((first, name) for rows, _ in done for first, name, _ in rows if name not in before)
    model.sites = {name: returned.get(name, stats) for name, stats in before.items()}
    model.sites.update((name, returned[name]) for _, name in new)
    return sum(counted for _, counted in done)


class _Keys(NamedTuple):
    """What a site's passes before counting read of a page's spooled counts, ahead of them: its
    site, its exact hash and its design keys (`PageRecord.design_keys`: its shapes' first). A
    named tuple: a site's pages are read two or three times."""

    site: str
    page_hash: int
    shape_count: int
    design_bytes: bytes

    def design(self) -> np.ndarray:
        return np.frombuffer(self.design_bytes, np.uint64)

    def shapes(self) -> np.ndarray:
        return self.design()[: self.shape_count]


def _spooled(record: PageRecord) -> tuple[bytes, bytes]:
    """A page's spool record: its `_Keys`, then its counts (`PageRecord.dumps`); each is read
    alone (`_Spool`)."""
    design, shapes = record.design_keys()
    return marshal.dumps((record.site, record.page_hash, shapes, design)), record.dumps()


@dataclass
class _Spool:
    """The pages' spool records in a file: where each starts (by input position, and where the
    last ends) and where its counts start after its keys, each page's month of fetch, and each
    site's originals (positions, in input order)."""

    fd: int
    offsets: array[int]
    counts_at: array[int]
    months: list[str | None]
    sites: dict[str, array[int]]

    def keys(self, positions: Iterable[int]) -> Iterator[tuple[int, _Keys]]:
        """Each position's keys, read at its offset: every process that holds the file reads it
        without moving its position."""
        for i in positions:
            start = self.offsets[i]
            yield i, _Keys(*marshal.loads(os.pread(self.fd, self.counts_at[i] - start, start)))

    def counts(self, positions: Iterable[int]) -> Iterator[tuple[int, bytes]]:
        """Each position's counts (`PageRecord.dumps`), read as its keys are."""
        for i in positions:
            start = self.counts_at[i]
            yield i, os.pread(self.fd, self.offsets[i + 1] - start, start)


def _prints_and_counts(
    config: Config,
    pages: Iterable[Page | Unparsed],
    workers: int,
    file: IO[bytes],
    tick: Callable[[int], None] | None,
) -> _Spool:
    """One pass over the pages: every page's counts written to the file, its print kept to find
    the copies (which the spool's sites leave out). The prints are let go on return, before the
    counts need their memory."""
    finder = DuplicateFinder(
        config.settings, config.duplicate_threshold, config.duplicate_rule, originals=True
    )
    offsets, counts_at = array("q", [0]), array("q")
    months: list[str | None] = []
    by_site: dict[str, array[int]] = {}
    with Workers(workers, config) as pool:
        known: dict[str, str] = {}  # each month's name held once
        for rows in pool.map(_features, chunks(map(_light, pages))):
            for page_id, fetched_at, site, size, print_, (keys, counts) in filter(None, rows):
                if tick is not None:
                    tick(size)
                finder.add_print(page_id, fetched_at, print_)
                month = month_of(fetched_at)
                by_site.setdefault(site, array("q")).append(len(months))
                months.append(known.setdefault(month, month) if month else None)
                file.write(keys)
                file.write(counts)
                counts_at.append(offsets[-1] + len(keys))
                offsets.append(counts_at[-1] + len(counts))
    copies = finder.groups(by_id=True, candidates=candidates(finder, workers))
    sites = {site: array("q", (i for i in at if i not in copies)) for site, at in by_site.items()}
    return _Spool(file.fileno(), offsets, counts_at, months, {site: at for site, at in sites.items() if at})


def _light(item: Page | Unparsed) -> Page | Unparsed:
    """What the workers need of a page: not its record (a record is parsed there, from its line)."""
    if isinstance(item, Page):
        return Page(item.id, item.text, site=item.site, fetched_at=item.fetched_at)
    return item


_Learned = tuple[str, str | None, str, int, PagePrint, tuple[bytes, bytes]]


def _features(config: Config, items: list[Page | Unparsed]) -> list[_Learned | None]:
    """Task: a chunk's pages' learning prints and spool records (`_spooled`), each with its page's
    id, time of fetch, site and size in UTF-8 bytes; None for a record that is not a page."""
    parsed = [item if isinstance(item, Page) else item.parse() for item in items]
    pages = [p for p in parsed if isinstance(p, Page)]
    rows = iter(
        learning_pages([(p.site or "", p.text) for p in pages], config.settings, config.rule.short_words)
    )
    learned: list[_Learned | None] = []
    for p in parsed:
        if isinstance(p, Page):
            print_, record = next(rows)
            learned.append((p.id, p.fetched_at, p.site or "", utf8_size(p.text), print_, _spooled(record)))
        else:
            learned.append(None)
    return learned


@dataclass(frozen=True)
class _Counting:
    """What the counting tasks read (forked with the workers): the model, the spool, how design
    periods are told apart, the names each site was learned under before, whether to count
    compactly (`_common_shapes`), the variant merges' LSH bands."""

    model: SiteModel
    spool: _Spool
    periods: DesignPeriods
    learned: dict[str, list[str]]
    compact: bool
    bands: tuple[int, int]


def _count_sites(state: _Counting, sites: list[str]) -> tuple[list[tuple[int, str, SiteStats]], int]:
    """Task: these sites' originals counted into the model (each period of a site's designs
    under its own name), each site's variants merged and its stats finalized (its single shapes
    let go). Returns each name learned under (first page's position, or -1 where learned before;
    name; stats) and the pages counted."""
    model, spool = state.model, state.spool
    rows: list[tuple[int, str, SiteStats]] = []
    counted = 0
    for site in sites:
        positions = spool.sites.get(site, array("q"))
        starts = _design_starts(spool, site, positions, state.periods)
        names = {i: period_of(site, starts, spool.months[i]) for i in positions}
        first: dict[str, int] = {}
        for i, name in names.items():
            first.setdefault(name, i)
        common = None
        if state.compact:
            common = _common_shapes(
                (names[i], keys.page_hash, keys.shapes()) for i, keys in spool.keys(positions)
            )
        records = ((i, PageRecord.loads(counts)) for i, counts in spool.counts(positions))
        learned = (
            (by_period(r.counts(grams=False), spool.months[i], {site: starts}), r.gram_hashes())
            for i, r in records
        )
        counted += _count(model, learned, common)
        for name in dict.fromkeys([*state.learned.get(site, ()), *first]):
            stats = model.sites[name]
            model.finalize_site(stats, state.bands)
            stats.release_single()
            rows.append((first.get(name, -1), name, stats))
    return rows, counted


def _design_starts(spool: _Spool, site: str, positions: array[int], settings: DesignPeriods) -> list[str]:
    """The first months of a site's design periods (`MonthDesigns`) from its originals' design
    keys, where its design changed; none where its pages are of one month."""
    if len({spool.months[i] for i in positions} - {None}) < 2:
        return []
    designs = MonthDesigns()
    for i, keys in spool.keys(positions):
        if (month := spool.months[i]) is not None:
            designs.add(site, month, keys.design())
    return designs.periods(settings).get(site, [])


def _can_compact(model: SiteModel) -> bool:
    """Whether shapes seen on one page can be left out: a new model, whose rule needs 2 pages."""
    rule = model.rule
    least = min(rule.floor, rule.tiny_site_floor, rule.long_floor, rule.paragraph_floor)
    return not model.sites and model.forget_after is None and least >= 2


def _common_shapes(pages: Iterable[tuple[str, int, np.ndarray]]) -> dict[str, set[int]]:
    """Per site, the hashes (`key_hashes`) of the shapes on two distinct pages or more, from each
    page's (site, exact hash, shape hashes), as `_count` counts them (an exact repeat of a page
    adds nothing), counted in arrays."""
    seen: dict[str, set[int]] = {}
    hashes: defaultdict[str, HashCounts] = defaultdict(HashCounts)
    for site, page_hash, shapes in pages:
        site_pages = seen.setdefault(site, set())
        if page_hash not in site_pages:
            site_pages.add(page_hash)
            hashes[site].add(shapes)
    return {site: set(h.at_least(2)) for site, h in hashes.items()}


def _count(
    model: SiteModel,
    counts: Iterable[tuple[PageCounts, np.ndarray]],
    common: dict[str, set[int]] | None = None,
) -> int:
    """Add the pages' counts (their 3-grams apart, as hashes) to the model; returns the pages
    counted (exact repeats are not).

    Word 3-grams are counted apart, in arrays: most occur on one page only, and a dict of them
    would grow with the input. Only those seen on 2 pages or more reach the model (`finalize`
    drops the others anyway), unless the model already had some for the site. A model that
    forgets old pages (stream mode) counts them itself. With `common` (`_common_shapes`), the
    other shapes wait for the variant merge apart (`SiteStats.single_shapes`)."""
    grams: defaultdict[str, HashCounts] = defaultdict(HashCounts)
    counted = 0
    apart = model.forget_after is None
    for c, gram_hashes in counts:
        single: list[str] = []
        shapes = c.shapes
        if common is not None:
            shared = common.get(c.site, set())
            single = [k for k, h in zip(shapes, key_hashes(shapes), strict=True) if h not in shared]
            shapes = shapes.difference(single)
        # Made whole, not by `replace` twice: this loop is the serial part of a run on workers.
        grams_here = frozenset() if apart else frozenset(gram_hashes.tolist())
        added = PageCounts(c.site, c.page_hash, shapes, c.head_shapes, c.labels, grams_here, c.examples)
        if model.add(added) is not None:
            counted += 1
            if apart:
                grams[c.site].add(gram_hashes)
            if single:
                model.sites[c.site].add_single(variant_candidates(single, model.rule.max_variant_chars))
    for site, site_grams in grams.items():
        stats = model.sites[site]
        stats.grams.update(site_grams.at_least(1 if stats.grams else 2))
    return counted
