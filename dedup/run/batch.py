"""A batch run over files: learn the site model, clean every page, group duplicates, write atomically."""

from __future__ import annotations

import inspect
import os
import sys
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, cast

import orjson

from dedup import checks
from dedup.checks import SettingError
from dedup.clean import Cleaner, clean_pages
from dedup.config import Config
from dedup.duplicates import Duplicate, DuplicateFinder, PagePrint
from dedup.io import BadRecord, CutShort, Fields, JsonlWriter, RejectsWriter, TextWriter
from dedup.io.parquet import input_schema, output_schema, write_parquet
from dedup.io.readers import JsonlLine, input_files, is_glob, read_records, record_fields
from dedup.io.records import Skipped
from dedup.io.writers import FILE_BUFFER, ShardedOutput, rejects_path, result_line
from dedup.learn import learn as learn_pages
from dedup.page import Page, Result, utf8_size
from dedup.run.checkpoint import Checkpoint
from dedup.run.stream import StreamCleaner
from dedup.store import open_store
from dedup.workers import Workers, candidates, chunks, default_workers

# A site losing more than this share of its text is reported loudly: a rule may be eating content.
LOUD_SITE_SHARE = 0.6


class RecordError(Exception):
    """A malformed input record under `--errors fail`; the message names file and line."""


@dataclass
class Summary:
    """What a run did: pages, sites, characters removed by kind, duplicates, bad records."""

    pages: int = 0
    chars_in: int = 0
    removed_by_kind: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    dropped: int = 0
    bad_records: int = 0
    site_chars: Counter[str] = field(default_factory=Counter)
    site_removed: Counter[str] = field(default_factory=Counter)
    rejects_file: Path | None = None
    skipped: Counter[str] = field(default_factory=Counter)  # records that are not pages, by reason
    cut_short: list[str] = field(default_factory=list)  # "file:line: why", for files that end early
    written: list[Path] = field(default_factory=list)  # the output file, or its shards

    def add(self, result: Result) -> None:
        """Account for one cleaned page."""
        removed = [(r.kind, r.end - r.start) for r in result.removed]
        self.add_counts(result.page.site or "", len(result.page.text), removed)

    def add_counts(self, site: str, chars: int, removed: Iterable[tuple[str, int]]) -> None:
        """Account for one cleaned page of this site and length, by its removed (kind, characters)."""
        self.pages += 1
        self.chars_in += chars
        self.site_chars[site] += chars
        total = 0
        for kind, n in removed:
            self.removed_by_kind[kind] += n
            total += n
        if total:
            self.site_removed[site] += total

    def cleaning_counts(self) -> dict[str, Any]:
        """The counts of the pages cleaned so far, as plain data (for a checkpoint)."""
        return {
            "pages": self.pages,
            "chars_in": self.chars_in,
            "removed_by_kind": dict(self.removed_by_kind),
            "site_chars": dict(self.site_chars),
            "site_removed": dict(self.site_removed),
        }

    def add_cleaning_counts(self, counts: dict[str, Any]) -> None:
        """Take up the counts of pages cleaned elsewhere (by the run a resumed one goes on, a Spark task)."""
        self.pages += counts.get("pages", 0)
        self.chars_in += counts.get("chars_in", 0)
        for name in ("removed_by_kind", "site_chars", "site_removed"):
            getattr(self, name).update(counts.get(name, {}))

    def loud_sites(self) -> list[tuple[str, float]]:
        """Sites whose removed share is suspiciously high, with that share."""
        shares = ((s, self.site_removed[s] / n) for s, n in self.site_chars.items() if n)
        return sorted((s, share) for s, share in shares if share > LOUD_SITE_SHARE)


