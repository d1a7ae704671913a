"""Stream mode: one pass per run, the state kept between runs (SQLite here; Redis in test_redis.py)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import ROOT, NewsSite, dated_sites
from typer.testing import CliRunner

from dedup.clean import Cleaner
from dedup.cli import app
from dedup.evaluate import score
from dedup.page import Page, site_of
from dedup.run.batch import RunOptions, clean_files, learn
from dedup.run.stream import StreamCleaner, StreamSettings
from dedup.store import FORMAT_VERSION, StateError, open_store

BUNDLED_PAGES = ROOT / "corpus" / "pages.jsonl"
BUNDLED_TRUTH = ROOT / "corpus" / "truth.jsonl"
RUNS = 8


def _slices(src: Path, parts: int, into: Path) -> list[Path]:
    """The file cut into consecutive slices of whole lines, as `split -n l/N` does."""
    lines = src.read_bytes().splitlines(keepends=True)
    paths = []
    for k in range(parts):
        path = into / f"slice-{k}.jsonl"
        path.write_bytes(b"".join(lines[k * len(lines) // parts : (k + 1) * len(lines) // parts]))
        paths.append(path)
    return paths


def stream_runs(runner: CliRunner, slices: list[Path], state: str, out: Path) -> Path:
    """One `dedup clean --stream` per slice, in turn, all outputs joined into one file."""
    joined = out / "stream.jsonl"
    with joined.open("wb") as f:
        for i, part in enumerate(slices):
            result = runner.invoke(
                app, ["clean", "--stream", "--state", state, str(part), "-o", str(out / f"{i}.jsonl")]
            )
            assert result.exit_code == 0, result.output
            f.write((out / f"{i}.jsonl").read_bytes())
    return joined


def check_stream_against_batch(stream_scores: dict[str, Any], batch_scores: dict[str, Any]) -> None:
    """The targets of stream mode: measured over all runs together, against a batch run."""
    print(
        "\nstream:",
        {
            k: round(stream_scores[k], 4)
            for k in ("content_kept", "boilerplate_removed", "dup_precision", "dup_recall")
        },
    )
    print(
        "batch: ",
        {
            k: round(batch_scores[k], 4)
            for k in ("content_kept", "boilerplate_removed", "dup_precision", "dup_recall")
        },
    )
    assert stream_scores["missing_pages"] == 0
    assert stream_scores["content_kept"] >= 0.995
    assert stream_scores["boilerplate_removed"] >= batch_scores["boilerplate_removed"] - 0.03
    assert stream_scores["dup_precision"] >= 0.97
    assert stream_scores["dup_recall"] >= 0.95


@pytest.fixture(scope="module")
def batch_scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not BUNDLED_PAGES.exists():
        pytest.skip("corpus/pages.jsonl is missing")
    out = tmp_path_factory.mktemp("batch") / "batch.jsonl"
    cleaner = Cleaner()
    learn(cleaner, [BUNDLED_PAGES], RunOptions())
    clean_files(cleaner, [BUNDLED_PAGES], out, RunOptions())
    return score(BUNDLED_TRUTH, out)


@pytest.fixture(scope="module")
def sqlite_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus in eight consecutive stream runs on a SQLite state: the joined output."""
    if not BUNDLED_PAGES.exists():
        pytest.skip("corpus/pages.jsonl is missing")
    d = tmp_path_factory.mktemp("sqlite-runs")
    runner = CliRunner()
    return stream_runs(runner, _slices(BUNDLED_PAGES, RUNS, d), str(d / "state.db"), d)


def test_eight_stream_runs_score_like_batch(sqlite_runs: Path, batch_scores: dict[str, Any]) -> None:
    check_stream_against_batch(score(BUNDLED_TRUTH, sqlite_runs), batch_scores)


