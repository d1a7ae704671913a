"""The state in Redis, shared by scraper workers: counts are hash fields that saves increment.

A save is one MULTI/EXEC transaction (one round trip, after a check that the server holds the
script that adds a counter's increments): every worker's increments add up, and a worker killed
mid-save leaves the state as it was. Keys, under a prefix (`dedup:` by default,
`?prefix=NAME` in the URL for another):

  meta                      hash: format, fingerprint settings, forget_after
  sites                     set of site names
  gens:SITE                 hash: generation -> pages counted in it
  TABLE:SITE:GEN            hash: key -> pages, for TABLE in shapes, labels, head_shapes, grams
  variants:SITE             hash: shape -> exemplar of its variant cluster
  seen:SITE                 set: exact hashes of the pages counted
  examples:SITE             hash: shape or label -> an example of its text, for those on 2+ pages
  pages                     list: the page index (id, site, exact hash, canonical id, similarity,
                            shingle hashes), by the pages' cleaned text
  learning                  list: the same, by the pages as learning saw them (its copies)

The page index is rebuilt in memory as a datasketch MinHashLSH when the state is loaded: its
pairs are confirmed on the stored shingles anyway, and a MinHashLSH kept in Redis costs a round
trip per band on every query.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import numpy as np
import orjson

from dedup.duplicates import IndexedPage, PageIndex
from dedup.fingerprint import FingerprintSettings
from dedup.model import COUNTERS, SiteModel, SiteStats
from dedup.store.base import INDEXES, Changes, SiteLoader, State, StateError, meta_of, model_for

SCAN_BATCH = 1000
# Adds each (field, increment) pair of ARGV to the hash KEYS[1]: a counter's increments in one
# command, where a HINCRBY a field costs the client a command each (most of a save's time).
_HINCRBY_ALL = """
for i = 1, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
return #ARGV / 2
"""


class RedisStore:
    """A state in a Redis database."""

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError as e:
            raise StateError("a redis:// state needs the Redis client: pip install 'dedup[redis]'") from e
        parts = urlsplit(url)
        self.prefix = parse_qs(parts.query).get("prefix", ["dedup"])[0] + ":"
        self.location = urlunsplit(parts._replace(query=""))
        self._errors: tuple[type[Exception], ...] = (redis.RedisError,)
        self.db: Any = redis.Redis.from_url(self.location, socket_connect_timeout=5)
        self._hincrby_all = self.db.register_script(_HINCRBY_ALL)

    def _key(self, *parts: object) -> str:
        return self.prefix + ":".join(map(str, parts))

    def _call(self, what: str, fn: Any, *args: Any) -> Any:
        """Run fn, turning Redis errors into a StateError that says where and what."""
        try:
            return fn(*args)
        except self._errors as e:
            raise StateError(f"{self.location}: cannot {what} ({e}); is redis-server running there?") from e

    def exists(self) -> bool:
        """Whether a state is there."""
        return bool(self._call("read the state", self.db.exists, self._key("meta")))

    def save(self, model: SiteModel) -> None:
        """Replace the state with a whole model, in one transaction."""
        self._call("write the state", self._save, model)

    def _save(self, model: SiteModel) -> None:
        old = list(self.db.scan_iter(match=self.prefix + "*", count=SCAN_BATCH))
        pipe = self.db.pipeline(transaction=True)
        if old:
            pipe.delete(*old)
        self._write_meta(pipe, model, replace=True)
        for site, stats in model.sites.items():
            gen = stats.generation or 0
            pipe.sadd(self._key("sites"), site)
            pipe.hset(self._key("gens", site), str(gen), stats.pages)
            for table in COUNTERS:
                counter = getattr(stats, table)
                if counter:
                    pipe.hset(self._key(table, site, gen), mapping={str(k): c for k, c in counter.items()})
            if stats.variants:
                pipe.hset(self._key("variants", site), mapping=stats.variants)
            if stats.seen_texts:
                pipe.sadd(self._key("seen", site), *map(str, stats.seen_texts))
            if stats.examples:
                pipe.hset(self._key("examples", site), mapping=stats.examples)
        pipe.execute()

    def _write_meta(self, pipe: Any, model: SiteModel, replace: bool) -> None:
        write = pipe.hset if replace else pipe.hsetnx
        for name, value in meta_of(model).items():
            write(self._key("meta"), name, json.dumps(value))

    def flush(self, changes: Changes, model: SiteModel) -> None:
        """Add a stream run's increments, in one transaction."""
        self._call("save the state", self._flush, changes, model)
        if model.forget_after is not None:
            self._call("save the state", self._forget, {site for site, _ in changes.counts})

    def _flush(self, changes: Changes, model: SiteModel) -> None:
        pipe = self.db.pipeline(transaction=True)
        self._write_meta(pipe, model, replace=False)
        for (site, gen), inc in changes.counts.items():
            pipe.sadd(self._key("sites"), site)
            pipe.hincrby(self._key("gens", site), str(gen), inc.pages)
            for table in COUNTERS:
                if counts := inc.counters[table]:
                    increments = [x for k, c in counts.items() for x in (str(k), c)]
                    self._hincrby_all(keys=[self._key(table, site, gen)], args=increments, client=pipe)
            if inc.seen:
                pipe.sadd(self._key("seen", site), *map(str, inc.seen))
            for k, text in inc.examples.items():
                pipe.hsetnx(self._key("examples", site), k, text)
        for site, variants in changes.variants.items():
            pipe.delete(self._key("variants", site))
            if variants:
                pipe.hset(self._key("variants", site), mapping=variants)
        for name, pages in changes.indexed():
            if pages:
                pipe.rpush(self._key(name), *map(_pack, pages))
        pipe.execute()

    def _forget(self, sites: set[str]) -> None:
        """Drop the generations of these sites that no longer count."""
        for site in sites:
            gens = sorted(int(g) for g in self.db.hkeys(self._key("gens", site)))
            old = gens[:-2]
            if old:
                pipe = self.db.pipeline(transaction=True)
                pipe.hdel(self._key("gens", site), *map(str, old))
                pipe.delete(*(self._key(table, site, g) for table in COUNTERS for g in old))
                pipe.execute()
                self._forget_examples(site, gens[-2:])

    def _forget_examples(self, site: str, gens: list[int]) -> None:
        """Drop the examples of keys no longer counted in these kept generations of a site."""
        counted: set[bytes] = set()
        for table in ("shapes", "labels"):
            for g in gens:
                counted.update(self.db.hkeys(self._key(table, site, g)))
        gone = [k for k in self.db.hkeys(self._key("examples", site)) if k not in counted]
        if gone:
            self.db.hdel(self._key("examples", site), *gone)

    def load(self, settings: FingerprintSettings) -> State:
        """Read the whole state; refuse one made by another format or other fingerprint settings."""
        stored = self._call("read the state", self.db.hgetall, self._key("meta"))
        if not stored:
            raise StateError(f"{self.location}: no dedup state there (no {self._key('meta')} key)")
        meta = {k.decode(): json.loads(v) for k, v in stored.items()}
        model = model_for(self.location, meta, settings)
        self._call("read the state", self._load_sites, model)
        index, learning = (PageIndex(settings, pages=self._pages(name)) for name in INDEXES)
        return State(model, index, learning)

    def _pages(self, name: str) -> list[IndexedPage]:
        """The pages of one index (`pages` or `learning`), in the order they were placed."""
        return [_unpack(p) for p in self._call("read the state", self.db.lrange, self._key(name), 0, -1)]

    def _load_sites(self, model: SiteModel) -> None:
        for raw in sorted(self.db.smembers(self._key("sites"))):
            site = raw.decode()
            gens = {int(g): int(n) for g, n in self.db.hgetall(self._key("gens", site)).items()}
            loader = SiteLoader(model, site, gens)
            kept = [g for g in gens if loader.keeps(g)]
            pipe = self.db.pipeline(transaction=False)
            for table in COUNTERS:
                for g in kept:
                    pipe.hgetall(self._key(table, site, g))
            pipe.hgetall(self._key("variants", site))
            pipe.smembers(self._key("seen", site))
            pipe.hgetall(self._key("examples", site))
            *counts, variants, seen, examples = pipe.execute()
            tables = [(table, g) for table in COUNTERS for g in kept]
            by_table: dict[str, dict[int, dict[Any, int]]] = {table: {} for table in COUNTERS}
            for (table, g), fields in zip(tables, counts, strict=True):
                as_key = int if table == "grams" else bytes.decode
                by_table[table][g] = {as_key(k): int(c) for k, c in fields.items()}
            for table, by_generation in by_table.items():
                loader.set_counts(table, by_generation)
            loader.set_examples({k.decode(): t.decode() for k, t in examples.items()})
            stats: SiteStats = loader.stats
            stats.set_variants({k.decode(): v.decode() for k, v in variants.items()})
            stats.seen_texts = {int(h) for h in seen}
            stats.merged_at = stats.pages if stats.variants else 0


def _pack(page: IndexedPage) -> bytes:
    fields = [page.id, page.site, _text(page.exact), _text(page.shape), page.canonical, page.similarity]
    header = orjson.dumps(fields)
    return len(header).to_bytes(4, "big") + header + page.shingles.tobytes()


def _unpack(data: bytes) -> IndexedPage:
    n = int.from_bytes(data[:4], "big")
    page_id, site, exact, shape, canonical, similarity = orjson.loads(data[4 : 4 + n])
    shingles = np.frombuffer(data[4 + n :], dtype=np.uint32)
    return IndexedPage(page_id, site, _hash(exact), _hash(shape), shingles, canonical, similarity)


def _text(h: int | None) -> str:
    """A 64-bit hash as stored (JSON numbers lose 64-bit precision in some readers), or "" for none."""
    return "" if h is None else str(h)


def _hash(stored: str) -> int | None:
    """A stored hash back."""
    return int(stored) if stored else None
