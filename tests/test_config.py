"""Settings checked once, before any work, with messages that say what to give instead: through the
CLI (nothing written, no traceback) and through the library's setting objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from conftest import NewsSite
from typer.testing import CliRunner

from dedup.checks import SettingError
from dedup.cli import app
from dedup.config import Config, Detectors, DuplicateRule, Glued, Guards, Islands, Repeats, Rule, Runs
from dedup.fingerprint import FingerprintSettings
from dedup.io import Fields
from dedup.run.batch import RunOptions

Squash = Callable[[str], str]


@pytest.fixture()
def pages(tmp_path: Path, news_site: NewsSite) -> Path:
    """The made-up site's pages as JSONL in a folder of their own."""
    src = tmp_path / "in" / "pages.jsonl"
    src.parent.mkdir()
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in news_site.records()))
    return src


def _refused(runner: CliRunner, squashed: Squash, args: list[str | Path], *expected: str) -> None:
    """The command fails with a message holding every expected piece, and no traceback."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for piece in expected:
        assert squashed(piece) in squashed(result.output), result.output


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--duplicate-threshold", "1.5"], ["duplicate_threshold is 1.5", "from just above 0 to 1"]),
        (["--duplicate-threshold", "0"], ["duplicate_threshold is 0.0", "--duplicate-threshold"]),
        (["--shard-size", "-5MB"], ["--shard-size", "expected a positive number", "100MB"]),
        (["--shard-size", "0"], ["--shard-size", "expected a positive number"]),
        (["--errors", "ignore"], ["'fail'", "'skip'", "not 'ignore'"]),
        (["--pattern", "re:(unclosed"], ["not a regular expression", "drop the re: prefix"]),
        (["--text-field", ""], ["the text field name is empty", "--text-field"]),
        (["--id-field", "text"], ["names both the text field and the id field", "--text-field"]),
        (["--url-field", "link"], ["--url-field 'link'", "no such field", "id, url, text"]),
        (["--id-field", "doc"], ["--id-field 'doc'", "no such field"]),
    ],
)
def test_clean_refuses_bad_settings(
    runner: CliRunner, squashed: Squash, pages: Path, tmp_path: Path, options: list[str], expected: list[str]
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    _refused(runner, squashed, ["clean", pages, "-o", out_dir / "clean.jsonl", *options], *expected)
    assert list(out_dir.iterdir()) == []


def test_output_that_is_a_folder(runner: CliRunner, squashed: Squash, pages: Path, tmp_path: Path) -> None:
    _refused(runner, squashed, ["clean", pages, "-o", tmp_path], "is a folder", "clean.jsonl")


def test_output_that_is_an_input(runner: CliRunner, squashed: Squash, pages: Path) -> None:
    before = pages.read_bytes()
    _refused(runner, squashed, ["clean", pages, "-o", pages], "is also an input", "another file")
    assert pages.read_bytes() == before


def test_output_of_unknown_type(runner: CliRunner, squashed: Squash, pages: Path, tmp_path: Path) -> None:
    args: list[str | Path] = ["clean", pages, "-o", tmp_path / "out.csv"]
    _refused(runner, squashed, args, "unknown output type", ".jsonl.gz")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("name", "suggested"),
    [("out.json", "name it out.jsonl"), ("out.ndjson.gz", "name it out.jsonl.gz"), ("out.txt", ".jsonl.zst")],
)
def test_output_names_are_those_the_readme_gives(
    runner: CliRunner, squashed: Squash, pages: Path, tmp_path: Path, name: str, suggested: str
) -> None:
    _refused(runner, squashed, ["clean", pages, "-o", tmp_path / name], f"-o {tmp_path / name}", suggested)
    assert not (tmp_path / name).exists()


def test_learn_into_a_folder(runner: CliRunner, squashed: Squash, pages: Path, tmp_path: Path) -> None:
    _refused(runner, squashed, ["learn", pages, "--state", tmp_path], "is a folder", "model.db")


def test_negative_top(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sites", "--state", str(tmp_path / "model.db"), "--top", "-1"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_good_custom_fields_pass(runner: CliRunner, tmp_path: Path, news_site: NewsSite) -> None:
    src = tmp_path / "pages.jsonl"
    records = [{"link": r["url"], "body": r["text"]} for r in news_site.records()]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    args = ["--text-field", "body", "--url-field", "link"]
    result = runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "out.jsonl"), *args])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Rule(floor=0), "Rule.floor is 0: give a whole number of at least 1"),
        (lambda: Rule(long_share=1.5), "Rule.long_share is 1.5: give a number from 0 to 1"),
        (lambda: Rule(variant_similarity=0), "Rule.variant_similarity is 0"),
        (lambda: Rule(short_words=2.5), "Rule.short_words is 2.5: give a whole number"),
        (lambda: Guards(edge_share=2), "Guards.edge_share is 2: give a number from 0 to 1"),
        (lambda: Guards(long_block_words=0), "Guards.long_block_words is 0"),
        (lambda: FingerprintSettings(num_perm=4), "FingerprintSettings.num_perm is 4"),
        (lambda: FingerprintSettings(scheme="legacy"), "scheme is 'legacy': give one of affine32"),
        (lambda: FingerprintSettings(word_shingle=0), "FingerprintSettings.word_shingle is 0"),
        (lambda: Config(duplicate_threshold=2), "Config.duplicate_threshold is 2"),
        (lambda: Repeats(min_run_words=0), "Repeats.min_run_words is 0: give a whole number of at least 1"),
        (lambda: Repeats(layout_share=1.5), "Repeats.layout_share is 1.5: give a number from just above 0"),
        (lambda: Runs(edge_gap=-1), "Runs.edge_gap is -1: give a whole number of at least 0"),
        (lambda: Glued(max_slot_words=2.5), "Glued.max_slot_words is 2.5: give a whole number"),
        (lambda: Islands(max_blocks=0), "Islands.max_blocks is 0"),
        (lambda: DuplicateRule(containment=0), "DuplicateRule.containment is 0"),
        (lambda: DuplicateRule(refresh_growth=0.5), "DuplicateRule.refresh_growth is 0.5: give 1 or more"),
        (lambda: Config(patterns=("re:[",)), "pattern 're:[' is not a regular expression"),
        (lambda: RunOptions(shard_size=-1), "RunOptions.shard_size is -1"),
        (lambda: RunOptions(errors="warn"), "not 'warn'"),
        (lambda: Fields(url=""), "the url field name is empty"),
        (lambda: Fields(site="text"), "names both the text field and the site field"),
    ],
)
def test_library_settings_are_checked_when_made(make: Callable[[], object], expected: str) -> None:
    with pytest.raises(SettingError) as info:
        make()
    assert expected in str(info.value)


def test_a_detector_threshold_given_in_config_reaches_its_detector() -> None:
    """A button under each of five comments: below the default count of a repeated short line,
    furniture once the run's Repeats setting says five is enough."""
    from dedup import Cleaner, Page

    article = "ناقش مجلس الوزراء اليوم خطة الموازنة الجديدة للعام المقبل بحضور الوزراء المعنيين.\n"
    said = (
        "أتمنى أن تنعكس الخطة على الأسعار.",
        "The budget leaves out rural schools again.",
        "متى تبدأ الحكومة بتنفيذ هذه الوعود؟",
        "Good news for small businesses, finally.",
        "لم يذكر الخبر شيئا عن قطاع الصحة.",
    )
    comments = "".join(f"{comment}\nReport abuse now\n" for comment in said)
    page = Page(id="a1", text=article + comments, url="https://news.example/a/1")
    default = Cleaner().clean(page)
    assert default.text.count("Report abuse now") == 5
    eager = Config(detectors=Detectors(repeats=Repeats(min_line_repeats=5)))
    cleaned = Cleaner(eager).clean(page)
    assert "Report abuse now" not in cleaned.text
    assert all(comment in cleaned.text for comment in (article.strip(), *said))


def test_no_detector_keeps_a_threshold_of_its_own() -> None:
    """Every number a detector decides by is a setting of `Config.detectors`: the detector modules
    hold no numeric constant at module level."""
    import ast

    folder = Path(__file__).resolve().parent.parent / "dedup" / "detect"
    found = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, int | float):
                found.append(f"{path.name}: {ast.unparse(node)}")
    # The 5-gram that repeats' stretches extend from is a unit of the Rust core (rust/), not a threshold.
    assert found == []
