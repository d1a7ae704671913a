"""The private redis-server of the tests answers through redis-py, and is empty for each test."""

from __future__ import annotations

import pytest

redis = pytest.importorskip("redis", reason="redis-py is missing: pip install 'dedup[redis]'")


def test_set_and_get_arabic_and_english(empty_redis_url: str) -> None:
    with redis.Redis.from_url(empty_redis_url, decode_responses=True) as client:
        client.set("dedup:test:ar", "شارك المقال")
        client.set("dedup:test:en", "Send this to a friend")
        assert client.get("dedup:test:ar") == "شارك المقال"
        assert client.get("dedup:test:en") == "Send this to a friend"


def test_each_test_starts_with_an_empty_database(empty_redis_url: str) -> None:
    with redis.Redis.from_url(empty_redis_url) as client:
        assert client.dbsize() == 0


def test_server_is_private_and_without_persistence(redis_url: str) -> None:
    assert redis_url.startswith("redis://127.0.0.1:")
    assert not redis_url.startswith("redis://127.0.0.1:6379/")
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        assert client.config_get("save") == {"save": ""}
        assert client.config_get("appendonly") == {"appendonly": "no"}
