"""Readers and writers: JSONL (plain, .gz, .zst), .txt pages and folders, rejects, atomic output."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.io import (
    AtomicOutput,
    BadRecord,
    CutShort,
    Fields,
    InputError,
    JsonlWriter,
    RejectsWriter,
    TextWriter,
    count_hint,
    open_writer,
    read_pages,
    rejects_path,
)
from dedup.page import _PLAIN_URL, Page, Removal, Result, site_of, split_host, url_path

ARABIC = "أعلنت وزارة الصحة اليوم عن حملة تطعيم جديدة في جميع المحافظات.\nتابعونا على فيسبوك\n"
ENGLISH = "The council approved the new budget on Tuesday.\nRead more: related stories\n"

RECORDS: list[dict[str, Any]] = [
    {
        "id": 17,
        "url": "https://www.aljazeera.net/news/1",
        "text": ARABIC,
        "lang": "ar",
        "score": 0.75,
        "tags": ["صحة", "محلي"],
        "meta": {"words": 12, "paywall": False},
        "author": None,
    },
    {
        "url": "https://m.bbc.co.uk/news/2",
        "lang": "en",
        "text": ENGLISH,
        "fetched_at": "2024-05-01T10:00:00Z",
    },
]


def _write_jsonl(path: Path, lines: list[bytes]) -> Path:
    """Write raw lines, compressed according to the suffix."""
    data = b"".join(line + b"\n" for line in lines)
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def _records_file(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    return _write_jsonl(path, [orjson.dumps(r) for r in records])


def _read_back(path: Path) -> list[dict[str, Any]]:
    """Parse an output file, whatever its compression."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return [orjson.loads(line) for line in data.splitlines()]


def _pages(items: list[Page | BadRecord]) -> list[Page]:
    assert all(isinstance(i, Page) for i in items), items
    return [i for i in items if isinstance(i, Page)]


def _bad(items: list[Page | BadRecord]) -> list[BadRecord]:
    return [i for i in items if isinstance(i, BadRecord)]


# --- JSONL round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".json.gz"])
def test_round_trip_keeps_other_fields_types_and_order(tmp_path: Path, suffix: str) -> None:
    src = _records_file(tmp_path / f"in{suffix}", RECORDS)
    out = tmp_path / f"out{suffix}"
    pages = _pages(list(read_pages([src])))
    assert [p.text for p in pages] == [ARABIC, ENGLISH]

    removed = Removal(start=63, end=len(ARABIC), kind="boilerplate", text="تابعونا على فيسبوك\n")
    with JsonlWriter(out) as w:
        w.write(Result(pages[0], ARABIC[:63], removed=(removed,)))
        w.write(Result(pages[1], ENGLISH, duplicate_of="17", similarity=0.93))

    back = _read_back(out)
    for original, written in zip(RECORDS, back, strict=True):
        assert list(written) == [*original, "dedup"]  # original keys in order, then dedup
        for key, value in original.items():
            if key != "text":
                assert written[key] == value and type(written[key]) is type(value)
    assert back[0]["text"] == ARABIC[:63]
    assert back[0]["dedup"] == {
        "id": "17",
        "removed": [removed.to_dict()],
        "duplicate_of": None,
        "similarity": None,
    }
    assert back[1]["dedup"] == {
        "id": pages[1].id,
        "removed": [],
        "duplicate_of": "17",
        "similarity": 0.93,
    }


def test_output_keeps_arabic_as_utf8(tmp_path: Path) -> None:
    src = _records_file(tmp_path / "in.jsonl", RECORDS[:1])
    out = tmp_path / "out.jsonl"
    with JsonlWriter(out) as w:
        for page in _pages(list(read_pages([src]))):
            w.write(Result(page, page.text))
    raw = out.read_bytes()
    assert "وزارة الصحة".encode() in raw and b"\\u" not in raw


def test_page_fields(tmp_path: Path) -> None:
    src = _records_file(tmp_path / "in.jsonl", RECORDS)
    first, second = _pages(list(read_pages([src])))
    assert (first.id, first.url, first.site, first.fetched_at) == (
        "17",
        "https://www.aljazeera.net/news/1",
        "aljazeera.net",
        None,
    )
    assert first.record == RECORDS[0]
    assert first.source == f"{src}:1"
    assert second.id == "in.jsonl:2"  # no id field: file name and line
    assert second.site == "bbc.co.uk"  # m. stripped
    assert second.fetched_at == "2024-05-01T10:00:00Z"