@dataclass(frozen=True)
class RunOptions:
    """How a batch run reads its inputs and what it writes."""

    fields: Fields = field(default_factory=Fields)
    site: str | None = None
    errors: str = "fail"  # or "skip"
    drop_duplicates: bool = False
    shard_size: int | None = None  # bytes per output shard: OUTPUT-00000.jsonl.gz, OUTPUT-00001…
    workers: int = field(default_factory=default_workers)  # processes for the per-page work

    def identity(self) -> dict[str, Any]:
        """The options that shape the output, as plain data (for a checkpoint's run identity)."""
        return {
            "fields": asdict(self.fields),
            "site": self.site,
            "errors": self.errors,
            "drop_duplicates": self.drop_duplicates,
            "shard_size": self.shard_size,
        }

    def __post_init__(self) -> None:
        if self.errors not in ("fail", "skip"):
            raise SettingError(
                f"--errors must be 'fail' (stop at the first bad record) or 'skip' (set it aside), "
                f"not {self.errors!r}"
            )
        if self.shard_size is not None:
            checks.whole("RunOptions", "shard_size", self.shard_size)
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise SettingError(f"--workers must be 1 or more, not {self.workers}: give how many processes")


# (phase, pages so far) or (phase, pages so far, bytes of page text so far): both kinds are accepted.
Progress = Callable[[str, int], None] | Callable[[str, int, int], None]
PROGRESS_EVERY = 500  # pages between two progress calls; a call with 0 opens each phase, a last one closes it


class _Ticker:
    """Counts a phase's pages and text bytes, and tells the progress callback every PROGRESS_EVERY pages."""

    def __init__(self, progress: Progress | None, phase: str) -> None:
        self.phase = phase
        self.pages = 0
        self.nbytes = 0
        self._call = _three_args(progress)
        if self._call is not None:
            self._call(phase, 0, 0)

    def tick(self, nbytes: int) -> None:
        """One more page, of this size in UTF-8 bytes."""
        if self._call is None:
            return
        self.pages += 1
        self.nbytes += nbytes
        if self.pages % PROGRESS_EVERY == 0:
            self._call(self.phase, self.pages, self.nbytes)

    def done(self) -> None:
        """The phase is over: report its final count if the last tick did not."""
        if self._call is not None and self.pages % PROGRESS_EVERY:
            self._call(self.phase, self.pages, self.nbytes)


def _three_args(progress: Progress | None) -> Callable[[str, int, int], None] | None:
    """The callback as (phase, pages, bytes); a two-argument callback is called without the bytes."""
    if progress is None:
        return None
    try:
        inspect.signature(progress).bind("", 0, 0)
    except (TypeError, ValueError):  # takes two arguments (or has no signature to inspect)
        two = cast(Callable[[str, int], None], progress)
        return lambda phase, n, _nbytes: two(phase, n)
    return cast(Callable[[str, int, int], None], progress)


def _pages(
    inputs: Sequence[Path], opts: RunOptions, rejects: RejectsWriter | None, summary: Summary
) -> Iterator[Page | JsonlLine]:
    """Pages of every input, JSONL lines unparsed (`_parsed` or the workers parse them); bad records
    and cut files stop the run, or go to the rejects file and the summary; skipped records are
    counted."""
    for item in read_records(inputs, opts.fields, opts.site):
        if isinstance(item, Skipped):
            summary.skipped[item.reason] += 1
            continue
        if isinstance(item, CutShort):
            if rejects is None:
                raise RecordError(f"{item.source}: {item.reason}")
            summary.cut_short.append(f"{item.source}: {item.reason}")
            continue
        if isinstance(item, BadRecord):
            _set_aside(item, rejects)
            continue
        yield item


def _parsed(items: Iterable[Page | JsonlLine], rejects: RejectsWriter | None) -> Iterator[Page]:
    """The items' pages, their lines parsed here; bad records set aside (`_set_aside`)."""
    for item in items:
        page = item.parse() if isinstance(item, JsonlLine) else item
        if isinstance(page, BadRecord):
            _set_aside(page, rejects)
        else:
            yield page


def _set_aside(bad: BadRecord, rejects: RejectsWriter | None) -> None:
    """A bad record stops the run (`--errors fail`), or goes to the rejects file."""
    if rejects is None:
        raise RecordError(f"{bad.source}: {bad.reason}")
    rejects.write(bad)


def check_fields(inputs: Sequence[Path], named: dict[str, str]) -> None:
    """Refuse field names given on the command line (option -> name) that the first record of
    the first input does not have: a mistyped --url-field would put every page in one site."""
    files = input_files(inputs)
    have = record_fields(files[0]) if files else None
    if have is None:
        return
    for option, name in named.items():
        if name not in have:
            raise SettingError(
                f"{option} {name!r}: the first record of {files[0]} has no such field (its fields: "
                f"{', '.join(have[:12]) or 'none'}); name a field the records have"
            )


