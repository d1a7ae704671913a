"""Learning, written once for every local run (the library's `Cleaner.learn`, a batch run on any
number of workers, `dedup learn`): each page's features, the copies among the pages (a copy counts
once), the originals' counts added to the site model, each site's variants merged."""

from __future__ import annotations

import marshal
import os
import struct
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from dedup.config import Config
from dedup.duplicates import Duplicate, DuplicateFinder, PagePrint
from dedup.features import PageCounts, learning_pages
from dedup.hashcount import HashCounts
from dedup.model import SiteModel, variant_candidate
from dedup.page import Page
from dedup.periods import MonthDesigns, by_period, design_keys, key_hashes, month_of, period_of
from dedup.workers import Workers, candidates, chunks


def learn(
    model: SiteModel, config: Config, pages: Iterable[Page], workers: int = 1, compact: bool = False
) -> int:
    """Learn the model from the pages; returns the pages counted (copies and exact repeats are not).

    One pass over the pages, the per-page work on `workers` processes: each page's print (to
    find the copies, which count once) and its counts, kept in a temporary file until the copies
    are known; then the counts of every page but the copies are added to the model, and each
    site's variants merged. Which copy counts does not depend on the input order.

    `compact`, for a model that only cleans these inputs (never saved to learn more later): the
    shapes seen on one page, most of a model (an article's own sentences), are kept only where
    they join a variant cluster. Alone they can never count, so the cleaning is the same."""
    with tempfile.TemporaryFile(prefix="dedup-counts-") as spool:
        read, copies, months = _prints_and_counts(config, pages, workers, spool)

        def spooled() -> Iterator[tuple[int, _Keys]]:
            """Each page's position and keys, its counts next to be read (or read past)."""
            spool.seek(0)
            for i in range(read):
                (size,) = _HEAD_SIZE.unpack(spool.read(_HEAD_SIZE.size))
                yield i, _Keys(*marshal.loads(spool.read(size)))

        def original_keys() -> Iterator[tuple[_Keys, str | None]]:
            """Each original's keys and month, its counts read past."""
            for i, keys in spooled():
                spool.seek(keys.counts_size, os.SEEK_CUR)
                if i not in copies:
                    yield keys, months[i]

        def original_counts() -> Iterator[tuple[PageCounts, str | None]]:
            """Each original's counts and month."""
            for i, keys in spooled():
                if i in copies:
                    spool.seek(keys.counts_size, os.SEEK_CUR)
                else:
                    yield PageCounts.loads(spool.read(keys.counts_size)), months[i]

        # A crawl of one month has one design per site: no need to look for its changes.
        dated = len(set(months) - {None}) > 1
        designs = MonthDesigns()
        for keys, month in original_keys() if dated else ():
            if month is not None:
                designs.add(keys.site, month, keys.design())
        periods = designs.periods(config.periods) if dated else {}
        common = None
        if compact and _can_compact(model):
            common = _common_shapes(
                (period_of(k.site, periods.get(k.site, ()), month), k.page_hash, k.shapes())
                for k, month in original_keys()
            )
        learned = (by_period(counts, month, periods) for counts, month in original_counts())
        counted = _count(model, learned, common)
    _merge_variants(model, workers)
    return counted


_HEAD_SIZE = struct.Struct("<I")  # the size of a spool record's keys, before them


@dataclass(frozen=True)
class _Keys:
    """What the passes before counting read of a page's spooled counts, ahead of them: its site,
    its exact hash, its design keys (`design_keys`: its shapes' first) and the size of its counts."""

    site: str
    page_hash: int
    shape_count: int
    design_bytes: bytes
    counts_size: int

    def design(self) -> np.ndarray:
        return np.frombuffer(self.design_bytes, np.uint64)

    def shapes(self) -> np.ndarray:
        return self.design()[: self.shape_count]


def _spooled(counts: PageCounts) -> bytes:
    """A page's spool record: the size of its `_Keys`, its keys, then its counts (read as bytes
    first: `marshal.load` reads a file in many small calls)."""
    body = counts.dumps()
    design = design_keys(counts).tobytes()
    head = marshal.dumps((counts.site, counts.page_hash, len(counts.shapes), design, len(body)))
    return _HEAD_SIZE.pack(len(head)) + head + body


