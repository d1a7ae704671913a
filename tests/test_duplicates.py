"""Near-duplicate pages: edited re-fetches, syndication, identical rows; same-story pages stay apart."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import orjson
from conftest import SMALL_SITE_ARTICLES, SMALL_SITE_FURNITURE
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from corpus.generate import short_article_corpus
from dedup._core import shared_count, star_groups
from dedup.clean import Cleaner
from dedup.cli import app
from dedup.config import Config
from dedup.duplicates import DuplicateFinder, PagePrint, article_of
from dedup.page import Page

ARTICLE = [
    "وقعت وزارة الاقتصاد اتفاقية مع شركة الكهرباء الوطنية لتوسيع شبكة الطاقة الشمسية في المحافظات "
    "الجنوبية خلال العامين المقبلين، بكلفة تقدر بنحو ثلاثمئة مليون دولار.",
    "وقال الوزير في مؤتمر صحفي إن المشروع سيوفر آلاف فرص العمل للشباب وسيخفف الضغط على محطات "
    "التوليد القديمة التي تعمل بالوقود الثقيل منذ سنوات طويلة.",
    "وأضاف أن المرحلة الأولى تشمل إنشاء ثلاث محطات كبيرة قرب المدن الصناعية، على أن تبدأ الأعمال "
    "الإنشائية مطلع الربيع المقبل بعد استكمال دراسات الأثر البيئي.",
    "ويرى خبراء في قطاع الطاقة أن الاتفاقية خطوة مهمة، لكنهم حذروا من تأخر التمويل كما حدث في "
    "مشاريع سابقة توقفت في منتصف الطريق بسبب نقص السيولة.",
]
BACKGROUND = (
    "وتعاني البلاد منذ عقد من انقطاعات متكررة في التيار الكهربائي تصل في الصيف إلى عشر ساعات يوميا، "
    "ما دفع كثيرا من الأسر إلى الاعتماد على المولدات الخاصة."
)
OTHER_STORY = [
    "أعلنت نقابة المعلمين تعليق الإضراب بعد اتفاق مع الحكومة على زيادة الرواتب بنسبة عشرة في المئة "
    "اعتبارا من الشهر المقبل، وصرف المستحقات المتأخرة على دفعتين.",
    "وقال نقيب المعلمين إن المدارس ستفتح أبوابها صباح الأحد، داعيا الأهالي إلى إرسال أبنائهم "
    "والمساعدة في تعويض ما فات الطلاب من دروس خلال أسابيع الإضراب.",
    BACKGROUND,
]


def _page(
    pid: str, paragraphs: list[str], site: str, fetched_at: str, nav: str = "الرئيسية | اقتصاد"
) -> Page:
    text = "\n".join([nav, *paragraphs, "جميع الحقوق محفوظة"]) + "\n"
    return Page(id=pid, text=text, url=f"https://{site}/{pid}", site=site, fetched_at=fetched_at)


def _groups(pages: list[Page]) -> dict[str, str]:
    finder = DuplicateFinder()
    cleaner = Cleaner()
    cleaner.learn(pages)
    for p in pages:
        finder.add(p.id, p.fetched_at, p.site or "", cleaner.clean(p).text, p.text)
    return {pages[i].id: d.canonical for i, d in finder.groups().items()}


def test_edited_refetch_is_a_duplicate_of_the_first_fetched() -> None:
    edited = [
        ARTICLE[0].replace("ثلاثمئة", "أربعمئة"),
        *ARTICLE[1:],
        "وكانت الحكومة قد أعلنت عن الخطة العام الماضي.",
    ]
    pages = [
        _page("late", edited, "news.example", "2024-03-02T10:00:00Z"),
        _page("first", ARTICLE, "news.example", "2024-03-01T08:00:00Z"),
    ]
    assert _groups(pages) == {"late": "first"}


def test_syndicated_copy_on_another_site() -> None:
    pages = [
        _page("orig", ARTICLE, "news.example", "2024-03-01T08:00:00Z"),
        _page("synd", ARTICLE, "wire.example", "2024-03-01T12:00:00Z", nav="Home | World | وكالات"),
    ]
    assert _groups(pages) == {"synd": "orig"}


def test_identical_rows_under_different_urls() -> None:
    text = "تناقل ناشطون على مواقع التواصل خبرا يدعي حظر استيراد القمح، فما مدى صحة هذا الخبر؟"
    pages = [
        Page(id=f"r{i}", text=text, url=f"https://check.example/{i}", site="check.example") for i in range(5)
    ]
    groups = _groups(pages)
    assert groups == {f"r{i}": "r0" for i in range(1, 5)}


def test_same_story_pages_stay_apart() -> None:
    pages = [
        _page("a", [*ARTICLE, BACKGROUND], "news.example", "2024-03-01T08:00:00Z"),
        _page("b", OTHER_STORY, "news.example", "2024-03-02T08:00:00Z"),
    ]
    assert _groups(pages) == {}


def test_refetch_counts_once_so_its_paragraphs_stay(tmp_path: Path) -> None:
    """Four copies of one article on a small site: its paragraphs are not the site's furniture."""
    pages = [_page(f"c{i}", ARTICLE, "news.example", f"2024-03-0{i + 1}T08:00:00Z") for i in range(4)]
    pages += [_page("other", OTHER_STORY, "news.example", "2024-03-09T08:00:00Z")]
    cleaner = Cleaner()
    assert cleaner.learn(pages) == 2
    for paragraph in ARTICLE:
        assert paragraph in cleaner.clean(pages[0]).text


