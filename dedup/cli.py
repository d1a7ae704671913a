"""The `dedup` command: a thin typer layer over the library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dedup import __version__
from dedup.clean import Cleaner, Config
from dedup.evaluate import format_scores, score
from dedup.io import Fields, InputError, read_pages
from dedup.page import Page
from dedup.pipeline import RecordError, RunOptions, Summary, clean_files, is_text_input, learn
from dedup.store.sqlite import StateError, load, save

app = typer.Typer(
    help="Strip site boilerplate, teaser cards and repeats from scraped news pages; mark near-duplicate "
    "pages. Every removed span is kept in an audit record, so the original can always be restored.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)

Inputs = Annotated[
    list[Path],
    typer.Argument(help="JSONL (.jsonl, .jsonl.gz, .jsonl.zst), a .txt page, or a folder of .txt pages."),
]
TextField = Annotated[str, typer.Option("--text-field", help="Field holding the page text.")]
IdField = Annotated[str, typer.Option("--id-field", help="Field holding the page id (default: file:line).")]
UrlField = Annotated[str, typer.Option("--url-field", help="Field holding the URL; its host is the site.")]
SiteOpt = Annotated[
    str | None, typer.Option("--site", help="Site of pages that carry no URL (default: folder name).")
]
StateOpt = Annotated[
    Path | None, typer.Option("--state", help="SQLite file of a site model made by `dedup learn`.")
]
PatternOpt = Annotated[
    list[str] | None,
    typer.Option("--pattern", help="Extra widget phrase (or re:REGEX on normalized text); repeatable."),
]
PatternsFile = Annotated[
    Path | None, typer.Option("--patterns-file", help="File of widget phrases, one per line.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _config(patterns: list[str] | None, patterns_file: Path | None, threshold: float = 0.8) -> Config:
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


def _progress(phase: str, n: int) -> None:
    if err.is_terminal:
        err.print(f"{phase}: {n:,} pages", end="\r", highlight=False)


@app.command()
def clean(
    inputs: Inputs,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (.jsonl, .jsonl.gz, .jsonl.zst; plain text for a .txt input). "
            "Default: standard output.",
        ),
    ] = None,
    state: StateOpt = None,
    drop_duplicates: Annotated[
        bool, typer.Option("--drop-duplicates", help="Leave near-duplicate pages out of the output.")
    ] = False,
    duplicate_threshold: Annotated[
        float,
        typer.Option(
            "--duplicate-threshold", help="Word-shingle Jaccard above which two pages are duplicates."
        ),
    ] = 0.8,
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
) -> None:
    """Clean pages: learn each site's boilerplate from the inputs (or --state), remove it, mark duplicates.

    Examples:

      dedup clean crawl.jsonl.gz -o clean.jsonl.gz

      dedup clean page.txt                       # cleaned text on stdout

      dedup clean day2.jsonl --state model.db -o out.jsonl --errors skip
    """
    config = _config(pattern, patterns_file, duplicate_threshold)
    try:
        opts = RunOptions(Fields(text=text_field, id=id_field, url=url_field), site, errors, drop_duplicates)
    except ValueError as e:
        raise _fail(str(e)) from e
    try:
        cleaner = Cleaner(config, load(state, config.settings) if state else None)
        if state is None and not is_text_input(inputs):
            learn(cleaner, inputs, opts, _progress)
        summary = clean_files(cleaner, inputs, output, opts, _progress)
    except (InputError, RecordError, StateError) as e:
        raise _fail(
            str(e)
            + ("" if not isinstance(e, RecordError) else " (use --errors skip to set such records aside)")
        ) from e
    if output is not None or not is_text_input(inputs):
        _print_summary(summary, output)


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
    if output is not None:
        err.print(f"written: {output}")


@app.command("learn")
def learn_cmd(
    inputs: Inputs,
    state: Annotated[Path, typer.Option("--state", help="SQLite file to write the site model to.")],
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    site: SiteOpt = None,
) -> None:
    """Learn each site's boilerplate from pages and save the model, for `dedup clean --state` later.

    Example: dedup learn crawl-*.jsonl.gz --state model.db
    """
    config = Config()
    cleaner = Cleaner(config)
    opts = RunOptions(Fields(text=text_field, id=id_field, url=url_field), site)
    try:
        pages = learn(cleaner, inputs, opts, _progress)
    except InputError as e:
        raise _fail(str(e)) from e
    save(cleaner.model, state)
    err.print(f"learned {pages:,} distinct pages of {len(cleaner.model.sites):,} sites into {state}")


@app.command()
def explain(
    page_id: Annotated[str, typer.Argument(help="Id of the page to explain.")],
    inputs: Inputs,
    state: StateOpt = None,
    text_field: TextField = "text",
    id_field: IdField = "id",
    url_field: UrlField = "url",
    site: SiteOpt = None,
) -> None:
    """Show every block of one page with its decision and evidence.

    Example: dedup explain p000123 crawl.jsonl --state model.db
    """
    opts = RunOptions(Fields(text=text_field, id=id_field, url=url_field), site)
    config = Config()
    try:
        cleaner = Cleaner(config, load(state, config.settings) if state else None)
        if state is None:
            learn(cleaner, inputs, opts)
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
    state: Annotated[Path, typer.Option("--state", help="SQLite file made by `dedup learn`.")],
    top: Annotated[int, typer.Option("--top", help="Boilerplate lines to show per site.")] = 10,
) -> None:
    """List what was learned per site: pages, and the most frequent boilerplate lines.

    Example: dedup sites --state model.db
    """
    config = Config()
    try:
        model = load(state, config.settings)
    except StateError as e:
        raise _fail(str(e)) from e
    console = Console()
    for name, stats in sorted(model.sites.items(), key=lambda kv: -kv[1].pages):
        table = Table(title=f"{name or '(no site)'}: {stats.pages:,} pages")
        table.add_column("pages", justify="right")
        table.add_column("kind")
        table.add_column("block (normalized)")
        rows = [
            (c, "block", k) for k, c in stats.shapes.items() if c >= model.rule.pages_needed(stats.pages, 1)
        ]
        rows += [
            (c, "template", k[2:] + ": …")
            for k, c in stats.labels.items()
            if c >= model.rule.pages_needed(stats.pages, 1)
        ]
        for count, kind, text in sorted(rows, key=lambda r: (-r[0], r[2]))[:top]:
            table.add_row(str(count), kind, text[:100])
        console.print(table)


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


def main() -> None:
    """Entry point that never shows a traceback for a broken pipe."""
    try:
        app()
    except BrokenPipeError:
        sys.exit(1)
