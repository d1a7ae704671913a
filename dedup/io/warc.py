"""WARC input (.warc, .warc.gz): HTML response records become pages; every other record is counted as skipped.

Records are read with FastWARC (the 'warc' extra). The HTTP head of a response is parsed here, strictly, so a
broken head is reported instead of being silently half-read; the HTML is turned into text by `html_to_text`.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dedup.io.html import decode_html, html_to_text
from dedup.io.records import CutShort, Fields, InputError, MissingExtraError, Skipped, cut_short_reason
from dedup.page import Page, site_of

__all__ = ["read_warc"]

_MISSING_EXTRA = "WARC input needs the 'warc' extra: pip install 'dedup[warc]'"
_HEAD_MAX = 64 << 10  # an HTTP head longer than this is broken
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_STATUS_RE = re.compile(rb"HTTP/\d(?:\.\d)? (\d{3})(?: [^\r\n]*)?")
_HEADER_RE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*?)[ \t]*")
_HEAD_END_RE = re.compile(rb"\r?\n\r?\n")
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


class _Unusable(Exception):
    """A response that cannot become a page: args are the reason category and its detail."""


def _archive_iterator() -> Any:
    """FastWARC's ArchiveIterator, imported lazily; MissingExtraError naming the extra when absent."""
    try:
        from fastwarc.warc import ArchiveIterator
        from selectolax.lexbor import LexborHTMLParser  # noqa: F401  (html_to_text needs it)
    except ImportError as exc:
        raise MissingExtraError(_MISSING_EXTRA) from exc
    return ArchiveIterator


def _open(path: Path) -> _UntilCut | io.BufferedReader:
    """The file, decompressed by Python's gzip for .gz so a truncated file is noticed (`cut`)."""
    if path.name.lower().endswith(".gz"):
        return _UntilCut(gzip.GzipFile(path, "rb"))
    return open(path, "rb")


