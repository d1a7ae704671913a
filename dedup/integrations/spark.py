"""The batch run on Apache Spark: the same steps, decisions and output records as the local run.

Every step runs the local code on the pages a task holds; Spark only moves keys between tasks:

1. read: JSONL lines (raw bytes) or Parquet rows, each with its position (file order, then line order);
2. learn: fingerprints and page counts per page (mapPartitions); copies found as in step 4
   (canonical by id); exact repeats of a page kept once per site;
   each site's pages counted in input order and its statistics finalized in one task; the model broadcast;
3. clean: every page cleaned with the broadcast model (mapPartitions), fingerprinted on its cleaned text;
4. duplicates: each site's common shingles counted, pages compared by their articles (the local
   run's `dedup.duplicates`): LSH candidates grouped by band key, confirmed on the true sets;
   the confirmed pairs and identical pages placed in stars on the driver, the canonical page the
   first fetched, then the first in input order;
5. write: the local writer's records in input order, as part files of a folder.

Run it with `dedup clean --engine spark`, `spark-submit dedup/cli.py clean --engine spark ...`,
or call `clean_files` / `clean_frame`.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import combinations, groupby
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, cast
from urllib.parse import unquote

import numpy as np
import orjson

from dedup._core import star_groups
from dedup.clean import Cleaner, clean_pages
from dedup.config import Config, DuplicateRule
from dedup.duplicates import (
    Duplicate,
    PagePrint,
    article_of,
    candidate_bands,
    common_floor,
    common_known,
    identity_keys,
    order_key,
    similarity,
)
from dedup.features import PageCounts, learning_pages
from dedup.fingerprint import band_keys
from dedup.hashcount import HashCounts
from dedup.io.readers import ACCEPTED_SUFFIXES, input_files, jsonl_record
from dedup.io.records import (
    DEFAULT_FIELDS,
    BadRecord,
    Fields,
    InputError,
    MissingExtraError,
    page_from_record,
)
from dedup.io.writers import rejects_path, result_line
from dedup.model import SiteModel, SiteStats
from dedup.page import Page, Result
from dedup.periods import MonthDesigns, by_period, design_keys, month_design, month_of, periods_of_months
from dedup.run.batch import RecordError, RunOptions, Summary
from dedup.workers import chunks

try:
    from pyspark import RDD, SparkConf, StorageLevel
    from pyspark.rdd import portable_hash
    from pyspark.sql import DataFrame, Row, SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType
except ImportError as exc:  # pragma: no cover - the test skips without pyspark
    raise MissingExtraError(
        "the Spark engine needs the 'spark' extra: pip install 'dedup[spark]' (and Java 17 or newer)"
    ) from exc

_PART_TXT = re.compile(r"^(part-.*)\.txt(\.gz)?$")
LINE_BITS = 40  # a position is file rank << LINE_BITS | line (or row) number
JSONL_SUFFIXES = tuple(s for s in ACCEPTED_SUFFIXES if ".json" in s)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")  # hdfs://, s3a://, gs://, file://
_KEEP = StorageLevel.MEMORY_AND_DISK


class Fingerprint(NamedTuple):
    """What duplicate grouping needs of a page: its id, fetch time and print."""

    id: str
    fetched_at: str | None
    print_: PagePrint


@dataclass(frozen=True)
class InputFile:
    """One input file: its qualified path (as Spark reports it, unquoted) and its name in messages and ids."""

    uri: str
    shown: str

    @property
    def parquet(self) -> bool:
        """Whether the file is read as Parquet (else as JSONL)."""
        return self.uri.lower().endswith(".parquet")


# A run's log says what went wrong, not how far each stage is: progress bars fill a log file.
_QUIET = {"spark.ui.showConsoleProgress": "false", "spark.log.level": "ERROR"}


def session(master: str | None = None) -> SparkSession:
    """The Spark session: `master` if given, else spark-submit's (or local[*] outside spark-submit)."""
    builder = SparkSession.builder.appName("dedup")
    if master:
        builder = builder.master(master)
    if (master or "local").startswith("local") and "PYSPARK_GATEWAY_PORT" not in os.environ:
        # Local workers must run this interpreter (the one with dedup installed), not `python3` on PATH;
        # pyspark reads it from the environment only.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # Arrow batches need pandas importable only; its version warning says nothing about this use.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    conf = SparkConf()
    for key, value in _QUIET.items():
        if not conf.contains(key):  # a --conf given to spark-submit wins
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    context = spark.sparkContext
    if (context.master or "").startswith("local"):
        # Spark's default of 200 shuffle partitions is sized for a cluster; one machine has a few cores.
        spark.conf.set("spark.sql.shuffle.partitions", str(2 * context.defaultParallelism))
    return spark


