"""Near-duplicate pages: edited re-fetches, syndication, identical rows; same-story pages stay apart."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from dedup.clean import Cleaner
from dedup.cli import app
from dedup.detect.duplicates import DuplicateFinder
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
