"""The Spark engine (local[2]) against the local run: the same records, page for page, on the same input."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'dedup[spark]')")

from dedup.clean import Cleaner
from dedup.cli import app  # noqa: E402
from dedup.config import Config  # noqa: E402
from dedup.integrations import spark as engine  # noqa: E402
from dedup.io import Fields  # noqa: E402
from dedup.run.batch import RecordError, RunOptions, clean_files, learn  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus" / "pages.jsonl"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local[2] session for the module: starting the JVM is the slow part."""
    session = engine.session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """240 labelled pages of 24 sites from corpus/generate.py (some without line breaks, some duplicated)."""
    spec = importlib.util.spec_from_file_location(
        "dedup_corpus_generate_spark", ROOT / "corpus" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    pages, _ = module.generate(240, seed=5, no_breaks_share=0.1)
    path = tmp_path_factory.mktemp("generated") / "pages.jsonl"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pages))
    return path


def _local(inputs: list[Path], output: Path, opts: RunOptions | None = None) -> list[bytes]:
    """The local run's output lines."""
    opts = opts or RunOptions()
    cleaner = Cleaner(Config())
    learn(cleaner, inputs, opts)
    clean_files(cleaner, inputs, output, opts)
    return output.read_bytes().splitlines()


def _parts(folder: Path) -> list[bytes]:
    """The lines of a Spark output folder, part files in order, decompressed."""
    assert (folder / "_SUCCESS").exists()
    lines: list[bytes] = []
    for part in sorted(folder.glob("part-*")):
        data = gzip.decompress(part.read_bytes()) if part.suffix == ".gz" else part.read_bytes()
        lines += data.split(b"\n")[:-1]  # only \n ends a line: a rejected line keeps its \r
    return lines


def _by_page(lines: list[bytes]) -> list[tuple[str, str, str | None]]:
    records = [orjson.loads(line) for line in lines]
    return [(r["id"], r["text"], r["dedup"]["duplicate_of"]) for r in records]