def test_custom_field_names(tmp_path: Path) -> None:
    record = {
        "doc_id": "a-1",
        "body": ARABIC,
        "link": "https://amp.alarabiya.net/x",
        "crawled": "2024-01-02",
        "domain": "",
        "text": "not the page text",
    }
    src = _records_file(tmp_path / "in.jsonl", [record])
    fields = Fields(text="body", id="doc_id", url="link", fetched_at="crawled", site="domain")
    (page,) = _pages(list(read_pages([src], fields)))
    assert (page.id, page.text, page.url, page.fetched_at) == ("a-1", ARABIC, record["link"], "2024-01-02")
    assert page.site == "alarabiya.net"  # empty site field: falls back to the URL, amp. stripped

    out = tmp_path / "out.jsonl"
    with JsonlWriter(out, fields) as w:
        w.write(Result(page, "cleaned"))
    (written,) = _read_back(out)
    assert written["body"] == "cleaned" and written["text"] == "not the page text"


def test_site_precedence(tmp_path: Path) -> None:
    records = [
        {"text": ENGLISH, "url": "https://www.reuters.com/a", "site": "Reuters"},
        {"text": ENGLISH, "url": "https://www.reuters.com/b"},
        {"text": ENGLISH},
    ]
    src = _records_file(tmp_path / "in.jsonl", records)
    assert [p.site for p in _pages(list(read_pages([src])))] == ["Reuters", "reuters.com", None]
    given = _pages(list(read_pages([src], site="wire")))
    assert [p.site for p in given] == ["Reuters", "wire", "wire"]  # the record's own site wins


def test_blank_lines_skipped_and_line_numbers_kept(tmp_path: Path) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", [b"", orjson.dumps({"text": ARABIC}), b"   ", b'{"text": 1}'])
    items = list(read_pages([src]))
    assert len(items) == 2
    assert isinstance(items[0], Page) and items[0].id == "in.jsonl:2"
    assert isinstance(items[1], BadRecord) and items[1].source == f"{src}:4"


def test_many_paths_in_order(tmp_path: Path) -> None:
    b = _records_file(tmp_path / "b.jsonl", [{"id": "b", "text": ENGLISH}])
    a = _records_file(tmp_path / "a.jsonl.gz", [{"id": "a", "text": ARABIC}])
    assert [p.id for p in _pages(list(read_pages([b, str(a)])))] == ["b", "a"]
    assert count_hint([b, a]) == b.stat().st_size + a.stat().st_size


def test_reading_is_lazy_but_paths_are_checked_first(tmp_path: Path) -> None:
    src = _records_file(tmp_path / "in.jsonl.zst", [{"text": f"page {i}"} for i in range(3)])
    it = read_pages([src])
    assert [next(it).text for _ in range(3)] == ["page 0", "page 1", "page 2"]  # type: ignore[union-attr]
    with pytest.raises(InputError, match="missing.jsonl: no such file"):
        next(read_pages([src, tmp_path / "missing.jsonl"]))


