"""The state in a SQLite file: embedded, nothing to start.

A batch `learn` writes the whole file into a temp file, then renames it over the old one. A stream
run makes a new state the same way (empty tables, in place at once), then adds its increments in
one write transaction: SQLite's locking serializes concurrent writers, and its journal rolls back a
transaction cut short (a `kill -9`), so the file is never half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from dedup.duplicates import IndexedPage, PageIndex
from dedup.fingerprint import FingerprintSettings
from dedup.model import COUNTERS, SiteModel, SiteStats
from dedup.store.base import INDEXES, Changes, SiteLoader, State, StateError, meta_of, model_for

BUSY_SECONDS = 600  # how long a writer waits for another process's transaction

_PAGE_COLUMNS = (
    "n INTEGER PRIMARY KEY, id TEXT, site TEXT, exact TEXT, shape TEXT, shingles BLOB, canonical TEXT, "
    "similarity REAL"
)
_COUNT_COLUMNS = "site TEXT, key, gen INTEGER, pages INTEGER, PRIMARY KEY (site, key, gen)"
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS sites (site TEXT, gen INTEGER, pages INTEGER, PRIMARY KEY (site, gen))",
    "CREATE TABLE IF NOT EXISTS variants (site TEXT, shape TEXT, exemplar TEXT, PRIMARY KEY (site, shape))",
    "CREATE TABLE IF NOT EXISTS seen (site TEXT, hash TEXT, PRIMARY KEY (site, hash))",
    "CREATE TABLE IF NOT EXISTS examples (site TEXT, key TEXT, text TEXT, PRIMARY KEY (site, key))",
    *(f"CREATE TABLE IF NOT EXISTS {table} ({_PAGE_COLUMNS})" for table in INDEXES),
    *(f"CREATE TABLE IF NOT EXISTS {table} ({_COUNT_COLUMNS})" for table in COUNTERS),
]


class SqliteStore:
    """A state file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)

    def exists(self) -> bool:
        """Whether the file is there (an empty one is a state another process is making now)."""
        return self.path.exists() and self.path.stat().st_size > 0

    def save(self, model: SiteModel) -> None:
        """Write the model whole, atomically: readers see the old state or the new, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._whole(model, model.sites) as tmp:
            os.replace(tmp, self.path)

    @contextlib.contextmanager
    def _whole(self, model: SiteModel, sites: Mapping[str, SiteStats]) -> Iterator[Path]:
        """A new state file beside this one, made whole (tables, settings, these sites), to be put in
        place; removed if it is not."""
        tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            db = sqlite3.connect(tmp)
            with db:
                _create(db, model)
                for site, stats in sorted(sites.items()):
                    _save_site(db, site, stats)
            db.close()
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)

    def flush(self, changes: Changes, model: SiteModel) -> None:
        """Add a stream run's increments in one transaction (waiting for other writers)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.exists():
            self._make(model)
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            if not _has_meta(db):
                _create(db, model)
            for (site, gen), inc in changes.counts.items():
                db.execute(
                    "INSERT INTO sites VALUES (?, ?, ?) "
                    "ON CONFLICT (site, gen) DO UPDATE SET pages = pages + excluded.pages",
                    (site, gen, inc.pages),
                )
                for table in COUNTERS:
                    db.executemany(
                        f"INSERT INTO {table} VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (site, key, gen) DO UPDATE SET pages = pages + excluded.pages",
                        [(site, k, gen, c) for k, c in inc.counters[table].items()],
                    )
                db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", _seen_rows(site, inc.seen))
                db.executemany(
                    "INSERT OR IGNORE INTO examples VALUES (?, ?, ?)", _example_rows(site, inc.examples)
                )
            for site, variants in changes.variants.items():
                _replace_variants(db, site, variants)
            for table, pages in changes.indexed():
                db.executemany(
                    f"INSERT INTO {table} (id, site, exact, shape, shingles, canonical, similarity) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            p.id,
                            p.site,
                            _text(p.exact),
                            _text(p.shape),
                            p.shingles.tobytes(),
                            p.canonical,
                            p.similarity,
                        )
                        for p in pages
                    ],
                )
            if model.forget_after is not None:
                _forget(db, {site for site, _ in changes.counts})
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def _make(self, model: SiteModel) -> None:
        """Put an empty state (tables, settings) in place whole: connecting to a missing file would
        make it empty at once, and a run killed before its first commit would leave it so."""
        with self._whole(model, {}) as tmp:
            try:
                os.link(tmp, self.path)  # never over a state another writer has just put in place
            except FileExistsError:
                if not self.exists():  # an empty file an earlier version left, with its journal
                    self.path.with_name(self.path.name + "-journal").unlink(missing_ok=True)
                    os.replace(tmp, self.path)

    def load(self, settings: FingerprintSettings) -> State:
        """Read the whole state; refuse one made by another format or other fingerprint settings."""
        if not self.path.exists():
            raise StateError(
                f"{self.path}: no such state file; make one with `dedup learn INPUT... --state {self.path}`"
            )
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_SECONDS)
            db.execute("BEGIN")  # one snapshot: a writer waits until the whole state is read
            stored = {k: json.loads(v) for k, v in db.execute("SELECT name, value FROM meta")}
        except sqlite3.DatabaseError as e:
            raise StateError(f"{self.path}: not a dedup state file ({e})") from e
        try:
            model = model_for(self.location, stored, settings)
            _load_sites(db, model)
            index, learning = (PageIndex(settings, pages=_load_pages(db, table)) for table in INDEXES)
        finally:
            db.close()
        return State(model, index, learning)


