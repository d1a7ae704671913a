"""The Scrapy item pipeline: real crawls of a local site, and the pipeline's handling of odd items."""

from __future__ import annotations

import dataclasses
import html
import importlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTICLES, NewsSite

from dedup import restore

scrapy = pytest.importorskip("scrapy", reason="Scrapy is missing: pip install 'dedup[scrapy]'")
from scrapy.exceptions import DropItem  # noqa: E402
from scrapy.settings import Settings  # noqa: E402

from dedup.integrations.scrapy import DedupPipeline, DedupSettings  # noqa: E402

CRAWL = Path(__file__).with_name("scrapy_crawl.py")

# The furniture of a made-up bilingual site: each line is one block element of every page.
MASTHEAD = "Sahil News — الساحل نيوز"
NAV = ("Home", "World", "Business", "الرئيسية", "أخبار محلية", "رياضة")
SHARE = ("شارك المقال مع أصدقائك على مواقع التواصل الاجتماعي", "Share this article: Facebook | X | WhatsApp")
FOOTER = ("About us | Privacy policy | Advertise with us", "© 2024 Sahil News. جميع الحقوق محفوظة")

EN_ARTICLES = (
    (
        "Harbour expansion approved",
        "The port authority approved a plan on Monday to deepen the main channel and build two new "
        "berths for container ships arriving from Asia.",
        "Work is due to start in the spring and will take three years, the authority said, with most "
        "of the cost covered by a loan from a regional development bank.",
    ),
    (
        "Rail line reopens after floods",
        "Trains returned to the coastal line on Wednesday, six weeks after floods washed away a bridge "
        "and several kilometres of track near the river delta.",
        "Engineers worked through the night to finish the new bridge, and the operator said timetables "
        "would return to normal by the end of the month.",
    ),
    (
        "Library wins national award",
        "The central library was named the best public library in the country for its reading "
        "programmes for children and its late opening hours for students.",
        "The director said the prize money would pay for a mobile library that will visit villages "
        "without a library of their own every second week.",
    ),
    (
        "Farmers test drought-resistant wheat",
        "Farmers in the southern plains are testing a new wheat variety that needs a third less water "
        "and still gives a full harvest in a dry year.",
        "Agricultural researchers will compare the yields of two hundred fields before the seed is "
        "offered to every farmer in the region next autumn.",
    ),
    (
        "New bus routes for the old town",
        "The city will add four bus routes through the old town in March, linking the markets with the "
        "university and the hospital on the northern hill.",
        "Residents asked for the routes at a public meeting last year, and the buses will run every "
        "ten minutes from early morning until midnight.",
    ),
    (
        "Museum opens its archive to the public",
        "The national museum opened its photo archive to visitors on Saturday, with more than forty "
        "thousand pictures of the city taken over a century.",
        "Volunteers spent two years scanning the glass plates and writing down what each picture shows, "
        "the museum's archivist told reporters at the opening.",
    ),
)
AR_TITLES = (
    "خطة لتطوير الأحياء القديمة",
    "فوز المنتخب الوطني لكرة اليد",
    "ارتفاع أسعار الخضروات",
    "افتتاح معرض الكتاب السنوي",
    "تحذير من أمطار غزيرة",
    "برامج جديدة للدراسات العليا",
)


@dataclasses.dataclass(frozen=True)
class Article:
    """One article of the site: where it is served and the lines that must survive cleaning."""

    path: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    date: str

    @property
    def lines(self) -> tuple[str, ...]:
        """The article's own lines: title and paragraphs."""
        return (self.title, *self.paragraphs)


def _articles() -> dict[str, Article]:
    found = {}
    for i, (title, (first, second)) in enumerate(zip(AR_TITLES, ARTICLES, strict=False)):
        found[f"ar{i}"] = Article(f"/ar/{i}.html", "ar", title, (first, second), f"الأحد {i + 3} مارس 2024")
    for i, (title, first, second) in enumerate(EN_ARTICLES):
        found[f"en{i}"] = Article(f"/en/{i}.html", "en", title, (first, second), f"Sunday {i + 3} March 2024")
    return found