def test_zstd_lines_across_chunks_and_frames(tmp_path: Path) -> None:
    records = [{"id": i, "text": ARABIC * (i % 50 + 1)} for i in range(400)]
    data = b"".join(orjson.dumps(r) + b"\n" for r in records)
    half = data.index(b"\n", len(data) // 2) + 1
    cctx = zstandard.ZstdCompressor()
    src = tmp_path / "in.jsonl.zst"
    src.write_bytes(cctx.compress(data[:half]) + cctx.compress(data[half:]))  # two frames, like `cat`
    pages = _pages(list(read_pages([src])))
    assert [p.text for p in pages] == [r["text"] for r in records]


# --- bad records --------------------------------------------------------------------------------


def test_malformed_json_line(tmp_path: Path) -> None:
    line = b'{"id": 1, "text": "ok"'
    src = _write_jsonl(tmp_path / "in.jsonl", [orjson.dumps({"text": ENGLISH}), line])
    items = list(read_pages([src]))
    assert isinstance(items[0], Page)
    (bad,) = _bad(items)
    assert bad.source == f"{src}:2"
    assert bad.reason.startswith("invalid JSON:") and "column" in bad.reason
    assert bad.raw == line


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            b'{"id": 1, "body": "x"}',
            "missing field 'text' (its fields: id, body; --text-field names the text)",
        ),
        (b'{"text": 42}', "field 'text' is a number, expected a string"),
        (b'{"text": null}', "field 'text' is null, expected a string"),
        (b'{"text": ["a"]}', "field 'text' is an array, expected a string"),
        (b'["text"]', "a line must be a JSON object, got an array"),
    ],
)
def test_invalid_records(tmp_path: Path, line: bytes, reason: str) -> None:
    src = _write_jsonl(tmp_path / "in.jsonl", [line])
    (bad,) = _bad(list(read_pages([src])))
    assert (bad.source, bad.reason, bad.raw) == (f"{src}:1", reason, line)


def test_invalid_utf8_line(tmp_path: Path) -> None:
    line = b'{"text": "' + "خبر".encode("cp1256") + b'"}'
    src = _write_jsonl(tmp_path / "in.jsonl.gz", [orjson.dumps({"text": ARABIC}), line])
    items = list(read_pages([src]))
    (bad,) = _bad(items)
    assert bad.source == f"{src}:2"
    assert bad.reason == f"not valid UTF-8 (byte 0x{line[10]:02x} at offset 10)"
    assert bad.raw == line


# --- .txt pages and folders ---------------------------------------------------------------------


def test_txt_page(tmp_path: Path) -> None:
    folder = tmp_path / "aljazeera"
    folder.mkdir()
    page_file = folder / "story-1.txt"
    page_file.write_bytes(b"\xef\xbb\xbf" + ARABIC.replace("\n", "\r\n").encode())
    (page,) = _pages(list(read_pages([page_file])))
    assert page.text == ARABIC.replace("\n", "\r\n")  # BOM stripped, bytes otherwise exact
    assert (page.id, page.site, page.url) == ("story-1", "aljazeera", None)
    assert page.record == {"id": "story-1", "text": page.text}
    (page,) = _pages(list(read_pages([page_file], site="aljazeera.net")))
    assert page.site == "aljazeera.net"


def test_txt_folder(tmp_path: Path) -> None:
    folder = tmp_path / "alarabiya"
    (folder / "2024").mkdir(parents=True)
    (folder / "b.txt").write_text(ENGLISH, encoding="utf-8")
    (folder / "a.txt").write_text(ARABIC, encoding="utf-8")
    (folder / "2024" / "c.txt").write_text(ARABIC + ENGLISH, encoding="utf-8")
    (folder / "notes.md").write_text("ignored", encoding="utf-8")
    pages = _pages(list(read_pages([folder])))
    assert [p.id for p in pages] == ["c", "a", "b"]  # sorted by path: 2024/c.txt first
    assert [p.site for p in pages] == ["alarabiya"] * 3  # the given folder names the site
    assert [p.site for p in read_pages([folder], site="x")] == ["x", "x", "x"]  # type: ignore[union-attr]


