"""A small cleaned corpus for the report tests: an Arabic site, an English site, a duplicate, a <script>."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from conftest import EN_PARAGRAPHS, NewsSite

from dedup.clean import Cleaner
from dedup.run.batch import RunOptions, clean_files, learn

EN_NAV = "Home | World | Business | Sport | Contact us"
EN_FOOTER = "Copyright 2024 Riverside Courier. All rights reserved."
SCRIPT = '<script>alert("boom")</script> & <b>bold</b>'
EN_TOPICS = (
    "The harbour authority opened a new ferry terminal on the east bank after three years of building work.",
    "Local farmers reported a record apple harvest this autumn thanks to a mild spring and a dry summer.",
    "The public library will stay open until ten in the evening during the exam season, the council said.",
    f"A reader wrote in with a strange snippet that must be shown as text, never run: {SCRIPT}",
)


def english_records() -> list[dict[str, Any]]:
    """Four English pages with a shared nav bar, footer and share widget."""
    records = []
    for i, topic in enumerate(EN_TOPICS):
        body = "\n".join((topic, *EN_PARAGRAPHS[: 2 + i % 2]))
        text = f"{EN_NAV}\n{body}\nShare this article\n{EN_FOOTER}\n"
        records.append({"id": f"en{i}", "url": f"https://www.riverside.example/story/{i}", "text": text})
    return records


def corpus_records(news_site: NewsSite) -> list[dict[str, Any]]:
    """The Arabic site's eight pages, the four English ones, and a later re-fetch of the first Arabic page."""
    records: list[dict[str, Any]] = []
    for r in news_site.records():
        records.append({**r, "id": "ar-" + r["id"], "fetched_at": "2024-05-01T00:00:00Z"})
    records += english_records()
    refetch = {**records[0], "id": "ar-p0-again", "fetched_at": "2024-05-02T00:00:00Z"}
    return [*records, refetch]


def cleaned_corpus(folder: Path, news_site: NewsSite) -> tuple[Path, list[dict[str, Any]], Cleaner]:
    """Write the corpus, clean it with the library; returns the output path, its records and the cleaner."""
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "pages.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in corpus_records(news_site)))
    out = folder / "pages.cleaned.jsonl"
    cleaner = Cleaner()
    learn(cleaner, [src], RunOptions())
    clean_files(cleaner, [src], out, RunOptions())
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    return out, records, cleaner
