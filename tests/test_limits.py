"""Large inputs (`make test-slow`): a 50 MB page, a page that is one 10 MB line, a page that is one
20 MB line, a page of 500,000 short lines, a site of 200,000 pages, 1,000,000 one-line pages. Each
is cleaned by `dedup clean` in a child process (one worker, so its peak is the run's); the output
is checked and the child's peak memory held under a bound.

The bounds are about twice the peaks measured (docs/benchmarks.md, "Large inputs"): memory grows
with the page for one page, and with the site's distinct lines and the count of pages for many
pages, never with the whole input. No test here looks at the time taken; `scripts/limits.py` prints it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import orjson
import pytest
from conftest import ROOT

from dedup.audit import restore

MB = 1_000_000


def _limits() -> ModuleType:
    """scripts/limits.py, imported by path."""
    spec = importlib.util.spec_from_file_location("dedup_limits", ROOT / "scripts" / "limits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


LIMITS = _limits()


def _clean(case: str, folder: Path, scale: float = 1.0) -> tuple[Path, Path, float]:
    """Write the case's input, clean it in a child process: (input, output, peak MB)."""
    src = folder / f"{case}.jsonl"
    out = folder / f"{case}.cleaned.jsonl"
    LIMITS.CASES[case].write(src, scale)
    code, _, peak = LIMITS.run_clean(src, out)
    log = out.with_name(out.name + ".log")
    assert code == 0, log.read_text(errors="replace")[-2000:]
    return src, out, peak


def _single_page_restores(src: Path, out: Path) -> None:
    """The one page of the output restores to the input's, and lost some furniture."""
    original = orjson.loads(src.read_bytes())["text"]
    record = orjson.loads(out.read_bytes())
    assert record["dedup"]["removed"]
    assert restore(record["text"], record["dedup"]["removed"]) == original


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "peak_mb"),
    [
        ("big-page", 4000),  # a 50 MB page
        ("one-line", 1500),  # one 10 MB line
        ("huge-line", 2000),  # one 20 MB line of a real article repeated: its repeats go
        ("short-lines", 2000),  # 500,000 short lines from ten words
    ],
)
def test_a_large_page_restores_to_its_input(tmp_path: Path, case: str, peak_mb: int) -> None:
    src, out, peak = _clean(case, tmp_path)
    _single_page_restores(src, out)  # every character is accounted for
    assert peak < peak_mb


@pytest.mark.slow
def test_site_of_200_000_pages(tmp_path: Path) -> None:
    _, out, peak = _clean("site", tmp_path)
    with out.open("rb") as f:
        records = [orjson.loads(line)["dedup"] for line in f]
    assert len(records) == 200_000
    assert sum(1 for r in records if r["duplicate_of"]) >= 3000  # the re-fetches (one in fifty)
    assert sum(1 for r in records if r["removed"]) > 190_000  # the nav bar, date line, footer
    assert peak < 3000


@pytest.mark.slow
def test_million_one_line_pages(tmp_path: Path) -> None:
    _, out, peak = _clean("one-line-pages", tmp_path)
    with out.open("rb") as f:
        count = sum(1 for _ in f)
    assert count == 1_000_000
    assert peak < 2000


def test_limits_script_runs_a_small_case(tmp_path: Path) -> None:
    """The script behind `make limits` and these tests, on a case a thousand times smaller."""
    src, out, peak = _clean("one-line", tmp_path, scale=0.001)
    _single_page_restores(src, out)
    assert peak > 0


def test_huge_pages_at_a_hundredth_keep_every_character(tmp_path: Path) -> None:
    """The two huge pages, a hundred times smaller: their repeats go, and they restore to the input."""
    for case in ("huge-line", "short-lines"):
        src, out, _ = _clean(case, tmp_path, scale=0.01)
        _single_page_restores(src, out)