def _has_meta(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is not None


def _create(db: sqlite3.Connection, model: SiteModel) -> None:
    for statement in SCHEMA:
        db.execute(statement)
    rows = [(k, json.dumps(v)) for k, v in meta_of(model).items()]
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows)


def _save_site(db: sqlite3.Connection, site: str, stats: SiteStats) -> None:
    gen = stats.generation or 0
    db.execute("INSERT INTO sites VALUES (?, ?, ?)", (site, gen, stats.pages))
    for table in COUNTERS:
        counter = getattr(stats, table)
        db.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?)", [(site, k, gen, c) for k, c in counter.items()]
        )
    _replace_variants(db, site, stats.variants)
    db.executemany("INSERT INTO seen VALUES (?, ?)", _seen_rows(site, stats.seen_texts))
    db.executemany("INSERT INTO examples VALUES (?, ?, ?)", _example_rows(site, stats.examples))


def _forget(db: sqlite3.Connection, sites: set[str]) -> None:
    """Drop the generations of these sites that no longer count."""
    for site in sites:
        kept = [
            g
            for (g,) in db.execute("SELECT gen FROM sites WHERE site = ? ORDER BY gen DESC LIMIT 2", (site,))
        ]
        for table in ("sites", *COUNTERS):
            db.execute(f"DELETE FROM {table} WHERE site = ? AND gen < ?", (site, kept[-1]))
        db.execute(  # the examples of keys no longer counted (few: one per key on 2+ pages)
            "DELETE FROM examples WHERE site = ?1"
            " AND NOT EXISTS (SELECT 1 FROM shapes s WHERE s.site = ?1 AND s.key = examples.key)"
            " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.site = ?1 AND l.key = examples.key)",
            (site,),
        )


def _replace_variants(db: sqlite3.Connection, site: str, variants: dict[str, str]) -> None:
    db.execute("DELETE FROM variants WHERE site = ?", (site,))
    db.executemany("INSERT INTO variants VALUES (?, ?, ?)", [(site, k, ex) for k, ex in variants.items()])


def _example_rows(site: str, examples: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(site, k, text) for k, text in examples.items()]


def _seen_rows(site: str, hashes: Iterable[int]) -> list[tuple[str, str]]:
    # Hashes are unsigned 64-bit: stored as text, since SQLite integers are signed.
    return [(site, str(h)) for h in hashes]


def _load_sites(db: sqlite3.Connection, model: SiteModel) -> None:
    generations: dict[str, dict[int, int]] = {}
    for site, gen, pages in db.execute("SELECT site, gen, pages FROM sites"):
        generations.setdefault(site, {})[gen] = pages
    for site, gens in generations.items():
        loader = SiteLoader(model, site, gens)
        for table in COUNTERS:
            query = f"SELECT key, pages FROM {table} WHERE site = ? AND gen = ?"
            loader.set_counts(table, {g: dict(db.execute(query, (site, g))) for g in gens if loader.keeps(g)})
        loader.set_examples(dict(db.execute("SELECT key, text FROM examples WHERE site = ?", (site,))))
    variants: dict[str, dict[str, str]] = {}
    for site, shape, exemplar in db.execute("SELECT site, shape, exemplar FROM variants"):
        variants.setdefault(site, {})[shape] = exemplar
    for site, found in variants.items():
        model.sites.setdefault(site, SiteStats()).set_variants(found)
    for site, h in db.execute("SELECT site, hash FROM seen"):
        model.sites.setdefault(site, SiteStats()).seen_texts.add(int(h))
    for stats in model.sites.values():
        stats.merged_at = stats.pages if stats.variants else 0


def _load_pages(db: sqlite3.Connection, table: str) -> list[IndexedPage]:
    rows = db.execute(
        f"SELECT id, site, exact, shape, shingles, canonical, similarity FROM {table} ORDER BY n"
    )
    return [
        IndexedPage(i, site, _hash(e), _hash(h), np.frombuffer(s, dtype=np.uint32), c, sim)
        for i, site, e, h, s, c, sim in rows
    ]


def _text(h: int | None) -> str:
    """A 64-bit hash as stored (text: SQLite's integers are signed), or "" for none."""
    return "" if h is None else str(h)


def _hash(stored: str) -> int | None:
    """A stored hash back."""
    return int(stored) if stored else None


def load(path: Path, settings: FingerprintSettings) -> SiteModel:
    """The site model of a state file (for a batch run, `explain`, `sites`)."""
    return SqliteStore(path).load(settings).model


def save(model: SiteModel, path: Path) -> None:
    """Write a whole model to a state file, atomically."""
    SqliteStore(path).save(model)
