"""Design periods: a site crawled across its redesigns is learned and cleaned period by period, so
that each design's furniture is judged against the pages that carry it (Arabic and English)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from corpus.generate import generate, redesign_corpus
from dedup.clean import Cleaner
from dedup.cli import app
from dedup.config import Config, DesignPeriods
from dedup.features import learning_counts
from dedup.page import Page, site_of
from dedup.periods import SINCE, design_periods, month_of, period_of, site_periods


@pytest.fixture(scope="module")
def redesigned() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Two sites (Arabic, English) over a year through three designs, 80 pages each."""
    pages, truths = redesign_corpus(480, seed=1)
    return pages, {t["id"]: t for t in truths}


def _pages(records: list[dict[str, Any]], dated: bool = True) -> list[Page]:
    return [
        Page(r["id"], r["text"], url=r["url"], fetched_at=r["fetched_at"] if dated else None) for r in records
    ]


def _cleaned(pages: list[Page]) -> tuple[Cleaner, dict[str, str]]:
    cleaner = Cleaner()
    cleaner.learn(pages)
    return cleaner, {p.id: cleaner.clean(p).text for p in pages}


def test_month_of_reads_the_month_of_an_iso_time() -> None:
    assert month_of("2021-03-14T08:00:00Z") == "2021-03"
    assert month_of("2021-03") == "2021-03"
    assert month_of(None) is None and month_of("") is None and month_of("14/03/2021") is None


def test_a_page_takes_the_period_it_was_fetched_in() -> None:
    starts = ["2021-01", "2021-06", "2021-10"]
    assert period_of("news.example", starts, "2021-07") == "news.example since 2021-06"
    assert period_of("news.example", starts, "2021-06") == "news.example since 2021-06"
    assert period_of("news.example", starts, "2020-12") == "news.example since 2021-01"
    assert period_of("news.example", starts, None) == "news.example since 2021-10"  # the latest design
    assert period_of("news.example", [], "2021-07") == "news.example"
    names = ["a.example", "news.example since 2021-06", "news.example since 2021-01", "odd since then"]
    assert site_periods(names) == {"news.example": ["2021-01", "2021-06"]}


def test_each_designs_furniture_goes_and_every_lead_stays(redesigned: Any) -> None:
    records, truths = redesigned
    cleaner, cleaned = _cleaned(_pages(records))
    names = sorted(n for n in cleaner.model.sites if SINCE in n)
    assert names == [
        f"{site} since {month}"
        for site in ("archive-herald.example", "arshif.example")
        for month in ("2021-01", "2021-06", "2021-10")
    ]
    bars = sum(truths[pid]["bar"] in text for pid, text in cleaned.items())
    blurbs = sum(truths[pid]["blurb"] in text for pid, text in cleaned.items())
    assert bars <= 0.05 * len(records) and blurbs <= 0.05 * len(records), (bars, blurbs)
    for pid, text in cleaned.items():  # the lead whole: no run reaches back into its last sentence
        assert truths[pid]["lead"] in text, pid


def test_without_fetch_times_each_designs_bar_is_too_rare(redesigned: Any) -> None:
    """The same pages with no fetch time: each section bar is on a third of its site's pages,
    below the share a run glued at a page's edge needs; so periods are what removes them."""
    records, truths = redesigned
    cleaner, cleaned = _cleaned(_pages(records, dated=False))
    assert not any(SINCE in n for n in cleaner.model.sites)
    assert sum(truths[pid]["bar"] in text for pid, text in cleaned.items()) >= 0.9 * len(records)


def test_a_site_whose_design_stays_is_one_site() -> None:
    """Six months of a generated corpus's sites (the same furniture throughout): no periods."""
    records, _ = generate(300, seed=3)
    counts = [
        (learning_counts(site_of(r["url"]) or "", r["text"], 15), month_of(r["fetched_at"])) for r in records
    ]
    assert len({m for _, m in counts}) > 3
    assert design_periods(counts, DesignPeriods()) == {}


def test_a_short_design_joins_the_period_before_it(redesigned: Any) -> None:
    """A period must hold `period_pages` pages: with more needed than a design has, the site stays whole."""
    records, _ = redesigned
    cleaner = Cleaner(Config(periods=DesignPeriods(period_pages=100)))
    cleaner.learn(_pages(records))
    assert not any(SINCE in n for n in cleaner.model.sites)


def test_workers_and_a_saved_state_clean_by_period_alike(redesigned: Any, tmp_path: Path) -> None:
    records, _ = redesigned
    src = tmp_path / "archive.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    runner = CliRunner()
    outputs = []
    for name, extra in (("one", []), ("two", ["--workers", "2"])):
        out = tmp_path / f"{name}.jsonl"
        result = runner.invoke(app, ["clean", str(src), "-o", str(out), *extra])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    state = tmp_path / "model.db"
    learned = runner.invoke(app, ["learn", str(src), "--state", str(state)])
    assert learned.exit_code == 0, learned.output
    assert "of 2 sites (2 of them in 6 design periods)" in " ".join(learned.output.split())
    out = tmp_path / "state.jsonl"
    assert runner.invoke(app, ["clean", str(src), "--state", str(state), "-o", str(out)]).exit_code == 0
    assert outputs[0] == outputs[1]
    texts = [[orjson.loads(line)["text"] for line in o.splitlines()] for o in (outputs[0], out.read_bytes())]
    assert texts[0] == texts[1]
