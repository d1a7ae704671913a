"""A Scrapy item pipeline: cleans each scraped item's text as it comes, with a persistent state.

    ITEM_PIPELINES = {"dedup.integrations.scrapy.DedupPipeline": 300}
    DEDUP_STATE = "dedup-state.db"        # or "redis://127.0.0.1:6379/0", shared by workers

An item the pipeline cannot clean (no text, text not a string, no id, or an item class without
the audit field) passes through untouched, with a warning naming it: a crawl never loses an item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dedup import Page, StreamCleaner
from dedup.page import Result, site_of

try:
    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem
except ImportError as exc:  # pragma: no cover - exercised with Scrapy hidden, in a subprocess
    raise ImportError("dedup.integrations.scrapy needs Scrapy: pip install 'dedup[scrapy]'") from exc

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DedupSettings:
    """The pipeline's settings, read once from Scrapy's (the DEDUP_* names)."""

    state: str = "dedup-state.db"
    text_field: str = "text"
    id_field: str | None = None  # None: the item's URL is its id
    url_field: str = "url"
    fetched_at_field: str | None = "fetched_at"
    drop_duplicates: bool = False
    audit_field: str | None = "dedup"  # None: no audit added to the items

    def __post_init__(self) -> None:
        if not self.state:
            raise ValueError("DEDUP_STATE is empty: give a file path or a redis:// URL")
        if not self.text_field:
            raise ValueError("DEDUP_TEXT_FIELD is empty: name the item field that holds the page text")

    @classmethod
    def from_scrapy(cls, settings: Any) -> DedupSettings:
        """The DEDUP_* values of a Scrapy Settings object (or any mapping with `get`)."""
        default = cls()
        return cls(
            state=str(settings.get("DEDUP_STATE") or default.state),
            text_field=settings.get("DEDUP_TEXT_FIELD") or default.text_field,
            id_field=settings.get("DEDUP_ID_FIELD") or default.id_field,
            url_field=settings.get("DEDUP_URL_FIELD") or default.url_field,
            fetched_at_field=settings.get("DEDUP_FETCHED_AT_FIELD", default.fetched_at_field) or None,
            drop_duplicates=_flag(settings.get("DEDUP_DROP_DUPLICATES", False)),
            audit_field=settings.get("DEDUP_AUDIT_FIELD", default.audit_field) or None,
        )


def _flag(value: Any) -> bool:
    """A Scrapy-style boolean setting: True, 1, "1", "true", "True"."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class DedupPipeline:
    """Cleans the text field of every item in place; the cleaner's state lives across crawls."""

    def __init__(self, settings: DedupSettings | None = None, stats: Any = None) -> None:
        self.settings = settings or DedupSettings()
        self.stats = stats
        self.cleaner: StreamCleaner | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        """The pipeline with the crawler's DEDUP_* settings, counting into its stats."""
        return cls(DedupSettings.from_scrapy(crawler.settings), getattr(crawler, "stats", None))

    def open_spider(self, spider: Any = None) -> None:
        """Open the state: load what earlier crawls learned, or start an empty one."""
        self.cleaner = StreamCleaner(self.settings.state)

    def close_spider(self, spider: Any = None) -> None:
        """Save the state and release it."""
        if self.cleaner is not None:
            self.cleaner.close()
            self.cleaner = None

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """The item with its text cleaned and the audit added; DropItem for a dropped duplicate."""
        if self.cleaner is None:
            raise RuntimeError("DedupPipeline.process_item called before open_spider")
        adapter = ItemAdapter(item)
        page, problem = self._page(adapter)
        if page is None:
            return self._untouched(item, adapter, problem)
        result = self.cleaner.clean(page)
        if result.duplicate_of is not None:
            self._count("dedup/duplicates")
            if self.settings.drop_duplicates:
                raise DropItem(f"dedup: {page.id} is a duplicate of {result.duplicate_of}")
        self._apply(adapter, result)
        return item

    def _page(self, adapter: ItemAdapter) -> tuple[Page | None, str]:
        """The item as a Page, or None and why it cannot be cleaned."""
        s = self.settings
        text = adapter.get(s.text_field)
        if text is None:
            return None, f"it has no {s.text_field!r} field"
        if not isinstance(text, str):
            return None, f"its {s.text_field!r} field is a {type(text).__name__}, not a string"
        if s.audit_field and not _accepts(adapter, s.audit_field):
            return None, f"its class has no {s.audit_field!r} field for the audit (declare one)"
        url = _str_or_none(adapter.get(s.url_field))
        if url is not None and site_of(url) is None:
            return None, f"its {s.url_field!r} field is not a URL with a host: {url[:60]!r}"
        page_id = _str_or_none(adapter.get(s.id_field)) if s.id_field else url
        if page_id is None:
            return None, f"it has no {s.id_field or s.url_field!r} field to identify it"
        fetched_at = adapter.get(s.fetched_at_field) if s.fetched_at_field else None
        return Page(id=page_id, text=text, url=url, site=site_of(url), fetched_at=_when(fetched_at)), ""

    def _apply(self, adapter: ItemAdapter, result: Result) -> None:
        """Write the cleaned text and the audit into the item."""
        if self.settings.audit_field:
            adapter[self.settings.audit_field] = result.audit()
        adapter[self.settings.text_field] = result.text
        self._count("dedup/cleaned")
        self._count("dedup/removed_chars", len(result.page.text) - len(result.text))

    def _untouched(self, item: Any, adapter: ItemAdapter, problem: str) -> Any:
        """Pass an item through as it came, saying why."""
        logger.warning("dedup: item %s passed through uncleaned: %s", _name(adapter, self.settings), problem)
        self._count("dedup/untouched")
        return item

    def _count(self, key: str, amount: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, amount)


def _accepts(adapter: ItemAdapter, field: str) -> bool:
    """True when the item can take a field of that name (a dict takes any)."""
    return isinstance(adapter.item, dict) or field in adapter.field_names()


def _str_or_none(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _when(value: Any) -> str | None:
    """A fetch time as text: ISO 8601 for a datetime."""
    if isinstance(value, datetime):
        return value.isoformat()
    return _str_or_none(value)


def _name(adapter: ItemAdapter, settings: DedupSettings) -> str:
    """How to name an item in a message: its id or URL, else its class and fields."""
    for field in (settings.id_field, settings.url_field):
        if field and adapter.get(field):
            return repr(str(adapter.get(field)))
    return f"{type(adapter.item).__name__} with fields {sorted(adapter.keys())}"
