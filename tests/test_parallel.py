"""Several workers give the same output as one, and the order of the input files does not matter."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARTICLES

from corpus.generate import redesign_corpus
from dedup.clean import Cleaner
from dedup.duplicates import DuplicateFinder
from dedup.io import read_pages
from dedup.normalize import normalize
from dedup.page import Page
from dedup.periods import SINCE
from dedup.run.batch import RunOptions, clean_files, learn
from dedup.workers import Workers, candidates, chunks

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "pages.jsonl"


def _split(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled corpus (Arabic and English sites) cut in two files."""
    lines = CORPUS.read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"".join(lines[:250]))
    second.write_bytes(b"".join(lines[250:]))
    return first, second


def _run(inputs: list[Path], output: Path, workers: int) -> bytes:
    cleaner = Cleaner()
    opts = RunOptions(workers=workers)
    learn(cleaner, inputs, opts)
    summary = clean_files(cleaner, inputs, output, opts)
    assert summary.pages == 600
    return output.read_bytes()


def test_two_workers_write_the_same_bytes_as_one(tmp_path: Path) -> None:
    inputs = list(_split(tmp_path))
    one = _run(inputs, tmp_path / "one.jsonl", workers=1)
    two = _run(inputs, tmp_path / "two.jsonl", workers=2)
    assert one == two
    assert b'"kind":"site-boilerplate"' in one and b'"duplicate_of":"' in one


def test_input_order_changes_no_page(tmp_path: Path) -> None:
    first, second = _split(tmp_path)
    forward = _run([first, second], tmp_path / "f.jsonl", workers=2)
    backward = _run([second, first], tmp_path / "b.jsonl", workers=2)
    assert sorted(forward.splitlines()) == sorted(backward.splitlines())


def test_a_bad_record_stops_the_run_with_workers(tmp_path: Path) -> None:
    from dedup.run.batch import RecordError

    bad = tmp_path / "bad.jsonl"
    shutil.copy(CORPUS, bad)
    with bad.open("ab") as f:
        f.write(b'{"id": "broken", "text": 3}\n')
    cleaner = Cleaner()
    opts = RunOptions(workers=2)
    learn(cleaner, [bad], opts)
    out = tmp_path / "out.jsonl"
    with pytest.raises(RecordError, match="bad.jsonl:601"):
        clean_files(cleaner, [bad], out, opts)
    assert not out.exists()


def test_workers_set_bad_records_aside_in_their_place(tmp_path: Path) -> None:
    """The workers parse the lines: the bad ones reach the rejects file verbatim, in input order,
    and the output is that of one worker."""
    lines = CORPUS.read_bytes().splitlines(keepends=True)
    bad = [
        b'{"id": "broken", "text": ',
        b'{"id": "no-text", "body": "\xd9\x86\xd8\xb5"}',
        b'{"text": "caf\xe9"}',
    ]
    src = tmp_path / "pages.jsonl"
    src.write_bytes(
        b"".join([*lines[:10], bad[0] + b"\n", *lines[10:400], bad[1] + b"\n", *lines[400:], bad[2] + b"\n"])
    )
    outputs = []
    for workers in (1, 2):
        opts = RunOptions(errors="skip", workers=workers)
        cleaner = Cleaner()
        learn(cleaner, [src], opts)
        out = tmp_path / f"out-{workers}.jsonl"
        summary = clean_files(cleaner, [src], out, opts)
        assert (summary.pages, summary.bad_records) == (600, 3)
        assert summary.rejects_file is not None
        assert summary.rejects_file.read_bytes() == b"".join(line + b"\n" for line in bad)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_workers_map_keeps_input_order() -> None:
    def task(offset: int, chunk: list[int]) -> list[int]:
        return [x * x + offset for x in chunk]

    with Workers(1, 0) as workers:
        results = [x for chunk in workers.map(task, chunks(range(1000), 7)) for x in chunk]
    assert results == [x * x for x in range(1000)]


def test_zero_workers_is_refused() -> None:
    with pytest.raises(ValueError, match="--workers must be 1 or more"):
        RunOptions(workers=0)


