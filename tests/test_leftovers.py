"""What cleaning left on many pages of a site: the library, `dedup sites --leftovers`, the report."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from dedup.cli import app
from dedup.leftovers import find
from dedup.page import Page
from dedup.report import write_report

AR_TOPICS = (
    "الموازنة",
    "المدارس",
    "المياه",
    "الطرق",
    "الكهرباء",
    "الصحة",
    "الزراعة",
    "النقل",
    "السياحة",
    "الإسكان",
)
EN_TOPICS = (
    "budget",
    "schools",
    "water",
    "roads",
    "power",
    "health",
    "farming",
    "transport",
    "tourism",
    "housing",
)
AR_BAR = "شارِكْ من خلال تويتر فيسبوك واتساب"  # with diacritics: the view shows the text as it was
EN_NOTE = "Please enable JavaScript to view this video"


def _ar_article(i: int) -> str:
    topic = AR_TOPICS[i % len(AR_TOPICS)]
    return (
        f"أعلن مجلس المدينة رقم {i} خطة جديدة لقطاع {topic} تشمل مشاريع متعددة. "
        f"وقال رئيس لجنة {topic} إن التنفيذ يبدأ في الربع المقبل بعد موافقة الوزارة."
    )


def _en_article(i: int) -> str:
    topic = EN_TOPICS[i % len(EN_TOPICS)]
    return (
        f"The council of district {i} set out a new {topic} plan with several projects. "
        f"Its {topic} committee chair said work starts next quarter once the ministry agrees."
    )


def _pages() -> list[Page]:
    """Two sites of ten cleaned pages: furniture left on 6 of 10 and on 3 of 10, a rare run on 1."""
    pages = []
    for i in range(10):
        ar = (AR_BAR + " " if i < 6 else "") + _ar_article(i)
        pages.append(Page(f"ar{i}", ar, url=f"https://akhbar.example/{i}", site="akhbar.example"))
        en = (
            _en_article(i)
            + (f" {EN_NOTE}." if i < 3 else "")
            + (" Rare words seen once here." if i == 0 else "")
        )
        pages.append(Page(f"en{i}", en, url=f"https://daily.example/{i}", site="daily.example"))
    return pages


def test_runs_left_on_a_fifth_of_a_site_are_listed_in_their_original_text() -> None:
    found = find(lambda: _pages())
    by_site = {item.site: item for item in found if "خلال" in item.text or "JavaScript" in item.text}
    ar, en = by_site["akhbar.example"], by_site["daily.example"]
    assert ar.text.startswith(AR_BAR)  # not the folded key "شارك من خلال"
    assert (ar.pages, ar.site_pages, ar.example) == (6, 10, "ar0")
    assert ar.share == 0.6
    assert EN_NOTE in en.text
    assert (en.pages, en.example) == (3, "en0")
    assert not any("Rare words" in item.text for item in found)


def test_article_sentences_each_site_repeats_are_listed_once_as_one_run() -> None:
    found = [item for item in find(lambda: _pages()) if item.site == "akhbar.example"]
    texts = [item.text for item in found]
    # The templated sentence is one run, not one row per 3-gram of it.
    assert sum("مجلس المدينة" in t for t in texts) == 1
    assert len(texts) == len(set(texts))


def test_a_run_on_fewer_than_a_fifth_of_the_pages_or_a_small_site_is_not_listed() -> None:
    pages = _pages()
    frequent = " ".join(item.text for item in find(lambda: pages, share=0.7))
    assert "مجلس المدينة" in frequent  # the templated sentence every page has: the site's house style
    assert "تويتر" not in frequent and "JavaScript" not in frequent
    small = [p for p in pages if p.id in {"ar0", "ar1", "ar2", "ar3"}]
    assert find(lambda: small) == []  # four pages say nothing about what repeats


def test_sites_leftovers_command_and_its_errors(tmp_path: Path) -> None:
    cleaned = tmp_path / "cleaned.jsonl"
    audit = {"removed": [], "duplicate_of": None}
    cleaned.write_bytes(
        b"".join(
            orjson.dumps({"id": p.id, "url": p.url, "text": p.text, "dedup": audit}) + b"\n" for p in _pages()
        )
    )
    runner = CliRunner()
    result = runner.invoke(app, ["sites", "--leftovers", str(cleaned)])
    assert result.exit_code == 0, result.output
    assert "akhbar.example" in result.output and "60%" in result.output and "ar0" in result.output
    missing = runner.invoke(app, ["sites", "--leftovers", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code != 0 and "no such file" in missing.output
    neither = runner.invoke(app, ["sites"])
    assert neither.exit_code != 0 and "--leftovers" in neither.output
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "x", "text": "fine", "dedup": {"removed": []}}\n{"id": "y", "text": 3}\n')
    broken = runner.invoke(app, ["sites", "--leftovers", str(bad)])
    assert broken.exit_code != 0 and "bad.jsonl:2" in broken.output.replace("\n", "")
    raw = tmp_path / "raw.jsonl"  # the input, not what cleaning wrote
    raw.write_bytes(b'{"id": "x", "text": "fine"}\n')
    uncleaned = runner.invoke(app, ["sites", "--leftovers", str(raw)])
    output = " ".join(uncleaned.output.split())
    assert uncleaned.exit_code != 0 and "'x'" in output and "not an output of `dedup clean`" in output


def test_report_has_a_left_after_cleaning_section(tmp_path: Path) -> None:
    cleaned = tmp_path / "cleaned.jsonl"
    records = [
        {"id": p.id, "url": p.url, "text": p.text, "dedup": {"removed": [], "duplicate_of": None}}
        for p in _pages()
    ]
    cleaned.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    data = write_report(cleaned, tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert any(item.site == "daily.example" for item in data.leftovers)
    assert '<section id="leftovers"><h2>Left after cleaning</h2>' in html
    assert EN_NOTE in html and AR_BAR in html


@pytest.mark.parametrize(
    ("lang", "first", "second"),
    [
        ("ar", "موسم الأمطار الغزيرة", "الأمطار الغزيرة المقبلة"),
        ("en", "spring flood season", "flood season warning"),
    ],
)
def test_a_run_of_frequent_3_grams_is_listed_with_the_pages_that_carry_it_whole(
    lang: str, first: str, second: str
) -> None:
    """Two phrases that overlap, each on three pages, run together on a seventh: each 3-gram of
    the run is frequent, the run itself is on that page only."""
    article, topics = (_ar_article, AR_TOPICS) if lang == "ar" else (_en_article, EN_TOPICS)
    joined = first + " " + second.split()[-1]
    said = [first] * 3 + [second] * 3 + [joined]
    pages = [
        Page(
            f"p{i}",
            article(i) + (f" {topics[i]} {said[i]} {topics[-1 - i]}." if i < len(said) else ""),
            url=f"https://site.example/{i}",
        )
        for i in range(10)
    ]
    rows = {item.text: item.pages for item in find(lambda: pages)}
    assert not any(joined in text for text in rows)
    assert rows[first] == 4
