"""Read pages from JSONL (plain, .gz, .zst), .txt, WARC and Parquet files, folders and globs, streamed."""

from __future__ import annotations

import codecs
import glob
import gzip
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePath
from typing import NamedTuple

import orjson
import zstandard

from dedup.io.records import (
    COMPRESSED_SUFFIXES,
    DEFAULT_FIELDS,
    BadRecord,
    CutShort,
    Fields,
    InputError,
    Skipped,
    cut_short_reason,
    id_name,
    json_type,
    page_from_record,
    url_problem,
)
from dedup.io.writers import FILE_BUFFER
from dedup.page import Page

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


WARC_SUFFIXES = (".warc", ".warc.gz")


ACCEPTED_SUFFIXES = tuple(s + c for s in JSONL_SUFFIXES for c in ("", *COMPRESSED_SUFFIXES)) + (
    ".txt",
    *WARC_SUFFIXES,
    ".parquet",
)


# Scrapers often export tables: what to do with one instead.
_TABLE_HINT = (
    "; write the table as JSON lines, one object per row (Scrapy: -o pages.jsonl; pandas:"
    " to_json(lines=True, orient='records')), and name its columns with --text-field, --url-field"
)
_GLOB_CHARS = ("*", "?", "[")


_CHUNK = 1 << 16


class JsonlLine(NamedTuple):
    """A JSONL record as read, not parsed yet (`read_records`): a run on workers parses it where
    its page is worked on."""

    line: bytes
    path: PurePath
    lineno: int  # 1-based
    fields: Fields
    site: str | None

    def parse(self) -> Page | BadRecord:
        """Its Page, or a BadRecord saying what is wrong with it."""
        return _parse_line(*self)


def read_pages(
    paths: Sequence[str | Path], fields: Fields = DEFAULT_FIELDS, site: str | None = None
) -> Iterator[Page | BadRecord | Skipped | CutShort]:
    """Yield a Page, BadRecord or Skipped for every record of every path (or glob), in the order
    given, and a CutShort where a compressed file ends early."""
    for item in read_records(paths, fields, site):
        yield item.parse() if isinstance(item, JsonlLine) else item


def read_records(
    paths: Sequence[str | Path], fields: Fields = DEFAULT_FIELDS, site: str | None = None
) -> Iterator[Page | BadRecord | Skipped | CutShort | JsonlLine]:
    """`read_pages`, with the JSONL records left unparsed (`JsonlLine`)."""
    # Check every path before reading any: a typo in the last path should not wait for the first to finish.
    inputs = [(Path(p), _expand(Path(p))) for p in paths]
    for path, files in inputs:
        # A folder's .txt pages are the site it is named after, even in subfolders (e.g. by date).
        txt_site = site or (path.resolve().name or None if path.is_dir() else None)
        for f in files:
            yield from _read_file(f, fields, site, txt_site)


def count_hint(paths: Sequence[str | Path]) -> int:
    """Total size in bytes of the input files (compressed size for .gz/.zst), for a progress bar."""
    total = 0
    for p in paths:
        try:
            files = _expand(Path(p))
        except InputError:
            continue
        total += sum(f.stat().st_size for f in files)
    return total


def input_files(paths: Sequence[str | Path]) -> list[Path]:
    """Every file the paths stand for (folders walked, globs expanded), in reading order."""
    return [f for p in paths for f in _expand(Path(p))]


def record_fields(path: Path) -> list[str] | None:
    """The field names of a file's first record (a Parquet file's columns), or None when the file
    has no such record to look at (WARC, text, an empty file, no valid record in its first lines)."""
    kind = _kind(path)
    if kind == "parquet":
        from dedup.io.parquet import column_names

        return column_names(path)
    if kind is None or not kind.startswith("jsonl"):
        return None
    try:
        for n, line in enumerate(_lines(path)):
            try:
                record = orjson.loads(line.removeprefix(codecs.BOM_UTF8))
            except orjson.JSONDecodeError:
                record = None
            if isinstance(record, dict):
                return list(record)
            if n >= 10:
                break
    except (OSError, EOFError, zlib.error, zstandard.ZstdError, _TruncatedError):
        pass  # reading the file reports what is wrong with it
    return None


def is_glob(path: str | Path) -> bool:
    """True for a path that does not exist as written but holds glob characters (* ? [)."""
    text = str(path)
    return any(c in text for c in _GLOB_CHARS) and not Path(path).exists()