def test_stream_runs_on_redis_give_the_same_output_as_on_sqlite(
    runner: CliRunner, tmp_path: Path, sqlite_runs: Path, empty_redis_url: str
) -> None:
    # The first half of the eight runs: a run's output depends only on the runs before it.
    slices = _slices(BUNDLED_PAGES, RUNS, tmp_path)[: RUNS // 2]
    joined = stream_runs(runner, slices, empty_redis_url, tmp_path)
    on_sqlite = b"".join((sqlite_runs.parent / f"{i}.jsonl").read_bytes() for i in range(RUNS // 2))
    assert joined.read_bytes() == on_sqlite


def _record(i: int, text: str, site: str = "alnahar.example", day: int = 1) -> dict[str, str]:
    return {
        "id": f"{site}/{i}",
        "url": f"https://{site}/a/{i}",
        "fetched_at": f"2024-03-{day:02d}T10:00:00Z",
        "text": text,
    }


def test_first_pages_of_a_new_site_wait_for_evidence(tmp_path: Path, news_site: NewsSite) -> None:
    """With eight pages known, the very first page loses its nav bar and footer too."""
    pages = news_site.pages()
    with StreamCleaner(tmp_path / "s.db", settings=StreamSettings(wait_pages=8)) as cleaner:
        results = list(cleaner.clean_many(pages))
    assert [r.page.id for r in results] == [p.id for p in pages]
    first = results[0].text
    assert news_site.nav not in first and news_site.footer not in first
    for line in news_site.bodies[0]:
        assert line in first
    # A page cleaned alone, first of its site, has no site evidence to go by.
    with StreamCleaner(tmp_path / "alone.db") as cleaner:
        assert news_site.nav in cleaner.clean(pages[0]).text


def test_the_state_carries_over_between_runs(tmp_path: Path, news_site: NewsSite) -> None:
    pages = news_site.pages()
    state = tmp_path / "s.db"
    with StreamCleaner(state) as cleaner:
        list(cleaner.clean_many(pages[:7]))
    with StreamCleaner(state) as cleaner:
        assert cleaner.state.pages_seen("alnahar.example") == 7
        last = cleaner.clean(pages[7])
    assert news_site.nav not in last.text and news_site.footer not in last.text
    assert all(line in last.text for line in news_site.bodies[7])
    # Fed again, a page is neither counted twice nor its own duplicate.
    with StreamCleaner(state) as cleaner:
        again = cleaner.clean(pages[7])
        assert cleaner.state.pages_seen("alnahar.example") == 8
    assert again.duplicate_of is None and again.text == last.text


def test_a_refetch_is_marked_and_not_counted(tmp_path: Path, news_site: NewsSite) -> None:
    pages = news_site.pages()
    refetch = Page(id="again", text=pages[3].text.replace("2024", "2025"), site=pages[3].site)
    with StreamCleaner(tmp_path / "s.db", settings=StreamSettings(wait_pages=1)) as cleaner:
        results = list(cleaner.clean_many([*pages, refetch]))
        assert cleaner.state.pages_seen("alnahar.example") == 8
    assert results[-1].duplicate_of == "p3"
    assert [r.duplicate_of for r in results[:-1]] == [None] * 8


def test_a_refetch_of_a_page_still_waiting_is_not_counted(tmp_path: Path, news_site: NewsSite) -> None:
    """A copy is told as it arrives, also when the page it copies still waits for its site's
    evidence: counted twice, an article's short lines would look like the site's."""
    pages = news_site.pages()
    refetch = Page(id="again", text=pages[3].text.replace("2024", "2025"), site=pages[3].site)
    with StreamCleaner(tmp_path / "s.db") as cleaner:  # 20 pages wanted: every page waits
        results = list(cleaner.clean_many([*pages, refetch]))
        assert cleaner.state.pages_seen("alnahar.example") == 8
    assert results[-1].duplicate_of == "p3"
    assert results[-1].text == results[3].text


def _site_pages(days: range, per_day: int, lines: Callable[[int], list[str]], start: int = 0) -> list[Page]:
    """Pages of one English site, `per_day` a day: an article line of their own after `lines(day)`."""
    pages = []
    for day in days:
        for k in range(per_day):
            n = start + len(pages)
            article = (
                f"Report number {n} says the harbour authority moved {n} containers on day {day}, "
                f"more than the week before, and plans a new crane for berth {k}."
            )
            text = "\n".join([*lines(day), article]) + "\n"
            when = f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T08:{k % 60:02d}:00Z"
            pages.append(Page(id=f"h{n}", text=text, site="harbour.example", fetched_at=when))
    return pages


def test_forgetting_learns_a_redesign(tmp_path: Path) -> None:
    """A busy site changes its menu: with forgetting, the new menu goes within days; without, the old
    pages keep it below the share of pages a menu needs."""
    old_menu, new_menu = (
        "Home | Port news | Shipping | Contact",
        "Start | Harbour today | Ships and cargo | Write to us",
    )
    old = _site_pages(range(16, 40), 30, lambda d: [old_menu])
    new = _site_pages(range(40, 44), 5, lambda d: [new_menu], start=len(old))
    kept = {}
    for forget in (20.0, 0.0):
        with StreamCleaner(
            tmp_path / f"s{forget}.db", settings=StreamSettings(forget_after=forget)
        ) as cleaner:
            for page in old + new[:-1]:
                cleaner.clean(page)
            kept[forget] = new_menu in cleaner.clean(new[-1]).text
    assert kept == {20.0: False, 0.0: True}


def test_an_ended_banner_stops_counting(tmp_path: Path) -> None:
    banner = "Spring sale: subscribe for one dollar a month"
    pages = _site_pages(range(0, 60), 10, lambda d: ["Home | Port news"] + ([banner] if d < 10 else []))
    with StreamCleaner(tmp_path / "s.db", settings=StreamSettings(forget_after=20)) as cleaner:
        for page in pages:
            cleaner.clean(page)
        stats = cleaner.model.sites["harbour.example"]
    assert stats.pages_with("spring sale: subscribe for one dollar a month")[0] == 0
    assert stats.pages < len(pages)
    reloaded = open_store(tmp_path / "s.db").load(cleaner.config.settings).model.sites["harbour.example"]
    assert reloaded.pages == stats.pages and reloaded.shapes == stats.shapes


def test_stream_cli_needs_a_state(runner: CliRunner, tmp_path: Path, ar_page: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(orjson.dumps({"id": "a", "text": ar_page}) + b"\n")
    result = runner.invoke(app, ["clean", "--stream", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "--state" in result.output
    result = runner.invoke(app, ["clean", "--forget-after", "30", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "--stream" in result.output
    result = runner.invoke(
        app, ["clean", "--stream", "--state", str(tmp_path / "s.db"), "--forget-after", "1", str(src)]
    )
    assert result.exit_code == 2 and "at least 2 days" in result.output


def test_foreign_and_old_states_are_refused(runner: CliRunner, tmp_path: Path, ar_page: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(orjson.dumps({"id": "a", "text": ar_page}) + b"\n")
    foreign = tmp_path / "notes.db"
    foreign.write_text("shopping list\n")
    old = tmp_path / "old.db"
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('format', '2')")
    db.commit()
    db.close()
    for state, message in ((foreign, "not a dedup state"), (old, "state format 2")):
        result = runner.invoke(
            app, ["clean", "--stream", "--state", str(state), str(src), "-o", str(tmp_path / "o.jsonl")]
        )
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output
        assert not (tmp_path / "o.jsonl").exists()
    made = tmp_path / "made.db"
    assert (
        runner.invoke(
            app, ["clean", "--stream", "--state", str(made), str(src), "-o", str(tmp_path / "o.jsonl")]
        ).exit_code
        == 0
    )
    result = runner.invoke(app, ["clean", "--stream", "--forget-after", "30", "--state", str(made), str(src)])
    assert result.exit_code == 2 and "forgets after 90 days" in result.output
    with pytest.raises(StateError, match="fingerprint settings"):
        from dedup.fingerprint import FingerprintSettings

        open_store(made).load(FingerprintSettings(num_perm=64))


def _stream_process(state: Path | str, src: Path, out: Path, save_every: int = 10) -> subprocess.Popen[bytes]:
    args = [
        "clean",
        "--stream",
        "--state",
        str(state),
        "--save-every",
        str(save_every),
        str(src),
        "-o",
        str(out),
    ]
    return subprocess.Popen([sys.executable, "-m", "dedup.cli", *args], stderr=subprocess.PIPE)


def _pages_in_state(state: Path) -> int:
    db = sqlite3.connect(state, timeout=60)
    try:
        return db.execute("SELECT count(*) FROM pages").fetchone()[0]
    except sqlite3.OperationalError:  # the first save is not committed yet
        return 0
    finally:
        db.close()


def test_a_state_of_the_previous_format_is_refused_with_what_to_do(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite, squashed: Callable[[str], str]
) -> None:
    """A state written before the examples were kept (format 4) cannot be used: learn it again."""
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in news_site.records()))
    state = tmp_path / "old.db"
    assert runner.invoke(app, ["learn", str(src), "--state", str(state)]).exit_code == 0
    db = sqlite3.connect(state)
    db.execute("UPDATE meta SET value = ? WHERE name = 'format'", (json.dumps(FORMAT_VERSION - 1),))
    db.commit()
    db.close()
    runs = (["sites", "--state"], ["clean", str(src), "-o", str(tmp_path / "o.jsonl"), "--state"])
    for args in (*runs, ["clean", "--stream", str(src), "-o", str(tmp_path / "o.jsonl"), "--state"]):
        result = runner.invoke(app, [*args, str(state)])
        assert result.exit_code == 2, result.output
        message = squashed(result.output)
        assert squashed(f"state format {FORMAT_VERSION - 1} is not {FORMAT_VERSION}") in message
        assert squashed("learn it again (`dedup learn INPUT... --state ...`)") in message
        assert "Traceback" not in result.output and not (tmp_path / "o.jsonl").exists()
    assert runner.invoke(app, ["learn", str(src), "--state", str(state)]).exit_code == 0  # as it says
    assert runner.invoke(app, ["sites", "--state", str(state)]).exit_code == 0


def _dated_pages(news_site: NewsSite) -> list[Page]:
    return [Page(id=r["id"], text=r["text"], site=site_of(r["url"])) for r in dated_sites(news_site)]


def test_every_executor_and_store_keeps_the_same_examples(
    tmp_path: Path, news_site: NewsSite, empty_redis_url: str
) -> None:
    """The examples of text a batch learns, saved and loaded, and those stream runs keep in
    SQLite and in Redis (saved every 3 pages): the same, from each line's second page."""
    pages = _dated_pages(news_site)
    cleaner = Cleaner()
    cleaner.learn(pages)
    batch = {site: stats.examples for site, stats in cleaner.model.sites.items()}
    assert batch["alnahar.example"]["اخر تحديث 0"] == "آخر تحديث: 13 مارس 2024"
    assert batch["alnahar.example"]["P:اخر تحديث"] == "آخر تحديث: 13 مارس 2024"
    assert batch["courier.example"]["updated 0"] == "Updated: 2 March 2024, 10:11"
    assert not any(key.startswith("the council") for key in batch["courier.example"])  # seen once
    settings = cleaner.config.settings
    for location in (tmp_path / "batch.db", empty_redis_url):
        open_store(location).save(cleaner.model)
        loaded = open_store(location).load(settings).model
        assert {site: stats.examples for site, stats in loaded.sites.items()} == batch
    redis_stream = empty_redis_url.replace("/0", "/0?prefix=stream")
    for location in (tmp_path / "stream.db", redis_stream):
        for run in (pages[:5], pages[5:]):  # two runs: the state carries the examples over
            with StreamCleaner(location, settings=StreamSettings(save_every=3)) as stream:
                list(stream.clean_many(run))
        loaded = open_store(location).load(settings).model
        assert {site: stats.examples for site, stats in loaded.sites.items()} == batch, location


def test_kill_9_leaves_a_usable_state(tmp_path: Path) -> None:
    state, out = tmp_path / "s.db", tmp_path / "o.jsonl"
    proc = _stream_process(state, BUNDLED_PAGES, out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not state.exists() or _pages_in_state(state) < 30):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    saved = _pages_in_state(state)
    assert 30 <= saved < 600 and saved % 10 == 0  # whole saves only
    loaded = open_store(state).load(Cleaner().config.settings)
    assert len(loaded.index.pages) == saved
    # The next run goes on from it.
    head = tmp_path / "head.jsonl"
    head.write_bytes(b"".join(BUNDLED_PAGES.read_bytes().splitlines(keepends=True)[:20]))
    proc = _stream_process(state, head, out)
    assert proc.wait() == 0, proc.stderr.read().decode() if proc.stderr else ""
    assert _pages_in_state(state) == saved + 20
    assert len(out.read_bytes().splitlines()) == 20


def test_a_run_killed_as_its_state_appears_leaves_a_whole_state(tmp_path: Path) -> None:
    state, out = tmp_path / "s.db", tmp_path / "o.jsonl"
    proc = _stream_process(state, BUNDLED_PAGES, out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not state.exists() and proc.poll() is None:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert state.stat().st_size > 0  # a journal beside it is a first save cut short, rolled back
    loaded = open_store(state).load(Cleaner().config.settings)  # a state, whole, if empty
    assert len(loaded.index.pages) == _pages_in_state(state)
    assert not list(tmp_path.glob(".s.db.new-*"))  # the temp file made it in whole, or never
    # A state an earlier version left empty, with its journal, is made anew.
    state.write_bytes(b"")
    state.with_name("s.db-journal").write_bytes(b"\0" * 512)
    head = tmp_path / "head.jsonl"
    head.write_bytes(b"".join(BUNDLED_PAGES.read_bytes().splitlines(keepends=True)[:20]))
    proc = _stream_process(state, head, out)
    assert proc.wait() == 0, proc.stderr.read().decode() if proc.stderr else ""
    assert _pages_in_state(state) == 20


def test_concurrent_writers_add_up(tmp_path: Path) -> None:
    """Two processes stream into one state file at once: SQLite serializes their saves, none is lost."""
    lines = BUNDLED_PAGES.read_bytes().splitlines(keepends=True)[:120]
    halves = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    halves[0].write_bytes(b"".join(lines[:60]))
    halves[1].write_bytes(b"".join(lines[60:]))
    state = tmp_path / "s.db"
    procs = [
        _stream_process(state, src, tmp_path / f"o{i}.jsonl", save_every=5) for i, src in enumerate(halves)
    ]
    for proc in procs:
        assert proc.wait() == 0, proc.stderr.read().decode() if proc.stderr else ""
    assert _pages_in_state(state) == 120
    db = sqlite3.connect(state)
    counted = db.execute("SELECT sum(pages) FROM sites").fetchone()[0]
    meta = dict(db.execute("SELECT name, value FROM meta"))
    db.close()
    assert json.loads(meta["format"]) == FORMAT_VERSION
    model = open_store(state).load(Cleaner().config.settings).model
    assert sum(s.pages for s in model.sites.values()) == counted
    assert sum(len(s.seen_texts) for s in model.sites.values()) == counted


def test_redis_workers_add_up_and_a_killed_one_loses_no_save(tmp_path: Path, empty_redis_url: str) -> None:
    """Two workers stream into one Redis state at once, a third is killed mid-run: every whole save
    is there, and the state loads."""
    lines = BUNDLED_PAGES.read_bytes().splitlines(keepends=True)
    halves = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    halves[0].write_bytes(b"".join(lines[:60]))
    halves[1].write_bytes(b"".join(lines[60:120]))
    url = empty_redis_url
    procs = [
        _stream_process(url, src, tmp_path / f"o{i}.jsonl", save_every=5) for i, src in enumerate(halves)
    ]
    for proc in procs:
        assert proc.wait() == 0, proc.stderr.read().decode() if proc.stderr else ""
    settings = Cleaner().config.settings
    state = open_store(url).load(settings)
    assert len(state.index.pages) == 120
    counted = sum(len(s.seen_texts) for s in state.model.sites.values())
    assert sum(s.pages for s in state.model.sites.values()) == counted > 100
    rest = tmp_path / "rest.jsonl"
    rest.write_bytes(b"".join(lines[120:]))
    proc = _stream_process(url, rest, tmp_path / "o.jsonl", save_every=10)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(open_store(url).load(settings).index.pages) < 150:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = open_store(url).load(settings)
    assert (len(after.index.pages) - 120) % 10 == 0 and len(after.index.pages) >= 150
    assert sum(s.pages for s in after.model.sites.values()) == sum(
        len(s.seen_texts) for s in after.model.sites.values()
    )


def test_batch_learn_into_redis_then_clean_and_list(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite, empty_redis_url: str
) -> None:
    src = tmp_path / "site.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in news_site.records()))
    assert runner.invoke(app, ["learn", str(src), "--state", empty_redis_url]).exit_code == 0
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["clean", str(src), "--state", empty_redis_url, "-o", str(out)])
    assert result.exit_code == 0, result.output
    first = orjson.loads(out.read_bytes().splitlines()[0])
    assert news_site.nav not in first["text"] and news_site.bodies[0][0] in first["text"]
    listed = runner.invoke(app, ["sites", "--state", empty_redis_url])
    assert listed.exit_code == 0 and "alnahar.example" in listed.output


def test_unreachable_redis_is_a_clear_error(runner: CliRunner, tmp_path: Path, ar_page: str) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    src = tmp_path / "in.jsonl"
    src.write_bytes(orjson.dumps({"id": "a", "text": ar_page}) + b"\n")
    url = f"redis://127.0.0.1:{port}/0"
    result = runner.invoke(
        app, ["clean", "--stream", "--state", url, str(src), "-o", str(tmp_path / "o.jsonl")]
    )
    assert (
        result.exit_code == 2
        and "is redis-server running" in result.output
        and "Traceback" not in result.output
    )
    assert not (tmp_path / "o.jsonl").exists()