def test_spark_run_matches_the_local_run(spark: Any, generated: Path, tmp_path: Path) -> None:
    """`dedup clean --engine spark` writes the local records: same cleaned text, audit and duplicate_of."""
    local = _local([generated], tmp_path / "local.jsonl")
    result = CliRunner().invoke(
        app,
        [
            "clean",
            str(generated),
            "--engine",
            "spark",
            "--spark-master",
            "local[2]",
            "-o",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    distributed = _parts(tmp_path / "out")
    assert _by_page(distributed) == _by_page(local)
    assert distributed == local  # byte for byte, field order and audit included
    duplicates = [d for _, _, d in _by_page(local) if d is not None]
    removed = sum(len(orjson.loads(line)["dedup"]["removed"]) for line in local)
    assert len(duplicates) >= 5 and removed > 1000  # the comparison covers real decisions


def test_spark_learns_the_local_counts_and_examples(spark: Any, generated: Path, tmp_path: Path) -> None:
    """The model Spark learns holds the local run's counts, and the same example of each line's text."""
    cleaner = Cleaner(Config())
    learn(cleaner, [generated], RunOptions())
    _, model = engine.clean_files(spark, [str(generated)], str(tmp_path / "out"), RunOptions(), Config())
    assert model.sites.keys() == cleaner.model.sites.keys()
    for site, local in cleaner.model.sites.items():
        got = model.sites[site]
        assert (got.pages, got.shapes, got.labels) == (local.pages, local.shapes, local.labels), site
        assert got.examples == local.examples, site
    assert sum(len(stats.examples) for stats in model.sites.values()) > 200


def test_files_in_order_default_ids_gzip_and_rejects(
    spark: Any, tmp_path: Path, ar_page: str, en_page: str
) -> None:
    """Several inputs (one gzipped; no ids; a blank line; bad lines set aside): the records, their
    order and ids `file:line` as locally, the bad lines verbatim beside the output."""
    site = "https://news.example.com/"
    first = [{"url": site + str(i), "text": ar_page if i % 2 else en_page, "n": i} for i in range(5)]
    second = [{"url": site + "b" + str(i), "text": en_page + f"\nآخر تحديث {i}\n"} for i in range(4)]
    bad = [b'{"id": "x", "text": null}', b"\xff\xfe not json\r"]
    lines = [orjson.dumps(r) for r in second]
    (tmp_path / "b.jsonl").write_bytes(
        b"\n".join([lines[0], bad[0], *lines[1:3], bad[1], lines[3]]) + b"\n\n"
    )
    with gzip.open(tmp_path / "a.jsonl.gz", "wb") as f:
        f.write(b"".join(orjson.dumps(r) + b"\n" for r in first))
    inputs = [tmp_path / "b.jsonl", tmp_path / "a.jsonl.gz"]
    opts = RunOptions(errors="skip")
    local = _local(inputs, tmp_path / "local.jsonl", opts)
    summary, _ = engine.clean_files(
        spark, [str(p) for p in inputs], str(tmp_path / "out.jsonl.gz"), opts, Config()
    )
    distributed = _parts(tmp_path / "out.jsonl.gz")
    assert distributed == local
    records = [orjson.loads(line) for line in distributed]
    assert [r["url"] for r in records] == [r["url"] for r in second + first]
    # The copies name their canonical page by its default id, file name and line.
    assert "b.jsonl:1" in {r["dedup"]["duplicate_of"] for r in records}
    assert summary.bad_records == 2 and summary.pages == 9
    assert summary.duplicates == sum(r["dedup"]["duplicate_of"] is not None for r in records) > 0
    assert _parts(tmp_path / "out.rejects.jsonl") == bad
    # The part files hold JSON Lines, and are named so.
    assert {p.name.split(".", 1)[1] for p in (tmp_path / "out.jsonl.gz").glob("part-*")} == {"jsonl.gz"}
    assert {p.name.split(".", 1)[1] for p in (tmp_path / "out.rejects.jsonl").glob("part-*")} == {"jsonl"}


def test_the_session_keeps_progress_bars_out_of_the_log(spark: Any) -> None:
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.ui.showConsoleProgress") == "false"
    assert conf.get("spark.log.level") == "ERROR"


def test_bad_record_stops_the_run_naming_file_and_line(spark: Any, tmp_path: Path, ar_page: str) -> None:
    """--errors fail: the first bad record in input order is named and nothing is written."""
    path = tmp_path / "pages.jsonl"
    good = orjson.dumps({"id": "a", "text": ar_page, "url": "https://a.example/1"})
    path.write_bytes(good + b"\n" + b'{"id": "b", "text": 5}\n' + b"\xff\xfe not json\n")
    with pytest.raises(RecordError, match=r"pages\.jsonl:2: field 'text' is a number"):
        engine.clean_files(spark, [str(path)], str(tmp_path / "out"), RunOptions(), Config())
    assert not (tmp_path / "out").exists()


def test_parquet_in_and_out(spark: Any, tmp_path: Path, ar_page: str, en_page: str) -> None:
    """Parquet input keeps its columns and types in a Parquet output, as the local writer types them."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = [ar_page, en_page, ar_page, en_page + "\nTags: budget, council\n"]
    table = pa.table(
        {
            "page": [f"p{i}" for i in range(4)],
            "body": texts,
            "url": [f"https://site.example/{i}" for i in range(4)],
            "words": pa.array([len(t.split()) for t in texts], pa.int32()),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    opts = RunOptions(fields=Fields(text="body", id="page"))
    cleaner = Cleaner(Config())
    learn(cleaner, [tmp_path / "in.parquet"], opts)
    clean_files(cleaner, [tmp_path / "in.parquet"], tmp_path / "local.parquet", opts)
    engine.clean_files(spark, [str(tmp_path / "in.parquet")], str(tmp_path / "out.parquet"), opts, Config())
    local = pq.read_table(tmp_path / "local.parquet")
    distributed = pq.read_table(tmp_path / "out.parquet")
    assert distributed.column_names == local.column_names == ["page", "body", "url", "words", "dedup"]
    assert distributed.schema.field("words").type == pa.int32()
    assert distributed.to_pylist() == local.to_pylist()


def test_clean_frame_cleans_a_dataframe_as_the_local_run(spark: Any, generated: Path, tmp_path: Path) -> None:
    """clean_frame on a DataFrame of pages: the same columns, cleaned text and duplicates as locally."""
    records = [orjson.loads(line) for line in generated.read_bytes().splitlines()[:120]]
    subset = tmp_path / "subset.jsonl"
    subset.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    local = _by_page(_local([subset], tmp_path / "local.jsonl"))
    frame = spark.createDataFrame([(i, *r.values()) for i, r in enumerate(records)], ["n", *records[0]])
    cleaned = engine.clean_frame(frame, order="n").collect()
    assert cleaned[0].asDict().keys() == {"n", "id", "url", "fetched_at", "text", "dedup"}
    got = [(r.id, r.text, orjson.loads(r.dedup)["duplicate_of"]) for r in cleaned]
    assert got == local


def test_short_articles_in_long_furniture_group_as_locally(spark: Any, tmp_path: Path) -> None:
    """Pages whose site repeats a long blurb around one-line articles: Spark makes the local run's
    groups and similarities (the same articles, candidates and stars)."""
    from corpus.generate import short_article_corpus

    pages, _ = short_article_corpus(300, seed=3)
    src = tmp_path / "short.jsonl"
    src.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pages))
    local = _local([src], tmp_path / "local.jsonl")
    spark_out = tmp_path / "spark"
    engine.clean_files(spark, [str(src)], str(spark_out), RunOptions(), Config())
    distributed = _parts(spark_out)
    assert sum(orjson.loads(line)["dedup"]["duplicate_of"] is not None for line in local) >= 40
    assert distributed == local


def test_a_small_sites_pages_in_long_furniture_count_as_locally(
    spark: Any, small_site_records: list[dict[str, str]], tmp_path: Path
) -> None:
    """Two small sites whose different articles lie mostly inside each other as they came: Spark
    counts every page, as the local run does, and writes the local records (furniture gone)."""
    src = tmp_path / "small.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in small_site_records))
    local = _local([src], tmp_path / "local.jsonl")
    spark_out = tmp_path / "spark"
    _, model = engine.clean_files(spark, [str(src)], str(spark_out), RunOptions(), Config())
    assert sorted(stats.pages for stats in model.sites.values()) == [2, 2]
    assert _parts(spark_out) == local


def test_a_redesigned_site_is_learned_by_period_as_locally(spark: Any, tmp_path: Path) -> None:
    """An archive crawl across three designs: Spark finds the local run's design periods (months
    counted on the tasks) and writes the local records."""
    from corpus.generate import redesign_corpus

    pages, _ = redesign_corpus(480, seed=1)
    src = tmp_path / "archive.jsonl"
    src.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pages))
    local = _local([src], tmp_path / "local.jsonl")
    spark_out = tmp_path / "spark"
    _, model = engine.clean_files(spark, [str(src)], str(spark_out), RunOptions(), Config())
    assert sum(" since " in site for site in model.sites) == 6
    assert _parts(spark_out) == local


def test_unreadable_kinds_are_refused(spark: Any, tmp_path: Path) -> None:
    """WARC and .txt inputs are for the local engine; the message names the file."""
    (tmp_path / "page.txt").write_text("hello\n", encoding="utf-8")
    with pytest.raises(engine.InputError, match="page.txt: the Spark engine reads JSONL and Parquet"):
        engine.read_pages(spark, [str(tmp_path / "page.txt")], Fields())


def test_local_session_shuffles_into_partitions_for_its_cores(spark: Any) -> None:
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"


def test_engine_option_is_checked(tmp_path: Path, squashed: Callable[[str], str]) -> None:
    """An unknown engine, or the Spark engine without -o, fails with a message and no output."""
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"text": "x"}\n')
    result = CliRunner().invoke(app, ["clean", str(path), "--engine", "hadoop", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2 and squashed("--engine must be 'local' or 'spark'") in squashed(
        result.output
    )
    result = CliRunner().invoke(app, ["clean", str(path), "--engine", "spark"])
    assert result.exit_code == 2 and squashed("give -o OUTPUT") in squashed(result.output)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_dev_corpus_matches_the_local_run(spark: Any, tmp_path: Path) -> None:
    """The 1,863 labelled pages of ../shared/dev-corpus: the same records from both engines."""
    if not DEV_CORPUS.exists():
        pytest.skip(f"{DEV_CORPUS} is not there (it lives outside the project)")
    local = _local([DEV_CORPUS], tmp_path / "local.jsonl")
    engine.clean_files(spark, [str(DEV_CORPUS)], str(tmp_path / "out"), RunOptions(), Config())
    assert _parts(tmp_path / "out") == local