def test_drop_duplicates_through_the_cli(tmp_path: Path) -> None:
    src = tmp_path / "pages.jsonl"
    records = [
        {
            "id": "first",
            "url": "https://news.example/1",
            "fetched_at": "2024-03-01T08:00:00Z",
            "text": "\n".join(ARTICLE),
        },
        {
            "id": "again",
            "url": "https://news.example/2",
            "fetched_at": "2024-03-02T08:00:00Z",
            "text": "\n".join(ARTICLE),
        },
        {
            "id": "other",
            "url": "https://news.example/3",
            "fetched_at": "2024-03-03T08:00:00Z",
            "text": "\n".join(OTHER_STORY),
        },
    ]
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    runner = CliRunner()
    marked = tmp_path / "marked.jsonl"
    assert runner.invoke(app, ["clean", str(src), "-o", str(marked)]).exit_code == 0
    out = [orjson.loads(line) for line in marked.read_bytes().splitlines()]
    assert [r["dedup"]["duplicate_of"] for r in out] == [None, "first", None]
    dropped = tmp_path / "dropped.jsonl"
    result = runner.invoke(app, ["clean", str(src), "-o", str(dropped), "--drop-duplicates"])
    assert result.exit_code == 0
    assert [orjson.loads(line)["id"] for line in dropped.read_bytes().splitlines()] == ["first", "other"]


def _short_article_pages(tmp_path: Path, n: int = 400, seed: int = 7) -> tuple[Path, dict[str, str]]:
    """A generated corpus of short articles in long furniture, and each page's true cluster."""
    pages, truths = short_article_corpus(n, seed)
    src = tmp_path / "short.jsonl"
    src.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pages))
    return src, {t["id"]: t["cluster"] for t in truths}