def is_parquet(output: Path) -> bool:
    """A .parquet output is written as Parquet."""
    return output.name.lower().endswith(".parquet")


def is_text_input(inputs: Sequence[Path]) -> bool:
    """A single .txt file (not a glob of them) cleans to plain text."""
    only = inputs[0] if len(inputs) == 1 else None
    return only is not None and only.suffix == ".txt" and not only.is_dir() and not is_glob(only)


def batch_cleaner(
    config: Config,
    inputs: Sequence[Path],
    opts: RunOptions,
    state: str | None = None,
    checkpoint: Checkpoint | None = None,
    progress: Progress | None = None,
) -> Cleaner:
    """The cleaner of a batch run, its model from the checkpoint of a stopped run, or the state,
    or else learned from the inputs now (and kept in the checkpoint). A single text page cleans
    alone: there is nothing to learn from."""
    model = checkpoint.load_model(config) if checkpoint else None
    if model is None and state is not None:
        model = open_store(state).load(config.settings).model
    cleaner = Cleaner(config, model)
    if model is None and not is_text_input(inputs):
        learn(cleaner, inputs, opts, progress, compact=True)
        if checkpoint is not None:
            checkpoint.save_model(cleaner.model)
    return cleaner


def learn(
    cleaner: Cleaner,
    inputs: Sequence[Path],
    opts: RunOptions,
    progress: Progress | None = None,
    compact: bool = False,
) -> int:
    """Learn the site model from the inputs (bad records are skipped here; cleaning reports them)
    on `opts.workers` processes; returns the pages counted (see `dedup.learn.learn`)."""
    ticker = _Ticker(progress, "learning")
    items = (
        item for item in read_records(inputs, opts.fields, opts.site) if isinstance(item, Page | JsonlLine)
    )
    counted = learn_pages(cleaner.model, cleaner.config, items, opts.workers, compact, ticker.tick)
    ticker.done()
    return counted


def clean_files(
    cleaner: Cleaner | StreamCleaner,
    inputs: Sequence[Path],
    output: Path | None,
    opts: RunOptions,
    progress: Progress | None = None,
    checkpoint: Checkpoint | None = None,
) -> Summary:
    """Clean every page of the inputs into output (stdout when None), atomically; returns the summary.

    With a `checkpoint` (a batch run into a JSONL or Parquet file), the run goes on from the
    checkpoint's pages, and makes checkpoints as it goes (see `dedup.run.checkpoint`)."""
    summary = Summary()
    if opts.errors == "skip" and output is None:
        raise RecordError("--errors skip keeps bad records in OUTPUT.rejects.jsonl: give an output with -o")
    rejects = RejectsWriter(rejects_path(output)) if opts.errors == "skip" and output else None
    if rejects is not None:
        summary.rejects_file = rejects.path
        rejects.__enter__()
    try:
        if is_text_input(inputs):
            with TextWriter(output) as writer:
                for page in _parsed(_pages(inputs, opts, rejects, summary), rejects):
                    result = cleaner.clean(page)
                    summary.add(result)
                    writer.write(result)
        else:
            _clean_jsonl(cleaner, inputs, output, opts, rejects, summary, progress, checkpoint)
    except BaseException as e:
        if rejects is not None:
            rejects.__exit__(type(e), e, e.__traceback__)
        raise
    if rejects is not None:
        rejects.__exit__(None, None, None)
        summary.bad_records = rejects.count
        if not rejects.count:
            summary.rejects_file = None
    return summary


