"""The site model in a SQLite file: written whole into a temp file, then renamed over the old one."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from dedup.fingerprint import FingerprintSettings
from dedup.model import SiteModel, SiteStats

FORMAT_VERSION = 2


class StateError(Exception):
    """A state file that cannot be used: missing, foreign, or made with other settings."""


def save(model: SiteModel, path: Path) -> None:
    """Write the model to path atomically: readers see the old model or the new, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        with sqlite3.connect(tmp) as db:
            db.executescript(
                "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE sites (site TEXT PRIMARY KEY, pages INTEGER);"
                "CREATE TABLE shapes (site TEXT, shape TEXT, pages INTEGER);"
                "CREATE TABLE labels (site TEXT, label TEXT, pages INTEGER);"
                "CREATE TABLE variants (site TEXT, shape TEXT, pages INTEGER, exemplar TEXT);"
                "CREATE TABLE seen (site TEXT, hash TEXT);"
                "CREATE TABLE head_shapes (site TEXT, shape TEXT, pages INTEGER);"
                "CREATE TABLE grams (site TEXT, gram INTEGER, pages INTEGER);"
            )
            meta = {"format": FORMAT_VERSION, "settings": model.settings.as_dict()}
            db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])
            for site, s in sorted(model.sites.items()):
                db.execute("INSERT INTO sites VALUES (?, ?)", (site, s.pages))
                db.executemany("INSERT INTO shapes VALUES (?, ?, ?)", [(site, k, c) for k, c in s.shapes.items()])
                db.executemany("INSERT INTO labels VALUES (?, ?, ?)", [(site, k, c) for k, c in s.labels.items()])
                db.executemany(
                    "INSERT INTO variants VALUES (?, ?, ?, ?)",
                    [(site, k, c, ex) for k, (c, ex) in s.merged.items()],
                )
                db.executemany("INSERT INTO seen VALUES (?, ?)", [(site, str(h)) for h in s.seen_texts])
                db.executemany(
                    "INSERT INTO head_shapes VALUES (?, ?, ?)", [(site, k, c) for k, c in s.head_shapes.items()]
                )
                db.executemany("INSERT INTO grams VALUES (?, ?, ?)", [(site, k, c) for k, c in s.grams.items()])
        db.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
    for site, shape, pages in db.execute("SELECT site, shape, pages FROM shapes"):
        model.sites[site].shapes[shape] = pages
    for site, label, pages in db.execute("SELECT site, label, pages FROM labels"):
        model.sites[site].labels[label] = pages
    for site, shape, pages, exemplar in db.execute("SELECT site, shape, pages, exemplar FROM variants"):
        model.sites[site].merged[shape] = (pages, exemplar)
    for site, h in db.execute("SELECT site, hash FROM seen"):
        model.sites[site].seen_texts.add(int(h))
    for site, shape, pages in db.execute("SELECT site, shape, pages FROM head_shapes"):
        model.sites[site].head_shapes[shape] = pages
    for site, gram, pages in db.execute("SELECT site, gram, pages FROM grams"):
        model.sites[site].grams[gram] = pages
    db.close()
    return model
