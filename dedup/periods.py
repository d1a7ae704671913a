"""Design periods: where a site's furniture changes over a long crawl (an archive spanning its
redesigns), its pages are learned and cleaned period by period, so that no design's furniture is
diluted below the rule by the other designs' pages.

A month's design is the set of keys (block shapes, labels, word 3-grams) on most of its pages; a
period ends where a month's design shares too little with the design before it. A site whose
design never changes stays one site, and so does every page of a run without fetch times.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from dedup._core import key_hashes as core_key_hashes
from dedup.config import DesignPeriods
from dedup.features import PageCounts
from dedup.hashcount import HashCounts

_MONTH = re.compile(r"\d{4}-[01]\d")
SINCE = " since "  # between a site and the first month of one of its periods: "example.com since 2021-03"


def month_of(fetched_at: str | None) -> str | None:
    """The month (YYYY-MM) of an ISO fetch time, or None where there is none."""
    return fetched_at[:7] if fetched_at and _MONTH.match(fetched_at) else None


def period_site(site: str, start: str) -> str:
    """The name a period of a site is learned under."""
    return f"{site}{SINCE}{start}"


def base_site(name: str) -> str:
    """The site a name learned under belongs to: a period's site (`period_site`), or the name."""
    site, since, start = name.rpartition(SINCE)
    return site if since and _MONTH.fullmatch(start) else name


def site_periods(sites: Iterable[str]) -> dict[str, list[str]]:
    """Site -> the first months of its periods, sorted, from the names the model learned under."""
    periods: dict[str, list[str]] = {}
    for name in sites:
        site, since, start = name.rpartition(SINCE)
        if since and _MONTH.fullmatch(start):
            periods.setdefault(site, []).append(start)
    return {site: sorted(starts) for site, starts in periods.items()}


def period_of(site: str, starts: Sequence[str], month: str | None) -> str:
    """The name a page of the site fetched in `month` is learned and cleaned under (its site's
    latest period where it has no fetch time)."""
    if not starts:
        return site
    if month is None:
        return period_site(site, starts[-1])
    begun = [start for start in starts if start <= month]
    return period_site(site, begun[-1] if begun else starts[0])


def key_hashes(keys: Iterable[str]) -> list[int]:
    """The 64-bit hash of each key's text (the same in every process)."""
    return np.frombuffer(core_key_hashes(list(keys)), "<u8").tolist()


def design_keys(counts: PageCounts) -> np.ndarray:
    """A page's keys as one array of 64-bit hashes: its shapes' first, then its labels' and its
    word 3-grams."""
    texts = np.frombuffer(core_key_hashes([*counts.shapes, *counts.labels]), "<u8")
    return np.concatenate((texts, np.fromiter(counts.grams, np.uint64, len(counts.grams))))


class MonthDesigns:
    """Per site and month: the pages counted, and on how many of them each key occurs."""

    def __init__(self) -> None:
        self.pages: dict[tuple[str, str], int] = {}
        self.keys: defaultdict[tuple[str, str], HashCounts] = defaultdict(HashCounts)

    def add(self, site: str, month: str, keys: np.ndarray) -> None:
        """Count a page of a site's month by its keys (`design_keys`)."""
        at = (site, month)
        self.pages[at] = self.pages.get(at, 0) + 1
        self.keys[at].add(keys)

    def periods(self, settings: DesignPeriods) -> dict[str, list[str]]:
        """Site -> the first months of its periods, for the sites whose design changed."""
        months = [
            (site, month, pages, month_design(pages, self.keys[site, month], settings))
            for (site, month), pages in self.pages.items()
        ]
        return periods_of_months(months, settings)


def month_design(pages: int, keys: HashCounts, settings: DesignPeriods) -> frozenset[int] | None:
    """The keys on most pages of a site's month (its design), or None for a month of too few pages
    to tell."""
    if pages < settings.month_pages:
        return None
    return frozenset(keys.frequent(math.ceil(settings.design_share * pages)).tolist())


def periods_of_months(
    months: Iterable[tuple[str, str, int, frozenset[int] | None]], settings: DesignPeriods
) -> dict[str, list[str]]:
    """Site -> the first months of its periods, for the sites whose design changed, from every
    (site, month, pages, design) of the run."""
    by_site: dict[str, list[tuple[str, int, frozenset[int] | None]]] = {}
    for site, month, pages, design in sorted(months, key=lambda m: (m[0], m[1])):
        by_site.setdefault(site, []).append((month, pages, design))
    found = {}
    for site, site_months in by_site.items():
        starts = _starts(site_months, settings)
        if len(starts) > 1:
            found[site] = starts
    return found


def _starts(months: list[tuple[str, int, frozenset[int] | None]], settings: DesignPeriods) -> list[str]:
    """The months a new design starts in (the first month first), each period holding
    `period_pages` pages or more."""
    starts, sizes = [months[0][0]], [0]
    before: frozenset[int] | None = None
    for month, pages, design in months:
        if design is not None:
            if before is not None and _similarity(before, design) < settings.similar:
                starts.append(month)
                sizes.append(0)
            before = design
        sizes[-1] += pages
    # A period too short to learn from joins the one before it (the first, the one after).
    kept = [s for s, n in zip(starts, sizes, strict=True) if n >= settings.period_pages]
    if kept and kept[0] != starts[0]:
        kept[0] = starts[0]
    return kept or starts[:1]


def _similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard of two designs (1.0 for two empty ones)."""
    return len(a & b) / len(a | b) if a or b else 1.0


def design_periods(
    counts: Iterable[tuple[PageCounts, str | None]], settings: DesignPeriods
) -> dict[str, list[str]]:
    """Site -> the first months of its design periods, from every page's counts and month (only the
    sites whose design changed)."""
    designs = MonthDesigns()
    for page, month in counts:
        if month is not None:
            designs.add(page.site, month, design_keys(page))
    return designs.periods(settings)


def by_period(counts: PageCounts, month: str | None, periods: Mapping[str, Sequence[str]]) -> PageCounts:
    """A page's counts under the name of its site's period."""
    starts = periods.get(counts.site)
    if not starts:
        return counts
    return replace(counts, site=period_of(counts.site, starts, month))
