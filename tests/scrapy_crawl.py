"""One Scrapy crawl for tests/test_scrapy.py, run in its own process (a Twisted reactor cannot restart).

    python tests/scrapy_crawl.py CONFIG.json

CONFIG holds `urls` (visited one after the other, in that order), `output` (a JSONL feed) and
`settings` (the DEDUP_* settings and any other Scrapy setting).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess

# One line per block element, as a scraper extracting text would give it.
BLOCKS = "//body//*[self::h1 or self::h2 or self::p or self::li or self::time]"


class ChainSpider(scrapy.Spider):
    """Visits its URLs one after the other, so the items reach the pipeline in a known order."""

    name = "chain"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> Any:
        """The first URL (Scrapy 2.13 and later)."""
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        """The first URL (Scrapy before 2.13)."""
        yield scrapy.Request(self.urls[0], cb_kwargs={"index": 0})

    def parse(self, response: Any, index: int) -> Iterator[Any]:
        """The page as an item with its text, then the next URL."""
        lines = [" ".join(" ".join(el.xpath(".//text()").getall()).split()) for el in response.xpath(BLOCKS)]
        text = "\n".join(line for line in lines if line) + "\n"
        title = response.css("title::text").get()
        yield {"url": response.url, "title": title, "text": text, "original": text}
        if index + 1 < len(self.urls):
            yield scrapy.Request(self.urls[index + 1], cb_kwargs={"index": index + 1})


def main(config_path: str) -> None:
    """Run one crawl as the config says."""
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    settings = {
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 1,
        "LOG_LEVEL": "INFO",
        "ITEM_PIPELINES": {"dedup.integrations.scrapy.DedupPipeline": 300},
        "FEEDS": {Path(config["output"]).as_uri(): {"format": "jsonlines", "encoding": "utf8"}},
        **config["settings"],
    }
    process = CrawlerProcess(settings)
    process.crawl(ChainSpider, urls=config["urls"])
    process.start()


if __name__ == "__main__":
    main(sys.argv[1])
