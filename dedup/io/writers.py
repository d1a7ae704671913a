"""Write cleaned pages and rejected records atomically: a file is either complete or not there."""

from __future__ import annotations

import base64
import contextlib
import gzip
import os
import re
import secrets
import sys
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Protocol

import orjson
import zstandard

from dedup.io.records import DEFAULT_FIELDS, BadRecord, Fields
from dedup.page import Result

FILE_BUFFER = 1 << 20  # bytes a file's reads and writes gather: a page's line is a copy, not a system call


class _Sink(Protocol):
    """What AtomicOutput writes through: the file itself or a compressor over it."""

    def write(self, data: bytes, /) -> int: ...

    def close(self) -> None: ...


class AtomicOutput:
    """Bytes written to a temp file beside `path`, renamed onto it only if the block exits cleanly."""

    def __init__(self, path: str | Path) -> None:
        """Nothing is created until the context is entered."""
        self.path = Path(path)
        self._tmp: Path | None = None
        self._raw: BinaryIO | None = None
        self._out: _Sink | None = None

    def __enter__(self) -> AtomicOutput:
        """Create the temp file, in the same folder so the final rename stays on one filesystem."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.tmp-{secrets.token_hex(4)}")
        # os.open with 0o666 so the output gets the usual umask permissions (mkstemp would give 0600).
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self._raw = os.fdopen(fd, "wb", buffering=FILE_BUFFER)
        suffix = self.path.suffix.lower()
        if suffix == ".gz":
            # mtime=0 and the final name in the header: same input, same bytes.
            self._out = gzip.GzipFile(
                filename=self.path.name.removesuffix(suffix), mode="wb", fileobj=self._raw, mtime=0
            )
        elif suffix == ".zst":
            self._out = zstandard.ZstdCompressor().stream_writer(self._raw, closefd=False)
        else:
            self._out = self._raw
        return self

    def write(self, data: bytes) -> None:
        """Append bytes (compressed if the path says so)."""
        assert self._out is not None, "AtomicOutput used outside its `with` block"
        self._out.write(data)

    @property
    def raw(self) -> BinaryIO:
        """The temp file itself, for a writer that writes its own format (Parquet)."""
        assert self._raw is not None, "AtomicOutput used outside its `with` block"
        return self._raw

    @property
    def size(self) -> int:
        """Bytes in the temp file so far (compressed; a compressor may still hold some)."""
        return self.raw.tell()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """On success make the file durable and move it into place; on error remove the temp file."""
        assert self._tmp is not None and self._raw is not None and self._out is not None
        tmp, raw, out = self._tmp, self._raw, self._out
        self._tmp = self._raw = self._out = None
        if exc_type is not None:
            with contextlib.suppress(Exception):
                if out is not raw:
                    out.close()
            raw.close()
            tmp.unlink(missing_ok=True)
            return
        try:
            if out is not raw:
                out.close()  # writes the gzip/zstd trailer; raw stays open (closefd=False / fileobj)
            raw.flush()
            # fsync before the rename, or a crash could leave a complete name over empty content.
            os.fsync(raw.fileno())
            raw.close()
            os.replace(tmp, self.path)
        except BaseException:
            raw.close()
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(self.path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; not possible on every OS, so best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from '100MB', '1.5GiB', '500k' or '1048576' (KB, MB, GB: powers of 1000; KiB…: of 1024)."""
    match = _SIZE_RE.fullmatch(text)
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f"size {text!r}: expected a positive number and an optional unit, e.g. 100MB")
    unit = match.group(2).lower().rstrip("b")
    base = 1024 if unit.endswith("i") else 1000
    power = " kmgt".index(unit[:1] or " ")
    return int(float(match.group(1)) * base**power)


def shard_path(path: str | Path, index: int) -> Path:
    """The path of shard `index` of an output: "out.jsonl.gz" -> "out-00000.jsonl.gz"."""
    path = Path(path)
    name = path.name
    suffix = ""
    for compressed in (".gz", ".zst"):
        if name.lower().endswith(compressed):
            name, suffix = name[: -len(compressed)], compressed
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    return path.with_name(f"{stem}-{index:05d}" + (f".{ext}" if ext else "") + suffix)