# ---------------------------------------------------------------------------------------------
# Reading: pages with their position in the local run's reading order
# ---------------------------------------------------------------------------------------------


def list_inputs(spark: SparkSession, inputs: Sequence[str]) -> list[InputFile]:
    """Every file the inputs stand for, in the local run's reading order; InputError for unreadable kinds."""
    files: list[InputFile] = []
    for item in inputs:
        if _SCHEME.match(item) and not item.startswith("file:"):
            files += [InputFile(uri, uri) for uri in _hadoop_files(spark, item)]
        else:
            local = input_files([item.removeprefix("file:")])
            files += [InputFile(_qualified(spark, str(p.absolute())), str(p)) for p in local]
    for f in files:
        if not f.parquet and not f.uri.lower().endswith(JSONL_SUFFIXES):
            raise InputError(f"{f.shown}: the Spark engine reads JSONL and Parquet; clean this file locally")
    return files


def _qualified(spark: SparkSession, path: str) -> str:
    """The fully qualified Hadoop path ("file:/data/x.jsonl"), unquoted."""
    fs, hadoop_path = _hadoop_fs(spark, path)
    return unquote(str(fs.makeQualified(hadoop_path).toString()))


def _hadoop_fs(spark: SparkSession, path: str) -> tuple[Any, Any]:
    """The Hadoop FileSystem of a path (local, HDFS, S3...), and the path as a Hadoop Path."""
    context: Any = spark.sparkContext
    hadoop_path = context._jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(context._jsc.hadoopConfiguration()), hadoop_path


def _hadoop_files(spark: SparkSession, pattern: str) -> list[str]:
    """The page files a Hadoop path or glob stands for (folders walked), sorted; InputError if none."""
    fs, path = _hadoop_fs(spark, pattern)
    found: list[str] = []
    for status in fs.globStatus(path) or []:
        if status.isDirectory():
            listing = fs.listFiles(status.getPath(), True)
            while listing.hasNext():
                found.append(str(listing.next().getPath().toString()))
        else:
            found.append(str(status.getPath().toString()))
    files = sorted((unquote(f) for f in found if f.lower().endswith(ACCEPTED_SUFFIXES)), key=_path_parts)
    if not files:
        raise InputError(f"{pattern}: no file matches ({', '.join(ACCEPTED_SUFFIXES)})")
    return files


def _path_parts(uri: str) -> list[str]:
    """Sort key of a path: by its parts, as the local reader sorts folder listings."""
    return uri.split("/")


def read_pages(
    spark: SparkSession, inputs: Sequence[str], fields: Fields, site: str | None = None
) -> RDD[tuple[int, Page | BadRecord]]:
    """(position, Page or BadRecord) of every record of the inputs, positions in the local reading order."""
    files = list_inputs(spark, inputs)
    ranks = {f.uri: (rank, f.shown) for rank, f in enumerate(files)}
    parts = []
    jsonl = [f.uri for f in files if not f.parquet]
    if jsonl:
        frame = spark.read.option("lineSep", "\n").option("globPaths", "false").text(jsonl)
        lines = _scan(frame).select(F.col("value").cast("binary").alias("payload"), *_META)
        parts.append(_positioned(lines, ranks, parquet=False))
    parquet = [f.uri for f in files if f.parquet]
    if parquet:
        parts.append(_positioned(_parquet_payloads(spark, parquet, fields), ranks, parquet=True))
    records = spark.sparkContext.union(parts)
    return records.mapPartitions(partial(_parse, fields, site))


_META = ("_dedup_file", "_dedup_block", "_dedup_row")


