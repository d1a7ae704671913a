"""The real reference page: `dedup clean corpus/reference/page.txt` keeps the article, drops the furniture."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.audit import restore
from dedup.clean import Cleaner
from dedup.cli import app
from dedup.page import Page

SHARE = "شارك المقال مع أصدقائك على مواقع التواصل الاجتماعي"
CARD_TITLE = "تنظيم الدولة يبث تسجيلاً جديداً.. وربما الأخير!"
TEASER_START = "هيومن فويس\xa0 بث"  # the site name, a no-break space, a space, the lead
SEND = "Send this to a friend"
FIRST = "بث مسلحو تنظيم الدولة"
LAST = "عوائل عناصر التنظيم."


def _article(text: str) -> list[str]:
    """The 16 article paragraphs, from `بث مسلحو تنظيم الدولة` to `عوائل عناصر التنظيم.`."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(FIRST))
    last = next(i for i, line in enumerate(lines) if line.endswith(LAST))
    paragraphs = [line for line in lines[first : last + 1] if line.strip()]
    assert len(paragraphs) == 16
    return paragraphs


@pytest.fixture(scope="module")
def cleaned(reference_path: Path) -> str:
    result = CliRunner(env={"COLUMNS": "400"}).invoke(app, ["clean", str(reference_path)])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def test_reference_page_shape(reference_text: str) -> None:
    assert SHARE in reference_text and CARD_TITLE in reference_text and SEND in reference_text
    assert any(line.startswith(TEASER_START) for line in reference_text.split("\n"))


def test_article_paragraphs_kept_byte_for_byte(cleaned: str, reference_text: str) -> None:
    for paragraph in _article(reference_text):
        assert paragraph in cleaned
        # Each paragraph is still a line of its own, and only once.
        assert cleaned.split("\n").count(paragraph) == 1


def test_article_in_order(cleaned: str, reference_text: str) -> None:
    positions = [cleaned.index(p) for p in _article(reference_text)]
    assert positions == sorted(positions)


def test_furniture_removed(cleaned: str) -> None:
    assert SHARE not in cleaned
    assert CARD_TITLE not in cleaned
    assert SEND not in cleaned
    assert not any(line.startswith(TEASER_START) for line in cleaned.split("\n"))
    # The teaser ran the lead together and stopped mid-sentence: that tail is gone too.
    assert "واستأنفت قوات سوريا الديمقراطية هجومها على\n" not in cleaned + "\n"
    assert not cleaned.rstrip().endswith("هجومها على")


def test_output_file_holds_the_same_text(reference_path: Path, cleaned: str, tmp_path: Path) -> None:
    out = tmp_path / "page.cleaned.txt"
    result = CliRunner(env={"COLUMNS": "400"}).invoke(app, ["clean", str(reference_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("utf-8") == cleaned
    assert [p.name for p in tmp_path.iterdir()] == ["page.cleaned.txt"]  # no temp file left


def test_library_audit_restores_the_page(reference_text: str, cleaned: str) -> None:
    result = Cleaner().clean(Page(id="page", text=reference_text, site="reference"))
    assert result.text == cleaned
    assert restore(result.text, result.removed) == reference_text
    kinds = {r.kind for r in result.removed}
    assert "widget" in kinds and "repeat" in kinds
