"""Stream mode: learn from each page as it comes, keep what was learned in a state between runs.

The stages are the batch run's (`dedup.features`, the model's counts, `dedup.clean.Cleaner`,
`dedup.duplicates`); only their order differs: each page is counted for its site before it is
cleaned, and grouped with the pages seen before it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from dedup.clean import Cleaner
from dedup.config import Config, DuplicateRule
from dedup.duplicates import (
    Duplicate,
    KeyHashes,
    PageIndex,
    PagePrint,
    key_prints,
    segmented_key_hashes,
    text_prints,
)
from dedup.features import PageCounts, counts_of
from dedup.fingerprint import FingerprintSettings
from dedup.model import SiteModel, SiteStats
from dedup.normalize import Folded
from dedup.page import Block, Decision, Page, Result
from dedup.segment import Segmented, segment
from dedup.store import Changes, StateError, Store, open_store

DEFAULT_FORGET_AFTER = 90.0  # days: what a site showed a season ago (a banner, an old design) stops counting
REMERGE_GROWTH = 1.25  # a site's variant clusters are merged anew each time its pages grow this much


@dataclass(frozen=True)
class StreamSettings:
    """How a stream run waits, forgets and saves."""

    forget_after: float | None = None  # days; None: the state's own (the default for a new one); 0: never
    wait_pages: int = 20  # a site's pages wait until it has this many, to be judged on evidence
    buffer_pages: int = 1000  # at most this many pages wait; the oldest site goes first when full
    save_every: int = 1000  # pages between two saves of the state

    def __post_init__(self) -> None:
        if self.forget_after is not None and not (self.forget_after == 0 or self.forget_after >= 2):
            raise ValueError(
                f"--forget-after {self.forget_after:g} days: give 0 (never forget) or at least 2 days"
            )
        for name in ("wait_pages", "buffer_pages", "save_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")


class StreamState:
    """The model and page index of a state, and what this process learned since its last save."""

    def __init__(
        self,
        location: str | Path,
        settings: FingerprintSettings,
        stream: StreamSettings,
        threshold: float = 0.8,
        rule: DuplicateRule | None = None,
    ) -> None:
        self.store: Store = open_store(location)
        self.settings = stream
        if self.store.exists():
            state = self.store.load(settings)
            self._check_forgetting(state.model.forget_after)
            self.model, self.index, self.learning = state.model, state.index, state.learning
            if rule is not None and rule != self.index.rule:  # placed with this run's rules
                self.index = PageIndex(settings, threshold, self.index.pages, rule)
                self.learning = PageIndex(settings, threshold, self.learning.pages, rule)
            self.index.threshold = self.learning.threshold = threshold
        else:
            days = DEFAULT_FORGET_AFTER if stream.forget_after is None else stream.forget_after
            self.model = SiteModel(settings=settings, forget_after=days or None)
            self.index = PageIndex(settings, threshold, rule=rule)
            self.learning = PageIndex(settings, threshold, rule=rule)
        self.changes = Changes()
        self.unsaved = 0

    def _check_forgetting(self, stored: float | None) -> None:
        wanted = self.settings.forget_after
        if wanted is not None and (wanted or None) != stored:
            raise StateError(
                f"{self.store.location}: this state forgets after "
                f"{f'{stored:g} days' if stored else 'never'}, not {wanted:g}: leave --forget-after out, "
                "or start a new state"
            )

    def learn(self, page: Page) -> Segmented:
        """Count a page for its site, unless it copies a page learned before: placed in the learning
        index as soon as it arrives (a copy of a page still waiting for its site's evidence is told
        too), by its blocks less those of its site (`site_blocks_left`). The page is folded and
        segmented once, and returned so, for its cleaning."""
        folded = Folded(page.text)
        blocks = segment(page.text, folded)
        site = self.model.site_key(page.site or "", page.fetched_at)
        stats = self.model.sites.get(site)
        own = blocks if stats is None else site_blocks_left(blocks, stats)
        key = segmented_key_hashes(page.text, folded, blocks)
        print_ = key_prints(
            [page.site or ""], [[b.key for b in own]], [key], self.learning.settings.word_shingle
        )
        placed = self.learning.place(page.id, print_[0], originals=True)
        self.changes.learning.append(placed)
        if placed.canonical == page.id:
            self._count(site, page, counts_of(site, page.text, blocks, self.model.rule.short_words, folded))
        return folded, blocks

    def place(self, cleaned: Sequence[tuple[Result, KeyHashes]]) -> list[Duplicate | None]:
        """Index cleaned pages (each with its whole text's `KeyHashes`); each one's place in the group
        of an earlier page, if it duplicates one. Pages placed together (a site's pages that waited)
        are each placed with what all of them repeat known."""
        prints = text_prints(
            [r.page.site or "" for r, _ in cleaned],
            [r.text for r, _ in cleaned],
            [key for _, key in cleaned],
            self.index.settings.word_shingle,
        )
        if len(prints) > 1:  # a page alone is counted as it is placed
            for print_ in prints:
                self.index.see(print_)
        return [self._placed(r.page.id, print_) for (r, _), print_ in zip(cleaned, prints, strict=True)]

    def _placed(self, page_id: str, print_: PagePrint) -> Duplicate | None:
        indexed = self.index.place(page_id, print_)
        self.changes.pages.append(indexed)
        self.unsaved += 1
        if self.unsaved >= self.settings.save_every:
            self.save()
        if indexed.canonical == page_id or indexed.similarity is None:
            return None
        return Duplicate(indexed.canonical, indexed.similarity)

    def _count(self, site: str, page: Page, counts: PageCounts) -> None:
        generation = self.model.add(counts, fetch_day(page.fetched_at))
        if generation is None:
            return
        stats = self.model.sites[site]
        self.changes.add(counts, generation, stats)
        if stats.pages >= REMERGE_GROWTH * stats.merged_at and stats.pages >= 2:
            self.model.merge(stats)
            self.changes.variants[site] = stats.variants

    def pages_seen(self, site: str) -> int:
        """Distinct pages of the site counted so far, in this run and before."""
        stats = self.model.sites.get(site)
        return len(stats.seen_texts) if stats else 0

    def save(self) -> None:
        """Add what was learned since the last save to the state, in one transaction."""
        if self.changes:
            self.store.flush(self.changes, self.model)
        self.changes = Changes()
        self.unsaved = 0


def site_blocks_left(blocks: list[Block], stats: SiteStats) -> list[Block]:
    """A page's blocks less those that two pages of its site held before, as they stand (a block
    with a number in it may be a date line that varies): a syndicated copy under other furniture is
    the same article without it. What a copy is told on when it is learned, before it is cleaned."""
    return [b for b in blocks if b.shape != b.key or stats.pages_with(b.key)[0] < 2]


def fetch_day(fetched_at: str | None) -> float | None:
    """Days since 1970 of an ISO time, or None when there is none or it cannot be read."""
    if not fetched_at:
        return None
    try:
        return datetime.fromisoformat(fetched_at.replace("Z", "+00:00")).timestamp() / 86400
    except ValueError:
        return None


class StreamCleaner:
    """Cleans pages as a scraper sends them, learning from each: the state (a SQLite path or a
    `redis://` URL, made if missing) keeps what was learned for the next run.

    `clean(page)` learns from the page, then cleans it; `clean_many(pages)` lets the pages of a
    new site wait for evidence; `save()`/`close()` (or leaving a `with` block) keep the state."""

    def __init__(
        self, state: str | Path, config: Config | None = None, settings: StreamSettings | None = None
    ) -> None:
        self.config = config or Config()
        self.state = StreamState(
            state,
            self.config.settings,
            settings or StreamSettings(),
            self.config.duplicate_threshold,
            self.config.duplicate_rule,
        )
        self.state.model.rule = self.config.rule
        self.cleaner = Cleaner(self.config, self.state.model)

    @property
    def model(self) -> SiteModel:
        """The site model, as learned so far."""
        return self.cleaner.model

    def __enter__(self) -> StreamCleaner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:  # a run that failed keeps only what its periodic saves kept
            self.close()

    def save(self) -> None:
        """Keep what was learned so far in the state."""
        self.state.save()

    def close(self) -> None:
        """Save the state."""
        self.save()

    def clean(self, page: Page) -> Result:
        """Learn from the page (counted for its site, unless it duplicates an earlier page, which
        the result then names), then clean it."""
        return self._clean_together([(page, self.state.learn(page))])[0]

    def clean_many(self, pages: Iterable[Page]) -> Iterator[Result]:
        """Clean pages in turn; the pages of a site with too few pages yet wait (a bounded number
        of them) until it has enough, or the input ends: results may come in another order."""
        settings = self.state.settings
        # A page that waits is folded again when cleaned: a thousand pages' foldings are not held.
        waiting: dict[str, list[tuple[Page, None]]] = {}
        waiting_count = 0
        for page in pages:
            site = self.state.model.site_key(page.site or "", page.fetched_at)
            segmented = self.state.learn(page)
            if self.state.pages_seen(site) < settings.wait_pages:
                waiting.setdefault(site, []).append((page, None))
                waiting_count += 1
                if waiting_count > settings.buffer_pages:
                    oldest = next(iter(waiting))
                    waiting_count -= len(waiting[oldest])
                    yield from self._clean_together(waiting.pop(oldest))
                continue
            waited = waiting.pop(site, [])
            waiting_count -= len(waited)
            yield from self._clean_together([*waited, (page, segmented)])
        for held in waiting.values():
            yield from self._clean_together(held)

    def explain(self, page: Page) -> list[tuple[Block, Decision | None]]:
        """Every block of a page with the decision that removes it (`Cleaner.explain`)."""
        return self.cleaner.explain(page)

    def _clean_together(self, pages: Sequence[tuple[Page, Segmented | None]]) -> list[Result]:
        """Clean pages (a site's pages that waited together, each with its segmentation if kept),
        and index them as seen, each naming its duplicate."""
        cleaned = [self.cleaner.clean_keyed(page, segmented) for page, segmented in pages]
        return [
            result if dup is None else replace(result, duplicate_of=dup.canonical, similarity=dup.similarity)
            for (result, _), dup in zip(cleaned, self.state.place(cleaned), strict=True)
        ]