ARTICLES_BY_KEY = _articles()


def _html(article: Article) -> bytes:
    """The page as the site serves it: masthead, nav list, the article, share bar, footer."""
    esc = html.escape
    direction = "rtl" if article.lang == "ar" else "ltr"
    body = "".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
    nav = "".join(f"<li>{esc(n)}</li>" for n in NAV)
    page = (
        f'<!doctype html><html lang="{article.lang}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{esc(article.title)}</title></head><body>"
        f"<header><p>{esc(MASTHEAD)}</p><nav><ul>{nav}</ul></nav></header>"
        f"<article><h1>{esc(article.title)}</h1><time>{esc(article.date)}</time>{body}</article>"
        f'<div class="share">{"".join(f"<p>{esc(s)}</p>" for s in SHARE)}</div>'
        f"<footer>{''.join(f'<p>{esc(f)}</p>' for f in FOOTER)}</footer></body></html>"
    )
    return page.encode("utf-8")


def _site_pages() -> dict[str, bytes]:
    """Every path the site serves; an Arabic and an English article also under a print URL."""
    pages = {a.path: _html(a) for a in ARTICLES_BY_KEY.values()}
    for key in ("ar1", "en5"):
        pages["/print" + ARTICLES_BY_KEY[key].path] = pages[ARTICLES_BY_KEY[key].path]
    return pages


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The made-up site served on 127.0.0.1 by http.server in a thread: its base URL."""
    pages = _site_pages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"not found")

        def log_message(self, *args: Any) -> None:
            """Quiet: the crawl's own log says what was fetched."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(params=["sqlite", "redis"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the crawls keep their state: a SQLite file in tmp_path, or the test redis-server."""
    if request.param == "redis":
        pytest.importorskip("redis", reason="redis-py is missing: pip install 'dedup[redis]'")
        return str(request.getfixturevalue("empty_redis_url"))
    return str(tmp_path / "state.db")


def url_of(site: str, key: str) -> str:
    """The URL of an article by key: "ar1", or "print:ar1" for its print copy."""
    copy, _, key = key.rpartition(":")
    return site + ("/print" if copy else "") + ARTICLES_BY_KEY[key].path


def article_of(key: str) -> Article:
    """The article behind a key, print copies included."""
    return ARTICLES_BY_KEY[key.rpartition(":")[2]]