def _scan(frame: DataFrame) -> DataFrame:
    """The frame with each record's file, split start and row id (consecutive within a split)."""
    return frame.select(
        "*",
        F.col("_metadata.file_path").alias(_META[0]),
        F.col("_metadata.file_block_start").alias(_META[1]),
        F.monotonically_increasing_id().alias(_META[2]),
    )


def _positioned(
    scanned: DataFrame, ranks: dict[str, tuple[int, str]], parquet: bool
) -> RDD[tuple[int, str, bytes, bool]]:
    """(position, file as shown, payload, is Parquet) per record: the file's rank and the record's number."""
    firsts = _block_firsts(scanned)
    files = {uri: ranks[unquote(uri)] for uri, _ in firsts}

    def position(row: Row) -> tuple[int, str, bytes, bool]:
        file, block, row_id = row[1], row[2], row[3]
        first_line, first_id = firsts[(file, block)]
        rank, shown = files[file]
        return (rank << LINE_BITS) | (first_line + row_id - first_id), shown, bytes(row[0]), parquet

    return scanned.rdd.map(position)


def _block_firsts(scanned: DataFrame) -> dict[tuple[str, int], tuple[int, int]]:
    """(file, split start) -> (number of the split's first record in its file, the record's row id).

    A split is read by one task, in order, so its records carry consecutive row ids; the records of the
    splits before it in the same file give its first record's number.
    """
    blocks = scanned.groupBy(*_META[:2]).agg(F.count("*").alias("n"), F.min(_META[2]).alias("first"))
    firsts: dict[tuple[str, int], tuple[int, int]] = {}
    seen: Counter[str] = Counter()
    for file, block, n, first in sorted(blocks.collect(), key=lambda r: (r[0], r[1])):
        firsts[(file, block)] = (seen[file] + 1, first)
        seen[file] += n
    return firsts


