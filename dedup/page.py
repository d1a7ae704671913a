"""The types that travel through the pipeline: Page, Block, Decision, Removal, Result."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from dedup._core import utf8_size as core_utf8_size

_HOST_PREFIXES = ("www.", "m.", "amp.")
# Letters of any script (internationalized hosts), digits, hyphens, and a dot between labels; an
# IPv6 address; or localhost. A bare word is not taken for a host: it is a header row's "url".
_HOST = re.compile(r"[\w-]+(\.[\w-]+)+\.?|[0-9a-f:.]*:[0-9a-f:.]*|localhost")


# An http(s) URL whose host is plain ASCII, maybe with a port: its host read off at once, as
# urlsplit reads it (a property test holds the two the same).
_PLAIN_URL = re.compile(r"https?://([A-Za-z0-9.-]+)(?::[0-9]*)?(?=[/?#]|\Z)")


@functools.lru_cache(maxsize=256)  # a record's URL is read twice: checked, then made its page's site
def site_of(url: str | None) -> str | None:
    """The site of a URL: its host, lowercased, without `www.`, `m.` or `amp.`; None when the URL
    has no host or cannot be parsed (an unclosed `[`, a word or text where the host should be)."""
    if not url:
        return None
    plain = _PLAIN_URL.match(url)
    host = plain.group(1).lower() if plain else split_host(url)
    if host is None or not _HOST.fullmatch(host):
        return None
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    return host or None


def split_host(url: str) -> str | None:
    """A URL's host as `urllib.parse.urlsplit` reads it, lowercased ("" for none); None where it
    cannot be parsed."""
    try:
        return urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:  # "http://[::1": urlsplit refuses a bracket never closed
        return None


_QUERY_OR_FRAGMENT = re.compile(r"[?#]")  # a URL's path runs to either
_REMOVED_FROM_URL = re.compile(r"[\t\r\n]")  # urlsplit takes these out before reading a URL


def url_path(url: str) -> str | None:
    """A URL's path as `urllib.parse.urlsplit` reads it, read off at once for a plain http(s) URL
    (a property test holds the two the same); None where the URL cannot be parsed."""
    plain = _PLAIN_URL.match(url)
    if plain is not None and _REMOVED_FROM_URL.search(url) is None:
        end = _QUERY_OR_FRAGMENT.search(url, plain.end())
        return url[plain.end() : end.start() if end else len(url)]
    try:
        return urlsplit(url).path
    except ValueError:  # "http://[::1/a": a bracket never closed
        return None


def utf8_size(text: str) -> int:
    """The text's size in UTF-8 bytes, a lone surrogate (a page given to the library may hold one)
    counted as three: counted by the Rust core, not encoded (each page is counted once a pass)."""
    return len(text) if text.isascii() else core_utf8_size(text)


@dataclass(frozen=True)
class Page:
    """One scraped page: its text, where it came from, and the record it was read from."""

    id: str
    text: str
    url: str | None = None
    site: str | None = None
    fetched_at: str | None = None
    record: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    source: str = ""  # "file:line", for error messages

    def __post_init__(self) -> None:
        # A page made with only a url belongs to the url's site, not to the one site of all such pages.
        if self.site is None and self.url:
            object.__setattr__(self, "site", site_of(self.url))


class Unparsed(Protocol):
    """A record read but not parsed yet (a JSONL line): a run on workers parses it where its page is
    worked on, not where it is read."""

    def parse(self) -> object:
        """Its Page, or what is wrong with the record (anything but a Page)."""
        ...


class Block(NamedTuple):
    """A span of the page text: a whole line with its line break, or a sentence of a long line.
    A tuple, never changed once made (`with_line_words` makes another): a page makes one per line
    or sentence several times over, and the Rust core reads its fields by position."""

    start: int
    end: int
    key: str  # normalized text, for matching
    line: int  # index of the physical line it belongs to
    whole_line: bool  # False for a sentence cut out of a line
    line_words: int  # words of the whole line: a sentence of a paragraph is judged as the paragraph
    words: int  # words of the key (`key_words`), counted once: detectors ask for it again and again
    shape: str  # the key with numbers and dates as slots (`normalize.shape`): the key where it has none

    def with_line_words(self, line_words: int) -> Block:
        """The same block, its line holding this many words."""
        return Block(
            self.start, self.end, self.key, self.line, self.whole_line, line_words, self.words, self.shape
        )


def blocks_of(rows: Iterable[tuple[int, int, str, int, bool, int, int, str]]) -> list[Block]:
    """Blocks from rows of their fields in order (the Rust core's), each made without a call of
    Python code."""
    return list(map(_block_of_row, rows))


_block_of_row = functools.partial(tuple.__new__, Block)


class Kind(StrEnum):
    """Why a span goes: the `kind` of a decision and of its audit record."""

    SITE_BOILERPLATE = "site-boilerplate"  # a block or run a site repeats on many of its pages
    TEMPLATE = "template"  # a label the site repeats, with its varying slot
    WIDGET = "widget"  # a known share, follow, newsletter, cookie or print phrase, or --pattern
    READ_ALSO = "read-also"  # a "read also" link with its title
    REPEAT = "repeat"  # a passage the page repeats (a teaser card, a doubled paragraph)
    ISLAND = "island"  # short lines stranded between removed blocks


SITE_FURNITURE = frozenset({Kind.SITE_BOILERPLATE, Kind.TEMPLATE})  # furniture by the site's own pages


@dataclass(slots=True)
class Decision:
    """A detector's verdict on one span: it goes, why (`kind`), and on what evidence. Never changed
    once made; not frozen, like `Block`: a page makes dozens."""

    start: int
    end: int
    kind: Kind
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Removal:
    """A span removed from the original text, with its text so the original can be restored. Never
    changed once made; not frozen, like `Block`."""

    start: int
    end: int
    kind: str
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The audit record of design.md."""
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "text": self.text,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Result:
    """A cleaned page: the cleaned text, what was removed, and the page it duplicates, if any,
    with the similarity of their articles."""

    page: Page
    text: str
    removed: tuple[Removal, ...] = ()
    duplicate_of: str | None = None
    similarity: float | None = None

    def audit(self) -> dict[str, Any]:
        """The `dedup` object written next to the cleaned text; `id` is the page's id as
        `duplicate_of` names it, also when the record has no id field (then `file:line`)."""
        return {
            "id": self.page.id,
            "removed": [r.to_dict() for r in self.removed],
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
        }
