"""The per-page work of a local run, in chunks, on several worker processes; results in input order.

The stages' tasks (each page's features, the variant merges, each page cleaned) run in the
workers, which also parse the JSONL lines they are sent; the parent reads the inputs, merges
what comes back in input order (so the output is the same for any number of workers), and does
the rest. One worker runs the same chunks in the
parent process.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any, Generic, TypeVar

import numpy as np

from dedup.duplicates import DuplicateFinder, split
from dedup.normalize import build_tables
from dedup.segment import char_table

CHUNK_PAGES = 200  # pages per task: enough to batch the hashing, few enough to keep memory flat
IN_FLIGHT = 2  # chunks per worker read ahead of the results: the parent never holds much more
TASKS_PER_WORKER = 8  # tasks a run's sites are shared out in, per worker (`by_size`)
# Allocations between two of the collector's passes over the young objects while the work runs:
# a page makes thousands that die young, and a pass every 700 (Python's default) walks the
# survivors again and again (1.4% of a run on one worker; the same memory).
YOUNG_OBJECTS = 50_000

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


# The one piece of per-process state: what a worker was started with (what the run's tasks read:
# its cleaner, its model; or a duplicate finder), set once when the worker starts.
_STARTED: dict[str, Any] = {}
S = TypeVar("S")


def _start(state: Any, parent: int) -> None:
    _end_with(parent)
    _STARTED["state"] = state


def _end_with(parent: int) -> None:
    """End this worker when the run that forked it dies, even by SIGKILL: a worker waits on a pipe
    it holds open itself, so it would otherwise wait for ever, holding its memory."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


def _run(task: Callable[[Any, list[Any]], R], chunk: list[Any]) -> R:
    return task(_STARTED["state"], chunk)


class Workers(Generic[S]):
    """A pool of worker processes started with a state the tasks read (forked, so a model is not
    copied); `map` runs a task on chunks and yields the results in input order."""

    def __init__(self, workers: int, state: S) -> None:
        if workers < 1:
            raise ValueError(f"--workers must be 1 or more, not {workers}")
        self.workers = workers
        self.state = state
        self._pool: ProcessPoolExecutor | None = None
        self._threshold = gc.get_threshold()

    def __enter__(self) -> Workers[S]:
        # What exists now (the model, the tables) is left out of the collector's passes until the
        # work ends: they would walk all of it again and again, and in a forked worker write to
        # every page of it, copying them all.
        gc.freeze()
        self._threshold = gc.get_threshold()
        gc.set_threshold(YOUNG_OBJECTS, *self._threshold[1:])
        if self.workers > 1:
            build_tables()  # before the fork: every worker shares them
            char_table()
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start,
                initargs=(self.state, os.getpid()),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        gc.set_threshold(*self._threshold)
        gc.unfreeze()

    def map(self, task: Callable[[S, list[T]], R], items: Iterable[list[T]]) -> Iterator[R]:
        """task(state, chunk) for every chunk, in order; a few chunks are read ahead."""
        if self._pool is None:
            for chunk in items:
                yield task(self.state, chunk)
            return
        pending: deque[Future[R]] = deque()
        for chunk in items:
            pending.append(self._pool.submit(_run, task, chunk))
            if len(pending) >= IN_FLIGHT * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def candidates(finder: DuplicateFinder, workers: int) -> set[tuple[int, int]]:
    """The finder's LSH candidate pairs (`DuplicateFinder.candidates`), its sites' articles and
    their band keys made on `workers` processes forked now: they read the pages' prints where the
    parent holds them."""
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return finder.candidates()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_keep, initargs=(finder, os.getpid())
    ) as pool:
        tasks = by_size(finder.sites(), len, workers)
        made = [site for batch in pool.map(_sites_articles, tasks) for site in batch]
    finder.articles((split(joined, ends), contain) for joined, ends, contain, _ in made)
    return finder.candidates(keys for _, _, _, keys in made)


def _keep(finder: DuplicateFinder, parent: int) -> None:
    _end_with(parent)
    _STARTED["finder"] = finder


def by_size(items: Sequence[T], size: Callable[[T], int], workers: int) -> list[list[T]]:
    """The items (biggest first) in tasks of about the same total size, several per worker: a
    crawl of many small sites does not make a task of each."""
    least = max(1, sum(map(size, items)) // (workers * TASKS_PER_WORKER))
    tasks: list[list[T]] = [[]]
    held = 0
    for item in items:
        if held >= least:
            tasks.append([])
            held = 0
        tasks[-1].append(item)
        held += size(item)
    return tasks


def _sites_articles(sites: list[list[int]]) -> list[tuple[np.ndarray, list[int], bool, np.ndarray]]:
    """Task: these sites' articles (joined in one array, and where each ends: one array is sent
    faster than many), whether containment counts for them, their band keys."""
    finder: DuplicateFinder = _STARTED["finder"]
    made = []
    for pages in sites:
        articles, contain = finder.site_articles(pages)
        ends = np.cumsum([len(a) for a in articles]).tolist()
        made.append((np.concatenate(articles), ends, contain, finder.article_keys(articles)))
    return made