def _parquet_payloads(spark: SparkSession, uris: list[str], fields: Fields) -> DataFrame:
    """Parquet rows as JSON-safe records (the local reader's conversion), one JSON payload per row."""
    from dedup.io.parquet import json_safe_records

    frame = spark.read.option("mergeSchema", "true").option("globPaths", "false").parquet(*uris)
    kind = dict(frame.dtypes).get(fields.text)
    if kind != "string":
        found = f"column {fields.text!r} is {kind}" if kind else f"no column {fields.text!r}"
        raise InputError(f"{', '.join(uris)}: {found}; name the text column with --text-field")
    names = frame.columns

    def payloads(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            rows = [orjson.dumps(r) for r in json_safe_records(batch.select(names))]
            columns = [pa.array(rows, pa.binary()), *(batch.column(c) for c in _META)]
            yield pa.RecordBatch.from_arrays(columns, ["payload", *_META])

    schema = f"payload binary, {_META[0]} string, {_META[1]} long, {_META[2]} long"
    return _scan(frame).mapInArrow(payloads, schema)


def _parse(
    fields: Fields, site: str | None, records: Iterable[tuple[int, str, bytes, bool]]
) -> Iterator[tuple[int, Page | BadRecord]]:
    """The local reader's Page or BadRecord of every record (blank JSONL lines left out)."""
    from dedup.io.parquet import row_page

    for pos, shown, payload, parquet in records:
        item: Page | BadRecord | None
        number = pos & ((1 << LINE_BITS) - 1)
        if parquet:
            item = row_page(orjson.loads(payload), PurePosixPath(shown), number, fields, site)
        else:
            item = jsonl_record(payload, PurePosixPath(shown), number, fields, site)
        if item is not None:
            yield pos, item


# Duplicate groups: the local run's articles, candidates and stars
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    """How duplicate groups are made."""

    config: Config
    by_id: bool = False  # canonical by id rather than input order (learning: order-independent)
    originals: bool = False  # pages as they came (learning): as DuplicateFinder's `originals`


def duplicate_of(
    fingerprints: RDD[tuple[int, Fingerprint]], grouping: Grouping
) -> RDD[tuple[int, Duplicate]]:
    """(position, place) for every page that duplicates another, as DuplicateFinder.groups: each
    site's common shingles counted per site, articles and LSH candidates on the tasks, candidates
    confirmed on the true sets; the confirmed pairs and the identical pages, few, are placed in
    their stars on the driver."""
    fingerprints = fingerprints.persist(_KEEP)
    context = fingerprints.context
    rule = grouping.config.duplicate_rule
    frequent, known = _common_shingles(fingerprints, rule)
    common = context.broadcast((frequent, known if grouping.originals else None))
    by_id = grouping.by_id
    rows = fingerprints.map(lambda kv: (kv[0], _article_row(*common.value, by_id, rule, kv))).persist(_KEEP)
    settings, threshold = grouping.config.settings, grouping.config.duplicate_threshold
    articles = rows.filter(lambda kv: len(kv[1][2]) >= rule.min_article).mapValues(lambda r: (r[2], r[3]))
    candidates = (
        articles.mapValues(lambda a: a[0])
        .mapPartitions(partial(_band_rows, settings, candidate_bands(settings, rule)))
        .groupByKey()
        .flatMap(lambda kv: combinations(sorted(kv[1]), 2))
        .distinct()
    )
    edges = (
        candidates.join(articles)
        .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
        .join(articles)
        .map(lambda kv: (kv[1][0][0], kv[0], _similarity(kv[1][0][1], kv[1][1], threshold, rule)))
        .filter(lambda e: e[2] is not None)
        .collect()
    )
    shared = (
        rows.flatMap(lambda kv: ((key, kv[0]) for key in kv[1][1]))
        .groupByKey()
        .filter(lambda kv: len(list(kv[1])) > 1)
        .flatMap(lambda kv: ((pos, kv[0]) for pos in kv[1]))
        .groupByKey()
        .mapValues(list)
        .collectAsMap()
    )
    involved = context.broadcast({i for e in edges for i in e[:2]} | set(shared))
    order_keys = rows.filter(lambda kv: kv[0] in involved.value).mapValues(lambda r: r[0]).collectAsMap()
    fingerprints.unpersist()
    rows.unpersist()
    near: dict[int, list[int]] = {}
    sims = {}
    for i, j, sim in edges:
        near.setdefault(i, []).append(j)
        near.setdefault(j, []).append(i)
        sims[min(i, j), max(i, j)] = sim
    order = sorted(order_keys, key=order_keys.__getitem__)
    placed = star_groups(order, shared, near, lambda i, j: sims.get((min(i, j), max(i, j))))
    marks = [(pos, Duplicate(order_keys[c][3], s)) for pos, (c, s) in placed.items()]
    return context.parallelize(marks, max(1, fingerprints.getNumPartitions()))


def _similarity(
    a: tuple[np.ndarray, bool], b: tuple[np.ndarray, bool], threshold: float, rule: DuplicateRule
) -> float | None:
    """`similarity` of two (article, whether containment may count) rows."""
    return similarity(a[0], b[0], threshold, rule, a[1] and b[1])


def _common_shingles(
    fingerprints: RDD[tuple[int, Fingerprint]], rule: DuplicateRule
) -> tuple[dict[str, np.ndarray], set[str]]:
    """Per site, the sorted shingles its pages repeat (SiteShingles' rule: pages identical but for
    their numbers count once); and the sites with the pages to tell them (`SiteShingles.known`)."""
    distinct = (
        fingerprints.filter(lambda kv: kv[1].print_.shape is not None)
        .map(lambda kv: ((kv[1].print_.site, kv[1].print_.shape), kv[1].print_.shingles))
        .reduceByKey(lambda a, _b: a)
        .persist(_KEEP)
    )
    pages = distinct.map(lambda kv: (kv[0][0], 1)).reduceByKey(lambda a, b: a + b).collectAsMap()
    floors = fingerprints.context.broadcast({site: common_floor(n, rule) for site, n in pages.items()})
    # Counted as arrays, one record per site and task: a record per shingle made this the slowest step.
    frequent = (
        distinct.map(lambda kv: (kv[0][0], kv[1]))
        .mapPartitions(_site_shingle_counts)
        .reduceByKey(_summed_counts)
        .map(lambda kv: (kv[0], kv[1][0][kv[1][1] >= floors.value[kv[0]]].astype(np.uint32)))
        .collectAsMap()
    )
    distinct.unpersist()
    return dict(frequent), {site for site, n in pages.items() if common_known(n, rule)}


def _site_shingle_counts(
    pages: Iterable[tuple[str, np.ndarray]],
) -> Iterator[tuple[str, tuple[np.ndarray, np.ndarray]]]:
    """(site, (sorted shingles, on how many of the pages each occurs)) for the pages of one task."""
    by_site: dict[str, list[np.ndarray]] = {}
    for site, shingles in pages:
        by_site.setdefault(site, []).append(shingles)
    for site, arrays in by_site.items():
        yield site, np.unique(np.concatenate(arrays), return_counts=True)


def _summed_counts(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Two (sorted shingles, counts) as one."""
    keys, where = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    counts = np.bincount(where, weights=np.concatenate([a[1], b[1]]), minlength=len(keys))
    return keys, counts.astype(np.int64)


def _article_row(
    common: dict[str, np.ndarray],
    known: set[str] | None,
    by_id: bool,
    rule: DuplicateRule,
    kv: tuple[int, Fingerprint],
) -> tuple[tuple[str, str, int, str], list[tuple[str, int]], np.ndarray, bool]:
    """A page's order key (with its id last), identity keys, article, and whether containment
    may count for it: everywhere, or where `known` is given (originals), on its sites alone."""
    pos, f = kv
    article = article_of(f.print_, common.get(f.print_.site, np.zeros(0, np.uint32)))
    keys = identity_keys(f.print_, article, rule.min_article)
    contain = known is None or f.print_.site in known
    return (*order_key(f.fetched_at, f.id, pos, by_id), f.id), keys, article, contain


def _band_rows(
    settings: Any, bands: tuple[int, int], pages: Iterable[tuple[int, np.ndarray]]
) -> Iterator[tuple[tuple[int, int], int]]:
    """((band, band key), position) for every LSH band of every page's article (`band_keys`)."""
    for chunk in chunks(pages, 256):
        keys = band_keys([article for _, article in chunk], settings, bands)
        for (pos, _), row in zip(chunk, keys.tolist(), strict=True):
            yield from (((band, key), pos) for band, key in enumerate(row))


# ---------------------------------------------------------------------------------------------
# Learning the site model
# ---------------------------------------------------------------------------------------------


def learn(pages: RDD[tuple[int, Page]], config: Config) -> SiteModel:
    """The model Cleaner.learn makes from the same pages: copies and exact repeats count once."""
    rows = pages.mapPartitions(partial(_learning_rows, config)).persist(_KEEP)
    copies = duplicate_of(rows.mapValues(lambda r: r[0]), Grouping(config, by_id=True, originals=True))
    counted = rows.mapValues(lambda r: (r[1], month_of(r[0].fetched_at))).subtractByKey(copies).persist(_KEEP)
    periods = _design_periods(counted.values(), config)
    model = site_model(counted.mapValues(lambda cm: by_period(cm[0], cm[1], periods)), config)
    counted.unpersist()
    rows.unpersist()
    return model


def _design_periods(counted: RDD[tuple[PageCounts, str | None]], config: Config) -> dict[str, list[str]]:
    """`dedup.periods.design_periods` of the pages counted: each site's months counted on the
    tasks, their designs found there, the periods told apart on the driver."""
    if len(counted.flatMap(lambda cm: [cm[1]] if cm[1] else []).distinct().take(2)) < 2:
        return {}  # a crawl of one month: one design per site
    settings = config.periods
    months = (
        counted.mapPartitions(_task_months)
        .reduceByKey(lambda a, b: (a[0] + b[0], a[1].merge(b[1])))
        .map(lambda kv: (*kv[0], kv[1][0], month_design(kv[1][0], kv[1][1], settings)))
        .collect()
    )
    return periods_of_months(months, settings)


def _task_months(
    pages: Iterable[tuple[PageCounts, str | None]],
) -> Iterator[tuple[tuple[str, str], tuple[int, HashCounts]]]:
    """((site, month), (pages, key counts)) of the dated pages a task holds."""
    designs = MonthDesigns()
    for counts, month in pages:
        if month is not None:
            designs.add(counts.site, month, design_keys(counts))
    return ((at, (pages, designs.keys[at])) for at, pages in designs.pages.items())


def _learning_rows(
    config: Config, pages: Iterable[tuple[int, Page]]
) -> Iterator[tuple[int, tuple[Fingerprint, PageCounts]]]:
    """Each page's body fingerprint (for finding copies) and its counts, a chunk of pages at a time."""
    short = config.rule.short_words
    for chunk in chunks(pages, 256):
        rows = learning_pages([(page.site or "", page.text) for _, page in chunk], config.settings, short)
        for (pos, page), (print_, record) in zip(chunk, rows, strict=True):
            yield pos, (_fingerprint(page, print_), record.counts())


def _fingerprint(page: Page, print_: PagePrint) -> Fingerprint:
    """A page's fingerprint from its print."""
    return Fingerprint(page.id, page.fetched_at, print_)


def site_model(counts: RDD[tuple[int, PageCounts]], config: Config) -> SiteModel:
    """The finalized model from the counts of the pages learned from, as the local run makes it: a
    page's exact repeats count once, the first in input order; each site's pages are added in input
    order in one task, with the model's own `add` (so the site keeps the examples the local run
    keeps), and the site finalized there."""
    parts = counts.getNumPartitions()
    first = (
        counts.map(lambda kv: ((kv[1].site, kv[1].page_hash), kv))
        .reduceByKey(lambda a, b: a if a[0] < b[0] else b, parts)
        .values()
    )
    by_site = first.map(lambda kv: ((kv[1].site, kv[0]), kv[1])).repartitionAndSortWithinPartitions(
        parts, partitionFunc=lambda key: portable_hash(key[0])
    )
    sites = by_site.mapPartitions(partial(_site_stats, config)).collect()
    return SiteModel(rule=config.rule, settings=config.settings, sites=dict(sites))


def _site_stats(
    config: Config, rows: Iterable[tuple[tuple[str, int], PageCounts]]
) -> Iterator[tuple[str, SiteStats]]:
    """(site, finalized statistics) of the sites a task holds, from their pages sorted by site and
    input position."""
    for site, pages in groupby(rows, key=lambda row: row[0][0]):
        model = SiteModel(rule=config.rule, settings=config.settings)
        for _, counts in pages:
            model.add(counts)
        model.finalize_site(model.sites[site])
        yield site, model.sites[site]


# ---------------------------------------------------------------------------------------------
# Cleaning, and the whole run
# ---------------------------------------------------------------------------------------------


def clean(pages: RDD[tuple[int, Page]], config: Config, model: SiteModel) -> RDD[tuple[int, Result]]:
    """(position, Result) for every page, cleaned with the model and marked `duplicate_of` its canonical;
    computed and cached (unpersist it when done)."""
    shared = pages.context.broadcast(model)
    cleaned = pages.mapPartitions(partial(_cleaned_rows, config, shared)).persist(_KEEP)
    marks = duplicate_of(cleaned.mapValues(lambda r: r[1]), Grouping(config))
    results = (
        cleaned.mapValues(lambda r: r[0])
        .leftOuterJoin(marks, pages.getNumPartitions())
        .mapValues(_marked)
        .persist(_KEEP)
    )
    results.count()  # computed now, so the cleaned pages' fingerprints can go
    cleaned.unpersist()
    return results


def _marked(result_and_place: tuple[Result, Duplicate | None]) -> Result:
    """A cleaned page marked with its place in a group, if any."""
    result, place = result_and_place
    return (
        result
        if place is None
        else replace(result, duplicate_of=place.canonical, similarity=place.similarity)
    )


def _cleaned_rows(
    config: Config, model: Any, pages: Iterable[tuple[int, Page]]
) -> Iterator[tuple[int, tuple[Result, Fingerprint]]]:
    """Each page cleaned, with the fingerprint of its cleaned text (`dedup.clean.clean_pages`)."""
    cleaner = Cleaner(config, model.value)
    for chunk in chunks(pages, 256):
        cleaned = clean_pages(cleaner, [page for _, page in chunk])
        for (pos, page), (result, print_) in zip(chunk, cleaned, strict=True):
            yield pos, (result, _fingerprint(page, print_))


def clean_files(
    spark: SparkSession,
    inputs: Sequence[str],
    output: str,
    opts: RunOptions,
    config: Config,
    model: SiteModel | None = None,
) -> tuple[Summary, SiteModel]:
    """Learn from the inputs (unless a model is given), clean them, write OUTPUT (a folder of part files)."""
    if output.lower().endswith(".zst"):
        raise InputError(f"{output}: Spark writes no zstd here (Hadoop's native library lacks it); use .gz")
    records = _spread(read_pages(spark, inputs, opts.fields, opts.site)).persist(_KEEP)
    summary = Summary()
    _set_aside_bad_records(records, output, opts, summary)
    pages = cast("RDD[tuple[int, Page]]", records.filter(lambda kv: isinstance(kv[1], Page)))
    if model is None:
        model = learn(pages, config)
    results = clean(pages, config, model)
    _summarize(results.values(), summary)
    kept = results.filter(lambda kv: kv[1].duplicate_of is None) if opts.drop_duplicates else results
    summary.dropped = summary.duplicates if opts.drop_duplicates else 0
    ordered = kept.sortByKey(numPartitions=kept.getNumPartitions()).values()
    if output.lower().endswith(".parquet"):
        parquet = [f.uri for f in list_inputs(spark, inputs) if f.parquet]
        write_parquet(spark, ordered, output, opts.fields, input_arrow_schema(spark, parquet))
    else:
        write_jsonl(spark, ordered, output, opts.fields)
    records.unpersist()
    results.unpersist()
    return summary, model


def _spread(records: RDD[Any]) -> RDD[Any]:
    """The records over enough tasks to keep every core busy: a few big input files make few splits."""
    wanted = 2 * records.context.defaultParallelism
    return records if records.getNumPartitions() >= wanted else records.repartition(wanted)


def _set_aside_bad_records(
    records: RDD[tuple[int, Page | BadRecord]], output: str, opts: RunOptions, summary: Summary
) -> None:
    """Stop at the first bad record (`--errors fail`), or write them all, verbatim, next to the output."""
    bad = cast("RDD[tuple[int, BadRecord]]", records.filter(lambda kv: isinstance(kv[1], BadRecord)))
    if opts.errors == "fail":
        first = bad.takeOrdered(1, key=lambda kv: kv[0])
        if first:
            raise RecordError(f"{first[0][1].source}: {first[0][1].reason}")
        return
    summary.bad_records = bad.count()
    if summary.bad_records:
        name = output.rstrip("/").rpartition("/")[2]
        target = output.rstrip("/")[: -len(name)] + rejects_path(name).name  # beside the output, any scheme
        write_lines(SparkSession.builder.getOrCreate(), bad.sortByKey().map(lambda kv: kv[1].raw), target)
        summary.rejects_file = Path(target)


def _summarize(results: RDD[Result], summary: Summary) -> None:
    """Add every result to the summary, duplicates counted: per task, then merged on the driver."""

    def partial_summary(rows: Iterable[Result]) -> Iterator[Summary]:
        part = Summary()
        for result in rows:
            part.add(result)
            part.duplicates += result.duplicate_of is not None
        yield part

    for part in results.mapPartitions(partial_summary).collect():
        summary.add_cleaning_counts(part.cleaning_counts())
        summary.duplicates += part.duplicates


def write_jsonl(spark: SparkSession, results: RDD[Result], output: str, fields: Fields) -> None:
    """The local writer's JSONL records, in order, as part files of the OUTPUT folder (gzipped for .gz)."""
    write_lines(spark, results.map(lambda r: result_line(r, fields)[:-1]), output)


def write_lines(spark: SparkSession, lines: RDD[bytes], output: str) -> None:
    """Lines (bytes, without their newline, written verbatim) as part files of a folder, in order."""
    compression = "gzip" if output.lower().endswith(".gz") else "none"
    frame = spark.createDataFrame(lines.map(lambda line: (line,)), "line binary")
    # Binary to string keeps the bytes as they are, valid UTF-8 or not (a rejected line is copied verbatim).
    frame.select(F.col("line").cast("string")).write.option("compression", compression).text(output)
    _name_parts_jsonl(spark, output)


def _name_parts_jsonl(spark: SparkSession, output: str) -> None:
    """Rename the part files Spark's text writer names .txt[.gz] to .jsonl[.gz]: they hold JSON Lines."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None  # a live session has its JVM
    folder = jvm.org.apache.hadoop.fs.Path(output)
    fs = folder.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    for status in fs.listStatus(folder):
        part = status.getPath()
        name = _PART_TXT.sub(r"\1.jsonl\2", part.getName())
        if name != part.getName():
            fs.rename(part, jvm.org.apache.hadoop.fs.Path(part.getParent(), name))


def write_parquet(
    spark: SparkSession, results: RDD[Result], output: str, fields: Fields, known: Any | None = None
) -> None:
    """The records as Parquet part files of the OUTPUT folder, typed as the local Parquet writer types them:
    `known` column types (an Arrow schema) first, other fields' types inferred, `dedup` a JSON string."""
    from pyspark.sql.pandas.types import from_arrow_schema

    from dedup.io.parquet import record_batch

    lines = results.map(lambda r: (result_line(r, fields),)).persist(_KEEP)
    schema = _output_schema(lines.map(lambda t: t[0]), fields, known)

    def batches(chunks: Iterable[Any]) -> Iterator[Any]:
        for chunk in chunks:
            yield record_batch([orjson.loads(v) for v in chunk.column(0).to_pylist()], schema)

    frame = spark.createDataFrame(lines, "line binary")
    frame.mapInArrow(batches, from_arrow_schema(schema)).write.parquet(output)
    lines.unpersist()


def _output_schema(lines: RDD[bytes], fields: Fields, known: Any | None) -> Any:
    """The output's Arrow schema: each task's (as the local writer infers it), unified in input order."""
    import pyarrow as pa

    from dedup.io.parquet import output_schema

    def task_schema(rows: Iterable[bytes]) -> Iterator[Any]:
        yield output_schema(known, (orjson.loads(line) for line in rows), fields)

    schemas = lines.mapPartitions(task_schema).collect()
    try:
        schema = pa.unify_schemas(schemas, promote_options="permissive")
    except pa.ArrowException as e:
        raise InputError(f"fields hold values of different types ({e}); write JSONL instead") from e
    audit = schema.field("dedup")
    return schema.remove(schema.get_field_index("dedup")).append(audit)


def input_arrow_schema(spark: SparkSession, uris: Sequence[str]) -> Any | None:
    """The Parquet inputs' columns as an Arrow schema (None without Parquet inputs), less any `dedup`."""
    from pyspark.sql.pandas.types import to_arrow_schema

    if not uris:
        return None
    frame = spark.read.option("mergeSchema", "true").option("globPaths", "false").parquet(*uris)
    schema = to_arrow_schema(frame.drop("dedup").schema)
    return schema


def clean_frame(
    frame: DataFrame, config: Config | None = None, fields: Fields = DEFAULT_FIELDS, order: str | None = None
) -> DataFrame:
    """A DataFrame of pages, cleaned: the same columns with the text cleaned, then `dedup` (the audit, JSON).

    `order` names an integer column giving the input order (it breaks ties between duplicates fetched
    at the same time); by default the frame's own order. Learns the site model from the frame itself.
    """
    config = config or Config()
    frame = frame.drop("dedup")
    names = frame.columns
    position = F.col(order) if order else F.monotonically_increasing_id()
    rows = frame.select(position.alias("position"), F.struct(*names).alias("row")).rdd
    pages = rows.map(lambda r: (int(r[0]), _row_page(r[1].asDict(recursive=True), fields, int(r[0]))))
    pages = pages.persist(_KEEP)
    results = clean(pages, config, learn(pages, config))

    def output_row(result: Result) -> tuple[Any, ...]:
        record = {**result.page.record, fields.text: result.text}
        return (*(record[n] for n in names), orjson.dumps(result.audit()).decode("utf-8"))

    schema = StructType([*frame.schema.fields, StructField("dedup", StringType())])
    ordered = results.sortByKey(numPartitions=results.getNumPartitions()).values()
    return frame.sparkSession.createDataFrame(ordered.map(output_row), schema)


def _row_page(record: dict[str, Any], fields: Fields, position: int) -> Page:
    """The Page of one DataFrame row; ValueError naming the row when its text is not a string."""
    if not isinstance(record.get(fields.text), str):
        raise ValueError(f"row {position} (id {record.get(fields.id)!r}): {fields.text!r} is not a string")
    return page_from_record(record, fields, str(position), None, f"row {position}")