def crawl(tmp_path: Path, name: str, urls: list[str], **settings: Any) -> list[dict[str, Any]]:
    """Run one Scrapy crawl in its own process; the items of its JSONL feed, in crawl order."""
    output = tmp_path / f"{name}.jsonl"
    config = tmp_path / f"{name}.json"
    config.write_text(json.dumps({"urls": urls, "output": str(output), "settings": settings}))
    done = subprocess.run(
        [sys.executable, str(CRAWL), str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]


def lines_of(text: str) -> set[str]:
    """The lines of a text."""
    return set(text.splitlines())


def only_the_article(item: dict[str, Any], article: Article) -> bool:
    """True when the cleaned text holds the article's lines and nothing else (its date line may stay)."""
    return lines_of(item["text"]) - {"", article.date} == set(article.lines)


def assert_article_kept_and_restorable(item: dict[str, Any], article: Article) -> None:
    """Every line of the article is in the cleaned text, and the audit restores the original."""
    assert set(article.lines) <= lines_of(item["text"]), item["url"]
    assert restore(item["text"], item["dedup"]["removed"]) == item["original"], item["url"]


def test_crawl_cleans_items_marks_the_duplicate_and_reuses_the_state(
    site: str, state: str, tmp_path: Path
) -> None:
    order = ["ar0", "en0", "ar1", "en1", "ar2", "en2", "print:ar1", "ar3", "en3"]
    urls = [url_of(site, key) for key in order]
    items = crawl(tmp_path, "first", urls, DEDUP_STATE=state)

    assert [item["url"] for item in items] == urls
    for key, item in zip(order, items, strict=True):
        assert_article_kept_and_restorable(item, article_of(key))
    # The first page of a site nobody has seen keeps its furniture, all but known widget phrases.
    assert SHARE[0] not in lines_of(items[0]["text"])
    assert set(NAV) <= lines_of(items[0]["text"])
    # Once the site has shown its furniture on a few pages, later items lose all of it.
    for key, item in zip(order[4:], items[4:], strict=True):
        assert only_the_article(item, article_of(key)), item["text"]
    # The print copy of ar1 names the first fetched copy as canonical; the others are originals.
    assert items[6]["dedup"]["duplicate_of"] == urls[2]
    assert [i for i, item in enumerate(items) if item["dedup"]["duplicate_of"]] == [6]
    assert_state_written(state)

    # A second crawl starts from what the first learned: furniture goes from its first new page,
    # and copies are dropped, of a page of this crawl (en5) as of one of the first (ar1).
    order = ["print:ar1", "ar4", "en4", "en5", "print:en5"]
    urls = [url_of(site, key) for key in order]
    items = crawl(tmp_path, "second", urls, DEDUP_STATE=state, DEDUP_DROP_DUPLICATES=True)

    assert [item["url"] for item in items] == urls[1:4]
    for key, item in zip(order[1:4], items, strict=True):
        assert_article_kept_and_restorable(item, article_of(key))
        assert only_the_article(item, article_of(key)), item["text"]


def assert_state_written(state: str) -> None:
    """The state holds what the crawl learned: a SQLite file, or keys in Redis."""
    if state.startswith("redis://"):
        import redis

        with redis.Redis.from_url(state) as client:
            assert client.dbsize() > 0
    else:
        assert Path(state).is_file() and Path(state).stat().st_size > 0


# The pipeline on its own, fed items directly.


class Stats(dict[str, int]):
    """The part of Scrapy's stats collector the pipeline uses."""

    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] = self.get(key, 0) + count


@pytest.fixture()
def pipeline(tmp_path: Path) -> Iterator[DedupPipeline]:
    """An open pipeline with a fresh SQLite state, counting into a Stats."""
    pipe = DedupPipeline(DedupSettings(state=str(tmp_path / "state.db")), Stats())
    pipe.open_spider()
    yield pipe
    pipe.close_spider()


def test_settings_are_read_from_scrapy_settings() -> None:
    settings = DedupSettings.from_scrapy(
        Settings(
            {
                "DEDUP_STATE": "redis://127.0.0.1:6390/2",
                "DEDUP_TEXT_FIELD": "body",
                "DEDUP_ID_FIELD": "key",
                "DEDUP_DROP_DUPLICATES": "True",
                "DEDUP_AUDIT_FIELD": "",
            }
        )
    )
    assert settings == DedupSettings(
        state="redis://127.0.0.1:6390/2",
        text_field="body",
        id_field="key",
        drop_duplicates=True,
        audit_field=None,
    )
    assert DedupSettings.from_scrapy(Settings()) == DedupSettings()
    with pytest.raises(ValueError, match="DEDUP_TEXT_FIELD"):
        DedupSettings(text_field="")


def test_dict_items_are_cleaned_in_place(pipeline: DedupPipeline, news_site: NewsSite) -> None:
    items = [dict(record) for record in news_site.records()]
    for item in items:
        assert pipeline.process_item(item) is item
    last = items[-1]
    assert news_site.nav not in last["text"] and news_site.footer not in last["text"]
    assert all(line in last["text"] for line in news_site.bodies[-1])
    assert restore(last["text"], last["dedup"]["removed"]) == news_site.texts[-1]
    assert pipeline.stats["dedup/cleaned"] == len(items)


