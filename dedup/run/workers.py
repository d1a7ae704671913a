"""The per-page work of a batch run, in chunks, on several worker processes; results in input order.

Learning (each page's print and counts) and cleaning (each page's result, serialized) run in
the workers; the parent reads the inputs, merges what comes back in input order (so the output is
the same for any number of workers), and does the rest: the model, the duplicate groups, the files.
One worker runs the same chunks in the parent process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from dedup.clean import Cleaner
from dedup.duplicates import DuplicateFinder, PagePrint, key_prints
from dedup.features import learning_pages
from dedup.io.readers import Fields
from dedup.io.writers import result_line
from dedup.keys import line_keys
from dedup.normalize import build_tables
from dedup.page import Page

CHUNK_PAGES = 200  # pages per task: enough to batch the hashing, few enough to keep memory flat
IN_FLIGHT = 2  # chunks per worker read ahead of the results: the parent never holds much more

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """All the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def chunks(items: Iterable[T], size: int = CHUNK_PAGES) -> Iterator[list[T]]:
    """The items in lists of `size` (the last one shorter)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# The one piece of per-process state: what a worker was started with (the run's cleaner, or a
# duplicate finder), set once when the worker starts, read by every task it runs.
_STARTED: dict[str, Any] = {}


def _start(cleaner: Cleaner, fields: Fields, parent: int) -> None:
    _end_with(parent)
    _STARTED["cleaner"], _STARTED["fields"] = cleaner, fields


def _end_with(parent: int) -> None:
    """End this worker when the run that forked it dies, even by SIGKILL: a worker waits on a pipe
    it holds open itself, so it would otherwise wait for ever, holding its memory."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


def _run(task: Callable[[Cleaner, Fields, list[Any]], R], chunk: list[Any]) -> R:
    return task(_STARTED["cleaner"], _STARTED["fields"], chunk)


class Workers:
    """A pool of worker processes started with the run's cleaner (forked, so the model is not
    copied); `map` runs a task on chunks and yields the results in input order."""

    def __init__(self, workers: int, cleaner: Cleaner, fields: Fields) -> None:
        if workers < 1:
            raise ValueError(f"--workers must be 1 or more, not {workers}")
        self.workers = workers
        self.cleaner = cleaner
        self.fields = fields
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.workers > 1:
            build_tables()  # before the fork: every worker shares them
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start,
                initargs=(self.cleaner, self.fields, os.getpid()),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, task: Callable[[Cleaner, Fields, list[T]], R], items: Iterable[list[T]]) -> Iterator[R]:
        """task(cleaner, fields, chunk) for every chunk, in order; a few chunks are read ahead."""
        if self._pool is None:
            for chunk in items:
                yield task(self.cleaner, self.fields, chunk)
            return
        pending: deque[Future[R]] = deque()
        for chunk in items:
            pending.append(self._pool.submit(_run, task, chunk))
            if len(pending) >= IN_FLIGHT * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def candidates(finder: DuplicateFinder, workers: int) -> set[tuple[int, int]]:
    """The finder's LSH candidate pairs (`DuplicateFinder.candidates`), its bands shared out over
    `workers` processes forked now: they read the pages' prints where the parent holds them."""
    finder.articles()  # found once, before the fork: every worker reads them
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return finder.candidates()
    shares = [range(k, finder.bands(), workers) for k in range(workers)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_keep, initargs=(finder, os.getpid())
    ) as pool:
        return set().union(*pool.map(_finder_candidates, shares))


def _keep(finder: DuplicateFinder, parent: int) -> None:
    _end_with(parent)
    _STARTED["finder"] = finder


def _finder_candidates(bands: range) -> set[tuple[int, int]]:
    finder: DuplicateFinder = _STARTED["finder"]
    return finder.candidates(bands)


def learn_pages(
    cleaner: Cleaner, fields: Fields, pages: list[tuple[str, str]]
) -> list[tuple[PagePrint, bytes]]:
    """Task: the learning print and the counts (as bytes, `PageCounts.dumps`) of a chunk of
    (site, text) pages."""
    rows = learning_pages(pages, cleaner.config.settings, cleaner.model.rule.short_words)
    return [(print_, counts.dumps()) for print_, counts in rows]


def site_variants(
    cleaner: Cleaner, fields: Fields, sites: list[tuple[str, tuple[int, int]]]
) -> list[dict[str, str]]:
    """Task: the variant merges of a few (site, LSH bands) of the model the worker was started with
    (each site's single shapes let go in this process once merged)."""
    merged = []
    for site, bands in sites:
        merged.append(cleaner.model.variants(site, bands))
        cleaner.model.sites[site].release_single()
    return merged


@dataclass(frozen=True)
class Cleaned:
    """What the parent needs of a cleaned page: its output line, its summary figures, its print."""

    line: bytes
    site: str
    chars: int
    removed: tuple[tuple[str, int], ...]  # (kind, characters) of each removed span
    print_: PagePrint


def clean_pages(cleaner: Cleaner, fields: Fields, pages: list[Page]) -> list[Cleaned]:
    """Task: clean a chunk of pages into output lines, with what the summary and the duplicates need."""
    cleaned = [cleaner.clean_keyed(page) for page in pages]
    results = [r for r, _ in cleaned]
    size = cleaner.config.settings.word_shingle
    sites = [r.page.site or "" for r in results]
    prints = key_prints(sites, [line_keys(r.text) for r in results], [key for _, key in cleaned], size)
    return [
        Cleaned(
            result_line(r, fields),
            r.page.site or "",
            len(r.page.text),
            tuple((x.kind, x.end - x.start) for x in r.removed),
            p,
        )
        for r, p in zip(results, prints, strict=True)
    ]
