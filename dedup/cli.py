"""The `dedup` command: a thin typer layer over the library."""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn
from rich.table import Table

from dedup import __version__
from dedup.clean import Cleaner
from dedup.config import Config
from dedup.evaluate import format_scores, score
from dedup.features import excerpt
from dedup.io import Fields, InputError, read_pages
from dedup.io.readers import input_files
from dedup.io.writers import parse_size
from dedup.leftovers import cleaned_pages
from dedup.leftovers import find as find_leftovers
from dedup.model import SiteModel
from dedup.page import Page
from dedup.periods import site_periods
from dedup.report import SAMPLE_SIZE, ReportError, write_report
from dedup.run.batch import (
    RecordError,
    RunOptions,
    Summary,
    batch_cleaner,
    check_fields,
    clean_files,
    is_text_input,
    learn,
)
from dedup.run.checkpoint import (
    CHECKPOINT_PAGES,
    Checkpoint,
    CheckpointError,
    checkpoint_folder,
    run_identity,
)
from dedup.run.stream import DEFAULT_FORGET_AFTER, StreamCleaner, StreamSettings
from dedup.store import StateError, open_store

app = typer.Typer(
    help="Strip site boilerplate, teaser cards and repeats from scraped news pages; mark near-duplicate "
    "pages. Every removed span is kept in an audit record, so the original can always be restored.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)

_INPUTS_HELP = (
    "JSONL (.jsonl, .jsonl.gz, .jsonl.zst), WARC (.warc, .warc.gz), Parquet (.parquet), "
    "a .txt page, folders of them, or quoted globs ('dumps/*.warc.gz')."
)
_OUTPUT_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet")
SITES_TEXT_CHARS = 100  # a line's text in `dedup sites` is cut to this many characters
_SPARK_INPUTS = " With --engine spark: JSONL and Parquet, on any Hadoop path (hdfs://, s3a://...)."
Inputs = Annotated[list[Path], typer.Argument(help=_INPUTS_HELP)]
ShardOpt = Annotated[
    str | None,
    typer.Option(
        "--shard-size",
        help="Split the output into files of about SIZE (100MB, 1GiB): -o out.jsonl.gz writes "
        "out-00000.jsonl.gz, out-00001.jsonl.gz, ..., each complete or not there.",
    ),
]
TextField = Annotated[str, typer.Option("--text-field", help="Field holding the page text.")]
IdField = Annotated[str, typer.Option("--id-field", help="Field holding the page id (default: file:line).")]
UrlField = Annotated[str, typer.Option("--url-field", help="Field holding the URL; its host is the site.")]
SiteOpt = Annotated[
    str | None, typer.Option("--site", help="Site of pages that carry no URL (default: folder name).")
]
StateOpt = Annotated[
    str | None,
    typer.Option(
        "--state",
        help="The learned state: a SQLite file (made by `dedup learn`, or by --stream) or redis://host:port/db.",
    ),
]
PatternOpt = Annotated[
    list[str] | None,
    typer.Option("--pattern", help="Extra widget phrase (or re:REGEX on normalized text); repeatable."),
]
PatternsFile = Annotated[
    Path | None, typer.Option("--patterns-file", help="File of widget phrases, one per line.")
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Processes for the per-page work (default: all cores)."),
]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Also write an HTML report of what was removed (read from the written output; needs -o).",
    ),
]


