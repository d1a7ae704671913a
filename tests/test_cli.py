"""The `dedup` command through typer's CliRunner: bad input, formats, fields, help, state, explain, sites."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
import zstandard
from conftest import NewsSite, dated_sites
from typer.testing import CliRunner, Result

from dedup.audit import restore
from dedup.clean import Cleaner
from dedup.cli import app
from dedup.fingerprint import FingerprintSettings
from dedup.model import SiteModel
from dedup.store.sqlite import load, save

Squash = Callable[[str], str]


def _write_lines(path: Path, lines: list[bytes]) -> Path:
    data = b"".join(line + b"\n" for line in lines)
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_duplicate_is_marked_in_its_audit_not_in_a_field_of_the_same_name(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite, en_page: str
) -> None:
    """The mark goes in the audit's own `duplicate_of`, not in a record's field of that name nor in
    text that spells it; the line is as orjson writes the marked record."""
    spelled = en_page + '\nAPI: {"id":"a","duplicate_of":null,"similarity":null}}\n'
    records = news_site.records()
    records += [{"id": f"en{n}", "url": "https://www.bbc.co.uk/news/1", "text": spelled} for n in (1, 2)]
    records = [r | {"duplicate_of": "theirs"} for r in records]
    out = tmp_path / "clean.jsonl"
    result = _invoke(runner, "clean", _write_records(tmp_path / "pages.jsonl", records), "-o", out)
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().splitlines(keepends=True)
    copy = orjson.loads(lines[-1])
    assert copy["dedup"]["duplicate_of"] == "en1" and copy["dedup"]["similarity"] == 1.0
    assert '"duplicate_of":null,"similarity":null}}' in copy["text"]
    assert [orjson.loads(line)["duplicate_of"] for line in lines] == ["theirs"] * len(records)
    assert lines[-1] == orjson.dumps(copy, option=orjson.OPT_APPEND_NEWLINE)


def _write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    return _write_lines(path, [orjson.dumps(r) for r in records])


def _read_records(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return [orjson.loads(line) for line in data.splitlines() if line.strip()]


def _invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _good(ar_page: str, en_page: str) -> list[dict[str, Any]]:
    return [
        {"id": "ar1", "url": "https://www.example.org/a/1", "text": ar_page + "شارك المقال\n"},
        {"id": "en1", "url": "https://news.example.com/b/2", "text": en_page + "Share this article\n"},
    ]


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        (b'{"id": "b", "text": broken}', "invalid JSON"),
        (b'{"id": "b", "body": "no text field here"}', "missing field 'text'"),
    ],
)
def test_bad_record_fails_cleanly(
    runner: CliRunner,
    tmp_path: Path,
    squashed: Squash,
    ar_page: str,
    en_page: str,
    bad_line: bytes,
    reason: str,
) -> None:
    good = [orjson.dumps(r) for r in _good(ar_page, en_page)]
    src = _write_lines(tmp_path / "in" / "pages.jsonl", [good[0], bad_line, good[1]])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = _invoke(runner, "clean", src, "-o", out_dir / "clean.jsonl")
    assert result.exit_code != 0
    _no_traceback(result)
    assert squashed(f"{src}:2") in squashed(result.output)
    assert squashed(reason) in squashed(result.output)
    assert list(out_dir.iterdir()) == []  # no output, no temp file, no spool


def test_missing_input_file(runner: CliRunner, tmp_path: Path, squashed: Squash) -> None:
    missing = tmp_path / "nowhere" / "pages.jsonl"
    result = _invoke(runner, "clean", missing, "-o", tmp_path / "out.jsonl")
    assert result.exit_code != 0
    _no_traceback(result)
    assert squashed(str(missing)) in squashed(result.output)
    assert "no such file" in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_cp1256_text_file(runner: CliRunner, tmp_path: Path, squashed: Squash) -> None:
    page = tmp_path / "win.txt"
    page.write_bytes("السلام عليكم ورحمة الله\n".encode("cp1256"))
    result = _invoke(runner, "clean", page, "-o", tmp_path / "win.clean.txt")
    assert result.exit_code != 0
    _no_traceback(result)
    message = squashed(result.output)
    assert squashed(str(page)) in message
    assert "UTF-8" in result.output and "cp1256" in result.output
    assert not (tmp_path / "win.clean.txt").exists()


def test_empty_input(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "empty.jsonl"
    src.write_bytes(b"")
    out = tmp_path / "out" / "clean.jsonl"
    result = _invoke(runner, "clean", src, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.exists() and out.read_bytes() == b""
    assert sorted(p.name for p in out.parent.iterdir()) == ["clean.jsonl"]


def test_errors_skip_writes_good_records_and_rejects_verbatim(
    runner: CliRunner, tmp_path: Path, ar_page: str, en_page: str
) -> None:
    good = [orjson.dumps(r) for r in _good(ar_page, en_page)]
    bad = [
        b'{"id": "x1", "text": broken}',
        b'{"id": "x2", "body": "\xd9\x86\xd8\xb5 no text"}',
        b'{"id": "x3", "text": "caf\xe9 latin-1"}',  # not UTF-8
        b'{"id": "x4", "text": 42}\r',  # CRLF line, wrong type
        b'["an", "array"]',
    ]
    src = _write_lines(tmp_path / "pages.jsonl", [bad[0], good[0], bad[1], bad[2], good[1], bad[3], bad[4]])
    out = tmp_path / "out" / "clean.jsonl"
    result = _invoke(runner, "clean", src, "-o", out, "--errors", "skip")
    assert result.exit_code == 0, result.output
    records = _read_records(out)
    assert [r["id"] for r in records] == ["ar1", "en1"]
    rejects = out.with_name("clean.rejects.jsonl")
    assert rejects.read_bytes() == b"".join(line + b"\n" for line in bad)
    assert sorted(p.name for p in out.parent.iterdir()) == ["clean.jsonl", "clean.rejects.jsonl"]


def test_errors_skip_with_nothing_bad_makes_no_rejects_file(
    runner: CliRunner, tmp_path: Path, ar_page: str, en_page: str
) -> None:
    src = _write_records(tmp_path / "pages.jsonl", _good(ar_page, en_page))
    out = tmp_path / "out" / "clean.jsonl"
    assert _invoke(runner, "clean", src, "-o", out, "--errors", "skip").exit_code == 0
    assert [p.name for p in out.parent.iterdir()] == ["clean.jsonl"]


def test_bad_errors_value(runner: CliRunner, tmp_path: Path, ar_page: str, en_page: str) -> None:
    src = _write_records(tmp_path / "pages.jsonl", _good(ar_page, en_page))
    result = _invoke(runner, "clean", src, "-o", tmp_path / "o.jsonl", "--errors", "ignore")
    assert result.exit_code != 0
    _no_traceback(result)
    assert "--errors" in result.output


def test_errors_skip_needs_an_output_file(tmp_path: Path, ar_page: str, en_page: str) -> None:
    """The rejects file sits beside the output, so skipping bad records to stdout is refused clearly."""
    good = [orjson.dumps(r) for r in _good(ar_page, en_page)]
    src = _write_lines(tmp_path / "pages.jsonl", [good[0], b"{broken", good[1]])
    proc = subprocess.run(
        [sys.executable, "-c", "from dedup.cli import main; main()", "clean", str(src), "--errors", "skip"],
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    assert b"-o" in proc.stderr and b"Traceback" not in proc.stderr
    assert proc.stdout == b""


# --- formats and fields ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_compressed_round_trip(
    runner: CliRunner, tmp_path: Path, ar_page: str, en_page: str, suffix: str
) -> None:
    records = _good(ar_page, en_page)
    src = _write_records(tmp_path / f"pages{suffix}", records)
    out = tmp_path / "out" / f"clean{suffix}"
    result = _invoke(runner, "clean", src, "-o", out)
    assert result.exit_code == 0, result.output
    if suffix == ".jsonl.gz":
        assert out.read_bytes()[:2] == b"\x1f\x8b"
    if suffix == ".jsonl.zst":
        assert out.read_bytes()[:4] == b"\x28\xb5\x2f\xfd"
    cleaned = _read_records(out)
    assert [r["id"] for r in cleaned] == ["ar1", "en1"]
    assert cleaned[0]["text"] == ar_page
    assert cleaned[1]["text"] == en_page
    for original, rec in zip(records, cleaned, strict=True):
        assert restore(rec["text"], rec["dedup"]["removed"]) == original["text"]
        assert rec["dedup"]["duplicate_of"] is None
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_other_fields_pass_through(runner: CliRunner, tmp_path: Path, ar_page: str) -> None:
    record = {
        "lang": "ar",
        "id": 17,
        "score": 0.75,
        "flag": False,
        "none": None,
        "tags": ["صحة", "محلي"],
        "meta": {"words": 12, "nested": {"a": [1, 2]}},
        "text": ar_page + "تابعونا على تويتر\n",
        "url": "https://m.example.org/x",
        "tail": "😀",
    }
    src = _write_records(tmp_path / "pages.jsonl", [record])
    out = tmp_path / "clean.jsonl"
    assert _invoke(runner, "clean", src, "-o", out).exit_code == 0
    [rec] = _read_records(out)
    assert list(rec) == [*record, "dedup"]  # same fields, same order, the audit last
    for key, value in record.items():
        if key != "text":
            assert rec[key] == value
    assert rec["text"] == ar_page


def test_custom_field_names(runner: CliRunner, tmp_path: Path, news_site: NewsSite) -> None:
    records = [
        {"doc": r["id"], "link": r["url"], "body": r["text"], "text": "not this"} for r in news_site.records()
    ]
    src = _write_records(tmp_path / "pages.jsonl", records)
    out = tmp_path / "clean.jsonl"
    args = ["--text-field", "body", "--id-field", "doc", "--url-field", "link"]
    result = _invoke(runner, "clean", src, "-o", out, *args)
    assert result.exit_code == 0, result.output
    cleaned = _read_records(out)
    assert [r["doc"] for r in cleaned] == [r["doc"] for r in records]
    for rec, body in zip(cleaned, news_site.bodies, strict=True):
        assert rec["text"] == "not this"  # not the text field: untouched
        assert rec["body"] == "\n".join(body) + "\n"  # site learned from the URLs in `link`
        assert "id" not in rec
    # explain finds a page by the custom id field.
    result = _invoke(runner, "explain", "p3", src, *args)
    assert result.exit_code == 0, result.output
    assert "site-boilerplate" in result.output
    # A text field the records do not have is refused before any work, with the fields they have.
    result = _invoke(runner, "clean", src, "-o", tmp_path / "bad.jsonl", "--text-field", "nope")
    assert result.exit_code != 0
    assert "--text-field 'nope'" in result.output and "no such field" in result.output
    assert "doc, link, body, text" in result.output


def test_txt_input_prints_cleaned_text(runner: CliRunner, tmp_path: Path, en_page: str) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Follow us on Twitter\n" + en_page + "Send this to a friend", encoding="utf-8")
    result = _invoke(runner, "clean", page)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8") == en_page


# --- help -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "purpose"),
    [
        ([], "boilerplate"),
        (["clean"], "Clean pages"),
        (["learn"], "Learn each site"),
        (["explain"], "every block"),
        (["sites"], "what was learned per site"),
        (["evaluate"], "Score a cleaned output"),
    ],
)
def test_help(runner: CliRunner, squashed: Squash, command: list[str], purpose: str) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    assert squashed(purpose) in squashed(result.output)


def test_help_texts_keep_their_brackets(runner: CliRunner) -> None:
    # Rich reads "[spark]" as markup and drops it unless escaped: "needs 'dedup'" told nothing.
    group = typer.main.get_command(app)
    commands: dict[str, Any] = group.commands  # type: ignore[attr-defined]
    for name, command in commands.items():
        texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
        result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "400"})
        shown = " ".join(result.output.split())
        for text in texts:
            for bracketed in re.findall(r"\S*\[[^\]\s]*\]", text.replace("\\[", "[")):
                assert bracketed in shown, f"dedup {name} --help lost {bracketed!r}"
    clean_help = runner.invoke(app, ["clean", "--help"], env={"COLUMNS": "400"}).output
    assert "needs 'dedup[spark]'" in clean_help


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output
    assert "clean" in result.output and "learn" in result.output


# --- state ----------------------------------------------------------------------------------------


def test_learn_then_clean_with_state(runner: CliRunner, tmp_path: Path, news_site: NewsSite) -> None:
    records = news_site.records()
    src = _write_records(tmp_path / "day1.jsonl", records)
    state = tmp_path / "state" / "model.db"
    result = _invoke(runner, "learn", src, "--state", state)
    assert result.exit_code == 0, result.output
    assert state.exists()
    assert [p.name for p in state.parent.iterdir()] == ["model.db"]
    # A later day: one page alone; the state knows the site's furniture.
    day2 = _write_records(tmp_path / "day2.jsonl", records[3:4])
    out = tmp_path / "out.jsonl"
    result = _invoke(runner, "clean", day2, "--state", state, "-o", out)
    assert result.exit_code == 0, result.output
    [rec] = _read_records(out)
    removed = [r["text"] for r in rec["dedup"]["removed"]]
    assert removed[0] == news_site.nav + "\n"
    assert removed[-2:] == [news_site.footer_links + "\n", news_site.footer + "\n"]
    for line in news_site.bodies[3]:
        assert line + "\n" in rec["text"]
    assert restore(rec["text"], rec["dedup"]["removed"]) == records[3]["text"]
    # Without the state, a single page of the site keeps its furniture.
    result = _invoke(runner, "clean", day2, "-o", out)
    assert result.exit_code == 0
    assert _read_records(out)[0]["text"] == records[3]["text"]


def test_state_cleans_like_the_model_it_was_saved_from(tmp_path: Path, news_site: NewsSite) -> None:
    """A saved and loaded model removes what the in-memory model removes: the date line too."""
    pages = news_site.pages()
    cleaner = Cleaner()
    cleaner.learn(pages)
    state = tmp_path / "model.db"
    save(cleaner.model, state)
    reloaded = Cleaner(model=load(state, cleaner.config.settings))
    for page, body in zip(pages, news_site.bodies, strict=True):
        assert reloaded.clean(page).text == cleaner.clean(page).text == "\n".join(body) + "\n"


def test_state_with_other_fingerprint_settings_is_refused(
    runner: CliRunner, tmp_path: Path, squashed: Squash, news_site: NewsSite
) -> None:
    state = tmp_path / "foreign.db"
    save(SiteModel(settings=FingerprintSettings(num_perm=64, char_shingle=5)), state)
    src = _write_records(tmp_path / "pages.jsonl", news_site.records())
    out_dir = tmp_path / "out"
    for args in (["clean", src, "--state", state, "-o", out_dir / "o.jsonl"], ["sites", "--state", state]):
        result = _invoke(runner, *args)
        assert result.exit_code != 0
        _no_traceback(result)
        message = squashed(result.output)
        assert squashed(str(state)) in message
        assert squashed("fingerprint settings") in message
        assert squashed("learn the state again") in message
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_missing_or_foreign_state_file(
    runner: CliRunner, tmp_path: Path, squashed: Squash, en_page: str
) -> None:
    src = _write_records(tmp_path / "pages.jsonl", [{"id": "a", "text": en_page}])
    missing = tmp_path / "missing.db"
    result = _invoke(runner, "clean", src, "--state", missing, "-o", tmp_path / "o.jsonl")
    assert result.exit_code != 0
    _no_traceback(result)
    assert squashed(f"{missing}: no such state file") in squashed(result.output)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 40)
    result = _invoke(runner, "clean", src, "--state", garbage, "-o", tmp_path / "o.jsonl")
    assert result.exit_code != 0
    _no_traceback(result)
    assert "not a dedup state file" in result.output


# --- explain and sites ----------------------------------------------------------------------------


def test_explain_prints_blocks_with_decisions(
    runner: CliRunner, tmp_path: Path, ar_page: str, en_page: str
) -> None:
    src = _write_records(tmp_path / "pages.jsonl", _good(ar_page, en_page))
    result = _invoke(runner, "explain", "en1", src)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "en1" in out
    assert "widget" in out and "phrase=share this article" in out
    assert "keep" in out
    assert "Council approves school budget" in out
    assert out.count("keep") == 4  # title and three paragraphs
    result = _invoke(runner, "explain", "nope", src)
    assert result.exit_code != 0
    assert "no page with id 'nope'" in result.output


def test_sites_lists_learned_sites(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite, en_page: str
) -> None:
    records = [*news_site.records(), {"id": "e", "url": "https://www.other.example/1", "text": en_page}]
    src = _write_records(tmp_path / "pages.jsonl", records)
    state = tmp_path / "model.db"
    assert _invoke(runner, "learn", src, "--state", state).exit_code == 0
    result = _invoke(runner, "sites", "--state", state)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{news_site.name}: 8 pages" in out
    assert "other.example: 1 pages: no line or label on enough pages" in out  # not an empty table
    assert out.index(news_site.name) < out.index("other.example")  # biggest site first
    assert news_site.nav in out  # the nav bar as the pages show it, not its matching key
    assert "الرييسيه اخبار محليه" not in out


def test_sites_shows_each_learned_line_once_as_the_pages_show_it(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite
) -> None:
    src = _write_records(tmp_path / "pages.jsonl", dated_sites(news_site))
    state = tmp_path / "model.db"
    assert _invoke(runner, "learn", src, "--state", state).exit_code == 0
    result = _invoke(runner, "sites", "--state", state)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The date line as the second page showed it, learned whole and by its label: one row.
    dated = [line for line in lines if "تحديث" in line]
    assert len(dated) == 1 and "آخر تحديث: 13 مارس 2024" in dated[0] and "block, label" in dated[0]
    assert "اخر تحديث 0" not in result.output
    updated = [line for line in lines if "Updated" in line]
    assert len(updated) == 1 and "Updated: 2 March 2024, 10:11" in updated[0]
    assert "block, label" in updated[0]
    assert any("All rights reserved." in line and "block" in line for line in lines)
    assert "Home | World | Sport" in result.output
    keyed = _invoke(runner, "sites", "--state", state, "--keys")
    assert keyed.exit_code == 0, keyed.output
    row = next(line for line in keyed.output.splitlines() if "تحديث" in line)
    assert "اخر تحديث 0" in row and "P:اخر تحديث" in row  # the keys the line is matched by


def test_evaluate_command(runner: CliRunner, tmp_path: Path) -> None:
    lines = [["content", "one two three", 0], ["share", "Share", 0]]
    truth_record = {"id": "a", "site": "s", "cluster": "c1", "lines": lines}
    truth = _write_records(tmp_path / "truth.jsonl", [truth_record])
    output = _write_records(tmp_path / "out.jsonl", [{"id": "a", "text": "one two three\n"}])
    result = _invoke(runner, "evaluate", truth, output)
    assert result.exit_code == 0, result.output
    assert "content_kept" in result.output and "1.0000" in result.output
    result = _invoke(runner, "evaluate", truth, tmp_path / "none.jsonl")
    assert result.exit_code != 0
    assert "no such file" in result.output


@pytest.mark.parametrize("stream", [False, True])
def test_a_malformed_url_is_set_aside_by_errors_skip(
    runner: CliRunner, tmp_path: Path, ar_page: str, en_page: str, stream: bool
) -> None:
    bad = [
        orjson.dumps({"id": "x1", "url": "http://[::1", "text": ar_page}),
        orjson.dumps({"id": "x2", "url": "url text of a header row", "text": en_page}),
    ]
    good = [orjson.dumps(r) for r in _good(ar_page, en_page)]
    src = _write_lines(tmp_path / "pages.jsonl", [good[0], *bad, good[1]])
    out = tmp_path / "clean.jsonl"
    state = ["--stream", "--state", str(tmp_path / "s.db")] if stream else []
    failed = _invoke(runner, "clean", src, "-o", out, *state)
    assert failed.exit_code != 0
    _no_traceback(failed)
    assert "pages.jsonl:2" in failed.output and "not a URL" in failed.output
    result = _invoke(runner, "clean", src, "-o", out, "--errors", "skip", *state)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _read_records(out)] == ["ar1", "en1"]
    assert out.with_name("clean.rejects.jsonl").read_bytes() == b"".join(line + b"\n" for line in bad)


@pytest.mark.parametrize("name", ["pages.jsonl", "pages.jsonl.gz", "pages.jsonl.zst"])
def test_records_without_ids_carry_the_ids_duplicate_of_names(
    runner: CliRunner, tmp_path: Path, news_site: NewsSite, en_page: str, name: str
) -> None:
    records = [{"url": r["url"], "text": r["text"]} for r in news_site.records()]
    records += [{"url": "https://www.bbc.co.uk/news/1", "text": en_page}] * 2  # the second a copy
    src = _write_records(tmp_path / name, records)
    out, report = tmp_path / "clean.jsonl", tmp_path / "report.html"
    result = _invoke(runner, "clean", src, "-o", out, "--report", report)
    assert result.exit_code == 0, result.output
    output = _read_records(out)
    ids = [r["dedup"]["id"] for r in output]
    # The same ids whether the input is compressed or not: the file's name without .gz/.zst.
    assert ids == [f"pages.jsonl:{n}" for n in range(1, len(records) + 1)]
    assert output[-1]["dedup"]["duplicate_of"] == "pages.jsonl:9"
    assert {r["dedup"]["duplicate_of"] for r in output} - {None} <= set(ids)
    assert "id" not in output[0]  # the record itself stays as it came
    page = report.read_text(encoding="utf-8")
    assert "pages.jsonl:10" in page and "clean.jsonl:" not in page


@pytest.mark.parametrize("name", ["pages.jsonl.gz", "pages.jsonl.zst"])
def test_a_cut_compressed_input_keeps_the_records_before_the_cut(
    runner: CliRunner, tmp_path: Path, ar_page: str, en_page: str, name: str
) -> None:
    # 500 pages: zstd writes more than one block (of 128 KiB), so the cut leaves whole blocks before.
    records = [{"id": f"p{i}", "text": ar_page if i % 2 else en_page} for i in range(500)]
    src = _write_records(tmp_path / name, records)
    data = src.read_bytes()
    src.write_bytes(data[:-40])
    out = tmp_path / "clean.jsonl"
    out.write_bytes(b"an earlier output\n")
    failed = _invoke(runner, "clean", src, "-o", out)
    assert failed.exit_code != 0
    _no_traceback(failed)
    assert f"{src}:" in failed.output and "compressed stream ends early" in " ".join(failed.output.split())
    assert out.read_bytes() == b"an earlier output\n"  # left whole
    result = _invoke(runner, "clean", src, "-o", out, "--errors", "skip")
    assert result.exit_code == 0, result.output
    kept = [r["id"] for r in _read_records(out)]
    assert 0 < len(kept) < 500 and kept == [f"p{i}" for i in range(len(kept))]
    assert f"cut short: {src}:{len(kept) + 1}: compressed stream ends early" in " ".join(
        result.output.split()
    )