class ShardedOutput:
    """Bytes to `path`, or with `shard_size` to out-00000…, out-00001… of about that size, each atomic."""

    def __init__(self, path: str | Path, shard_size: int | None = None) -> None:
        """Nothing is created until the context is entered."""
        self.path = Path(path)
        self.shard_size = shard_size
        self.paths: list[Path] = []
        self._out: AtomicOutput | None = None

    def __enter__(self) -> ShardedOutput:
        """Open the first file (an empty run still writes one)."""
        self._open()
        return self

    def _open(self) -> AtomicOutput:
        """Start the next file."""
        path = self.path if self.shard_size is None else shard_path(self.path, len(self.paths))
        self._out = AtomicOutput(path).__enter__()
        self.paths.append(path)
        return self._out

    def write(self, record: bytes) -> None:
        """Write one whole record; a full shard is closed after it, the next opened on the next write."""
        out = self._out or self._open()
        out.write(record)
        if self.shard_size is not None and out.size >= self.shard_size:
            out.__exit__(None, None, None)
            self._out = None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Finish the open file (or discard it on error)."""
        if self._out is not None:
            self._out.__exit__(exc_type, exc, tb)
            self._out = None


def json_default(value: Any) -> Any:
    """JSON for values orjson does not know: bytes as base64, decimals as strings."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write a {type(value).__name__} value as JSON")


class _Stdout:
    """Bytes to standard output, with the same `with`/write interface as AtomicOutput."""

    def __enter__(self) -> _Stdout:
        """Nothing to open."""
        return self

    def write(self, data: bytes) -> None:
        """Write bytes, bypassing the locale's text encoding: output is always UTF-8."""
        sys.stdout.buffer.write(data)

    def __exit__(self, *exc: object) -> None:
        """Flush, so the output is complete when the command returns."""
        sys.stdout.buffer.flush()


class JsonlWriter:
    """Cleaned pages as JSONL: the original record, the cleaned text, and a `dedup` audit object."""

    def __init__(self, path: str | Path | None, fields: Fields = DEFAULT_FIELDS) -> None:
        """`path` None writes to standard output."""
        self.fields = fields
        self.count = 0
        self._out: AtomicOutput | _Stdout = AtomicOutput(path) if path is not None else _Stdout()

    def __enter__(self) -> JsonlWriter:
        """Open the output."""
        self._out.__enter__()
        return self

    def write(self, result: Result) -> None:
        """One line: every original field in its order, the text replaced, then `dedup`."""
        self.write_line(result_line(result, self.fields))

    def write_line(self, line: bytes) -> None:
        """One line made by `result_line` (in a worker, say)."""
        self._out.write(line)
        self.count += 1

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Finish the output (or discard it on error)."""
        self._out.__exit__(exc_type, exc, tb)


def result_line(result: Result, fields: Fields = DEFAULT_FIELDS) -> bytes:
    """A cleaned page's JSONL line: every original field in its order, the text replaced, then `dedup`."""
    record = dict(result.page.record)
    record[fields.text] = result.text
    # Pop first so "dedup" goes last even when re-cleaning our own output.
    record.pop("dedup", None)
    record["dedup"] = result.audit()
    return orjson.dumps(record, default=json_default, option=orjson.OPT_APPEND_NEWLINE)


class RejectsWriter:
    """Rejected input lines, verbatim; the file is created only if something is rejected."""

    def __init__(self, path: str | Path) -> None:
        """Nothing is created until the first write."""
        self.path = Path(path)
        self.count = 0
        self._out: AtomicOutput | None = None

    def __enter__(self) -> RejectsWriter:
        """Opening is deferred to the first write."""
        return self

    def write(self, bad: BadRecord) -> None:
        """Copy the rejected line as it was read, so it can be fixed and fed back in."""
        if self._out is None:
            self._out = AtomicOutput(self.path).__enter__()
        self._out.write(bad.raw + b"\n")
        self.count += 1

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Finish the file if one was started."""
        if self._out is not None:
            self._out.__exit__(exc_type, exc, tb)


def rejects_path(output: str | Path) -> Path:
    """Where rejects go for an output path: "out.jsonl.gz" -> "out.rejects.jsonl"."""
    output = Path(output)
    name = output.name
    for suffix in (".gz", ".zst"):
        name = name.removesuffix(suffix)
    for suffix in (".jsonl", ".ndjson", ".json", ".txt", ".parquet"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    return output.with_name(name + ".rejects.jsonl")


class TextWriter:
    """The cleaned text alone, for a single .txt input: to a file, or standard output if no path."""

    def __init__(self, path: str | Path | None) -> None:
        """`path` None writes to standard output."""
        self.count = 0
        self._out: AtomicOutput | _Stdout = AtomicOutput(path) if path is not None else _Stdout()

    def __enter__(self) -> TextWriter:
        """Open the output."""
        self._out.__enter__()
        return self

    def write(self, result: Result) -> None:
        """Write the cleaned text as UTF-8, exactly (no newline added)."""
        self._out.write(result.text.encode("utf-8"))
        self.count += 1

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Finish the output (or discard it on error)."""
        self._out.__exit__(exc_type, exc, tb)


def open_writer(
    output: Path | None, fields: Fields = DEFAULT_FIELDS, text_mode: bool = False
) -> JsonlWriter | TextWriter:
    """A TextWriter for plain-text mode, else a JsonlWriter; `output` None means standard output."""
    return TextWriter(output) if text_mode else JsonlWriter(output, fields)