ThresholdOpt = Annotated[
    float,
    typer.Option("--duplicate-threshold", help="Word-shingle Jaccard above which two pages are duplicates."),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    # Escaped: "[warc]" in a message, or a glob's "[0-9]", is text, not console markup. Not wrapped:
    # a path in the message stays whole, for copying and for grep.
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _config(
    patterns: list[str] | None = None,
    patterns_file: Path | None = None,
    threshold: float = Config.duplicate_threshold,
) -> Config:
    """The run's Config from the command line: the one place a command makes it."""
    phrases = list(patterns or [])
    if patterns_file is not None:
        try:
            lines = patterns_file.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise _fail(f"{patterns_file}: cannot read the patterns file ({e.strerror})") from e
        phrases += [p.strip() for p in lines if p.strip() and not p.startswith("#")]
    try:
        return Config(patterns=tuple(phrases), duplicate_threshold=threshold)
    except ValueError as e:
        raise _fail(str(e)) from e


def _options(
    inputs: list[Path] | None,
    fields: tuple[str, str, str],
    site: str | None,
    errors: str = "fail",
    drop_duplicates: bool = False,
) -> RunOptions:
    """The run options from the command line, checked once: field names (those given that the
    inputs' first record lacks too), --errors."""
    text, id_, url = fields
    try:
        opts = RunOptions(Fields(text=text, id=id_, url=url), site, errors, drop_duplicates)
        given = {"--text-field": text, "--id-field": id_, "--url-field": url}
        defaults = {"--text-field": "text", "--id-field": "id", "--url-field": "url"}
        if inputs:
            check_fields(inputs, {k: v for k, v in given.items() if v != defaults[k]})
    except ValueError as e:
        raise _fail(str(e)) from e
    except InputError:
        return opts  # an input that cannot be read is reported where it is read, with its reason
    return opts


def _check_output(output: Path | None, inputs: list[Path]) -> None:
    """Refuse an output that is a folder, one of the inputs, or of a type nothing writes."""
    if output is None:
        return
    if output.is_dir():
        raise _fail(f"-o {output} is a folder: give a file in it, e.g. -o {output / 'clean.jsonl'}")
    try:
        files = input_files(inputs)
    except InputError:
        files = []
    if any(f.resolve() == output.resolve() for f in files):
        raise _fail(f"-o {output} is also an input: write the cleaned pages to another file")
    name = output.name.lower()
    if is_text_input(inputs) or name.endswith(_OUTPUT_SUFFIXES):
        return
    compression = next((c for c in (".gz", ".zst") if name.endswith(c)), "")
    bare = Path(output.name[: len(output.name) - len(compression)])
    if bare.suffix.lower() in (".json", ".ndjson"):
        # A .json name promises one JSON document; the output is one record per line.
        raise _fail(
            f"-o {output}: the output is JSON Lines, one record per line: "
            f"name it {bare.stem}.jsonl{compression}"
        )
    raise _fail(f"-o {output}: unknown output type; give a name ending in {', '.join(_OUTPUT_SUFFIXES)}")


class _Meter:
    """A live line per phase on stderr: pages, pages/s, MB/s of text; nothing when stderr is no terminal."""

    def __init__(self) -> None:
        self.live = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}"),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self._tasks: dict[str, tuple[TaskID, float, int]] = {}  # phase -> task, its start, pages so far
        self._mark = time.monotonic()  # when the current phase began: the start, or the last call

    def __call__(self, phase: str, n: int, nbytes: int) -> None:
        """Show how far a phase is, and how fast it goes; a count going back is a new pass over the inputs."""
        now = time.monotonic()
        if phase not in self._tasks:
            for task_id, _, _ in self._tasks.values():  # the phases before are over
                self.live.update(task_id, total=1, completed=1)
            self._tasks[phase] = (self.live.add_task(phase, total=None), self._mark, 0)
        task, start, last = self._tasks[phase]
        if n == 0 or n <= last:  # the phase (or a new pass of it) begins now, or began at the last call
            start = now if n == 0 else self._mark
        self._tasks[phase] = (task, start, n)
        self._mark = now
        secs = max(now - start, 1e-6)
        self.live.update(
            task,
            description=f"{phase:<9} {n:>10,} pages  {n / secs:>7,.0f} pages/s  "
            f"{nbytes / secs / 1e6:>6.1f} MB/s  {secs:>6.1f} s",
        )


@contextmanager
def _progress() -> Iterator[_Meter]:
    """A progress meter for a long run, shown while the block runs."""
    meter = _Meter()
    with meter.live:
        yield meter


