"""A batch run over files: learn the site model, clean every page, group duplicates, write atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from dedup.clean import Cleaner
from dedup.detect.duplicates import DuplicateFinder
from dedup.io import AtomicOutput, BadRecord, Fields, JsonlWriter, RejectsWriter, TextWriter, read_pages
from dedup.io.writers import rejects_path
from dedup.page import Page, Result

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

    def add(self, result: Result) -> None:
        """Account for one cleaned page."""
        site = result.page.site or ""
        self.pages += 1
        self.chars_in += len(result.page.text)
        self.site_chars[site] += len(result.page.text)
        for r in result.removed:
            self.removed_by_kind[r.kind] += r.end - r.start
            self.site_removed[site] += r.end - r.start

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

    def __post_init__(self) -> None:
        if self.errors not in ("fail", "skip"):
            raise ValueError(f"--errors must be 'fail' or 'skip', not {self.errors!r}")


Progress = Callable[[str, int], None]  # (phase, pages so far)


def _pages(inputs: Sequence[Path], opts: RunOptions, rejects: RejectsWriter | None) -> Iterator[Page]:
    """Pages of every input; bad records stop the run, or go to the rejects file."""
    for item in read_pages(inputs, opts.fields, opts.site):
        if isinstance(item, BadRecord):
            if rejects is None:
                raise RecordError(f"{item.source}: {item.reason}")
            rejects.write(item)
            continue
        yield item


def is_text_input(inputs: Sequence[Path]) -> bool:
    """A single .txt file cleans to plain text."""
    return len(inputs) == 1 and inputs[0].suffix == ".txt" and not inputs[0].is_dir()


def learn(
    cleaner: Cleaner, inputs: Sequence[Path], opts: RunOptions, progress: Progress | None = None
) -> int:
    """Learn the site model from the inputs (bad records are skipped here; cleaning reports them)."""

    def counted() -> Iterator[Page]:
        for n, item in enumerate(read_pages(inputs, opts.fields, opts.site), 1):
            if isinstance(item, Page):
                yield item
            if progress and n % 500 == 0:
                progress("learning", n)

    return cleaner.learn(counted())


def clean_files(
    cleaner: Cleaner,
    inputs: Sequence[Path],
    output: Path | None,
    opts: RunOptions,
    progress: Progress | None = None,
) -> Summary:
    """Clean every page of the inputs into output (stdout when None), atomically; returns the summary."""
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
                for page in _pages(inputs, opts, rejects):
                    result = cleaner.clean(page)
                    summary.add(result)
                    writer.write(result)
        else:
            _clean_jsonl(cleaner, inputs, output, opts, rejects, summary, progress)
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
    cleaner: Cleaner,
    inputs: Sequence[Path],
    output: Path | None,
    opts: RunOptions,
    rejects: RejectsWriter | None,
    summary: Summary,
    progress: Progress | None,
) -> None:
    """Clean into a spool file while collecting duplicate fingerprints, then write the final output."""
    finder = DuplicateFinder(cleaner.config.settings, cleaner.config.duplicate_threshold)
    spool_dir = output.parent if output else Path(tempfile.gettempdir())
    spool_dir.mkdir(parents=True, exist_ok=True)
    fd, spool_name = tempfile.mkstemp(prefix=".dedup-spool-", suffix=".jsonl", dir=spool_dir)
    os.close(fd)
    spool = Path(spool_name)
    try:
        with JsonlWriter(spool, opts.fields) as writer:
            for n, page in enumerate(_pages(inputs, opts, rejects), 1):
                result = cleaner.clean(page)
                summary.add(result)
                finder.add(page.id, page.fetched_at, result.text, page.text)
                writer.write(result)
                if progress and n % 500 == 0:
                    progress("cleaning", n)
        duplicate_of = finder.groups()
        summary.duplicates = len(duplicate_of)
        _write_final(spool, output, duplicate_of, opts.drop_duplicates, summary)
    finally:
        spool.unlink(missing_ok=True)


def _write_final(
    spool: Path, output: Path | None, duplicate_of: dict[int, str], drop: bool, summary: Summary
) -> None:
    """Copy the spool to the output, marking (or dropping) the duplicates."""
    out = AtomicOutput(output) if output else None
    sink = out.__enter__() if out else None
    try:
        with spool.open("rb") as f:
            for i, line in enumerate(f):
                canonical = duplicate_of.get(i)
                if canonical is not None:
                    if drop:
                        summary.dropped += 1
                        continue
                    record = orjson.loads(line)
                    record["dedup"]["duplicate_of"] = canonical
                    line = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
                if sink is not None:
                    sink.write(line)
                else:
                    sys.stdout.buffer.write(line)
    except BaseException as e:
        if out is not None:
            out.__exit__(type(e), e, e.__traceback__)
        raise
    if out is not None:
        out.__exit__(None, None, None)
