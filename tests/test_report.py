"""The HTML report without a browser: sections, marked spans, escaping, direction, the CLI commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import NewsSite, dated_sites
from report_corpus import SCRIPT, cleaned_corpus
from typer.testing import CliRunner

from dedup.cli import app
from dedup.report import SECTIONS, ReportData, collect, render, share_bin, write_report

Squash = Callable[[str], str]


@pytest.fixture()
def cleaned(tmp_path: Path, news_site: NewsSite) -> tuple[Path, list[dict[str, Any]]]:
    """The small corpus, cleaned: output path and records."""
    out, records, _ = cleaned_corpus(tmp_path / "run", news_site)
    return out, records


def _articles(page: str) -> dict[str, str]:
    """The sample pages of a report by id: the HTML of each <article>."""
    found = re.findall(r'<article class="page" data-id="([^"]*)".*?</article>', page, flags=re.S)
    bodies = re.findall(r'<article class="page".*?</article>', page, flags=re.S)
    return dict(zip(found, bodies, strict=True))


def test_sections_and_sample(cleaned: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    out, records = cleaned
    data = write_report(out, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for sid, title in SECTIONS:
        assert f'<section id="{sid}"><h2>{title}</h2>' in page
    assert data.pages == len(records)
    articles = _articles(page)
    assert set(articles) == {r["id"] for r in records}  # 13 pages, a sample of 20: all of them
    for r in records:
        assert articles[r["id"]].count("<del ") == len(r["dedup"]["removed"])
    for canonical in {r["dedup"]["duplicate_of"] for r in records} - {None}:
        assert f"<td>{canonical}</td><td>→</td>" in page


def test_page_text_is_escaped(cleaned: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    out, records = cleaned
    assert any(SCRIPT in r["text"] for r in records)
    page = render(collect([out]))
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;boom&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_removed_spans_struck_through_in_the_original(
    cleaned: tuple[Path, list[dict[str, Any]]], news_site: NewsSite
) -> None:
    out, records = cleaned
    page = render(collect([out]))
    article = _articles(page)["ar-p1"]
    original = article.split('class="text original"')[1].split('class="text cleaned"')[0]
    assert re.search(
        r'<del class="k\d+" data-kind="site-boilerplate"[^>]*>' + re.escape(news_site.nav), original
    )
    assert 'dir="rtl"' in article
    assert 'dir="ltr"' in _articles(page)["en0"]


def test_boilerplate_from_spans_and_from_the_model(tmp_path: Path, news_site: NewsSite) -> None:
    out, _, cleaner = cleaned_corpus(tmp_path / "run", news_site)
    data = collect([out])
    from_spans = render(data)
    assert "From the removed spans" in from_spans
    assert news_site.nav in from_spans  # removed from all 9 Arabic pages
    from_model = render(data, cleaner.model)
    assert "From the site model" in from_model
    assert "alnahar.example" in from_model.split('id="boilerplate"')[1]


def test_report_shows_the_learned_lines_of_the_input_sites_only(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite
) -> None:
    """A state learned from two sites, a run on one of them: the report lists that site's lines as
    its pages show them, a line learned as a block and as a label once, and not the other site."""
    records = dated_sites(news_site)
    both, arabic = tmp_path / "both.jsonl", tmp_path / "arabic.jsonl"
    both.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    arabic.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records if "alnahar" in r["url"]))
    state = tmp_path / "model.db"
    assert runner.invoke(app, ["learn", str(both), "--state", str(state)]).exit_code == 0
    out, html_path = tmp_path / "clean.jsonl", tmp_path / "report.html"
    args = ["clean", str(arabic), "--state", str(state), "-o", str(out), "--report", str(html_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    learned = html_path.read_text(encoding="utf-8").split('id="boilerplate"')[1].split("</section>")[0]
    assert "From the site model" in learned and "alnahar.example" in learned
    assert "courier.example" not in learned and "Updated" not in learned
    rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td>(.*?)</td>", learned)
    assert ("آخر تحديث: 13 مارس 2024", "block, label") in rows
    assert sum("تحديث" in text for text, _ in rows) == 1
    assert ("الرئيسية | أخبار محلية | اقتصاد | رياضة | ثقافة | اتصل بنا", "block, label") in rows
    assert "اخر تحديث" not in learned  # the matching key is not shown


def test_streams_keeps_only_the_sample(tmp_path: Path) -> None:
    src = tmp_path / "many.jsonl"
    lines = []
    for i in range(300):
        removed = [{"start": 0, "end": 5, "kind": "widget", "text": "Share", "evidence": {}}] if i % 3 else []
        text = f"page {i} body text\n"
        lines.append(orjson.dumps({"id": f"p{i}", "text": text, "dedup": {"removed": removed}}))
    src.write_bytes(b"\n".join(lines) + b"\n")
    data = collect([src], sample_size=7)
    assert data.pages == 300 and len(data.sample) == 7
    assert all(p.removed for p in data.sample)  # pages that lost something come first
    assert [p.id for p in collect([src], sample_size=7).sample] == [p.id for p in data.sample]
    assert data.removed_by_kind["widget"] == 5 * 200 and sum(data.share_bins) == 300
    assert data.share_bins[0] == 100


def test_share_bins() -> None:
    assert [share_bin(s) for s in (0.0, 0.001, 0.1, 0.1001, 0.55, 1.0)] == [0, 1, 1, 2, 6, 10]


def test_empty_report_renders() -> None:
    page = render(ReportData())
    assert "No near-duplicate pages" in page and "nothing removed" in page


# --- CLI ------------------------------------------------------------------------------------------


def test_report_command(
    runner: CliRunner, cleaned: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, _ = cleaned
    html_path = tmp_path / "r" / "report.html"
    result = runner.invoke(app, ["report", str(out), "-o", str(html_path), "--sample", "3"])
    assert result.exit_code == 0, result.output
    assert html_path.read_text(encoding="utf-8").count('<article class="page"') == 3
    assert [p.name for p in html_path.parent.iterdir()] == ["report.html"]  # no temp file left


def test_report_refuses_uncleaned_input(runner: CliRunner, tmp_path: Path, squashed: Squash) -> None:
    src = tmp_path / "raw.jsonl"
    src.write_bytes(orjson.dumps({"id": "a", "text": "hello"}) + b"\n")
    result = runner.invoke(app, ["report", str(src), "-o", str(tmp_path / "r.html")])
    assert result.exit_code != 0
    assert squashed("not its input") in squashed(result.output)
    assert not (tmp_path / "r.html").exists()


def test_clean_with_report(runner: CliRunner, tmp_path: Path, news_site: NewsSite) -> None:
    src = tmp_path / "pages.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in news_site.records()))
    out, html_path = tmp_path / "clean.jsonl", tmp_path / "report.html"
    result = runner.invoke(app, ["clean", str(src), "-o", str(out), "--report", str(html_path)])
    assert result.exit_code == 0, result.output
    page = html_path.read_text(encoding="utf-8")
    assert "From the site model" in page and page.count('<article class="page"') == 8


def test_clean_report_needs_an_output_file(runner: CliRunner, tmp_path: Path, squashed: Squash) -> None:
    src = tmp_path / "pages.jsonl"
    src.write_bytes(orjson.dumps({"id": "a", "text": "hello"}) + b"\n")
    result = runner.invoke(app, ["clean", str(src), "--report", str(tmp_path / "r.html")])
    assert result.exit_code != 0
    assert squashed("add -o FILE") in squashed(result.output)
    assert not (tmp_path / "r.html").exists()


def test_audit_held_as_a_json_string(tmp_path: Path) -> None:
    """Columnar outputs (Parquet) keep the `dedup` object as a JSON string; the report reads it too."""
    audit = {"removed": [{"start": 0, "end": 6, "kind": "widget", "text": "Share\n"}], "duplicate_of": "a"}
    src = tmp_path / "out.jsonl"
    src.write_bytes(
        orjson.dumps({"id": "b", "text": "Body\n", "dedup": orjson.dumps(audit).decode()}) + b"\n"
    )
    data = collect([src])
    assert data.removed_by_kind == {"widget": 6} and data.group_sizes == {"a": 1} and not data.unaudited


def test_groups_show_each_members_similarity(tmp_path: Path) -> None:
    """The duplicates section lists each member with its similarity to the canonical page, and the lowest."""

    def record(page_id: str, canonical: str | None, similarity: float | None) -> bytes:
        audit = {"removed": [], "duplicate_of": canonical, "similarity": similarity}
        return orjson.dumps({"id": page_id, "text": "نص الخبر\n", "dedup": audit}) + b"\n"

    src = tmp_path / "out.jsonl"
    src.write_bytes(record("a", None, None) + record("b", "a", 0.93) + record("c", "a", 1.0))
    data = collect([src])
    assert data.groups == {"a": [("b", 0.93), ("c", 1.0)]} and data.group_lowest == {"a": 0.93}
    page = render(data)
    assert "b (0.93), c (1.00)" in page and "<td class=n>0.93</td>" in page