@app.command()
def clean(
    sources: Annotated[list[str], typer.Argument(metavar="INPUTS", help=_INPUTS_HELP + _SPARK_INPUTS)],
    target: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (.jsonl, .jsonl.gz, .jsonl.zst, .parquet; plain text for a .txt input). "
            "Default: standard output. With --engine spark, a folder of part files.",
        ),
    ] = None,
    state: StateOpt = None,
    drop_duplicates: Annotated[
        bool, typer.Option("--drop-duplicates", help="Leave near-duplicate pages out of the output.")
    ] = False,
    duplicate_threshold: ThresholdOpt = Config.duplicate_threshold,
    errors: Annotated[
        str,
        typer.Option(
            "--errors",
            help="fail: stop at the first malformed record; skip: copy it to OUTPUT.rejects.jsonl and go on.",
        ),
    ] = "fail",
    pattern: PatternOpt = None,
    patterns_file: PatternsFile = None,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    site: SiteOpt = None,
    report: ReportOpt = None,
    shard_size: ShardOpt = None,
    stream: Annotated[
        bool,
        typer.Option(
            "--stream",
            help="One pass, for a scraper's post-processing: clean each page with what --state knows so far, "
            "learn from it, and save the state (made if missing) every --save-every pages and at the end.",
        ),
    ] = False,
    forget_after: Annotated[
        float | None,
        typer.Option(
            "--forget-after",
            help="With --stream: a site's pages older than about this many days (by fetched_at, from "
            "its latest page) stop counting; 0: never. Set when the state is made; "
            f"default {DEFAULT_FORGET_AFTER:g}.",
        ),
    ] = None,
    wait_pages: Annotated[
        int,
        typer.Option("--wait-pages", help="With --stream: a new site's pages wait until it has this many."),
    ] = StreamSettings.wait_pages,
    save_every: Annotated[
        int, typer.Option("--save-every", help="With --stream: pages between two saves of the state.")
    ] = StreamSettings.save_every,
    workers: WorkersOpt = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Keep a checkpoint in OUTPUT.partial/ as the run goes; after a stop, the same command "
            "goes on from the last checkpoint, with the same output as a run never stopped.",
        ),
    ] = False,
    checkpoint_every: Annotated[
        int, typer.Option("--checkpoint-every", min=1, help="With --resume: pages between two checkpoints.")
    ] = CHECKPOINT_PAGES,
    engine: Annotated[
        str,
        typer.Option(
            "--engine", help=escape("local: this machine; spark: Apache Spark (needs 'dedup[spark]').")
        ),
    ] = "local",
    spark_master: Annotated[
        str | None,
        typer.Option("--spark-master", help="Spark master URL (default: spark-submit's, else local[*])."),
    ] = None,
) -> None:
    """Clean pages: learn each site's boilerplate from the inputs (or --state), remove it, mark duplicates.

    Examples:

      dedup clean crawl.jsonl.gz -o clean.jsonl.gz

      dedup clean page.txt                       # cleaned text on stdout

      dedup clean day2.jsonl --state model.db -o out.jsonl --errors skip

      dedup clean 'dumps/*.warc.gz' -o clean.parquet

      dedup clean crawl/ -o out.jsonl.gz --shard-size 100MB   # out-00000.jsonl.gz, ...

      dedup clean crawl.jsonl -o clean.jsonl --report report.html

      dedup clean --stream --state state.db batch-0042.jsonl -o clean-0042.jsonl

      dedup clean --engine spark 'hdfs:///crawl/*.jsonl.gz' -o hdfs:///clean.jsonl.gz
    """
    inputs, output = [Path(s) for s in sources], Path(target) if target else None
    if engine not in ("local", "spark"):
        raise _fail(f"--engine must be 'local' or 'spark', not {engine!r}")
    _check_report(report, output, inputs)
    if engine == "local":  # Spark writes a folder of part files, on any Hadoop path
        _check_output(output, inputs)
    config = _config(pattern, patterns_file, duplicate_threshold)
    opts = _options(inputs, (text_field, id_field, url_field), site, errors, drop_duplicates)
    try:
        opts = replace(opts, shard_size=_shard_size(shard_size, output, inputs, report))
        opts = replace(opts, workers=workers or opts.workers)
    except ValueError as e:
        raise _fail(str(e)) from e
    streaming = _stream_settings(stream, state, forget_after, wait_pages, save_every)
    if engine == "spark":
        if streaming is not None:
            raise _fail("--stream runs on one machine: use --engine local")
        _clean_on_spark(sources, target, opts, config, state, spark_master, report)
        return
    checkpoint = _checkpoint(resume, streaming is not None, inputs, output, opts, config, state)
    if checkpoint is not None:
        checkpoint.every = checkpoint_every
    try:
        with _progress() as progress:
            cleaner: Cleaner | StreamCleaner
            if streaming is not None:
                assert state is not None  # --stream needs a state (`_stream_settings`)
                cleaner = StreamCleaner(state, config, streaming)
            else:
                cleaner = batch_cleaner(config, inputs, opts, state, checkpoint, progress)
            summary = clean_files(cleaner, inputs, output, opts, progress, checkpoint)
        if isinstance(cleaner, StreamCleaner):
            cleaner.close()  # a run that failed keeps only what its periodic saves kept
    except KeyboardInterrupt:
        message = _interrupted(output, checkpoint, state if streaming else None)
        err.print(escape(message), highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    except (InputError, RecordError, StateError) as e:
        raise _fail(
            str(e)
            + ("" if not isinstance(e, RecordError) else " (use --errors skip to set such records aside)")
        ) from e
    if output is not None or not is_text_input(inputs):
        _print_summary(summary, output)
    if report is not None and output is not None:
        _write_report(output, report, cleaner.model, opts.fields)


def _checkpoint(
    resume: bool,
    streaming: bool,
    inputs: list[Path],
    output: Path | None,
    opts: RunOptions,
    config: Config,
    state: str | None,
) -> Checkpoint | None:
    """The run's checkpoint with --resume (a new one, or the stopped run's); None without."""
    if not resume:
        if output is not None and checkpoint_folder(output).exists():
            err.print(
                f"[bold yellow]warning:[/] {escape(str(checkpoint_folder(output)))} holds a stopped run: "
                "add --resume to go on from it (this run starts over and leaves it)",
                highlight=False,
            )
        return None
    if output is None or is_text_input(inputs):
        raise _fail("--resume keeps its checkpoint beside the output: give -o FILE for a record output")
    if streaming:
        raise _fail("--resume is for batch runs; a --stream run keeps what it learned in its --state")
    try:
        return Checkpoint.open(output, run_identity(inputs, output, opts.identity(), config, state))
    except (CheckpointError, InputError, OSError) as e:
        raise _fail(str(e)) from e


def _interrupted(output: Path | None, checkpoint: Checkpoint | None, stream_state: str | None) -> str:
    """The line a run stopped by Ctrl-C ends with: what was written, and how to go on."""
    written = f"{output} not written (it is written whole, at the end)" if output else "output incomplete"
    if checkpoint is not None:
        return (
            f"interrupted: {written}; {checkpoint.folder} holds the run up to its last checkpoint "
            f"({checkpoint.pages:,} pages cleaned): run the same command again (with --resume) to go on "
            "from there"
        )
    if stream_state is not None:
        return (
            f"interrupted: {written}; the state {stream_state} keeps what was learned up to its last "
            "save (--save-every): run the command again to clean these inputs"
        )
    resume = " (add --resume to be able to go on after a stop)" if output else ""
    return f"interrupted: {written}; run the command again to start over{resume}"


def _stream_settings(
    stream: bool, state: str | None, forget_after: float | None, wait_pages: int, save_every: int
) -> StreamSettings | None:
    """The stream settings of --stream, or None for a batch run; refuses stream options without it."""
    if not stream:
        if forget_after is not None:
            raise _fail("--forget-after applies to --stream runs")
        return None
    if state is None:
        raise _fail(
            "--stream learns into a state: add --state FILE.db (made if missing) or --state redis://HOST"
        )
    try:
        return StreamSettings(forget_after=forget_after, wait_pages=wait_pages, save_every=save_every)
    except ValueError as e:
        raise _fail(str(e)) from e


def _load_model(state: str | None, config: Config) -> SiteModel | None:
    """The site model of a state, for a batch run (None: learn from the inputs)."""
    return open_store(state).load(config.settings).model if state else None


def _clean_on_spark(
    sources: list[str],
    target: str | None,
    opts: RunOptions,
    config: Config,
    state: str | None,
    master: str | None,
    report: Path | None,
) -> None:
    """`dedup clean --engine spark`: the same run on Apache Spark, into a folder of part files."""
    if target is None or opts.shard_size is not None or report is not None:
        raise _fail("--engine spark writes a folder of part files: give -o OUTPUT, no --shard-size, --report")
    try:
        from dedup.integrations import spark

        model = _load_model(state, config)
        summary, _ = spark.clean_files(spark.session(master), sources, target, opts, config, model)
    except (InputError, RecordError, StateError) as e:
        raise _fail(str(e)) from e
    _print_summary(summary, None)
    err.print(f"written: {target} (a folder of part files)", highlight=False)


def _shard_size(size: str | None, output: Path | None, inputs: list[Path], report: Path | None) -> int | None:
    """--shard-size in bytes; refused without -o, for plain text, or with --report (which reads one file)."""
    if size is None:
        return None
    if output is None or is_text_input(inputs) or report is not None:
        raise _fail("--shard-size needs -o FILE and a record output, and cannot go with --report")
    try:
        return parse_size(size)
    except ValueError as e:
        raise _fail(f"--shard-size: {e}") from e


def _check_report(report: Path | None, output: Path | None, inputs: list[Path]) -> None:
    """Refuse --report before any work when it cannot be written."""
    if report is None:
        return
    if output is None:
        raise _fail("--report reads the written output file, and the output goes to stdout: add -o FILE")
    if is_text_input(inputs):
        raise _fail("--report needs a JSONL output; a single .txt page cleans to plain text")
    if report.resolve() == output.resolve():
        raise _fail("--report must name another file than the output")


def _write_report(
    source: Path, report: Path, model: SiteModel | None, fields: Fields, sample: int = SAMPLE_SIZE
) -> None:
    """Write the HTML report of a cleaned output, with a line saying where."""
    try:
        data = write_report(source, report, model, fields, sample)
    except (InputError, ReportError) as e:
        raise _fail(str(e)) from e
    except OSError as e:
        raise _fail(f"{report}: cannot write the report ({e.strerror or e})") from e
    err.print(
        f"report: {report} ({data.pages:,} pages, {len(data.sample)} shown side by side)", highlight=False
    )


def _print_summary(summary: Summary, output: Path | None) -> None:
    table = Table(
        title=f"dedup: {summary.pages:,} pages, {len(summary.site_chars):,} sites", show_header=True
    )
    table.add_column("removed by kind")
    table.add_column("characters", justify="right")
    table.add_column("share", justify="right")
    total = max(summary.chars_in, 1)
    for kind, chars in summary.removed_by_kind.most_common():
        table.add_row(kind, f"{chars:,}", f"{chars / total:.1%}")
    table.add_row(
        "[bold]all[/]",
        f"{sum(summary.removed_by_kind.values()):,}",
        f"{sum(summary.removed_by_kind.values()) / total:.1%}",
    )
    err.print(table)
    err.print(
        f"duplicates: {summary.duplicates:,}" + (f" (dropped {summary.dropped:,})" if summary.dropped else "")
    )
    err.print(
        f"bad records: {summary.bad_records:,}"
        + (f" (kept verbatim in {summary.rejects_file})" if summary.rejects_file else "")
    )
    for site, share in summary.loud_sites():
        err.print(
            f"[bold yellow]warning:[/] {site or '(no site)'} lost {share:.0%} of its text: "
            "check it with `dedup explain`"
        )
    for cut in summary.cut_short:
        err.print(f"[bold yellow]cut short:[/] {escape(cut)}", highlight=False)
    if summary.skipped:
        reasons = ", ".join(f"{reason} {n:,}" for reason, n in summary.skipped.most_common())
        err.print(f"skipped (not pages): {summary.skipped.total():,} ({reasons})", highlight=False)
    if len(summary.written) > 1:
        err.print(f"written: {len(summary.written)} shards, {summary.written[0]} ... {summary.written[-1]}")
    elif output is not None:
        err.print(f"written: {output}")


@app.command("learn")
def learn_cmd(
    inputs: Inputs,
    state: Annotated[
        str, typer.Option("--state", help="SQLite file (or redis://host:port/db) to write the site model to.")
    ],
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    site: SiteOpt = None,
    workers: WorkersOpt = None,
    duplicate_threshold: ThresholdOpt = Config.duplicate_threshold,
) -> None:
    """Learn each site's boilerplate from pages and save the model, for `dedup clean --state` later.

    Example: dedup learn crawl-*.jsonl.gz --state model.db
    """
    if Path(state).is_dir():
        raise _fail(f"--state {state} is a folder: give a file in it, e.g. --state {Path(state, 'model.db')}")
    cleaner = Cleaner(_config(threshold=duplicate_threshold))
    opts = _options(inputs, (text_field, id_field, url_field), site)
    try:
        opts = replace(opts, workers=workers or opts.workers)
    except ValueError as e:
        raise _fail(str(e)) from e
    try:
        with _progress() as progress:
            pages = learn(cleaner, inputs, opts, progress)
    except InputError as e:
        raise _fail(str(e)) from e
    try:
        open_store(state).save(cleaner.model)
    except StateError as e:
        raise _fail(str(e)) from e
    periods = site_periods(cleaner.model.sites)
    in_periods = sum(map(len, periods.values()))
    sites = len(cleaner.model.sites) - in_periods + len(periods)
    split = f" ({len(periods):,} of them in {in_periods:,} design periods)" if periods else ""
    err.print(f"learned {pages:,} distinct pages of {sites:,} sites{split} into {state}")


@app.command()
def explain(
    page_id: Annotated[str, typer.Argument(help="Id of the page to explain.")],
    inputs: Inputs,
    state: StateOpt = None,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    site: SiteOpt = None,
    pattern: PatternOpt = None,
    patterns_file: PatternsFile = None,
    duplicate_threshold: ThresholdOpt = Config.duplicate_threshold,
) -> None:
    """Show every block of one page with its decision and evidence, as `dedup clean` with the same
    options decides them.

    Example: dedup explain p000123 crawl.jsonl --state model.db
    """
    opts = _options(inputs, (text_field, id_field, url_field), site)
    config = _config(pattern, patterns_file, duplicate_threshold)
    try:
        cleaner = batch_cleaner(config, inputs, opts, state)
        page = next(
            (p for p in read_pages(inputs, opts.fields, site) if isinstance(p, Page) and p.id == page_id),
            None,
        )
    except (InputError, StateError) as e:
        raise _fail(str(e)) from e
    if page is None:
        raise _fail(f"no page with id {page_id!r} in the inputs")
    table = Table(title=f"{page.id} ({page.site or 'no site'})")
    for col in ("offsets", "decision", "evidence", "text"):
        table.add_column(col)
    for block, decision in cleaner.explain(page):
        evidence = ", ".join(f"{k}={v}" for k, v in decision.evidence.items()) if decision else ""
        table.add_row(
            f"{block.start}-{block.end}",
            decision.kind if decision else "[green]keep[/]",
            evidence,
            page.text[block.start : block.end].strip()[:120],
        )
    Console().print(table)


@app.command()
def sites(
    state: Annotated[
        str | None, typer.Option("--state", help="State made by `dedup learn` or `dedup clean --stream`.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Boilerplate lines to show per site.")] = 10,
    leftovers: Annotated[
        Path | None,
        typer.Option(
            "--leftovers",
            help="Output of `dedup clean`: list the word runs (3+ words) still on 20%+ of a site's pages.",
        ),
    ] = None,
    keys: Annotated[
        bool, typer.Option("--keys", help="Also show the normalized keys each line is matched by.")
    ] = False,
) -> None:
    """List what was learned per site: pages, and the most frequent boilerplate lines as a page
    shows them, each with what was learned from it (block, label).

    Example: dedup sites --state model.db; dedup sites --leftovers clean.jsonl
    """
    if state is None and leftovers is None:
        raise _fail("give --state (what was learned) or --leftovers CLEANED.jsonl (what cleaning left)")
    if leftovers is not None:
        _print_leftovers(leftovers, top)
    if state is None:
        return
    try:
        model = open_store(state).load(_config().settings).model
    except StateError as e:
        raise _fail(str(e)) from e
    console = Console()
    for name, stats in sorted(model.sites.items(), key=lambda kv: -kv[1].pages):
        title = escape(f"{name or '(no site)'}: {round(stats.pages):,} pages")
        learned = model.learned(name)
        if not learned:
            # Pages without line breaks share word runs, not lines: `explain` shows those per page.
            console.print(f"{title}: no line or label on enough pages; for runs of words: dedup explain PAGE")
            continue
        table = Table(title=title)
        table.add_column("pages", justify="right")
        table.add_column("learned")
        table.add_column("text")
        if keys:
            table.add_column("keys")
        for row in learned[:top]:
            cells = [f"{row.pages:,}", ", ".join(row.kinds), escape(excerpt(row.text, SITES_TEXT_CHARS))]
            table.add_row(*cells, *([escape(" | ".join(row.keys))] if keys else []))
        console.print(table)


def _print_leftovers(cleaned: Path, top: int) -> None:
    """The runs left on 20%+ of each site's cleaned pages, `top` per site."""
    if not cleaned.exists():
        raise _fail(f"{cleaned}: no such file")
    fields = _options(None, ("text", "id", "url"), None).fields
    try:
        found = find_leftovers(lambda: cleaned_pages(cleaned, fields))
    except InputError as e:
        raise _fail(str(e)) from e
    if not found:
        Console().print("nothing left on 20% or more of a site's pages")
        return
    console = Console()
    for site in sorted({item.site for item in found}):
        rows = [item for item in found if item.site == site]
        table = Table(title=f"{site or '(no site)'}: left on 20%+ of {rows[0].site_pages:,} pages")
        for col in ("pages", "share", "example page", "words left"):
            table.add_column(col, justify="right" if col in ("pages", "share") else "left")
        for item in rows[:top]:
            table.add_row(
                f"{item.pages:,}", f"{item.share:.0%}", escape(item.example), escape(item.text[:100])
            )
        console.print(table)


@app.command("report")
def report_cmd(
    cleaned: Annotated[Path, typer.Argument(help="Output of `dedup clean` (.jsonl, .jsonl.gz, .jsonl.zst).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")],
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help="State made by `dedup learn` (or --stream): shows what it learned per site."
        ),
    ] = None,
    sample: Annotated[int, typer.Option("--sample", min=0, help="Pages shown side by side.")] = SAMPLE_SIZE,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
) -> None:
    """Write one self-contained HTML page showing what a `dedup clean` run removed, and why.

    Example: dedup report clean.jsonl -o report.html --state model.db
    """
    try:
        model = _load_model(state, _config())
    except StateError as e:
        raise _fail(str(e)) from e
    fields = _options(None, (text_field, id_field, url_field), None).fields
    _write_report(cleaned, output, model, fields, sample)


