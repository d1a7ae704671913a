"""The site model in a SQLite file: written whole into a temp file, then renamed over the old one."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path

from dedup.fingerprint import FingerprintSettings
from dedup.model import SiteModel, SiteStats

FORMAT_VERSION = 2

# The per-site counters of SiteStats, each stored as a (site, key, pages) table.
COUNTERS = ("shapes", "labels", "head_shapes", "grams")


class StateError(Exception):
    """A state file that cannot be used: missing, foreign, or made with other settings."""


def save(model: SiteModel, path: Path) -> None:
    """Write the model to path atomically: readers see the old model or the new, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(tmp)
        with db:
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE sites (site TEXT PRIMARY KEY, pages INTEGER)")
            db.execute("CREATE TABLE variants (site TEXT, shape TEXT, pages INTEGER, exemplar TEXT)")
            db.execute("CREATE TABLE seen (site TEXT, hash TEXT)")
            for table in COUNTERS:
                db.execute(f"CREATE TABLE {table} (site TEXT, key, pages INTEGER)")
            meta = {"format": FORMAT_VERSION, "settings": model.settings.as_dict()}
            db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])
            for site, stats in sorted(model.sites.items()):
                _save_site(db, site, stats)
        db.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _save_site(db: sqlite3.Connection, site: str, stats: SiteStats) -> None:
    db.execute("INSERT INTO sites VALUES (?, ?)", (site, stats.pages))
    for table in COUNTERS:
        counter: Counter = getattr(stats, table)
        db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", [(site, k, c) for k, c in counter.items()])
    db.executemany(
        "INSERT INTO variants VALUES (?, ?, ?, ?)", [(site, k, c, ex) for k, (c, ex) in stats.merged.items()]
    )
    # Hashes are unsigned 64-bit: stored as text, since SQLite integers are signed.
    db.executemany("INSERT INTO seen VALUES (?, ?)", [(site, str(h)) for h in stats.seen_texts])


def load(path: Path, settings: FingerprintSettings) -> SiteModel:
    """Read a model; refuse one made by another format version or other fingerprint settings."""
    if not path.exists():
        raise StateError(f"{path}: no such state file; make one with `dedup learn INPUT... --state {path}`")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = {k: json.loads(v) for k, v in db.execute("SELECT name, value FROM meta")}
    except sqlite3.DatabaseError as e:
        raise StateError(f"{path}: not a dedup state file ({e})") from e
    if meta.get("format") != FORMAT_VERSION:
        raise StateError(f"{path}: state format {meta.get('format')} is not {FORMAT_VERSION}; learn it again")
    if meta.get("settings") != settings.as_dict():
        raise StateError(
            f"{path}: made with fingerprint settings {meta.get('settings')}, this run uses "
            f"{settings.as_dict()}; signatures made with other settings (hash scheme, seed, num_perm, "
            "shingle size, normalizer) are not comparable: learn the state again"
        )
    model = SiteModel(settings=settings)
    for site, pages in db.execute("SELECT site, pages FROM sites"):
        model.sites[site] = SiteStats(pages=pages)
    for table in COUNTERS:
        for site, key, pages in db.execute(f"SELECT site, key, pages FROM {table}"):
            getattr(model.sites[site], table)[key] = pages
    for site, shape, pages, exemplar in db.execute("SELECT site, shape, pages, exemplar FROM variants"):
        model.sites[site].merged[shape] = (pages, exemplar)
    for site, h in db.execute("SELECT site, hash FROM seen"):
        model.sites[site].seen_texts.add(int(h))
    db.close()
    return model