def _prints_and_counts(
    config: Config, pages: Iterable[Page], workers: int, spool: BinaryIO
) -> tuple[int, dict[int, Duplicate], list[str | None]]:
    """One pass over the pages: every page's counts written to the spool, its print kept to find
    the copies. Returns the pages read, the copies (input position -> canonical id) and each
    page's month of fetch; the prints are let go on return, before the variant merges need their
    memory."""
    finder = DuplicateFinder(
        config.settings, config.duplicate_threshold, config.duplicate_rule, originals=True
    )
    with Workers(workers, config) as pool:
        ids: deque[tuple[str, str | None]] = deque()  # pages sent off, waiting for their prints

        def sent() -> Iterator[list[tuple[str, str]]]:
            for chunk in chunks(pages):
                ids.extend((p.id, p.fetched_at) for p in chunk)
                yield [(p.site or "", p.text) for p in chunk]

        read = 0
        months: list[str | None] = []
        known: dict[str, str] = {}  # each month's name held once
        for rows in pool.map(_features, sent()):
            for print_, counts in rows:
                page_id, fetched_at = ids.popleft()
                finder.add_print(page_id, fetched_at, print_)
                month = month_of(fetched_at)
                months.append(known.setdefault(month, month) if month else None)
                spool.write(counts)
                read += 1
    return read, finder.groups(by_id=True, candidates=candidates(finder, workers)), months


def _features(config: Config, pages: list[tuple[str, str]]) -> list[tuple[PagePrint, bytes]]:
    """Task: the learning print and the spool record (`_spooled`) of a chunk of (site, text) pages."""
    rows = learning_pages(pages, config.settings, config.rule.short_words)
    return [(print_, _spooled(counts)) for print_, counts in rows]


def _merge_variants(model: SiteModel, workers: int) -> None:
    """The sites' variant merges, on workers started now with the counts (biggest sites first),
    then the model finalized."""
    bands = model.lsh_bands()
    size = {site: len(stats.shapes) + len(stats.single_shapes or ()) for site, stats in model.sites.items()}
    sites = sorted(model.sites, key=lambda s: -size[s])
    with Workers(workers, model) as pool:
        merges = pool.map(_site_variants, chunks(((s, bands) for s in sites), 1))
        merged = dict(zip(sites, (m for chunk in merges for m in chunk), strict=True))
    model.finalize(merged)


def _site_variants(model: SiteModel, sites: list[tuple[str, tuple[int, int]]]) -> list[dict[str, str]]:
    """Task: the variant merges of a few (site, LSH bands) of the model the worker was started with
    (each site's single shapes let go in this process once merged)."""
    merged = []
    for site, bands in sites:
        merged.append(model.variants(site, bands))
        model.sites[site].release_single()
    return merged


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
    hashes: dict[str, HashCounts] = {}
    for site, page_hash, shapes in pages:
        site_pages = seen.setdefault(site, set())
        if page_hash not in site_pages:
            site_pages.add(page_hash)
            hashes.setdefault(site, HashCounts()).add(shapes)
    return {site: set(h.at_least(2)) for site, h in hashes.items()}


def _count(model: SiteModel, counts: Iterable[PageCounts], common: dict[str, set[int]] | None = None) -> int:
    """Add the pages' counts to the model; returns the pages counted (exact repeats are not).

    Word 3-grams are counted apart, in arrays: most occur on one page only, and a dict of them
    would grow with the input. Only those seen on 2 pages or more reach the model (`finalize`
    drops the others anyway), unless the model already had some for the site. A model that
    forgets old pages (stream mode) counts them itself. With `common` (`_common_shapes`), the
    other shapes wait for the variant merge apart (`SiteStats.single_shapes`)."""
    grams: dict[str, HashCounts] = {}
    counted = 0
    apart = model.forget_after is None
    max_chars = model.rule.max_variant_chars
    for c in counts:
        single: list[str] = []
        shapes = c.shapes
        if common is not None:
            shared = common.get(c.site, set())
            single = [k for k, h in zip(shapes, key_hashes(shapes), strict=True) if h not in shared]
            shapes = shapes.difference(single)
        # Made whole, not by `replace` twice: this loop is the serial part of a run on workers.
        grams_here = frozenset() if apart else c.grams
        added = PageCounts(c.site, c.page_hash, shapes, c.head_shapes, c.labels, grams_here, c.examples)
        if model.add(added) is not None:
            counted += 1
            if apart:
                grams.setdefault(c.site, HashCounts()).add(c.grams)
            if single:
                model.sites[c.site].add_single(k for k in single if variant_candidate(k, max_chars))
    for site, site_grams in grams.items():
        stats = model.sites[site]
        stats.grams.update(site_grams.at_least(1 if stats.grams else 2))
    return counted