@app.command()
def evaluate(
    truth: Annotated[Path, typer.Argument(help="Labelled pages: JSONL with id, site, cluster, lines.")],
    output: Annotated[Path, typer.Argument(help="Output of `dedup clean` on the same pages.")],
) -> None:
    """Score a cleaned output against labelled pages: content kept, boilerplate removed by kind, duplicates.

    Example: dedup evaluate corpus/truth.jsonl out/pages.cleaned.jsonl
    """
    for p in (truth, output):
        if not p.exists():
            raise _fail(f"{p}: no such file")
    Console().print(format_scores(score(truth, output)))


@app.command()
def version() -> None:
    """Print the version."""
    print(__version__)


# glibc hands a freed block over its mmap threshold (32 MB at most, by default) back to the kernel
# at once, and trims the free top of its heap. A huge page's big numpy temporaries (hundreds of MB
# at 80 MB of text) are then mapped afresh one after another, and the kernel faults in and zeroes
# every 4 KB of them again: most of such a run's system time, which grew faster than the page (an
# 80 MB line: 7 million page faults and 80-100 s of system time; 2.5 million and 16-18 s with
# freed blocks kept in the heap and reused). The cost: the heap fragments, so the peak is higher
# (5% on that line, 20-27% on a page of 500,000 short lines), and a process holds on to its peak
# until it ends. Forked workers inherit the setting.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_KEEP_BELOW = 2**31 - 1  # mallopt takes an int: a block of 2 GB or more is still mapped and returned


def keep_freed_memory() -> None:
    """Have glibc's malloc keep freed memory for the next allocations (elsewhere: nothing done)."""
    if sys.platform != "linux":
        return
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # absent from some C libraries
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _KEEP_BELOW)
        mallopt(_M_TRIM_THRESHOLD, _KEEP_BELOW)


def main() -> None:
    """Entry point that never shows a traceback for a broken pipe."""
    keep_freed_memory()
    try:
        app()
    except BrokenPipeError:
        sys.exit(1)


if __name__ == "__main__":
    main()