def test_scrapy_items_need_the_audit_field(pipeline: DedupPipeline, news_site: NewsSite, caplog: Any) -> None:
    class Bare(scrapy.Item):
        url = scrapy.Field()
        text = scrapy.Field()

    class Audited(Bare):
        dedup = scrapy.Field()

    record = news_site.records()[0]
    bare = Bare(url=record["url"], text=record["text"])
    with caplog.at_level(logging.WARNING, logger="dedup.integrations.scrapy"):
        assert pipeline.process_item(bare) is bare
    assert bare["text"] == record["text"]
    assert record["url"] in caplog.text and "'dedup'" in caplog.text
    audited = pipeline.process_item(Audited(url=record["url"], text=record["text"]))
    assert restore(audited["text"], audited["dedup"]["removed"]) == record["text"]


def test_dataclass_items_are_cleaned(pipeline: DedupPipeline, news_site: NewsSite) -> None:
    @dataclasses.dataclass
    class Article:
        url: str
        text: str
        dedup: dict[str, Any] | None = None

    items = [Article(r["url"], r["text"]) for r in news_site.records()]
    for item in items:
        pipeline.process_item(item)
    assert items[-1].dedup is not None
    assert news_site.nav not in items[-1].text
    assert restore(items[-1].text, items[-1].dedup["removed"]) == news_site.texts[-1]


def test_items_without_text_pass_through_untouched(pipeline: DedupPipeline, caplog: Any) -> None:
    no_text = {"url": "https://www.alnahar.example/news/9", "title": "صفحة بلا نص"}
    wrong_type = {"url": "https://www.alnahar.example/news/10", "text": ["سطر", "line"]}
    no_id = {"text": "خبر بلا عنوان\n"}
    with caplog.at_level(logging.WARNING, logger="dedup.integrations.scrapy"):
        for item in (no_text, wrong_type, no_id):
            before = dict(item)
            assert pipeline.process_item(item) == before
    assert "news/9" in caplog.text and "no 'text' field" in caplog.text
    assert "news/10" in caplog.text and "list, not a string" in caplog.text
    assert "'url' field to identify it" in caplog.text
    assert pipeline.stats["dedup/untouched"] == 3


def test_duplicates_are_marked_or_dropped(tmp_path: Path, news_site: NewsSite) -> None:
    records = news_site.records()
    copy = {**records[3], "url": "https://www.alnahar.example/print/3"}
    marking = DedupPipeline(DedupSettings(state=str(tmp_path / "a.db")))
    marking.open_spider()
    out = [marking.process_item(dict(r)) for r in [*records, copy]]
    marking.close_spider()
    assert out[-1]["dedup"]["duplicate_of"] == records[3]["url"]

    dropping = DedupPipeline(DedupSettings(state=str(tmp_path / "b.db"), drop_duplicates=True))
    dropping.open_spider()
    for record in records:
        dropping.process_item(dict(record))
    with pytest.raises(DropItem, match="print/3.*duplicate of .*news/3"):
        dropping.process_item(dict(copy))
    dropping.close_spider()


def test_items_before_open_spider_are_refused() -> None:
    with pytest.raises(RuntimeError, match="before open_spider"):
        DedupPipeline().process_item({"url": "https://example.com/a", "text": "x\n"})


def test_missing_scrapy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("scrapy", "scrapy.exceptions", "itemadapter"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "dedup.integrations.scrapy")
    with pytest.raises(ImportError, match=r"pip install 'dedup\[scrapy\]'"):
        importlib.import_module("dedup.integrations.scrapy")


def test_an_item_with_a_malformed_url_passes_through(pipeline: DedupPipeline, caplog: Any) -> None:
    items = [
        {"url": "http://[::1", "text": "خبر عن الطقس اليوم\n"},
        {"url": "The council approved the new budget", "text": "The council met.\n"},
    ]
    with caplog.at_level(logging.WARNING, logger="dedup.integrations.scrapy"):
        for item in items:
            before = dict(item)
            assert pipeline.process_item(item) == before
    assert caplog.text.count("is not a URL with a host") == 2
    assert pipeline.stats["dedup/untouched"] == 2
