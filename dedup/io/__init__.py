"""Reading pages in and writing cleaned pages out: JSONL (plain, .gz, .zst), .txt, WARC, Parquet, streamed."""

from dedup.io.readers import ACCEPTED_SUFFIXES, count_hint, read_pages
from dedup.io.records import (
    DEFAULT_FIELDS,
    BadRecord,
    CutShort,
    Fields,
    InputError,
    MissingExtraError,
    Skipped,
)
from dedup.io.writers import (
    AtomicOutput,
    JsonlWriter,
    RejectsWriter,
    TextWriter,
    open_writer,
    rejects_path,
)

__all__ = [
    "ACCEPTED_SUFFIXES",
    "AtomicOutput",
    "DEFAULT_FIELDS",
    "BadRecord",
    "CutShort",
    "Fields",
    "InputError",
    "MissingExtraError",
    "Skipped",
    "JsonlWriter",
    "RejectsWriter",
    "TextWriter",
    "count_hint",
    "open_writer",
    "read_pages",
    "rejects_path",
]