def test_folder_with_jsonl(tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    folder.mkdir()
    _records_file(folder / "a.jsonl.gz", RECORDS)
    (folder / "b.txt").write_text(ENGLISH, encoding="utf-8")
    pages = _pages(list(read_pages([folder])))
    assert [p.site for p in pages] == ["aljazeera.net", "bbc.co.uk", "dump"]  # JSONL keeps URL sites
    assert count_hint([folder]) == sum(f.stat().st_size for f in folder.iterdir())


def test_txt_cp1256(tmp_path: Path) -> None:
    data = "أخبار اليوم".encode("cp1256")
    page_file = tmp_path / "old.txt"
    page_file.write_bytes(data)
    (bad,) = _bad(list(read_pages([page_file])))
    assert bad.raw == data
    assert bad.source == str(page_file)
    assert "not valid UTF-8" in bad.reason and "offset 0" in bad.reason
    assert "iconv -f cp1256 -t utf-8" in bad.reason


# --- input errors -------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError, match="nope.jsonl: no such file"):
        list(read_pages([missing]))


def test_empty_folder_and_unknown_suffix(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: folder has no page files"):
        list(read_pages([tmp_path / "empty"]))
    csv = tmp_path / "pages.csv"
    csv.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pages\.csv: unknown file type; accepted: .*as JSON lines"):
        list(read_pages([csv]))
    (tmp_path / "pages.xml").write_text("<page/>", encoding="utf-8")
    with pytest.raises(InputError, match=r"pages\.xml: unknown file type.*of them$"):  # no table's hint
        list(read_pages([tmp_path / "pages.xml"]))


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_empty_file_has_no_pages(tmp_path: Path, suffix: str) -> None:
    src = tmp_path / f"in{suffix}"
    src.write_bytes(b"")
    assert list(read_pages([src])) == []


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_truncated_compressed_file(tmp_path: Path, suffix: str) -> None:
    src = _records_file(tmp_path / f"in{suffix}", [{"id": i, "text": ARABIC * 20} for i in range(300)])
    data = src.read_bytes()
    src.write_bytes(data[: len(data) * 2 // 3])
    *items, cut = list(read_pages([src]))
    assert isinstance(cut, CutShort)
    assert len(items) > 100 and all(isinstance(i, Page) for i in items)
    assert [p.id for p in _pages(items)] == [str(i) for i in range(len(items))]
    assert cut.source == f"{src}:{len(items) + 1}"
    assert cut.reason.startswith(f"compressed stream ends early (truncated file?) after {len(items)} records")


def test_corrupt_gzip(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl.gz"
    src.write_bytes(orjson.dumps({"text": ENGLISH}))  # plain JSON under a .gz name
    with pytest.raises(InputError, match="in.jsonl.gz: compressed stream is corrupt"):
        list(read_pages([src]))


# --- writers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"])
def test_atomic_output_on_error_leaves_nothing(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    with pytest.raises(RuntimeError), AtomicOutput(out) as f:
        f.write(ARABIC.encode())
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_keeps_existing_file_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"previous run\n")
    with pytest.raises(KeyboardInterrupt), AtomicOutput(out) as f:
        f.write(b"half a line")
        assert out.read_bytes() == b"previous run\n"  # nothing visible while writing
        raise KeyboardInterrupt
    assert out.read_bytes() == b"previous run\n"
    assert list(tmp_path.iterdir()) == [out]


def test_atomic_output_replaces_on_success(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "out.txt.gz"
    with AtomicOutput(out) as f:
        f.write(ARABIC.encode())
    assert gzip.decompress(out.read_bytes()).decode() == ARABIC
    assert [p.name for p in out.parent.iterdir()] == ["out.txt.gz"]


def test_rejects_writer(tmp_path: Path) -> None:
    nothing = tmp_path / "none.rejects.jsonl"
    with RejectsWriter(nothing):
        pass
    assert not nothing.exists()

    cp1256_line = b'{"text": "' + "خبر".encode("cp1256") + b'"}'
    src = _write_jsonl(tmp_path / "in.jsonl", [b'{"text": 1}', b"not json\r", cp1256_line])
    rejects = tmp_path / "out.rejects.jsonl"
    with RejectsWriter(rejects) as w:
        for item in read_pages([src]):
            assert isinstance(item, BadRecord)
            w.write(item)
    assert w.count == 3
    assert rejects.read_bytes() == src.read_bytes()  # verbatim, invalid bytes and \r included


def test_rejects_path() -> None:
    assert rejects_path(Path("out.jsonl.gz")) == Path("out.rejects.jsonl")
    assert rejects_path(Path("dir/out.jsonl")) == Path("dir/out.rejects.jsonl")
    assert rejects_path(Path("out.jsonl.zst")) == Path("out.rejects.jsonl")
    assert rejects_path(Path("out")) == Path("out.rejects.jsonl")


def test_text_writer(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    page = Page(id="p", text=ARABIC)
    out = tmp_path / "clean.txt"
    with TextWriter(out) as w:
        w.write(Result(page, ARABIC[:63]))
    assert out.read_text(encoding="utf-8") == ARABIC[:63]

    with TextWriter(None) as w:
        w.write(Result(page, ARABIC))
    assert capsysbinary.readouterr().out == ARABIC.encode()


def test_open_writer(tmp_path: Path) -> None:
    assert isinstance(open_writer(tmp_path / "a.txt", Fields(), text_mode=True), TextWriter)
    assert isinstance(open_writer(None, Fields(), text_mode=True), TextWriter)
    assert isinstance(open_writer(tmp_path / "a.jsonl", Fields(), text_mode=False), JsonlWriter)


@pytest.mark.parametrize(
    "url", ["http://[::1", "url", "أعلنت وزارة الصحة اليوم", "The council approved the new budget"]
)
def test_a_url_without_a_host_is_a_bad_record(tmp_path: Path, url: str) -> None:
    line = orjson.dumps({"url": url, "text": ARABIC})
    good = orjson.dumps({"url": "https://www.alnahar.example/news/1", "text": ENGLISH})
    src = _write_jsonl(tmp_path / "in.jsonl", [good, line])
    items = list(read_pages([src]))
    assert isinstance(items[0], Page) and items[0].site == "alnahar.example"
    (bad,) = _bad(items)
    assert (bad.source, bad.raw) == (f"{src}:2", line)
    assert bad.reason.startswith("field 'url' is not a URL with a host: ")


def test_a_page_made_with_a_url_gets_its_site() -> None:
    from dedup import Cleaner

    pages = [
        Page(id="ar", text=ARABIC, url="https://www.aljazeera.net/news/1"),
        Page(id="en", text=ENGLISH, url="https://m.bbc.co.uk/news/2"),
        Page(id="given", text=ENGLISH, url="https://www.bbc.co.uk/news/3", site="BBC"),
        Page(id="broken", text=ARABIC, url="http://[::1"),
    ]
    assert [p.site for p in pages] == ["aljazeera.net", "bbc.co.uk", "BBC", None]
    cleaner = Cleaner()
    cleaner.learn(pages)
    assert {"aljazeera.net", "bbc.co.uk"} <= set(cleaner.model.sites)


_SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", "https:/", "ftp://", " http://", "//"])
_HOST_PARTS = st.lists(
    st.sampled_from(
        ["www.", "m.", "Example", "news.site", "-", ".", "عربي", "xn--mgbh0fb", "@", "[::1]", "[::1", "%41"]
    ),
    max_size=4,
)
_AFTER_HOST = st.lists(
    st.sampled_from(
        ["/", "/path", "?q=1", "#top", ":80", ":", "\\x", " ", "\t", "\n", "@other.org/", ":80:90"]
    ),
    max_size=3,
)


@settings(max_examples=1000, deadline=None)
@given(_SCHEMES, _HOST_PARTS, _AFTER_HOST)
def test_a_urls_host_is_read_as_urlsplit_reads_it(scheme: str, host: list[str], after: list[str]) -> None:
    """The host of a plain http(s) URL, read off at once, is urlsplit's: its site is the same."""
    url = scheme + "".join(host) + "".join(after)
    plain = _PLAIN_URL.match(url)
    if plain is not None:
        assert plain.group(1).lower() == split_host(url)


@settings(max_examples=1000, deadline=None)
@given(_SCHEMES, _HOST_PARTS, _AFTER_HOST, _AFTER_HOST)
def test_a_urls_path_is_read_as_urlsplit_reads_it(
    scheme: str, host: list[str], after: list[str], more: list[str]
) -> None:
    """The path of any URL, read off at once where it is a plain http(s) one, is urlsplit's (None
    where urlsplit refuses it)."""
    url = scheme + "".join(host) + "".join(after) + "/news-of-the-day" + "".join(more)
    try:
        expected: str | None = urlsplit(url).path
    except ValueError:
        expected = None
    assert url_path(url) == expected


def test_the_site_of_a_url() -> None:
    assert site_of("https://www.Aljazeera.net:443/news/1?x#y") == "aljazeera.net"
    assert site_of("https://amp.alarabiya.net") == "alarabiya.net"
    assert site_of("http://[::1") is None  # a bracket never closed
    assert site_of("https://عربي.example/خبر") == "عربي.example"  # not plain: read by urlsplit
    assert site_of("news") is None  # a word, not a host