def _marks(src: Path, out: Path, *options: str) -> dict[str, tuple[str | None, float | None]]:
    """Page id -> (duplicate_of, similarity) of a `dedup clean` run."""
    result = CliRunner().invoke(app, ["clean", str(src), "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    return {r["id"]: (r["dedup"]["duplicate_of"], r["dedup"]["similarity"]) for r in records}


def _pairs(groups: dict[str, str]) -> set[frozenset[str]]:
    """The page pairs that share a group (groups: page -> its group's name)."""
    members: dict[str, list[str]] = {}
    for page, group in groups.items():
        members.setdefault(group, []).append(page)
    return {frozenset((a, b)) for ms in members.values() for i, a in enumerate(ms) for b in ms[i + 1 :]}


def test_short_articles_in_long_furniture_are_grouped_only_with_their_copies(tmp_path: Path) -> None:
    """A long blurb, comment form and teaser list on every page of a site are no evidence: distinct
    one-line articles stay apart; re-fetches and syndicated copies are found."""
    src, cluster = _short_article_pages(tmp_path)
    marks = _marks(src, tmp_path / "out.jsonl")
    predicted = _pairs({page: canonical or page for page, (canonical, _) in marks.items()})
    true = _pairs(cluster)
    assert len(true) >= 60
    precision = len(predicted & true) / len(predicted)
    recall = len(predicted & true) / len(true)
    assert precision >= 0.99 and recall >= 0.99, (precision, recall)
    assert all(0.7 <= s <= 1.0 for c, s in marks.values() if c is not None and s is not None)
    assert all((c is None) == (s is None) for c, s in marks.values())


def test_a_sections_blurb_on_a_large_site_is_no_evidence() -> None:
    """A blurb on 40 of a site's 340 pages (one section's) is the site's, though under a fifth of
    its pages: the section's different short claims are not grouped by it; its stored copies are."""
    rng = random.Random(5)
    vocabulary = " ".join(ARTICLE + OTHER_STORY).replace("،", "").replace(".", "").split()
    blurb = " ".join(rng.choice(vocabulary) for _ in range(60))
    finder = DuplicateFinder()
    for i in range(340):
        article = " ".join(rng.choice(vocabulary) for _ in range(12 if i < 40 else 80))
        text = f"{article}\nاقرأ التصحيح\n{blurb}\n" if i < 40 else article + "\n"
        finder.add(f"p{i:03}", None, "claims.example", text, text)
    claim = f"ادعاء مكرر عن أسعار القمح في الأسواق المحلية هذا الأسبوع\nاقرأ التصحيح\n{blurb}\n"
    finder.add("copy-1", None, "claims.example", claim, claim)
    finder.add("copy-2", None, "claims.example", claim, claim + " ")
    groups = {i: d.canonical for i, d in finder.groups().items()}
    assert groups == {341: "copy-1"}


def test_groups_are_stars_not_chains() -> None:
    """A ≈ B and B ≈ C, but C is far from A: C does not join A's group through B."""
    words = [f"w{i}" for i in range(120)]
    a, b, c = " ".join(words[:60]), " ".join(words[10:70]), " ".join(words[20:80])
    finder = DuplicateFinder(threshold=0.6)
    for i, text in enumerate((a, b, c)):
        finder.add(f"p{i}", f"2024-01-0{i + 1}", f"site{i}.example", text, text)
    groups = finder.groups()
    assert {i: d.canonical for i, d in groups.items()} == {1: "p0"}
    assert 0.6 <= groups[1].similarity < 1


def test_a_page_joins_the_most_similar_earlier_canonical_page_the_first_on_a_tie() -> None:
    """Stars as every executor places them: a page identical to an earlier one joins that page's
    group; else the most similar earlier canonical page it is near (the first placed on a tie); a
    page in a group is never compared again."""
    sims = {(0, 1): 0.85, (0, 2): 0.9, (1, 2): 0.95, (0, 3): 0.9, (1, 3): 0.9, (3, 4): 0.9, (1, 4): 0.99}
    near: dict[int, list[int]] = {}
    for i, j in sims:
        near.setdefault(i, []).append(j)
        near.setdefault(j, []).append(i)
    keys = {0: [("page", 7)], 2: [("page", 8)], 5: [("page", 7)], 6: [("article", 9), ("page", 8)]}
    compared: list[tuple[int, int]] = []

    def similar(i: int, j: int) -> float | None:
        compared.append((i, j))
        return sims.get((min(i, j), max(i, j)))

    placed = star_groups([0, 4, 1, 2, 3, 5, 6], keys, near, similar)
    assert placed == {1: (4, 0.99), 2: (0, 0.9), 3: (0, 0.9), 5: (0, 1.0), 6: (0, 0.9)}
    assert list(placed) == [1, 2, 3, 5, 6]
    assert (3, 1) not in compared and (2, 1) not in compared


def test_every_executor_gives_the_same_groups(tmp_path: Path) -> None:
    """One grouping: one worker, two workers and a stream run make the same groups. The stream run
    names as canonical the first page it places; the pages of a site wait for evidence before they
    are placed, so a syndicated copy may be named instead of the first fetched."""
    src, _ = _short_article_pages(tmp_path, 300, seed=3)
    one = _marks(src, tmp_path / "one.jsonl", "--workers", "1")
    two = _marks(src, tmp_path / "two.jsonl", "--workers", "2")
    stream = _marks(src, tmp_path / "stream.jsonl", "--stream", "--state", str(tmp_path / "s.db"))
    assert sum(c is not None for c, _ in one.values()) >= 40
    assert one == two

    def groups(marks: dict[str, tuple[str | None, float | None]]) -> set[frozenset[str]]:
        return _pairs({page: canonical or page for page, (canonical, _) in marks.items()})

    assert groups(stream) == groups(one)


def _furniture_lines(lang: str) -> list[str]:
    return [line for part in SMALL_SITE_FURNITURE[lang] for line in part.splitlines()]


def test_a_small_sites_different_articles_in_its_long_furniture_both_count(
    small_site_records: list[dict[str, str]],
) -> None:
    """Two pages of a two-page site, each its own article in the same long furniture, lie mostly
    inside each other as they came (containment over the rule's, Jaccard under the threshold).
    Learning counts both, as a site too small to know its furniture must: the furniture goes, every
    line of both articles stays, and the cleaned pages are no duplicates."""
    pages = [
        Page(id=r["id"], text=r["text"], url=r["url"], fetched_at=r["fetched_at"]) for r in small_site_records
    ]
    config = Config()
    for originals, expected in ((False, {1: "ar1", 3: "en1"}), (True, {})):
        finder = DuplicateFinder(
            config.settings, config.duplicate_threshold, config.duplicate_rule, originals
        )
        for p in pages:
            finder.add(p.id, p.fetched_at, p.site or "", p.text, p.text)
        assert {i: d.canonical for i, d in finder.groups().items()} == expected
    cleaner = Cleaner(config)
    assert cleaner.learn(pages) == 4
    for page in pages:
        lang, n = page.id[:2], int(page.id[2:]) - 1
        kept = cleaner.clean(page).text.splitlines()
        title, paragraphs = SMALL_SITE_ARTICLES[lang][n]
        assert kept == [title, *paragraphs], page.id
    assert _groups(pages) == {}


def test_every_executor_counts_a_small_sites_pages_alike(
    small_site_records: list[dict[str, str]], tmp_path: Path
) -> None:
    """One worker, two workers and a stream run: no page of the small sites is a copy, and each
    site's second page (the stream's first with evidence) loses its furniture alike."""
    src = tmp_path / "small.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in small_site_records))
    texts = {}
    for name, options in (
        ("one", ["--workers", "1"]),
        ("two", ["--workers", "2"]),
        ("stream", ["--stream", "--state", str(tmp_path / "s.db")]),
    ):
        out = tmp_path / f"{name}.jsonl"
        assert set(_marks(src, out, *options).values()) == {(None, None)}, name
        texts[name] = {r["id"]: r["text"] for r in map(orjson.loads, out.read_bytes().splitlines())}
    assert texts["one"] == texts["two"]
    for page in ("ar2", "en2"):
        assert texts["stream"][page] == texts["one"][page]
        assert not set(texts["one"][page].splitlines()) & set(_furniture_lines(page[:2]))


_HASHES = st.lists(st.integers(0, 2**32 - 1), unique=True, max_size=60)


@given(_HASHES, _HASHES, st.integers(0, 60))
def test_an_article_is_its_shingles_less_the_common_ones(
    shingles: list[int], common: list[int], shared: int
) -> None:
    """In the order of the shingles, by a binary search in the sorted common ones: as numpy's set
    difference makes it."""
    common_ = np.unique(np.array(common + shingles[:shared], np.uint32))
    print_ = PagePrint("a.example", np.array(shingles, np.uint32), None)
    expected = np.setdiff1d(print_.shingles, common_, assume_unique=True)
    assert article_of(print_, common_).tolist() == expected.tolist()


@given(_HASHES, _HASHES, st.integers(0, 60))
def test_the_core_counts_the_shingles_two_articles_share_as_numpy_does(
    a: list[int], b: list[int], shared: int
) -> None:
    """In one pass over both sorted articles (`similarity` reads it): numpy's set intersection."""
    one = np.unique(np.array(a, np.uint32))
    other = np.unique(np.array(b + a[:shared], np.uint32))
    expected = len(np.intersect1d(one, other, assume_unique=True))
    assert shared_count(one.tobytes(), other.tobytes()) == expected