class _UntilCut(io.RawIOBase):
    """A gzip stream read up to where the file is cut: the data before the cut is all given (one
    large read would lose it with the EOFError), then `cut` is set and the stream ends."""

    def __init__(self, stream: gzip.GzipFile) -> None:
        super().__init__()
        self.stream = stream
        self.cut = False

    def readable(self) -> bool:
        """A read-only stream."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` with what one decompression step gives; 0 at the end or at the cut."""
        if self.cut:
            return 0
        try:
            data = self.stream.read1(len(buffer))
        except EOFError:
            self.cut = True
            return 0
        buffer[: len(data)] = data
        return len(data)

    def seekable(self) -> bool:
        """FastWARC asks where it is in the stream."""
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move in the decompressed stream (forward moves decompress up to there)."""
        try:
            return self.stream.seek(offset, whence)
        except EOFError:
            self.cut = True
            return self.stream.tell()

    def tell(self) -> int:
        """The position in the decompressed stream."""
        return self.stream.tell()

    def close(self) -> None:
        """Close the gzip stream too."""
        self.stream.close()
        super().close()


def read_warc(path: Path, fields: Fields, site: str | None) -> Iterator[Page | Skipped | CutShort]:
    """A Page for each HTML response record of a WARC file, a Skipped for every other record, a
    CutShort where a compressed file ends early."""
    archive_iterator = _archive_iterator()
    n = 0
    try:
        with _open(path) as stream:
            for n, record in enumerate(archive_iterator(stream, parse_http=False), 1):
                yield _item(record, f"{path}:record {n}", fields, site)
            if isinstance(stream, _UntilCut) and stream.cut:
                # The last record read may be the cut one: it is skipped as a truncated record.
                yield CutShort(f"{path}:after record {n}", cut_short_reason(n))
    except (gzip.BadGzipFile, zlib.error) as e:
        message = f"{path}: compressed stream is corrupt after {n} records ({e}); re-copy the file"
        raise InputError(message) from e
    except OSError as e:
        if e.errno is not None:
            raise  # a real read error: the caller names it
        raise InputError(f"{path}: broken WARC data after {n} records ({e}); is it a WARC file?") from e


def _item(record: Any, source: str, fields: Fields, site: str | None) -> Page | Skipped:
    """The Page of one record, or why it is skipped."""
    warc_type = record.headers.get("WARC-Type") or "untyped"
    if warc_type != "response":
        return Skipped(source, f"{warc_type} record")
    truncated = record.headers.get("WARC-Truncated")
    if truncated:
        return Skipped(source, "truncated by the crawler", f"WARC-Truncated: {truncated}")
    try:
        html, charset = _html_payload(record)
        text = html_to_text(decode_html(html, charset))
    except _Unusable as e:
        return Skipped(source, *e.args)
    if not text:
        return Skipped(source, "no text")
    return _page(record, text, source, fields, site)


def _html_payload(record: Any) -> tuple[bytes, str | None]:
    """The HTML body of a response record and its HTTP charset; _Unusable if it is not a usable page."""
    head = record.reader.read(_HEAD_MAX)
    status, headers, body_start = _parse_head(head)
    content_type = headers.get("content-type", "")
    if not content_type.lower().startswith(_HTML_TYPES):
        raise _Unusable("not HTML", content_type or "no Content-Type")
    if not 200 <= status < 300:
        raise _Unusable(f"HTTP status {status // 100}xx", str(status))
    rest = record.reader.read()
    got = len(head) + len(rest)
    if got < record.content_length:
        raise _Unusable("truncated record", f"{got:,} of {record.content_length:,} bytes")
    body = head[body_start:] + rest
    charset = _CHARSET_RE.search(content_type)
    return _decode_body(body, headers), charset.group(1) if charset else None


def _parse_head(block: bytes) -> tuple[int, dict[str, str], int]:
    """Status, lowercased headers and body offset of an HTTP response; _Unusable if the head is broken."""
    end = _HEAD_END_RE.search(block)
    if end is None:
        raise _Unusable("broken HTTP header", "no end of the HTTP head")
    lines = block[: end.start()].split(b"\n")
    status = _STATUS_RE.fullmatch(lines[0].rstrip(b"\r"))
    if status is None:
        raise _Unusable("broken HTTP header", f"status line {lines[0][:60]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        if line[:1] in (b" ", b"\t") and headers:
            continue  # an obsolete folded continuation line
        match = _HEADER_RE.fullmatch(line)
        if match is None:
            raise _Unusable("broken HTTP header", f"line {line[:60]!r}")
        name = match.group(1).decode("ascii").lower()
        headers[name] = match.group(2).decode("latin-1")
    return int(status.group(1)), headers, end.end()


def _decode_body(body: bytes, headers: dict[str, str]) -> bytes:
    """The body without its chunked transfer coding and gzip/deflate content coding."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    encoding = headers.get("content-encoding", "identity").strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(body, wbits=47)
        if encoding == "deflate":
            return zlib.decompress(body)
    except zlib.error as e:
        raise _Unusable("broken content encoding", f"{encoding}: {e}") from e
    if encoding not in ("identity", ""):
        raise _Unusable("unsupported content encoding", encoding)
    return body


def _dechunk(body: bytes) -> bytes:
    """Join the chunks of a chunked body; _Unusable if the chunk framing is broken."""
    parts: list[bytes] = []
    pos = 0
    while True:
        eol = body.find(b"\r\n", pos)
        try:
            size = int(body[pos:eol].split(b";")[0], 16)
        except ValueError as e:
            raise _Unusable("broken chunked body", f"at byte {pos}") from e
        if eol < 0 or size == 0:
            return b"".join(parts)
        parts.append(body[eol + 2 : eol + 2 + size])
        pos = eol + 2 + size + 2


def _page(record: Any, text: str, source: str, fields: Fields, site: str | None) -> Page:
    """The Page of an HTML response; the record keeps the WARC record id, target URI and date."""
    record_id = record.headers.get("WARC-Record-ID") or ""
    url = (record.headers.get("WARC-Target-URI") or "").strip("<>") or None
    fetched_at = record.headers.get("WARC-Date") or None
    page_id = record_id.strip("<>") or source
    data = {fields.id: page_id, fields.url: url, fields.fetched_at: fetched_at, fields.text: text,
            "warc_record_id": record_id or None}  # fmt: skip
    return Page(page_id, text, url, site or site_of(url), fetched_at, data, source)
