"""What every store shares: the state format, a stream run's increments, the loaded state.

Where the learned state lives: a SQLite file (the default) or Redis (shared by scraper workers).

A batch `learn` writes a whole model. A stream run loads the state, and saves what it learned
since its last save as increments (`Changes`), per site and generation: increments add up, so
several processes (or workers on one Redis) never overwrite each other's counts, and a save is
one transaction. Loading keeps each site's latest two generations; saving drops older ones.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from dedup.duplicates import IndexedPage, PageIndex
from dedup.features import PageCounts
from dedup.fingerprint import FingerprintSettings
from dedup.model import COUNTERS, SiteModel, SiteStats

# 4: the page index keeps each page's site and similarity. 5: each site keeps an example of its
# pages' text for the shapes and labels seen on 2 pages or more (`dedup sites` shows text, not keys).
# 6: the word 3-grams at a page's end are counted apart from those at its start (`features.edge_grams`).
# 7: the pages are indexed as learning saw them too (`learning`): a stream run tells its copies there.
FORMAT_VERSION = 7
INDEXES = ("pages", "learning")  # a state's page indexes: by the pages' cleaned text, as learning saw them


class StateError(Exception):
    """A state that cannot be used: missing, foreign, or made with other settings."""


@dataclass
class Increments:
    """What one site learned in one generation since the last save."""

    pages: int = 0
    counters: dict[str, Counter[Any]] = field(default_factory=lambda: {c: Counter() for c in COUNTERS})
    seen: set[int] = field(default_factory=set)
    examples: dict[str, str] = field(default_factory=dict)  # added where the state has none yet


@dataclass
class Changes:
    """What a stream run learned since its last save: increments that add up across processes."""

    counts: dict[tuple[str, int], Increments] = field(default_factory=dict)  # (site, generation) ->
    variants: dict[str, dict[str, str]] = field(default_factory=dict)  # site -> clusters merged anew
    pages: list[IndexedPage] = field(default_factory=list)  # placed by their cleaned text
    learning: list[IndexedPage] = field(default_factory=list)  # placed as learning saw them

    def add(self, counts: PageCounts, generation: int, stats: SiteStats) -> None:
        """Record one page counted in this generation of its site (`stats`: the site's, with it),
        and the examples its site keeps of its keys."""
        inc = self.counts.setdefault((counts.site, generation), Increments())
        inc.pages += 1
        inc.seen.add(counts.page_hash)
        for name in COUNTERS:
            inc.counters[name].update(getattr(counts, name))
        inc.examples.update((k, stats.examples[k]) for k in counts.examples if k in stats.examples)

    def indexed(self) -> list[tuple[str, list[IndexedPage]]]:
        """Each page index (`INDEXES`) with the pages placed in it since the last save."""
        return list(zip(INDEXES, (self.pages, self.learning), strict=True))

    def __bool__(self) -> bool:
        return bool(self.counts or self.variants or self.pages or self.learning)


@dataclass
class State:
    """A loaded state: the site model and the indexes of the pages seen, by their cleaned text
    and as learning saw them."""

    model: SiteModel
    index: PageIndex
    learning: PageIndex


class Store(Protocol):
    """A place that keeps the state."""

    location: str

    def exists(self) -> bool:
        """Whether a state is there already."""

    def load(self, settings: FingerprintSettings) -> State:
        """The whole state; refuses one of another format or other fingerprint settings."""

    def save(self, model: SiteModel) -> None:
        """Replace the state with this model (a batch `learn`), atomically."""

    def flush(self, changes: Changes, model: SiteModel) -> None:
        """Add a stream run's increments to the state, in one transaction."""


def meta_of(model: SiteModel) -> dict[str, Any]:
    """What identifies a state: its format, fingerprint settings, and how it forgets."""
    return {
        "format": FORMAT_VERSION,
        "settings": model.settings.as_dict(),
        "forget_after": model.forget_after,
    }


def model_for(location: str, meta: dict[str, Any], settings: FingerprintSettings) -> SiteModel:
    """An empty model for a stored state, or a StateError saying what to do when it cannot be used."""
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
    return SiteModel(settings=settings, forget_after=meta.get("forget_after"))


class SiteLoader:
    """Builds one site's stats from stored rows of several generations: the latest two count."""

    def __init__(self, model: SiteModel, site: str, generations: dict[int, int]) -> None:
        self.stats = model.sites.setdefault(site, SiteStats())
        latest_two = sorted(generations)[-2:] or [0]
        self.latest, self.oldest = latest_two[-1], latest_two[0]
        if model.forget_after is not None:
            self.stats.generation = self.latest
            self.stats.previous = self.oldest if len(latest_two) == 2 else None
            self.stats.current = SiteStats(pages=generations.get(self.latest, 0))
        self.stats.pages = sum(n for g, n in generations.items() if self.keeps(g))

    def keeps(self, generation: int) -> bool:
        """Whether a stored generation still counts."""
        return generation >= self.oldest

    def set_counts(self, counter: str, by_generation: dict[int, dict[Any, int]]) -> None:
        """One counter of the site, from its stored counts per generation."""
        total: Counter[Any] = Counter()
        for generation, counts in by_generation.items():
            if self.keeps(generation):
                total.update(counts)
        setattr(self.stats, counter, total)
        if self.stats.current is not None:
            setattr(self.stats.current, counter, Counter(by_generation.get(self.latest, {})))

    def set_examples(self, examples: dict[str, str]) -> None:
        """The site's stored examples, of the keys still counted (set after the counts)."""
        self.stats.examples = examples
        self.stats.forget_examples()