def _kind(path: Path) -> str | None:
    """'txt', 'jsonl[.gz|.zst]', 'warc[.gz]' or 'parquet' from the file name, or None if not accepted."""
    name = path.name.lower()
    for suffix in (".txt", *WARC_SUFFIXES, ".parquet"):
        if name.endswith(suffix):
            return suffix[1:]
    for comp in ("", *COMPRESSED_SUFFIXES):
        if any(name.endswith(s + comp) for s in JSONL_SUFFIXES):
            return "jsonl" + comp
    return None


def _dir_files(folder: Path) -> list[Path]:
    """The readable files under a folder, recursively, sorted by path."""
    return sorted(f for f in folder.rglob("*") if f.is_file() and _kind(f) is not None)


def _expand(path: Path) -> list[Path]:
    """The files a path stands for; InputError if it names nothing readable."""
    if is_glob(path):
        return _glob_files(path)
    if path.is_dir():
        files = _dir_files(path)
        if not files:
            raise InputError(
                f"{path}: folder has no page files ({', '.join(ACCEPTED_SUFFIXES)}); "
                "point at the folder that holds the pages"
            )
        return files
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if _kind(path) is None:
        hint = _TABLE_HINT if path.suffix.lower() in (".csv", ".tsv") else ""
        raise InputError(
            f"{path}: unknown file type; accepted: {', '.join(ACCEPTED_SUFFIXES)} or a folder of them{hint}"
        )
    return [path]


def _glob_files(pattern: Path) -> list[Path]:
    """The readable files a glob matches (folders among the matches walked), sorted; InputError if none."""
    files: list[Path] = []
    for match in sorted(glob.glob(str(pattern), recursive=True)):
        path = Path(match)
        files += _dir_files(path) if path.is_dir() else [path] if _kind(path) else []
    if not files:
        raise InputError(f"{pattern}: no file matches ({', '.join(ACCEPTED_SUFFIXES)})")
    return files


def _read_file(
    path: Path, fields: Fields, site: str | None, txt_site: str | None
) -> Iterator[Page | BadRecord | Skipped | CutShort | JsonlLine]:
    """One file, by its suffix; `txt_site` is the site of a .txt page, `site` the fallback for records."""
    # Imported here, not at the top: they import their optional dependencies (warcio, pyarrow).
    from dedup.io.parquet import read_parquet
    from dedup.io.warc import read_warc

    kind = _kind(path)
    try:
        if kind == "txt":
            yield _read_txt(path, txt_site)
        elif kind in ("warc", "warc.gz"):
            yield from read_warc(path, fields, site)
        elif kind == "parquet":
            yield from read_parquet(path, fields, site)
        else:
            yield from _read_jsonl(path, fields, site)
    except OSError as e:  # permissions, a disk error: still a message, not a traceback
        reason = e.strerror or str(e)
        raise InputError(f"{path}: cannot read ({reason}); check the file and its permissions") from e


def _read_txt(path: Path, site: str | None) -> Page | BadRecord:
    """A .txt file is one page; its parent folder names the site unless `site` is given."""
    # The whole file is one page's text, so it is read at once.
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return BadRecord(
            str(path),
            f"not valid UTF-8 ({_bad_byte(e)}); if it is Arabic Windows text, convert it with "
            f"`iconv -f cp1256 -t utf-8 {path} > {path.stem}.utf8.txt`",
            data,
        )
    # A BOM is an encoding marker some editors add, not page text.
    text = text.removeprefix("\ufeff")
    page_id = path.stem
    # Any page file given on its own is in some folder; resolve so "page.txt" gets the cwd name.
    folder = path.resolve().parent.name or None
    return Page(
        id=page_id,
        text=text,
        site=site or folder,
        record={"id": page_id, "text": text},
        source=str(path),
    )


def _read_jsonl(path: Path, fields: Fields, site: str | None) -> Iterator[JsonlLine | CutShort]:
    """One record per line, unparsed; a cut compressed stream a CutShort after the records before
    the cut, a corrupt one an InputError."""
    records = lineno = 0
    try:
        for lineno, line in enumerate(_lines(path), start=1):
            item = jsonl_line(line, path, lineno, fields, site)
            if item is not None:
                records += 1
                yield item
    except (EOFError, _TruncatedError):
        yield CutShort(f"{path}:{lineno + 1}", cut_short_reason(records))
    except (gzip.BadGzipFile, zlib.error, zstandard.ZstdError) as e:
        raise InputError(
            f"{path}: compressed stream is corrupt after {records} records ({e}); "
            "check that the suffix matches the compression and re-copy the file"
        ) from e