def _clean_jsonl(
    cleaner: Cleaner | StreamCleaner,
    inputs: Sequence[Path],
    output: Path | None,
    opts: RunOptions,
    rejects: RejectsWriter | None,
    summary: Summary,
    progress: Progress | None,
    checkpoint: Checkpoint | None = None,
) -> None:
    """Clean into a spool file while collecting duplicate fingerprints, then write the final output.

    In stream mode each page already knows the page it duplicates, among those seen before. With a
    checkpoint, the spool is the checkpoint's, and the pages it holds are read past, not cleaned."""
    ticker = _Ticker(progress, "cleaning")
    pages = _pages(inputs, opts, rejects, summary)
    if isinstance(cleaner, StreamCleaner):
        with _spool(output) as spool:
            with JsonlWriter(spool, opts.fields) as writer:
                duplicate_of = _clean_stream(
                    cleaner, _ticking(_parsed(pages, rejects), ticker), writer, summary
                )
            ticker.done()
            _write_final(spool, output, duplicate_of, opts, summary, inputs)
        return
    finder = DuplicateFinder(
        cleaner.config.settings, cleaner.config.duplicate_threshold, cleaner.config.duplicate_rule
    )
    if checkpoint is None:
        with _spool(output) as spool:
            # A plain file: the spool is let go once the output is written, never kept (no fsync).
            with spool.open("wb", buffering=FILE_BUFFER) as out:
                _clean_batch(cleaner, pages, _SpoolWriter(out), summary, finder, opts, rejects, ticker)
            ticker.done()
            _write_final(spool, output, _groups(finder, opts), opts, summary, inputs)
        return
    summary.add_cleaning_counts(checkpoint.counts)
    try:
        spooled = _SpoolWriter(checkpoint.resume(finder))
        # Bad and skipped records before the checkpoint's last page are met again, and set aside again.
        deque(islice(_parsed(pages, rejects), checkpoint.pages), maxlen=0)
        _clean_batch(cleaner, pages, spooled, summary, finder, opts, rejects, ticker, checkpoint)
        checkpoint.save(summary.cleaning_counts())
        checkpoint.close()
        ticker.done()
        _write_final(checkpoint.spool_path, output, _groups(finder, opts), opts, summary, inputs)
    finally:
        checkpoint.close()
    checkpoint.finish()


@contextmanager
def _spool(output: Path | None) -> Iterator[Path]:
    """A temporary file beside the output (or in the temporary folder), removed on leaving."""
    spool_dir = output.parent if output else Path(tempfile.gettempdir())
    spool_dir.mkdir(parents=True, exist_ok=True)
    fd, spool_name = tempfile.mkstemp(prefix=".dedup-spool-", suffix=".jsonl", dir=spool_dir)
    os.close(fd)
    try:
        yield Path(spool_name)
    finally:
        Path(spool_name).unlink(missing_ok=True)


def _groups(finder: DuplicateFinder, opts: RunOptions) -> dict[int, Duplicate]:
    """The duplicate groups of the pages cleaned (input position -> place), found on the workers."""
    return finder.groups(candidates=candidates(finder, opts.workers))


