"""What cleaning left that repeats on a site: word runs on a large share of its cleaned pages.

Read three times: first every page's word 3-grams are counted once per page and site (numbers and
dates as one slot, as the site model counts them), then each page's runs of frequent 3-grams are
taken in their original text, with the page they were first seen on, and last the pages that
carry each run whole are counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dedup.config import Runs
from dedup.detect import runs
from dedup.io import DEFAULT_FIELDS, Fields, InputError, read_pages
from dedup.io.records import BadRecord
from dedup.keys import GRAM, gram_hashes, slot_words
from dedup.page import Page
from dedup.segment import words_with_offsets

LEFTOVER_SHARE = 0.2  # a run on this share of a site's cleaned pages is listed
MIN_SITE_PAGES = 5  # fewer pages say nothing about what repeats
MAX_SITE_PAGES = 2_000  # pages per site counted: enough to measure a share, bounded memory
EXAMPLE_CHARS = 200


@dataclass(frozen=True)
class Leftover:
    """A word run still present after cleaning on `pages` of the `site_pages` pages of its site."""

    site: str
    text: str  # as the example page has it
    pages: int
    site_pages: int
    example: str  # id of a page that has it

    @property
    def share(self) -> float:
        """The share of the site's pages that carry the run."""
        return self.pages / self.site_pages


def find(read: Callable[[], Iterable[Page]], share: float = LEFTOVER_SHARE) -> list[Leftover]:
    """The runs of 3+ words left on at least `share` of the pages of each site, most frequent
    first within a site, sites in name order; `read()` gives the cleaned pages, each time afresh."""
    counts, site_pages = _gram_counts(read())
    needed = {site: max(2, int(np.ceil(share * n))) for site, n in site_pages.items() if n >= MIN_SITE_PAGES}
    examples: dict[str, dict[str, tuple[str, str]]] = {site: {} for site in needed}  # key: (text, page)
    seen: Counter[str] = Counter()
    for page in read():
        site = page.site or ""
        if site not in needed or seen[site] >= MAX_SITE_PAGES:
            continue
        seen[site] += 1
        words = words_with_offsets(page.text)
        hashes = gram_hashes(words.words)
        site_counts = counts[site]
        page_counts = [site_counts.get(h, 0) for h in hashes]
        slotted = slot_words(words.words)
        for a, b, _ in runs.frequent_runs(page_counts, needed[site]):
            if sum(len(w) > 2 and w != "0" for w in slotted[a:b]) < Runs().min_content_words:
                continue  # little words and dates ("of the the", "on 3 May 2024") run on any site
            key = " ".join(slotted[a:b])
            if key not in examples[site]:
                text = " ".join(page.text[words.starts[a] : words.ends[b - 1]].split())[:EXAMPLE_CHARS]
                examples[site][key] = (text, audited_id(page))
    # A run joins 3-grams that are each frequent, maybe on different pages ("3.7 ٪ في عام 2015، على
    # الرغم من"): it is listed with the pages that carry it whole, where they are enough.
    carried = _pages_carrying(read(), {site: set(keys) for site, keys in examples.items()})
    found = {
        site: {
            key: Leftover(site, text, carried[site][key], site_pages[site], example)
            for key, (text, example) in keys.items()
            if carried[site][key] >= needed[site]
        }
        for site, keys in examples.items()
    }
    return [
        item
        for site in sorted(found)
        for item in sorted(_distinct(found[site]), key=lambda x: (-x.pages, x.text))
    ]


def audited_id(page: Page) -> str:
    """The id a cleaned page's audit gives it (the one `duplicate_of` names), else its own."""
    audit = page.record.get("dedup")
    return audit["id"] if isinstance(audit, dict) and isinstance(audit.get("id"), str) else page.id


def cleaned_pages(path: Path, fields: Fields = DEFAULT_FIELDS) -> Iterator[Page]:
    """The pages of a cleaned output; a malformed record, or one that cleaning did not write (no
    `dedup` object: the input itself, say), stops the reading, named."""
    for item in read_pages([path], fields):
        if isinstance(item, BadRecord):
            raise InputError(f"{item.source}: {item.reason}")
        if isinstance(item, Page):
            if not isinstance(item.record.get("dedup"), dict):
                raise InputError(
                    f'{path}: record {item.id!r} has no "dedup" object: this is not an output of '
                    f"`dedup clean`; clean it first (dedup clean {path} -o CLEANED.jsonl)"
                )
            yield item


def _gram_counts(pages: Iterable[Page]) -> tuple[dict[str, dict[int, int]], Counter[str]]:
    """Per site, on how many of its pages each word 3-gram occurs; and the site's page count."""
    per_site: dict[str, list[np.ndarray]] = {}
    site_pages: Counter[str] = Counter()
    for page in pages:
        site = page.site or ""
        if site_pages[site] >= MAX_SITE_PAGES:
            continue
        site_pages[site] += 1
        hashes = gram_hashes(words_with_offsets(page.text).words)
        per_site.setdefault(site, []).append(np.unique(np.array(hashes, dtype=np.int64)))
    counts: dict[str, dict[int, int]] = {}
    for site, arrays in per_site.items():
        values, n = np.unique(np.concatenate(arrays), return_counts=True)
        keep = n >= 2
        counts[site] = dict(zip(values[keep].tolist(), n[keep].tolist(), strict=True))
    return counts, site_pages


def _pages_carrying(pages: Iterable[Page], keys: dict[str, set[str]]) -> dict[str, Counter[str]]:
    """Per site, on how many of its pages (as many as `_gram_counts` reads) each run is whole."""
    carried: dict[str, Counter[str]] = {site: Counter() for site in keys}
    seen: Counter[str] = Counter()
    for page in pages:
        site = page.site or ""
        if not keys.get(site) or seen[site] >= MAX_SITE_PAGES:
            continue
        seen[site] += 1
        slotted = f" {' '.join(slot_words(words_with_offsets(page.text).words))} "
        carried[site].update(key for key in keys[site] if f" {key} " in slotted)
    return carried


def _distinct(found: dict[str, Leftover]) -> list[Leftover]:
    """One row per run: the longest runs first, and a run sharing a 3-gram with a run listed
    before it (a variant, a part of it) left out."""
    listed: set[tuple[str, ...]] = set()
    kept = []
    for key, item in sorted(found.items(), key=lambda kv: (-kv[0].count(" "), -kv[1].pages, kv[0])):
        words = key.split()
        grams = {tuple(words[i : i + GRAM]) for i in range(len(words) - GRAM + 1)}
        if grams & listed:
            continue
        listed |= grams
        kept.append(item)
    return kept