def test_cli_workers_option(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dedup.cli import app

    first, _ = _split(tmp_path)
    runner = CliRunner()
    refused = runner.invoke(app, ["clean", str(first), "-o", str(tmp_path / "x.jsonl"), "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.output
    done = runner.invoke(app, ["learn", str(first), "--state", str(tmp_path / "m.db"), "--workers", "1"])
    assert done.exit_code == 0, done.output


def _children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_run_is_killed(tmp_path: Path) -> None:
    """A run killed by SIGKILL leaves no worker behind (they would wait for ever, holding memory)."""
    pages = tmp_path / "pages.jsonl"
    pages.write_bytes(CORPUS.read_bytes() * 8)
    dedup = Path(sys.executable).with_name("dedup")
    run = subprocess.Popen(
        [str(dedup), "clean", str(pages), "-o", str(tmp_path / "out.jsonl"), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(workers := _children(run.pid)) < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2, "the run never started its workers"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]


def test_candidates_shared_out_over_workers_are_all_of_them() -> None:
    finder = DuplicateFinder()
    for page in read_pages([CORPUS]):
        assert isinstance(page, Page)
        finder.add(page.id, page.fetched_at, page.site or "", page.text, page.text)
    expected = finder.candidates()
    assert len(expected) > 10  # the corpus's re-fetches and syndicated copies
    assert candidates(finder, 2) == expected
    assert candidates(finder, 3) == expected
    assert candidates(finder, 1) == expected
    assert finder.groups(candidates=expected) == finder.groups()


@pytest.mark.parametrize("originals", [False, True])
def test_articles_made_on_workers_are_those_made_in_one_process(originals: bool) -> None:
    """The sites' articles (and whether containment counts for them) shared out over workers
    equal those made site after site in the parent, and so do the groups."""
    finders = [DuplicateFinder(originals=originals) for _ in range(2)]
    for page in read_pages([CORPUS]):
        assert isinstance(page, Page)
        for finder in finders:
            finder.add(page.id, page.fetched_at, page.site or "", page.text, page.text)
    alone, shared = finders
    pairs = candidates(shared, 2)  # articles first made on the workers
    assert pairs == alone.candidates()
    assert len(alone.sites()) > 1
    assert [a.tolist() for a in shared.articles()] == [a.tolist() for a in alone.articles()]
    assert shared.groups(candidates=pairs) == alone.groups()


def test_a_model_learned_on_workers_is_the_one_learned_in_one_process() -> None:
    """The workers count and merge the model a site at a time: the model is the same, its sites'
    order included, also when learned onto an earlier model and across a site's design periods."""
    records, _ = redesign_corpus(480, seed=1)
    redesigned = [Page(r["id"], r["text"], url=r["url"], fetched_at=r["fetched_at"]) for r in records]
    bundled = list(read_pages([CORPUS]))
    models = []
    for workers in (1, 2):
        cleaner = Cleaner()
        cleaner.learn(bundled[:300], workers=workers)
        cleaner.learn(bundled[300:] + redesigned, workers=workers)
        models.append(cleaner.model)
    one, two = models
    assert list(one.sites) == list(two.sites)
    assert any(SINCE in name for name in one.sites)
    for name, stats in one.sites.items():
        other = two.sites[name]
        assert (stats.pages, stats.merged_at, stats.seen_texts) == (
            other.pages,
            other.merged_at,
            other.seen_texts,
        )
        for field in ("shapes", "labels", "head_shapes", "grams", "variants", "examples"):
            assert list(getattr(stats, field).items()) == list(getattr(other, field).items()), (name, field)


def _learned(inputs: list[Path], compact: bool, workers: int = 1) -> Cleaner:
    cleaner = Cleaner()
    learn(cleaner, inputs, RunOptions(workers=workers), compact=compact)
    return cleaner


def test_a_compact_model_cleans_the_same_bytes_in_far_less(tmp_path: Path) -> None:
    inputs = list(_split(tmp_path))
    full, compact = _learned(inputs, compact=False), _learned(inputs, compact=True, workers=2)
    shapes = sum(len(s.shapes) for s in full.model.sites.values())
    kept = sum(len(s.shapes) for s in compact.model.sites.values())
    assert kept < shapes / 3  # the articles' own sentences, seen once, are most of a model
    for site, stats in compact.model.sites.items():
        assert stats.variants == full.model.sites[site].variants
    outputs = []
    for name, cleaner in (("full", full), ("compact", compact)):
        out = tmp_path / f"{name}.jsonl"
        clean_files(cleaner, inputs, out, RunOptions(workers=1))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_line_seen_once_still_joins_its_variants_in_a_compact_model(tmp_path: Path) -> None:
    footer = "صحيفة الجنوب اليومية تصدر عن مؤسسة الجنوب للصحافة والنشر"
    typo = "صحيفة الجنوب اليومية تصدر عن مؤسسة الجنوب للصحافه و النشر"  # seen on one page only
    rows = []
    for i in range(8):
        body = ARTICLES[i][0]  # eight different articles
        last_line = typo if i == 7 else footer
        rows.append({"id": f"p{i}", "url": f"https://news.example/{i}", "text": f"{body}\n{last_line}\n"})
    pages = tmp_path / "pages.jsonl"
    pages.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    cleaner = _learned([pages], compact=True)
    stats = cleaner.model.sites["news.example"]
    assert stats.pages_with(normalize(typo)) == (8, normalize(footer))
    out = tmp_path / "out.jsonl"
    clean_files(cleaner, [pages], out, RunOptions(workers=1))
    last = json.loads(out.read_text(encoding="utf-8").splitlines()[-1])
    assert typo not in last["text"] and ARTICLES[7][0] in last["text"]
    assert last["dedup"]["removed"][0]["evidence"]["variant_of"] == normalize(footer)