def jsonl_record(
    line: bytes, path: PurePath, lineno: int, fields: Fields, site: str | None
) -> Page | BadRecord | None:
    """The Page (or BadRecord) of line `lineno` (1-based) of a JSONL file; None for a blank line."""
    unparsed = jsonl_line(line, path, lineno, fields, site)
    return None if unparsed is None else unparsed.parse()


def jsonl_line(
    line: bytes, path: PurePath, lineno: int, fields: Fields, site: str | None
) -> JsonlLine | None:
    """Line `lineno` (1-based) of a JSONL file, unparsed; None for a blank line."""
    if lineno == 1 and line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8) :]
    if not line.strip():
        return None
    return JsonlLine(line, path, lineno, fields, site)


def _parse_line(
    line: bytes, path: PurePath, lineno: int, fields: Fields, site: str | None
) -> Page | BadRecord:
    """A Page from one JSONL line, or a BadRecord saying what is wrong with it."""
    source = f"{path}:{lineno}"
    raw = line  # verbatim, a CRLF file's \r included, so the rejects file matches the input
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        try:
            # orjson's UTF-8 error does not say where the bad byte is: decoding does.
            line.decode("utf-8")
        except UnicodeDecodeError as bad:
            return BadRecord(source, f"not valid UTF-8 ({_bad_byte(bad)})", raw)
        return BadRecord(source, f"invalid JSON: {e.msg} at column {e.colno}", raw)
    if not isinstance(record, dict):
        return BadRecord(source, f"a line must be a JSON object, got {json_type(record)}", raw)
    if fields.text not in record:
        names = ", ".join(list(record)[:12]) or "none"
        return BadRecord(
            source, f"missing field {fields.text!r} (its fields: {names}; --text-field names the text)", raw
        )
    text = record[fields.text]
    if not isinstance(text, str):
        return BadRecord(source, f"field {fields.text!r} is {json_type(text)}, expected a string", raw)
    if problem := url_problem(record, fields):
        return BadRecord(source, problem, raw)
    return page_from_record(record, fields, f"{id_name(path)}:{lineno}", site, source)


class _TruncatedError(Exception):
    """A .zst file ends in the middle of a frame."""


def _lines(path: Path) -> Iterator[bytes]:
    """The lines of a file, decompressed, without their trailing newline, one at a time."""
    suffix = path.suffix.lower()
    if suffix == ".zst":
        yield from _split_lines(_zstd_chunks(path))
        return
    # A plain file is read through a large buffer: a page's line is then a copy, not several reads.
    with gzip.open(path, "rb") if suffix == ".gz" else open(path, "rb", buffering=FILE_BUFFER) as f:
        for line in f:
            yield line.removesuffix(b"\n")


def _zstd_chunks(path: Path) -> Iterator[bytes]:
    """Decompressed chunks of a .zst file; raises _TruncatedError if the last frame is cut short."""
    # zstandard's stream_reader quietly stops at a cut frame, so track frame ends with decompressobj.
    dctx = zstandard.ZstdDecompressor()
    dobj = dctx.decompressobj()
    in_frame = False
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            while chunk:
                in_frame = True
                out = dobj.decompress(chunk)
                if out:
                    yield out
                chunk = b""
                if dobj.eof:
                    # Concatenated frames (pzstd, `cat a.zst b.zst`) are one valid stream.
                    in_frame = False
                    chunk = dobj.unused_data
                    dobj = dctx.decompressobj()
    if in_frame:
        raise _TruncatedError(str(path))


def _split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Split a stream of chunks into lines without their newline."""
    pending: list[bytes] = []  # pieces of a line that spans chunks; joined once to stay linear
    for chunk in chunks:
        parts = chunk.split(b"\n")
        if len(parts) == 1:
            pending.append(chunk)
            continue
        pending.append(parts[0])
        yield b"".join(pending)
        yield from parts[1:-1]
        pending = [parts[-1]]
    tail = b"".join(pending)
    if tail:
        yield tail


def _bad_byte(e: UnicodeDecodeError) -> str:
    """'byte 0xff at offset 17' for a decode error."""
    return f"byte 0x{e.object[e.start]:02x} at offset {e.start}"
