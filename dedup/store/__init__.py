"""Where the learned state lives: a SQLite file (the default) or Redis (shared by scraper workers);
`dedup.store.base` holds what both share."""

from __future__ import annotations

from pathlib import Path

from dedup.store.base import (
    FORMAT_VERSION,
    Changes,
    Increments,
    SiteLoader,
    State,
    StateError,
    Store,
    meta_of,
    model_for,
)

__all__ = [
    "FORMAT_VERSION",
    "Changes",
    "Increments",
    "SiteLoader",
    "State",
    "StateError",
    "Store",
    "meta_of",
    "model_for",
    "open_store",
]


def open_store(location: str | Path) -> Store:
    """The store at a path (SQLite) or a `redis://host:port/db` URL."""
    text = str(location)
    if text.startswith(("redis://", "rediss://", "unix://")):
        from dedup.store.redis import RedisStore

        return RedisStore(text)
    from dedup.store.sqlite import SqliteStore

    return SqliteStore(Path(location))
