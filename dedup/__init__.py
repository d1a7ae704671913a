"""dedup: strip site boilerplate, teasers and repeats from scraped news pages; mark near-duplicates."""

from dedup.audit import restore
from dedup.clean import Cleaner
from dedup.config import Config
from dedup.page import Kind, Page, Result, site_of
from dedup.run.stream import StreamCleaner

__version__ = "0.1.0"


def clean(text: str, site: str | None = None, url: str | None = None) -> Result:
    """Clean one page on its own (known widget phrases, in-page repeats, islands)."""
    return Cleaner().clean(Page(id="page", text=text, url=url, site=site or site_of(url)))


__all__ = [
    "Cleaner",
    "Config",
    "Kind",
    "Page",
    "Result",
    "StreamCleaner",
    "__version__",
    "clean",
    "restore",
    "site_of",
]
