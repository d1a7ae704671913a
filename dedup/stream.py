"""Stream mode: learn from each page as it comes, keep what was learned in a state between runs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dedup.detect.duplicates import PageIndex
from dedup.fingerprint import FingerprintSettings
from dedup.model import SiteModel, page_counts
from dedup.page import Block, Page
from dedup.segment import words_with_offsets
from dedup.store import Changes, Meta, StateError, Store, open_store

DEFAULT_HALF_LIFE = 30.0  # days: last month's campaign banner counts half, a redesign is learned in weeks
REMERGE_GROWTH = 1.25  # a site's variant clusters are merged anew each time its pages grow this much


@dataclass(frozen=True)
class StreamSettings:
    """How a stream run waits, forgets and saves."""

    half_life: float | None = None  # days; None: the state's own (DEFAULT_HALF_LIFE for a new one); 0: never
    wait_pages: int = 20  # a site's pages wait until it has this many, to be judged on evidence
    buffer_pages: int = 1000  # at most this many pages wait; the oldest site goes first when full
    save_every: int = 1000  # pages between two saves of the state

    def __post_init__(self) -> None:
        if self.half_life is not None and not (self.half_life == 0 or self.half_life >= 1):
            raise ValueError(f"half-life {self.half_life} days: give 0 (never forget) or at least 1 day")
        for name in ("wait_pages", "buffer_pages", "save_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")


class StreamState:
    """The model and page index of a state, and what this process learned since its last save."""

    def __init__(self, location: str | Path, settings: FingerprintSettings, stream: StreamSettings) -> None:
        self.store: Store = open_store(location)
        self.settings = stream
        if self.store.exists():
            state = self.store.load(settings)
            self._check_half_life(state.meta.half_life)
            self.model, self.index, self.meta = state.model, state.index, state.meta
        else:
            half_life = DEFAULT_HALF_LIFE if stream.half_life is None else stream.half_life
            self.meta = Meta(settings, half_life or None)
            self.model = SiteModel(settings=settings, half_life=self.meta.half_life)
            self.index = PageIndex(settings)
        self.changes = Changes()
        self.unsaved = 0

    def _check_half_life(self, stored: float | None) -> None:
        wanted = self.settings.half_life
        if wanted is not None and (wanted or None) != stored:
            raise StateError(
                f"{self.store.location}: this state forgets with a half-life of "
                f"{stored or 'never'} days, not {wanted}: leave --half-life out, or start a new state"
            )

    def learn(self, page: Page, blocks: list[Block], body: str) -> str | None:
        """Index the page and count it for its site (unless it copies an earlier page); returns the
        id of the page it duplicates, if any."""
        indexed = self.index.add(page.id, body, page.text)
        self.changes.pages.append(indexed)
        duplicate_of = indexed.canonical if indexed.canonical != page.id else None
        if duplicate_of is None:
            self._count(page, blocks)
        self.unsaved += 1
        if self.unsaved >= self.settings.save_every:
            self.save()
        return duplicate_of

    def _count(self, page: Page, blocks: list[Block]) -> None:
        site = page.site or ""
        counts = page_counts(
            site, page.text, blocks, words_with_offsets(page.text).words, self.model.rule.short_words
        )
        day = fetch_day(page.fetched_at)
        if self.meta.half_life is not None and self.meta.t0 is None and day is not None:
            self.meta = Meta(self.meta.settings, self.meta.half_life, math.floor(day))
        if not self.model.add(counts, day):
            return
        stats = self.model.sites[site]
        self.changes.add(counts, self.meta.stored_weight(day if day is not None else stats.clock), day)
        if stats.pages >= REMERGE_GROWTH * stats.merged_at and len(stats.seen_texts) >= 2:
            self.model.merge(stats)
            self.changes.sites[site].variants = stats.variants

    def pages_seen(self, site: str) -> int:
        """Distinct pages of the site counted so far, in this run and before."""
        stats = self.model.sites.get(site)
        return len(stats.seen_texts) if stats else 0

    def save(self) -> None:
        """Add what was learned since the last save to the state, in one transaction."""
        if self.changes:
            self.store.flush(self.changes, self.meta)
        self.changes = Changes()
        self.unsaved = 0


def fetch_day(fetched_at: str | None) -> float | None:
    """Days since 1970 of an ISO time, or None when there is none or it cannot be read."""
    if not fetched_at:
        return None
    try:
        return datetime.fromisoformat(fetched_at.replace("Z", "+00:00")).timestamp() / 86400
    except ValueError:
        return None
