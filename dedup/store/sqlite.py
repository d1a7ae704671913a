"""The state in a SQLite file: embedded, nothing to start.

A batch `learn` writes the whole file into a temp file, then renames it over the old one. A stream
run adds its increments in one write transaction: SQLite's locking serializes concurrent writers,
and its journal rolls back a transaction cut short (a `kill -9`), so the file is never half-written.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from dedup.detect.duplicates import IndexedPage, PageIndex
from dedup.fingerprint import FingerprintSettings
from dedup.model import SiteModel, SiteStats
from dedup.store import (
    COUNTERS,
    FORMAT_VERSION,
    Changes,
    Meta,
    SiteChanges,
    State,
    StateError,
    check_meta,
    scale_counts,
    site_stats,
    whole,
)

BUSY_SECONDS = 600  # how long a writer waits for another process's transaction

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS sites (site TEXT PRIMARY KEY, pages REAL, clock REAL)",
    "CREATE TABLE IF NOT EXISTS variants (site TEXT, shape TEXT, exemplar TEXT, PRIMARY KEY (site, shape))",
    "CREATE TABLE IF NOT EXISTS seen (site TEXT, hash TEXT, PRIMARY KEY (site, hash))",
    "CREATE TABLE IF NOT EXISTS pages "
    "(n INTEGER PRIMARY KEY, id TEXT, exact TEXT, shingles BLOB, canonical TEXT)",
] + [
    f"CREATE TABLE IF NOT EXISTS {table} (site TEXT, key, pages REAL, PRIMARY KEY (site, key))"
    for table in COUNTERS
]


class SqliteStore:
    """A state file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)

    def exists(self) -> bool:
        """Whether the file is there."""
        return self.path.exists()

    def save(self, model: SiteModel) -> None:
        """Write the model whole, atomically: readers see the old state or the new, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        try:
            db = sqlite3.connect(tmp)
            with db:
                _create(db, Meta(model.settings, model.half_life))
                for site, stats in sorted(model.sites.items()):
                    _save_site(db, site, stats)
            db.close()
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)

    def flush(self, changes: Changes, meta: Meta) -> None:
        """Add a stream run's increments in one transaction (waiting for other writers)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            stored = dict(db.execute("SELECT name, value FROM meta")) if _has_meta(db) else {}
            if not stored:
                _create(db, meta)
            elif "t0" not in stored and meta.t0 is not None:
                db.execute("INSERT INTO meta VALUES ('t0', ?)", (json.dumps(meta.t0),))
            for site, change in changes.sites.items():
                _add_site(db, site, change)
            db.executemany(
                "INSERT INTO pages (id, exact, shingles, canonical) VALUES (?, ?, ?, ?)",
                [(p.id, str(p.exact), p.shingles.tobytes(), p.canonical) for p in changes.pages],
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

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
            meta = check_meta(self.location, stored, settings)
            model = SiteModel(settings=settings, half_life=meta.half_life)
            _load_sites(db, model, meta)
            index = PageIndex(settings, pages=_load_pages(db))
        finally:
            db.close()
        return State(model, index, meta)


def _has_meta(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is not None


def _create(db: sqlite3.Connection, meta: Meta) -> None:
    for statement in SCHEMA:
        db.execute(statement)
    values = {"format": FORMAT_VERSION, "settings": meta.settings.as_dict(), "half_life": meta.half_life}
    if meta.t0 is not None:
        values["t0"] = meta.t0
    db.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in values.items()]
    )


def _save_site(db: sqlite3.Connection, site: str, stats: SiteStats) -> None:
    db.execute("INSERT INTO sites VALUES (?, ?, ?)", (site, stats.pages, stats.clock))
    for table in COUNTERS:
        counter = getattr(stats, table)
        db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", [(site, k, c) for k, c in counter.items()])
    _replace_variants(db, site, stats.variants)
    db.executemany("INSERT INTO seen VALUES (?, ?)", _seen_rows(site, stats.seen_texts))


def _add_site(db: sqlite3.Connection, site: str, change: SiteChanges) -> None:
    db.execute(
        "INSERT INTO sites VALUES (?, ?, ?) ON CONFLICT (site) DO UPDATE SET pages = pages + excluded.pages, "
        "clock = max(coalesce(clock, excluded.clock), coalesce(excluded.clock, clock))",
        (site, change.pages, change.clock),
    )
    for table in COUNTERS:
        db.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?) "
            "ON CONFLICT (site, key) DO UPDATE SET pages = pages + excluded.pages",
            [(site, k, c) for k, c in change.counters[table].items()],
        )
    if change.variants is not None:
        _replace_variants(db, site, change.variants)
    db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", _seen_rows(site, change.seen))


def _replace_variants(db: sqlite3.Connection, site: str, variants: dict[str, str]) -> None:
    db.execute("DELETE FROM variants WHERE site = ?", (site,))
    db.executemany("INSERT INTO variants VALUES (?, ?, ?)", [(site, k, ex) for k, ex in variants.items()])


def _seen_rows(site: str, hashes: Iterable[int]) -> list[tuple[str, str]]:
    # Hashes are unsigned 64-bit: stored as text, since SQLite integers are signed.
    return [(site, str(h)) for h in hashes]


def _load_sites(db: sqlite3.Connection, model: SiteModel, meta: Meta) -> None:
    for site, pages, clock in db.execute("SELECT site, pages, clock FROM sites"):
        model.sites[site] = site_stats(pages, clock, meta)
    for table in COUNTERS:
        for site, key, pages in db.execute(f"SELECT site, key, pages FROM {table}"):
            getattr(model.sites[site], table)[key] = whole(pages)
    variants: dict[str, dict[str, str]] = {}
    for site, shape, exemplar in db.execute("SELECT site, shape, exemplar FROM variants"):
        variants.setdefault(site, {})[shape] = exemplar
    for site, found in variants.items():
        model.sites[site].set_variants(found)
    for site, h in db.execute("SELECT site, hash FROM seen"):
        model.sites[site].seen_texts.add(int(h))
    for stats in model.sites.values():
        scale_counts(stats, meta)


def _load_pages(db: sqlite3.Connection) -> list[IndexedPage]:
    rows = db.execute("SELECT id, exact, shingles, canonical FROM pages ORDER BY n")
    return [IndexedPage(i, int(e), np.frombuffer(s, dtype=np.uint32), c) for i, e, s, c in rows]


def load(path: Path, settings: FingerprintSettings) -> SiteModel:
    """The site model of a state file (for a batch run, `explain`, `sites`)."""
    return SqliteStore(path).load(settings).model


def save(model: SiteModel, path: Path) -> None:
    """Write a whole model to a state file, atomically."""
    SqliteStore(path).save(model)
