"""Where the learned state lives: a SQLite file (the default) or Redis (shared by scraper workers).

A batch `learn` writes a whole model. A stream run loads the state, and saves what it learned
since its last save as increments (`Changes`): increments add up, so several processes (or
workers on one Redis) never overwrite each other's counts, and a save is one transaction.

With forgetting on, a page fetched on day d adds 2^((d - t0) / half_life) instead of 1, t0 being
the state's first day: a sum that fades with time without ever rewriting the old counts. Loading
divides a site's sums by the weight of its latest day, giving counts at the site's clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from dedup.detect.duplicates import IndexedPage, PageIndex
from dedup.fingerprint import FingerprintSettings
from dedup.model import PageCounts, SiteModel, SiteStats

FORMAT_VERSION = 3
COUNTERS = ("shapes", "labels", "head_shapes", "grams")  # the per-site counters of SiteStats
MAX_EXPONENT = 900  # 2^900 is still a float; a state older than 900 half-lives is learned anew


class StateError(Exception):
    """A state that cannot be used: missing, foreign, or made with other settings."""


@dataclass
class SiteChanges:
    """What one site learned since the last save, in stored weights."""

    pages: float = 0.0
    clock: float | None = None
    counters: dict[str, Counter[Any]] = field(default_factory=lambda: {c: Counter() for c in COUNTERS})
    seen: set[int] = field(default_factory=set)
    variants: dict[str, str] | None = None  # the site's variant clusters, when merged anew


@dataclass
class Changes:
    """What a stream run learned since its last save: increments that add up across processes."""

    sites: dict[str, SiteChanges] = field(default_factory=dict)
    pages: list[IndexedPage] = field(default_factory=list)

    def add(self, counts: PageCounts, weight: float, day: float | None) -> None:
        """Record one page's counts with its stored weight."""
        site = self.sites.setdefault(counts.site, SiteChanges())
        site.pages += weight
        if day is not None:
            site.clock = day if site.clock is None else max(site.clock, day)
        site.seen.add(counts.page_hash)
        for name in COUNTERS:
            counter = site.counters[name]
            for k in getattr(counts, name):
                counter[k] += weight  # type: ignore[assignment]  # weights fade: sums are floats

    def __bool__(self) -> bool:
        return bool(self.sites or self.pages)


@dataclass(frozen=True)
class Meta:
    """The state's identity: format, fingerprint settings, forgetting half-life and first day."""

    settings: FingerprintSettings
    half_life: float | None = None
    t0: float | None = None

    def stored_weight(self, day: float | None) -> float:
        """What a page of this day adds to the stored sums."""
        if self.half_life is None or day is None or self.t0 is None:
            return 1.0
        return 2.0 ** min(MAX_EXPONENT, (day - self.t0) / self.half_life)

    def to_counts(self, clock: float | None) -> float:
        """The factor from stored sums to counts at a site's clock."""
        return 1.0 / self.stored_weight(clock)


@dataclass
class State:
    """A loaded state: the site model, the index of pages seen, and the state's identity."""

    model: SiteModel
    index: PageIndex
    meta: Meta


class Store(Protocol):
    """A place that keeps the state."""

    location: str

    def exists(self) -> bool:
        """Whether a state is there already."""

    def load(self, settings: FingerprintSettings) -> State:
        """The whole state; refuses one of another format or other fingerprint settings."""

    def save(self, model: SiteModel) -> None:
        """Replace the state with this model (a batch `learn`), atomically."""

    def flush(self, changes: Changes, meta: Meta) -> None:
        """Add a stream run's increments to the state, in one transaction."""


def open_store(location: str | Path) -> Store:
    """The store at a path (SQLite) or a `redis://host:port/db` URL."""
    text = str(location)
    if text.startswith(("redis://", "rediss://", "unix://")):
        from dedup.store.redis import RedisStore

        return RedisStore(text)
    from dedup.store.sqlite import SqliteStore

    return SqliteStore(Path(location))


def check_meta(location: str, meta: dict[str, Any], settings: FingerprintSettings) -> Meta:
    """The state's Meta, or a StateError saying what to do when it cannot be used."""
    if meta.get("format") != FORMAT_VERSION:
        raise StateError(
            f"{location}: state format {meta.get('format')} is not {FORMAT_VERSION}; learn it again "
            "(`dedup learn INPUT... --state ...`) or start a new one"
        )
    if meta.get("settings") != settings.as_dict():
        raise StateError(
            f"{location}: made with fingerprint settings {meta.get('settings')}, this run uses "
            f"{settings.as_dict()}; signatures made with other settings (hash scheme, seed, num_perm, "
            "shingle size, normalizer) are not comparable: learn the state again"
        )
    return Meta(settings, meta.get("half_life"), meta.get("t0"))


def site_stats(pages: float, clock: float | None, meta: Meta) -> SiteStats:
    """An empty SiteStats for a loaded site, with its page count at its clock."""
    factor = meta.to_counts(clock)
    return SiteStats(pages=pages * factor if factor != 1.0 else whole(pages), clock=clock)


def scale_counts(stats: SiteStats, meta: Meta) -> None:
    """Turn a loaded site's stored sums into counts at its clock."""
    factor = meta.to_counts(stats.clock)
    if factor != 1.0:
        for name in COUNTERS:
            counter: Counter[Any] = getattr(stats, name)
            for k in counter:
                counter[k] *= factor  # type: ignore[assignment]
    stats.merged_at = stats.pages if stats.variants else 0


def whole(value: float) -> float:
    """Whole counts (a batch model) back as ints, so that they print as counts."""
    return int(value) if float(value).is_integer() else value
