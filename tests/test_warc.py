"""WARC input: HTML responses become pages, other records are skipped with a reason, broken files fail."""

from __future__ import annotations

import gzip
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from dedup.cli import app
from dedup.io import InputError, read_pages
from dedup.io.records import CutShort, Skipped
from dedup.page import Page

pytest.importorskip("fastwarc")
pytest.importorskip("selectolax")
from fastwarc.warc import WarcRecord, WarcRecordType  # noqa: E402

DATE = "2024-05-01T10:00:00Z"
PAGES = {
    "https://www.news.example/a": "<body><nav>Home | World</nav><p>First article text.</p></body>",
    "https://www.news.example/b": "<body><nav>Home | World</nav><p>Second article text.</p></body>",
}


def _record(uri: str, block: bytes, record_id: str) -> bytes:
    """One WARC response record, written by FastWARC."""
    record = WarcRecord()
    record.init_headers(WarcRecordType.response)
    record.headers["WARC-Record-ID"] = f"<urn:uuid:{record_id}>"
    record.headers["WARC-Target-URI"] = uri
    record.headers["WARC-Date"] = DATE
    record.headers["Content-Type"] = "application/http; msgtype=response"
    record.set_bytes_content(block)
    out = _Buffer()
    record.write(out)
    return bytes(out.data)


class _Buffer:
    """A minimal writable stream for FastWARC."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, b: bytes) -> int:
        self.data += b
        return len(b)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _http(content_type: str, body: bytes) -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + body


def _warc_bytes() -> bytes:
    """2 HTML responses, 1 image, 1 response whose HTTP head has a line without a colon."""
    records = [
        _record(uri, _http("text/html; charset=utf-8", html.encode()), f"0000000{i}")
        for i, (uri, html) in enumerate(PAGES.items())
    ]
    records.append(
        _record("https://www.news.example/logo.png", _http("image/png", b"\x89PNG\r\n"), "00000009")
    )
    broken = b"HTTP/1.1 200 OK\r\nContent-Type text/html\r\n\r\n<p>lost</p>"
    records.append(_record("https://www.news.example/c", broken, "00000008"))
    return b"".join(records)


@pytest.fixture()
def warc_gz(tmp_path: Path) -> Path:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(_warc_bytes()))
    return path


def test_reads_html_responses_and_skips_the_rest(warc_gz: Path) -> None:
    items = list(read_pages([warc_gz]))
    pages = [i for i in items if isinstance(i, Page)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert len(items) == 4
    assert [p.url for p in pages] == list(PAGES)
    assert pages[0].text == "Home | World\nFirst article text."
    assert pages[0].site == "news.example"
    assert pages[0].fetched_at == DATE
    assert pages[0].id == "urn:uuid:00000000"
    assert pages[0].record == {
        "id": "urn:uuid:00000000",
        "url": "https://www.news.example/a",
        "fetched_at": DATE,
        "text": pages[0].text,
        "warc_record_id": "<urn:uuid:00000000>",
    }
    assert Counter(s.reason for s in skipped) == {"not HTML": 1, "broken HTTP header": 1}
    assert skipped[0].detail == "image/png"
    assert skipped[1].source.endswith(":record 4")


def test_plain_warc_and_other_record_types(tmp_path: Path) -> None:
    request = WarcRecord()
    request.init_headers(WarcRecordType.request)
    request.set_bytes_content(b"GET / HTTP/1.1\r\nHost: news.example\r\n\r\n")
    out = _Buffer()
    request.write(out)
    path = tmp_path / "crawl.warc"
    path.write_bytes(bytes(out.data) + _warc_bytes())
    reasons = Counter(i.reason for i in read_pages([path]) if isinstance(i, Skipped))
    assert reasons["request record"] == 1


def test_truncated_record_and_crawler_truncation(tmp_path: Path) -> None:
    html = _http("text/html", b"<p>" + b"word " * 200 + b"</p>")
    whole = _record("https://news.example/x", html, "00000001")
    flagged = whole.replace(b"WARC-Type: response\r\n", b"WARC-Type: response\r\nWARC-Truncated: length\r\n")
    path = tmp_path / "cut.warc"
    path.write_bytes(flagged + whole[: len(whole) - 300])
    items = list(read_pages([path]))
    assert [(i.reason if isinstance(i, Skipped) else "page") for i in items] == [
        "truncated by the crawler",
        "truncated record",
    ]


def test_a_cut_gzip_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    # One gzip member per record, as crawlers write them; the file cut inside the third.
    members = [gzip.compress(_record(uri, _http("text/html", html.encode()), f"1{i}")) for i, (uri, html) in
               enumerate(list(PAGES.items()) * 2)]  # fmt: skip
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(b"".join(members[:2]) + members[2][:-30])
    *items, cut = list(read_pages([path]))
    assert [type(i) for i in items] == [Page, Page, Skipped]  # the third cut inside
    assert isinstance(items[2], Skipped) and items[2].reason == "truncated record"
    assert isinstance(cut, CutShort) and cut.source == f"{path}:after record 3"
    assert "truncated file?" in cut.reason


def test_a_cut_warc_under_errors_skip(runner: CliRunner, tmp_path: Path) -> None:
    members = [gzip.compress(_record(uri, _http("text/html", html.encode()), f"1{i}")) for i, (uri, html) in
               enumerate(PAGES.items())]  # fmt: skip
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(members[0] + members[1][:-30])
    out = tmp_path / "clean.jsonl"
    failed = runner.invoke(app, ["clean", str(path), "-o", str(out)])
    assert failed.exit_code != 0 and "Traceback" not in failed.output
    assert f"{path}:after record 2" in " ".join(failed.output.split()) and not out.exists()
    result = runner.invoke(app, ["clean", str(path), "-o", str(out), "--errors", "skip"])
    assert result.exit_code == 0, result.output
    assert len(out.read_bytes().splitlines()) == 1
    assert "cut short:" in result.output and f"{path}:after record 2" in " ".join(result.output.split())


def test_not_a_warc_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc"
    path.write_bytes(b"this is not a WARC file\r\n\r\n")
    with pytest.raises(InputError, match="broken WARC data"):
        list(read_pages([path]))


def test_clean_warc_through_the_cli(
    runner: CliRunner, warc_gz: Path, tmp_path: Path, squashed: Callable[[str], str]
) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(warc_gz), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [r["url"] for r in records] == list(PAGES)
    assert all(r["warc_record_id"].startswith("<urn:uuid:") and "dedup" in r for r in records)
    assert "skipped(notpages):2(notHTML1,brokenHTTPheader1)" in squashed(result.output)


def test_glob_of_warcs(runner: CliRunner, tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.warc.gz").write_bytes(gzip.compress(_warc_bytes()))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(tmp_path / "*.warc.gz"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_bytes().splitlines()) == 4


@pytest.mark.parametrize(
    ("module", "name", "extra"), [("fastwarc.warc", "a.warc", "warc"), ("pyarrow", "a.parquet", "parquet")]
)
def test_missing_extra_names_it(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    squashed: Callable[[str], str],
    module: str,
    name: str,
    extra: str,
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    path = tmp_path / name
    path.write_bytes(b"x")
    result = runner.invoke(app, ["clean", str(path), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2
    assert squashed(f"needs the '{extra}' extra: pip install 'dedup[{extra}]'") in squashed(result.output)
