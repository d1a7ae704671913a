"""Tests of the scorer in dedup.evaluate."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest

from dedup.evaluate import HEADLINE, format_scores, main, score

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpus.generate import generate  # noqa: E402


def _write(path: Path, records: list[dict]) -> Path:
    """Write records as JSONL and return the path."""
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def _content_only(truth: dict) -> str:
    """The gold cleaned text of a truth record: its content lines, glued pieces kept glued."""
    lines: list[str] = []
    for label, text, glued in truth["lines"]:
        if label != "content":
            continue
        if glued and lines:
            lines[-1] += text
        else:
            lines.append(text.strip())
    return "\n".join(lines)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict], list[dict]]:
    """A generated corpus written to disk: (dir, pages, truths)."""
    d = tmp_path_factory.mktemp("gen")
    pages, truths = generate(150, seed=21, no_breaks_share=0.2)
    _write(d / "truth.jsonl", truths)
    _write(d / "pages.jsonl", pages)
    return d, pages, truths


def test_perfect_output(generated: tuple[Path, list[dict], list[dict]]) -> None:
    """Content only, duplicates linked to the first page of their cluster: every score is 1."""
    d, _, truths = generated
    first: dict[str, str] = {}
    out = []
    for t in truths:
        rec: dict = {"id": t["id"], "text": _content_only(t), "dedup": {}}
        if t["cluster"] in first:
            rec["dedup"]["duplicate_of"] = first[t["cluster"]]
        else:
            first[t["cluster"]] = t["id"]
        out.append(rec)
    s = score(d / "truth.jsonl", _write(d / "perfect.jsonl", out))
    assert s["pages"] == len(truths) and s["missing_pages"] == 0
    for key in HEADLINE:
        assert s[key] == 1.0, key
    assert s["dup_pairs_true"] > 0
    assert s["background_paragraphs"] > 0
    assert all(v == 1.0 for v in s["by_kind_removed"].values())
    assert "content_kept" in format_scores(s)


def test_raw_input(generated: tuple[Path, list[dict], list[dict]]) -> None:
    """The input handed back unchanged removes nothing and finds no duplicates."""
    d, pages, _ = generated
    out = [{"id": p["id"], "text": p["text"]} for p in pages]
    s = score(d / "truth.jsonl", _write(d / "raw.jsonl", out))
    assert s["content_kept"] == 1.0
    assert s["content_lines_kept"] == 1.0
    assert s["boilerplate_removed"] == 0.0
    assert all(v == 0.0 for v in s["by_kind_removed"].values())
    assert s["dup_recall"] == 0.0 and s["dup_precision"] == 1.0


def _tiny_truth() -> list[dict]:
    """Four hand-made pages: a and b are duplicates, c and d unique; a has its share widget glued."""

    def page(pid: str, cluster: str, body: str) -> dict:
        return {
            "id": pid,
            "site": "example.org",
            "cluster": cluster,
            "notes": [],
            "lines": [
                ["nav", "Home | World | Sport", 0],
                ["content", body, 0],
                ["share", "Share this", int(pid == "a")],
                ["footer", "© 2020 Example", 0],
            ],
        }

    return [
        page("a", "x", "Alpha beta gamma delta."),
        page("b", "x", "Alpha beta gamma delta."),
        page("c", "y", "Epsilon zeta eta theta."),
        page("d", "z", "Iota kappa lambda mu."),
    ]


def test_missing_page_counts_as_dropped(tmp_path: Path) -> None:
    """A page absent from the output loses its content and its boilerplate."""
    truths = _tiny_truth()
    truth = _write(tmp_path / "truth.jsonl", truths)
    out = [{"id": t["id"], "text": t["lines"][1][1]} for t in truths[:3]]
    s = score(truth, _write(tmp_path / "out.jsonl", out))
    assert s["missing_pages"] == 1
    assert s["content_kept"] == pytest.approx(12 / 16)
    # Page a's content line carries the glued widget: only single-piece lines b, c, d are counted.
    assert s["content_lines_kept"] == pytest.approx(2 / 3)
    assert s["boilerplate_removed"] == 1.0
    assert s["removal_precision"] == pytest.approx(28 / 32)


def test_partial_removal(tmp_path: Path) -> None:
    """Boilerplate words that stay are counted once content words are matched."""
    truths = _tiny_truth()[:1]
    truth = _write(tmp_path / "truth.jsonl", truths)
    out = [{"id": "a", "text": "Home | World | Sport\nAlpha beta gamma delta."}]
    s = score(truth, _write(tmp_path / "out.jsonl", out))
    assert s["content_kept"] == 1.0
    assert s["boilerplate_removed"] == pytest.approx(4 / 7)
    assert s["by_kind_removed"] == {"footer": 1.0, "nav": 0.0, "share": 1.0}
    glued = [{"id": "a", "text": "Alpha beta gamma delta.Share this"}]
    s = score(truth, _write(tmp_path / "glued.jsonl", glued))
    assert s["by_kind_removed"]["share"] == 0.0
    assert s["content_kept"] == 1.0


def test_duplicate_pairs(tmp_path: Path) -> None:
    """Pairs come from union-find over duplicate_of links, top level or in "dedup"."""
    truths = _tiny_truth()
    truth = _write(tmp_path / "truth.jsonl", truths)

    def run(links: dict[str, str], nested: bool = False) -> dict:
        out = []
        for t in truths:
            rec: dict = {"id": t["id"], "text": t["lines"][1][1]}
            if t["id"] in links:
                if nested:
                    rec["dedup"] = {"duplicate_of": links[t["id"]]}
                else:
                    rec["duplicate_of"] = links[t["id"]]
            out.append(rec)
        return score(truth, _write(tmp_path / "out.jsonl", out))

    s = run({"b": "a"})
    assert (s["dup_precision"], s["dup_recall"]) == (1.0, 1.0)
    s = run({"b": "a"}, nested=True)
    assert (s["dup_precision"], s["dup_recall"]) == (1.0, 1.0)
    s = run({})
    assert (s["dup_precision"], s["dup_recall"]) == (1.0, 0.0)
    # a-b-c chained into one group: 3 predicted pairs, 1 right.
    s = run({"b": "a", "c": "b"})
    assert s["dup_pairs_predicted"] == 3
    assert s["dup_precision"] == pytest.approx(1 / 3) and s["dup_recall"] == 1.0
    s = run({"c": "d"})
    assert (s["dup_precision"], s["dup_recall"]) == (0.0, 0.0)


def test_background_paragraphs(tmp_path: Path) -> None:
    """A long content line on two pages of one site must be kept whole on both."""
    bg = "This background paragraph repeats on every page of the running story."
    truths = [
        {
            "id": "p1",
            "site": "s.org",
            "cluster": "1",
            "notes": [],
            "lines": [["content", "First unique lead.", 0], ["content", bg, 0]],
        },
        {
            "id": "p2",
            "site": "s.org",
            "cluster": "2",
            "notes": [],
            "lines": [["content", "Second unique lead.", 0], ["content", bg, 0]],
        },
    ]
    truth = _write(tmp_path / "truth.jsonl", truths)
    out = [{"id": "p1", "text": "First unique lead.\n" + bg}, {"id": "p2", "text": "Second unique lead."}]
    s = score(truth, _write(tmp_path / "out.jsonl", out))
    assert s["background_paragraphs"] == 2
    assert s["background_paragraphs_kept"] == 0.5


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI prints a report, or JSON with --json."""
    truths = _tiny_truth()
    truth = _write(tmp_path / "truth.jsonl", truths)
    out = _write(tmp_path / "out.jsonl", [{"id": t["id"], "text": ""} for t in truths])
    assert main([str(truth), str(out)]) == 0
    assert "boilerplate_removed" in capsys.readouterr().out
    assert main([str(truth), str(out), "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["content_kept"] == 0.0


def test_teaser_repeating_the_title_counts_once(tmp_path: Path) -> None:
    """A teaser line that repeats the article's title is kept only if the title's line is there twice."""
    title = "وزير المالية يعلن موازنة العام المقبل"
    truth = {
        "id": "p1",
        "site": "example.com",
        "cluster": "c1",
        "lines": [
            ["content", title, False],
            ["content", "Parliament will vote on the budget next week, the minister said.", False],
            ["share", "شارك المقال", False],
            ["teaser", title, False],
        ],
    }
    truth_path = _write(tmp_path / "truth.jsonl", [truth])
    body = f"{title}\nParliament will vote on the budget next week, the minister said."
    cleaned = _write(tmp_path / "cleaned.jsonl", [{"id": "p1", "text": body}])
    kept_twice = _write(tmp_path / "twice.jsonl", [{"id": "p1", "text": f"{body}\n{title}"}])
    assert score(str(truth_path), str(cleaned))["by_kind_removed"]["teaser"] == 1.0
    assert score(str(truth_path), str(kept_twice))["by_kind_removed"]["teaser"] == 0.0
    assert score(str(truth_path), str(cleaned))["content_lines_kept"] == 1.0