class _SpoolWriter:
    """Lines appended to an open spool file."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out

    def write_line(self, line: bytes) -> None:
        """One line made by `result_line`."""
        self._out.write(line)


def _clean_stream(
    cleaner: StreamCleaner, pages: Iterator[Page], writer: JsonlWriter, summary: Summary
) -> dict[int, Duplicate]:
    """Clean pages one by one, each learned from first (stream mode); the duplicates they name."""
    duplicate_of: dict[int, Duplicate] = {}
    for i, result in enumerate(cleaner.clean_many(pages)):
        summary.add(result)
        if result.duplicate_of is not None:
            duplicate_of[i] = Duplicate(result.duplicate_of, result.similarity or 1.0)
        writer.write(result)
    return duplicate_of


def _clean_batch(
    cleaner: Cleaner,
    pages: Iterator[Page | JsonlLine],
    writer: _SpoolWriter,
    summary: Summary,
    finder: DuplicateFinder,
    opts: RunOptions,
    rejects: RejectsWriter | None,
    ticker: _Ticker,
    checkpoint: Checkpoint | None = None,
) -> None:
    """Clean pages in chunks on the workers (which parse the JSONL lines), in input order,
    collecting their duplicate prints (and telling the checkpoint of every page written); bad
    records are set aside in their place."""
    with Workers(opts.workers, (cleaner, opts.fields)) as workers:
        for cleaned in workers.map(_clean_chunk, chunks(pages)):
            for c in cleaned:
                if isinstance(c, BadRecord):
                    _set_aside(c, rejects)
                    continue
                ticker.tick(c.size)
                summary.add_counts(c.site, c.chars, c.removed)
                finder.add_print(c.id, c.fetched_at, c.print_)
                writer.write_line(c.line)
                if checkpoint is not None:
                    checkpoint.page_done(c.id, c.fetched_at, c.print_, summary.cleaning_counts)


def _ticking(pages: Iterator[Page], ticker: _Ticker) -> Iterator[Page]:
    """The pages, each counted by the ticker as it is read."""
    for page in pages:
        ticker.tick(utf8_size(page.text))
        yield page


def _write_final(
    spool: Path,
    output: Path | None,
    duplicate_of: dict[int, Duplicate],
    opts: RunOptions,
    summary: Summary,
    inputs: Sequence[Path],
) -> None:
    """Copy the spool to the output (JSONL, its shards, or Parquet), marking (or dropping) the duplicates."""
    summary.duplicates = len(duplicate_of)
    lines = _final_lines(spool, duplicate_of, opts.drop_duplicates, summary)
    if output is None:
        for line in lines:
            sys.stdout.buffer.write(line)
    elif is_parquet(output):
        schema = _parquet_schema(spool, inputs, opts.fields)
        summary.written = write_parquet(lines, output, schema, opts.shard_size)
    else:
        with ShardedOutput(output, opts.shard_size) as out:
            for line in lines:
                out.write(line)
        summary.written = out.paths


def _final_lines(
    spool: Path, duplicate_of: dict[int, Duplicate], drop: bool, summary: Summary
) -> Iterator[bytes]:
    """The spooled lines, duplicates marked with their canonical page and similarity (or left out
    and counted)."""
    with spool.open("rb", buffering=FILE_BUFFER) as f:
        for i, line in enumerate(f):
            duplicate = duplicate_of.get(i)
            if duplicate is not None:
                if drop:
                    summary.dropped += 1
                    continue
                line = _marked(line, duplicate)
            yield line


def _marked(line: bytes, duplicate: Duplicate) -> bytes:
    """A spooled line, its page marked a duplicate: the audit's last two fields (`Result.audit`)
    written anew, the rest left as it is (as orjson would write the whole record again)."""
    # A key's quotes are never escaped and a string's always are: the last `,"duplicate_of":` is the
    # audit's, also when the record has a field of that name.
    at = line.rindex(b',"duplicate_of":')
    canonical, similarity = orjson.dumps(duplicate.canonical), orjson.dumps(duplicate.similarity)
    return line[:at] + b',"duplicate_of":' + canonical + b',"similarity":' + similarity + b"}}\n"


def _parquet_schema(spool: Path, inputs: Sequence[Path], fields: Fields) -> Any:
    """The Parquet output schema: the Parquet inputs' column types, other fields' types read off the spool."""
    files = input_files(inputs)
    known = input_schema(files, fields)
    if all(f.name.lower().endswith(".parquet") for f in files):
        return output_schema(known, (), fields)
    with spool.open("rb") as f:
        return output_schema(known, (orjson.loads(line) for line in f), fields)


class Cleaned(NamedTuple):
    """What the parent needs of a cleaned page: its output line, its summary figures, its print,
    its id and time of fetch (for the duplicates), its size in UTF-8 bytes (for the progress)."""

    line: bytes
    site: str
    chars: int
    removed: tuple[tuple[str, int], ...]  # (kind, characters removed by that kind)
    print_: PagePrint
    id: str
    fetched_at: str | None
    size: int


def _clean_chunk(state: tuple[Cleaner, Fields], items: list[Page | JsonlLine]) -> list[Cleaned | BadRecord]:
    """Task: clean a chunk of pages (a line parsed first) into output lines, with what the summary
    and the duplicates need; a bad record in its place."""
    cleaner, fields = state
    parsed = [item if isinstance(item, Page) else item.parse() for item in items]
    results = iter(clean_pages(cleaner, [p for p in parsed if isinstance(p, Page)]))
    return [_cleaned(*next(results), fields) if isinstance(p, Page) else p for p in parsed]


def _cleaned(result: Result, print_: PagePrint, fields: Fields) -> Cleaned:
    """What the parent needs of a cleaned page (its removals summed by kind)."""
    page = result.page
    by_kind: dict[str, int] = {}
    for x in result.removed:
        by_kind[x.kind] = by_kind.get(x.kind, 0) + x.end - x.start
    line = result_line(result, fields)
    return Cleaned(
        line,
        page.site or "",
        len(page.text),
        tuple(by_kind.items()),
        print_,
        page.id,
        page.fetched_at,
        utf8_size(page.text),
    )
