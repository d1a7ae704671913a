"""The records of reading: what a reader yields besides pages, its errors, and how a parsed
record becomes a Page. Every reader (JSONL, WARC, Parquet) and the writers share them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from dedup.checks import SettingError
from dedup.page import Page, site_of

COMPRESSED_SUFFIXES = (".gz", ".zst")


@dataclass(frozen=True)
class Fields:
    """Names of the record fields the pipeline reads; everything else passes through untouched."""

    text: str = "text"
    id: str = "id"
    url: str = "url"
    fetched_at: str = "fetched_at"
    site: str = "site"

    def __post_init__(self) -> None:
        for name in ("text", "id", "url", "fetched_at", "site"):
            if not getattr(self, name):
                option = f" (--{name}-field)" if name in ("text", "id", "url") else ""
                raise SettingError(f"the {name} field name is empty: name the field that holds it{option}")
        others = {"id": self.id, "url": self.url, "fetched_at": self.fetched_at, "site": self.site}
        clash = [name for name, field in others.items() if field == self.text]
        if clash:
            raise SettingError(
                f"{self.text!r} names both the text field and the {clash[0]} field: the cleaned text "
                "replaces that field, so give the text its own field (--text-field)"
            )


DEFAULT_FIELDS = Fields()


@dataclass(frozen=True)
class BadRecord:
    """An input record that cannot be cleaned: where it is, why, and its bytes for the rejects file."""

    source: str  # "path:line" (1-based); just "path" for a .txt file
    reason: str
    raw: bytes  # the line verbatim, without its trailing newline


@dataclass(frozen=True)
class Skipped:
    """A record that is not a page (a WARC request, an image, a cut page): counted, never an error."""

    source: str  # "path:record N"
    reason: str  # a short category, for counting: "not HTML", "broken HTTP header"
    detail: str = ""  # what exactly, e.g. the content type


@dataclass(frozen=True)
class CutShort:
    """A compressed file that ends early: the records before the cut were read, the rest is lost."""

    source: str  # "path:line N" (JSONL) or "path:record N" (WARC): where the file is cut
    reason: str


class InputError(Exception):
    """A file that cannot be read at all; the message names the file and says what to do."""


class MissingExtraError(InputError):
    """An optional dependency is not installed; the message names the extra to install."""


def cut_short_reason(records: int) -> str:
    """What a CutShort says: the file ends in the middle of its compressed stream."""
    return (
        f"compressed stream ends early (truncated file?) after {records:,} records; the rest of "
        "the file is lost: re-copy or re-download it"
    )


def id_name(path: PurePath) -> str:
    """The file name a default id starts with, without .gz or .zst: a compressed copy of a file
    gives its pages the same ids (`pages.jsonl:3` from pages.jsonl and from pages.jsonl.gz)."""
    name = path.name
    for suffix in COMPRESSED_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def url_problem(record: dict[str, Any], fields: Fields) -> str | None:
    """What is wrong with a record's url field, or None: a url must name a host, the page's site."""
    url = record.get(fields.url)
    if not isinstance(url, str) or not url or site_of(url) is not None:
        return None
    shown = url if len(url) <= 60 else url[:60] + "…"
    return (
        f"field {fields.url!r} is not a URL with a host: {shown!r} "
        "(a header or text row in the wrong column? --url-field names the URL)"
    )


def page_from_record(
    record: dict[str, Any], fields: Fields, default_id: str, site: str | None, source: str
) -> Page:
    """A Page from a record whose text field is known to be a string."""
    raw_id = record.get(fields.id)
    # bool is an int in Python but not an id; an empty id would make pages collide.
    has_id = isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and raw_id != ""
    url = _str_or_none(record.get(fields.url))
    return Page(
        id=str(raw_id) if has_id else default_id,
        text=record[fields.text],
        url=url,
        site=_str_or_none(record.get(fields.site)) or site or site_of(url),
        fetched_at=_str_or_none(record.get(fields.fetched_at)),
        record=record,
        source=source,
    )


def json_type(value: Any) -> str:
    """The JSON name of a parsed value, with an article: 'a number', 'an array'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string"


def _str_or_none(value: Any) -> str | None:
    """The value if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None
