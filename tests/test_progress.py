"""The progress callback of a batch run: pages and bytes per phase, old two-argument callbacks still work."""

from __future__ import annotations

from pathlib import Path

import orjson
from conftest import NewsSite
from typer.testing import CliRunner

from dedup.clean import Cleaner
from dedup.cli import app
from dedup.run.batch import RunOptions, clean_files, learn


def _source(tmp_path: Path, news_site: NewsSite, copies: int = 70) -> Path:
    """The site's pages repeated under new ids: enough pages for a progress call in the middle."""
    records = [{**r, "id": f"{r['id']}-{i}"} for i in range(copies) for r in news_site.records()]
    src = tmp_path / "pages.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return src


def test_three_argument_progress_gets_pages_and_bytes(tmp_path: Path, news_site: NewsSite) -> None:
    src = _source(tmp_path, news_site)
    calls: list[tuple[str, int, int]] = []
    cleaner = Cleaner()
    learn(cleaner, [src], RunOptions(), lambda phase, n, nbytes: calls.append((phase, n, nbytes)))
    clean_files(cleaner, [src], tmp_path / "out.jsonl", RunOptions(), lambda *a: calls.append(a))
    cleaning = [c for c in calls if c[0] == "cleaning"]
    text_bytes = sum(len(t.encode("utf-8")) for t in news_site.texts) * 70
    assert [c[1] for c in cleaning] == [0, 500, 560]
    assert cleaning[-1][2] == text_bytes
    assert ("learning", 560, text_bytes) in calls


def test_two_argument_progress_still_works(tmp_path: Path, news_site: NewsSite) -> None:
    src = _source(tmp_path, news_site)
    calls: list[tuple[str, int]] = []
    cleaner = Cleaner()
    learn(cleaner, [src], RunOptions())
    clean_files(
        cleaner, [src], tmp_path / "out.jsonl", RunOptions(), lambda phase, n: calls.append((phase, n))
    )
    assert calls == [("cleaning", 0), ("cleaning", 500), ("cleaning", 560)]


def test_no_progress_display_when_stderr_is_not_a_terminal(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite
) -> None:
    src = _source(tmp_path, news_site)
    result = runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    assert "pages/s" not in result.output and "MB/s" not in result.output
