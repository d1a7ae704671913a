"""Tests of the synthetic corpus generator."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpus.generate import KINDS, generate, main, page_text  # noqa: E402


@pytest.fixture(scope="module")
def corpus() -> tuple[list[dict], list[dict]]:
    """A small corpus with some no-break sites."""
    return generate(400, seed=3, no_breaks_share=0.25)


def test_deterministic_for_a_seed() -> None:
    """The same seed gives the same corpus; another seed a different one."""
    a = generate(60, seed=11)
    assert a == generate(60, seed=11)
    assert a != generate(60, seed=12)


def test_page_count_and_ids(corpus: tuple[list[dict], list[dict]]) -> None:
    """One truth record per page, same ids, same order, unique ids."""
    pages, truths = corpus
    assert len(pages) == len(truths) == 400
    assert [p["id"] for p in pages] == [t["id"] for t in truths]
    assert len({p["id"] for p in pages}) == 400


def test_text_is_join_of_lines(corpus: tuple[list[dict], list[dict]]) -> None:
    """The page text is the truth lines joined by newlines, glued pieces appended."""
    pages, truths = corpus
    for page, truth in zip(pages, truths, strict=True):
        assert page["text"] == page_text(truth["lines"])
        assert truth["lines"][0][2] == 0
        for label, text, glued in truth["lines"]:
            assert label == "content" or label in KINDS
            assert glued in (0, 1)
            assert "\n" not in text


def test_page_fields(corpus: tuple[list[dict], list[dict]]) -> None:
    """URLs are https on the site's domain, fetch times never go back."""
    pages, truths = corpus
    times = [p["fetched_at"] for p in pages]
    assert times == sorted(times)
    for page, truth in zip(pages, truths, strict=True):
        assert page["url"].startswith("https://")
        host = page["url"].split("/")[2]
        assert host == truth["site"] or host.endswith("." + truth["site"])


def test_labels_present(corpus: tuple[list[dict], list[dict]]) -> None:
    """Every kind of furniture shows up somewhere, and content everywhere."""
    _, truths = corpus
    labels = Counter(label for t in truths for label, _, _ in t["lines"])
    for kind in KINDS:
        assert labels[kind] > 0, kind
    assert all(any(label == "content" for label, _, _ in t["lines"]) for t in truths)


def test_glued_share_widget(corpus: tuple[list[dict], list[dict]]) -> None:
    """Some pages have the share widget glued to the last paragraph."""
    _, truths = corpus
    glued = [t for t in truths if "share_glued" in t["notes"]]
    assert 0.05 < len(glued) / len(truths) < 0.3
    for t in glued:
        lines = t["lines"]
        last = max(i for i, line in enumerate(lines) if line[0] == "content")
        assert lines[last + 1][0] == "share" and lines[last + 1][2] == 1


def test_duplicate_clusters(corpus: tuple[list[dict], list[dict]]) -> None:
    """Reposts, edits and syndicated copies share a cluster with their original."""
    _, truths = corpus
    by_cluster: dict[str, list[dict]] = {}
    for t in truths:
        by_cluster.setdefault(t["cluster"], []).append(t)
    multi = [group for group in by_cluster.values() if len(group) > 1]
    assert multi
    notes = Counter(n for t in truths for n in t["notes"])
    assert notes["repost"] and notes["edited"] and notes["synd"]
    for group in multi:
        assert "orig" in group[0]["notes"]
        original = [x[1] for x in group[0]["lines"] if x[0] == "content"]
        for copy in group[1:]:
            body = [x[1].strip() for x in copy["lines"] if x[0] == "content"]
            if "repost" in copy["notes"] or "synd" in copy["notes"]:
                assert body == [x.strip() for x in original]
            if "synd" in copy["notes"]:
                assert copy["site"] != group[0]["site"]
            else:
                assert copy["site"] == group[0]["site"]


def test_story_background_paragraphs(corpus: tuple[list[dict], list[dict]]) -> None:
    """Pages of one story share a long content paragraph."""
    _, truths = corpus
    stories: dict[str, list[dict]] = {}
    for t in truths:
        for note in t["notes"]:
            if note.startswith("story:") and "orig" in t["notes"]:
                stories.setdefault(note, []).append(t)
    shared = [group for group in stories.values() if len(group) > 1]
    assert shared
    for group in shared:
        sets = [{x[1].strip() for x in t["lines"] if x[0] == "content"} for t in group]
        common = set.intersection(*sets)
        assert common and all(len(c) > 40 for c in common)


def test_no_breaks_pages(corpus: tuple[list[dict], list[dict]]) -> None:
    """Pages of no-break sites are one line; other pages have many."""
    pages, truths = corpus
    flat = [(p, t) for p, t in zip(pages, truths, strict=True) if "no_breaks" in t["notes"]]
    assert flat
    for page, truth in flat:
        assert "\n" not in page["text"]
        assert all(g == 1 for _, _, g in truth["lines"][1:])
    assert all("\n" in p["text"] for p, t in zip(pages, truths, strict=True) if "no_breaks" not in t["notes"])
    assert "no_breaks" not in {n for t in generate(100, seed=3)[1] for n in t["notes"]}


def test_arabic_and_english_sites(corpus: tuple[list[dict], list[dict]]) -> None:
    """Both scripts appear, each on its own sites; sizes are uneven."""
    _, truths = corpus
    script: dict[str, set[str]] = {}
    for truth in truths:
        content = " ".join(x[1] for x in truth["lines"] if x[0] == "content")
        arabic = sum("\u0600" <= c <= "\u06ff" for c in content) > len(content) / 3
        script.setdefault(truth["site"], set()).add("ar" if arabic else "en")
    assert all(len(s) == 1 for s in script.values())
    langs = Counter(next(iter(s)) for s in script.values())
    assert langs["ar"] >= 2 and langs["en"] >= 2
    sizes = Counter(t["site"] for t in truths)
    assert min(sizes.values()) <= 5 and max(sizes.values()) >= 50


def test_furniture_noise(corpus: tuple[list[dict], list[dict]]) -> None:
    """Boilerplate carries spelling noise; content does not."""
    _, truths = corpus
    marks = "\u200f\u200e\u200c\u0640"
    boiler = [x[1] for t in truths for x in t["lines"] if x[0] != "content"]
    content = [x[1] for t in truths for x in t["lines"] if x[0] == "content"]
    assert any(any(m in line for m in marks) for line in boiler)
    assert not any(any(m in line for m in marks) for line in content)


def test_cli_writes_files(tmp_path: Path) -> None:
    """The CLI streams pages.jsonl and truth.jsonl equal to generate()."""
    assert main(["--pages", "30", "--seed", "5", "--out", str(tmp_path)]) == 0
    pages = [orjson.loads(x) for x in (tmp_path / "pages.jsonl").read_bytes().splitlines()]
    truths = [orjson.loads(x) for x in (tmp_path / "truth.jsonl").read_bytes().splitlines()]
    assert (pages, truths) == generate(30, seed=5)


def test_bundled_sample_is_current() -> None:
    """corpus/pages.jsonl and truth.jsonl are generate(600, seed=7, no_breaks_share=0.1)."""
    pages_file, truth_file = ROOT / "corpus" / "pages.jsonl", ROOT / "corpus" / "truth.jsonl"
    if not pages_file.exists():
        pytest.skip("bundled sample not written")
    pages, truths = generate(600, seed=7, no_breaks_share=0.1)
    assert [orjson.loads(x) for x in pages_file.read_bytes().splitlines()] == pages
    assert [orjson.loads(x) for x in truth_file.read_bytes().splitlines()] == truths
