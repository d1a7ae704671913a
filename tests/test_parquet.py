"""Parquet input and output: every other column keeps its values and type; clear errors; sharded outputs."""

from __future__ import annotations

import datetime as dt
import gzip
import os
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from dedup.cli import app
from dedup.io import read_pages
from dedup.io.writers import parse_size, shard_path
from dedup.page import Page

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _table(texts: list[str]) -> object:
    """Pages with columns of many types, including a nanosecond timestamp that Python cannot hold."""
    n = len(texts)
    return pa.table(
        {
            "id": pa.array([f"p{i}" for i in range(n)]),
            "text": pa.array(texts),
            "views": pa.array(range(n), pa.int64()),
            "score": pa.array([i / 3 for i in range(n)], pa.float64()),
            "paywall": pa.array([i % 2 == 0 for i in range(n)]),
            "tags": pa.array([["news", f"t{i}"] for i in range(n)], pa.list_(pa.string())),
            "published": pa.array(
                [1_700_000_000_123_456_789 + i for i in range(n)], pa.timestamp("ns", tz="UTC")
            ),
            "day": pa.array([dt.date(2024, 5, 1 + i % 20) for i in range(n)]),
            "thumb": pa.array([bytes([i % 256, 0, 255]) for i in range(n)], pa.binary()),
            "note": pa.array([None if i % 2 else "x" for i in range(n)], pa.string()),
        }
    )


def _write(path: Path, texts: list[str], row_group_size: int = 3) -> None:
    pq.write_table(_table(texts), path, row_group_size=row_group_size)


def test_reads_rows_as_pages(tmp_path: Path, en_page: str) -> None:
    path = tmp_path / "pages.parquet"
    _write(path, [en_page, en_page + "More.\n", "x"])
    pages = [p for p in read_pages([path]) if isinstance(p, Page)]
    assert [p.id for p in pages] == ["p0", "p1", "p2"]
    assert pages[0].record["views"] == 0 and pages[0].record["tags"] == ["news", "t0"]


def test_round_trip_keeps_every_column_and_its_type(
    runner: CliRunner, tmp_path: Path, news_site: object, en_page: str
) -> None:
    texts = [en_page.replace("Council", f"Council {i}") for i in range(7)]
    source = tmp_path / "in.parquet"
    _write(source, texts)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    original, cleaned = pq.read_table(source), pq.read_table(out)
    assert cleaned.schema.names == [*original.schema.names, "dedup"]
    for name in original.schema.names:
        assert cleaned.schema.field(name).type == original.schema.field(name).type, name
        if name != "text":
            assert cleaned.column(name).equals(original.column(name)), name
    assert cleaned.schema.field("dedup").type == pa.string()
    audit = orjson.loads(cleaned.column("dedup")[0].as_py())
    assert set(audit) >= {"removed", "duplicate_of"}


def test_parquet_to_jsonl_is_json_safe(runner: CliRunner, tmp_path: Path, en_page: str) -> None:
    source = tmp_path / "in.parquet"
    _write(source, [en_page])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = orjson.loads(out.read_bytes())
    assert record["published"] == "2023-11-14 22:13:20.123456789Z"
    assert record["thumb"] == "AAD/"  # base64 of 00 00 ff
    assert record["paywall"] is True and record["score"] == 0.0


def test_jsonl_to_parquet_infers_types(runner: CliRunner, tmp_path: Path, news_site: object) -> None:
    source = tmp_path / "in.jsonl"
    rows = [
        {"id": f"p{i}", "text": f"Line {i} of a page.\n", "n": i, "when": None if i else 1.5}
        for i in range(4)
    ]
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.schema.field("n").type == pa.int64()
    assert table.schema.field("when").type == pa.float64()
    assert table.column("n").to_pylist() == [0, 1, 2, 3]


def test_missing_text_column(runner: CliRunner, tmp_path: Path, squashed: Callable[[str], str]) -> None:
    path = tmp_path / "notext.parquet"
    pq.write_table(pa.table({"id": ["a"], "body": ["hello"]}), path)
    result = runner.invoke(app, ["clean", str(path), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert squashed(f"{path}: no column 'text' (columns: id, body)") in squashed(result.output)
    assert not (tmp_path / "out.jsonl").exists()


def test_null_text_is_a_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "null.parquet"
    pq.write_table(pa.table({"text": pa.array(["ok", None], pa.string())}), path)
    items = list(read_pages([path]))
    assert isinstance(items[0], Page)
    assert not isinstance(items[1], Page) and "null" in items[1].reason


def test_parse_size_and_shard_names() -> None:
    assert parse_size("100MB") == 100_000_000
    assert parse_size("1GiB") == 1 << 30
    assert parse_size("512k") == 512_000
    assert parse_size("2048") == 2048
    with pytest.raises(ValueError):
        parse_size("lots")
    assert shard_path(Path("d/out.jsonl.gz"), 1).name == "out-00001.jsonl.gz"
    assert shard_path(Path("out.parquet"), 0).name == "out-00000.parquet"


@pytest.mark.parametrize(("name", "size"), [("out.jsonl", "1KB"), ("out.jsonl.gz", "40KB")])
def test_sharded_jsonl_output(runner: CliRunner, tmp_path: Path, name: str, size: str) -> None:
    source = tmp_path / "in.jsonl"
    # Random hex barely compresses, so the gzip shards fill up too.
    records = [
        {"id": f"p{i}", "url": f"https://s{i % 7}.example/{i}", "text": os.urandom(400).hex()}
        for i in range(300)
    ]
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    out = tmp_path / name
    result = runner.invoke(app, ["clean", str(source), "-o", str(out), "--shard-size", size])
    assert result.exit_code == 0, result.output
    stem, _, ext = name.partition(".")
    shards = sorted(tmp_path.glob(f"{stem}-*.{ext}"))
    assert len(shards) > 1 and not out.exists()
    assert shards[0].name == f"{stem}-00000.{ext}"
    read = gzip.decompress if ext.endswith("gz") else bytes
    lines = [line for s in shards for line in read(s.read_bytes()).splitlines()]
    assert [orjson.loads(line)["id"] for line in lines] == [r["id"] for r in records]
    assert not list(tmp_path.glob(".*tmp*"))


def test_sharded_parquet_output(runner: CliRunner, tmp_path: Path, en_page: str) -> None:
    source = tmp_path / "in.parquet"
    _write(source, [en_page] * 5)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["clean", str(source), "-o", str(out), "--shard-size", "1B"])
    assert result.exit_code == 0, result.output
    shards = sorted(tmp_path.glob("out-*.parquet"))
    assert len(shards) >= 1
    assert sum(pq.read_table(s).num_rows for s in shards) == 5


def test_shard_size_needs_an_output(runner: CliRunner, tmp_path: Path, en_page: str) -> None:
    source = tmp_path / "in.parquet"
    _write(source, [en_page])
    result = runner.invoke(app, ["clean", str(source), "--shard-size", "1MB"])
    assert result.exit_code == 2
