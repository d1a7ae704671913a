"""The HTML report in a real browser (Debian's Chromium, driven by Playwright): sections, marks, RTL, errors.

Chromium comes from scripts/install_chromium.sh (run by .ci/run); Playwright's own browser downloads
are never used. Skipped, with the reason, when either cannot be found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, NewsSite
from report_corpus import cleaned_corpus

from dedup.report import SECTIONS, write_report

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = ROOT / "out" / "report.png"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: install it with scripts/install_chromium.sh", allow_module_level=True)


@dataclass
class Opened:
    """The report open in the browser, the cleaned records it was made from, and what went wrong."""

    page: Any
    records: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)  # console errors, page errors, outside requests


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory, news_site: NewsSite) -> Iterator[Opened]:
    """The report of the small corpus, open in headless Chromium, with its console and requests recorded."""
    folder = tmp_path_factory.mktemp("report")
    out, records, cleaner = cleaned_corpus(folder, news_site)
    report = folder / "report.html"
    write_report(out, report, cleaner.model)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        seen = Opened(page, {r["id"]: r for r in records})
        page.on("console", lambda m: m.type == "error" and seen.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: seen.problems.append(f"page error: {e}"))
        page.on("request", lambda r: r.url != report.as_uri() and seen.problems.append(f"request: {r.url}"))
        page.goto(report.as_uri(), wait_until="load")
        yield seen
        browser.close()


def test_all_sections_present(opened: Opened) -> None:
    for sid, title in SECTIONS:
        heading = opened.page.locator(f"section#{sid} > h2")
        assert heading.count() == 1 and heading.inner_text() == title


def test_removed_spans_are_marked(opened: Opened) -> None:
    articles = opened.page.locator("article.page")
    assert articles.count() == len(opened.records)
    for i in range(articles.count()):
        article = articles.nth(i)
        removed = opened.records[article.get_attribute("data-id")]["dedup"]["removed"]
        marks = article.locator(".original del")
        assert marks.count() == len(removed) > 0
        assert marks.first.text_content() == removed[0]["text"]
        assert article.locator(".cleaned del").count() == 0


def test_arabic_page_reads_right_to_left(opened: Opened) -> None:
    direction = "el => window.getComputedStyle(el).direction"
    for part in ("original", "cleaned"):
        ar = opened.page.locator(f'article[data-id="ar-p1"] .{part}')
        en = opened.page.locator(f'article[data-id="en0"] .{part}')
        assert ar.evaluate(direction) == "rtl"
        assert en.evaluate(direction) == "ltr"
        assert ar.evaluate("el => window.getComputedStyle(el).unicodeBidi") == "plaintext"


def test_script_in_page_text_is_shown_not_run(opened: Opened) -> None:
    assert opened.page.locator("script").count() == 0
    assert opened.page.locator("b", has_text="bold").count() == 0
    assert '<script>alert("boom")</script>' in opened.page.locator('article[data-id="en3"]').inner_text()


def test_no_console_errors_and_no_requests(opened: Opened) -> None:
    assert opened.problems == []


def test_screenshot(opened: Opened) -> None:
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
