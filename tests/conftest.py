"""Shared fixtures: the repository root, the reference page, small Arabic and English pages, a CLI runner,
a private redis-server."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.page import Page
from dedup.segment import Words, words_with_offsets

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_PAGE = ROOT / "corpus" / "reference" / "page.txt"
DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus" / "pages.jsonl"
REDIS_SCRIPT = ROOT / "scripts" / "redis.sh"

# Three article paragraphs in Arabic, each long enough (> 16 words) to be body text.
AR_PARAGRAPHS = (
    "أعلنت وزارة الصحة اليوم عن إطلاق حملة وطنية واسعة لتطعيم الأطفال في جميع المحافظات "
    "خلال الشهر المقبل بمشاركة آلاف المتطوعين.",
    "وقال المتحدث باسم الوزارة إن الحملة تستهدف أكثر من مليوني طفل دون سن الخامسة، "
    "وإن فرق التطعيم ستزور المنازل والمدارس ورياض الأطفال.",
    "وأضاف أن اللقاحات وصلت إلى المخازن المركزية الأسبوع الماضي، وأن توزيعها على المراكز "
    "الصحية في القرى البعيدة بدأ منذ يومين.",
)
AR_TITLE = "وزارة الصحة تطلق حملة تطعيم وطنية"

EN_PARAGRAPHS = (
    "The city council approved a new budget on Tuesday that raises spending on public schools "
    "and road repairs by twelve percent.",
    "Council members said the plan would be paid for by a small increase in property taxes "
    "and by cutting administrative costs at city hall.",
    "The mayor is expected to sign the budget next week, after a final public hearing at the "
    "town hall on Monday evening.",
)
EN_TITLE = "Council approves school budget"


def _page(title: str, paragraphs: tuple[str, ...]) -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


AR_PAGE = _page(AR_TITLE, AR_PARAGRAPHS)
EN_PAGE = _page(EN_TITLE, EN_PARAGRAPHS)


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def reference_path() -> Path:
    """corpus/reference/page.txt: one real scraped Arabic page."""
    if not REFERENCE_PAGE.exists():
        pytest.skip(f"{REFERENCE_PAGE} is missing")
    return REFERENCE_PAGE


@pytest.fixture(scope="session")
def reference_text(reference_path: Path) -> str:
    """The text of the reference page, exactly as stored."""
    return reference_path.read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def ar_page() -> str:
    """A small clean Arabic article: title, blank line, three paragraphs."""
    return AR_PAGE


@pytest.fixture(scope="session")
def en_page() -> str:
    """A small clean English article: title, blank line, three paragraphs."""
    return EN_PAGE


@pytest.fixture(scope="session")
def ar_paragraphs() -> tuple[str, ...]:
    """The paragraphs of the Arabic page."""
    return AR_PARAGRAPHS


@pytest.fixture(scope="session")
def en_paragraphs() -> tuple[str, ...]:
    """The paragraphs of the English page."""
    return EN_PARAGRAPHS


@pytest.fixture()
def runner() -> CliRunner:
    """A CLI runner with a wide terminal, so messages are not wrapped in the middle of a path."""
    return CliRunner(env={"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})


def squash(text: str) -> str:
    """Text with all whitespace removed: a message stays findable however the console wrapped it."""
    return "".join(text.split())


@pytest.fixture(scope="session")
def squashed() -> Callable[[str], str]:
    """The `squash` helper, for tests that check console messages."""
    return squash


# A made-up site: eight articles with the same nav bar, a date line that varies, and a footer.
NAV = "الرئيسية | أخبار محلية | اقتصاد | رياضة | ثقافة | اتصل بنا"
FOOTER_LINKS = "من نحن | سياسة الخصوصية | أعلن معنا"
FOOTER = "© 2024 جريدة النهار الجديد - الإدارة والتحرير"
MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس"]
ARTICLES = [
    (
        "أقر المجلس البلدي مساء أمس خطة شاملة لتطوير الأحياء القديمة تشمل "
        "ترميم المباني التراثية وتوسيع الشوارع الضيقة.",
        "وتبلغ كلفة المرحلة الأولى من الخطة نحو أربعين مليون دينار تمولها البلدية بالشراكة مع صندوق التنمية.",
    ),
    (
        "فاز المنتخب الوطني لكرة اليد على نظيره الضيف بفارق ثلاثة أهداف في "
        "المباراة الودية التي أقيمت على الصالة المغطاة.",
        "وأشاد المدرب بأداء اللاعبين الشبان وقال إن الفريق يحتاج إلى مزيد من التحضير قبل البطولة القارية.",
    ),
    (
        "ارتفعت أسعار الخضروات في الأسواق المركزية خلال الأسبوع الماضي بسبب "
        "موجة البرد التي ضربت مناطق الإنتاج الزراعي.",
        "وطالب تجار الجملة الحكومة بفتح باب الاستيراد مؤقتا لتعويض النقص في المعروض وتهدئة الأسعار.",
    ),
    (
        "افتتح وزير الثقافة معرض الكتاب السنوي بمشاركة مئات دور النشر العربية "
        "والأجنبية وحضور جمهور كبير من القراء.",
        "ويتضمن برنامج المعرض ندوات فكرية وأمسيات شعرية وورشا للأطفال تستمر حتى نهاية الشهر الجاري.",
    ),
    (
        "حذرت هيئة الأرصاد الجوية من أمطار غزيرة متوقعة على المناطق الساحلية "
        "قد تؤدي إلى سيول في الأودية المنخفضة.",
        "ودعت الهيئة السائقين إلى توخي الحذر وتجنب السفر ليلا إلا للضرورة القصوى حتى تنتهي الحالة الجوية.",
    ),
    (
        "أعلنت جامعة المدينة عن فتح باب التسجيل في برامج الدراسات العليا "
        "الجديدة في تخصصات الذكاء الاصطناعي والطاقة المتجددة.",
        "وأوضح رئيس الجامعة أن البرامج صممت بالتعاون مع شركات محلية لضمان حصول الخريجين على فرص عمل مناسبة.",
    ),
    (
        "وقعت غرفة التجارة اتفاقية تعاون مع نظيرتها في دولة مجاورة لتسهيل "
        "تبادل السلع وتنظيم معارض مشتركة للمنتجات الوطنية.",
        "ويتوقع خبراء اقتصاديون أن تسهم الاتفاقية في مضاعفة حجم الصادرات الصناعية "
        "خلال السنوات الخمس المقبلة.",
    ),
    (
        "استقبل مستشفى الشفاء أول دفعة من الأجهزة الطبية الحديثة ضمن مشروع "
        "تطوير أقسام الطوارئ والعناية المركزة في المحافظة.",
        "وقال مدير المستشفى إن الأجهزة ستخفض فترات الانتظار وتتيح إجراء عمليات دقيقة لم تكن متاحة من قبل.",
    ),
]
# Background of one story, told again on two of the eight pages: content, not boilerplate.
BACKGROUND = (
    "وتعود جذور الأزمة إلى عام ألفين وعشرين حين توقفت أعمال الصيانة في معظم مرافق المدينة "
    "بسبب نقص التمويل وتراجع الإيرادات المحلية بشكل حاد."
)
BACKGROUND_PAGES = (2, 5)


@dataclass(frozen=True)
class NewsSite:
    """A made-up site: eight pages sharing a nav bar, a varying date line and a two-line footer."""

    name: str
    nav: str
    footer_links: str
    footer: str
    background: str
    background_pages: tuple[int, ...]
    texts: tuple[str, ...]  # full page texts
    bodies: tuple[tuple[str, ...], ...]  # the article lines of each page

    def pages(self) -> list[Page]:
        """The pages as dedup Pages of this site."""
        return [Page(id=f"p{i}", text=t, site=self.name) for i, t in enumerate(self.texts)]

    def records(self) -> list[dict[str, str]]:
        """The pages as JSONL records with an id and a URL on the site."""
        return [
            {"id": f"p{i}", "url": f"https://www.{self.name}/news/{i}", "text": t}
            for i, t in enumerate(self.texts)
        ]


def _news_site() -> NewsSite:
    texts, bodies = [], []
    for i, (first, second) in enumerate(ARTICLES):
        date = f"الأحد {i + 3} {MONTHS[i]} 2024 - {10 + i}:{15 + i}"
        body = (first, BACKGROUND, second) if i in BACKGROUND_PAGES else (first, second)
        texts.append("\n".join([NAV, date, *body, FOOTER_LINKS, FOOTER]) + "\n")
        bodies.append(body)
    return NewsSite(
        "alnahar.example",
        NAV,
        FOOTER_LINKS,
        FOOTER,
        BACKGROUND,
        BACKGROUND_PAGES,
        tuple(texts),
        tuple(bodies),
    )


def dated_sites(news_site: NewsSite) -> list[dict[str, str]]:
    """The news site with a date line under its nav bar, and an English site with one too."""
    records = []
    for i, record in enumerate(news_site.records()):
        dated = f"{news_site.nav}\nآخر تحديث: {12 + i} مارس 2024"
        records.append({**record, "text": record["text"].replace(news_site.nav, dated, 1)})
    articles = [
        "The council approved the new school budget after a long debate on Tuesday evening.",
        "Heavy rain flooded the lower town and closed the bridge for most of the day.",
        "The museum reopened its east wing with a show of river paintings from the last century.",
        "Local farmers expect a late harvest after the coldest spring in twenty years.",
        "A new bus line will link the station to the hospital from the first of May.",
        "The football club signed two young players from the city's own academy.",
    ]
    for i, article in enumerate(articles):
        dated = f"Updated: {i + 1} March 2024, 10:{10 + i}"
        text = f"Home | World | Sport\n{dated}\n{article}\nAll rights reserved.\n"
        records.append({"id": f"c{i}", "url": f"https://courier.example/{i}", "text": text})
    return records


@pytest.fixture(scope="session")
def news_site() -> NewsSite:
    """Eight Arabic pages of one made-up site (see NewsSite)."""
    return _news_site()


def _redis_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(REDIS_SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on 127.0.0.1 (scripts/redis.sh), up for the session: its URL, db 0."""
    workdir = tmp_path_factory.mktemp("redis")
    try:
        started = _redis_script("start", str(workdir))
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"redis-server cannot be started: {exc}")
    if started.returncode != 0:
        reason = started.stderr.strip() or f"exit {started.returncode}"
        pytest.skip(f"redis-server cannot be started: {reason}")
    try:
        yield started.stdout.strip()
    finally:
        _redis_script("stop", str(workdir))


@pytest.fixture()
def empty_redis_url(redis_url: str) -> str:
    """The session's redis-server with its database emptied first, so each test starts clean."""
    redis = pytest.importorskip("redis", reason="redis-py is missing: pip install 'dedup[redis]'")
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    return redis_url


def gram_counts(text: str, seen: dict[str, int]) -> tuple[Words, list[int]]:
    """The words of a text, and a site's pages of each word 3-gram as a detector is given them:
    `pages` for the 3-grams inside each phrase seen, 1 (this page alone) elsewhere."""
    words = words_with_offsets(text)
    counts = [1] * (len(words.words) - 2)
    for phrase, pages in seen.items():
        first = list(words.starts).index(text.index(phrase))
        for k in range(first, first + len(words_with_offsets(phrase).words) - 2):
            counts[k] = pages
    return words, counts


# Two small sites (two pages each, Arabic and English) whose different articles sit in the same long
# furniture: a nav bar, a "most read" list and a footer, more words than the article.
SMALL_SITE_FURNITURE = {
    "ar": (
        "الرئيسية\nأخبار\nسياسة\nاقتصاد\nرياضة\nثقافة\nصحة\nتكنولوجيا\nمنوعات\nرأي\nفيديو\nصور\nالطقس\n"
        "الأرشيف\nبحث\nاشترك\nالنشرة البريدية\nتسجيل الدخول",
        "الأكثر قراءة\n"
        "عاصفة تقطع الكهرباء عن آلاف المنازل في المدن الساحلية الشمالية\n"
        "المنتخب يفوز بالبطولة بعد مباراة مثيرة حسمها في الوقت الإضافي\n"
        "علماء يعثرون على جليد مائي قرب القطب الجنوبي للقمر\n"
        "افتتاح جناح جديد في مستشفى الأطفال لعلاج الأمراض النادرة\n"
        "أسعار الخضروات ترتفع للشهر الثالث على التوالي في الأسواق\n"
        "المتحف يعيد تماثيل أثرية إلى بلدها الأصلي بعد عقود\n"
        "خط قطار جديد يربط المطار بوسط المدينة العام المقبل\n"
        "موجة حر تحطم الأرقام القياسية في المنطقة هذا الأسبوع\n"
        "الشرطة تبحث عن مشتبه به بعد سرقة مصرف في وسط المدينة\n"
        "الجامعة تعلن إعفاء الطلاب من ذوي الدخل المحدود من الرسوم\n"
        "وزارة النقل تطرح مناقصة لتوسيع الطريق الدائري حول العاصمة\n"
        "مهرجان السينما يكرم مخرجين شبابا من عشر دول عربية\n"
        "البنك المركزي يبقي أسعار الفائدة دون تغيير للمرة الرابعة\n"
        "انطلاق موسم الحج وسط إجراءات صحية مشددة في المشاعر المقدسة\n"
        "شركة ناشئة محلية تجمع عشرين مليون دولار لتطوير تطبيقات التوصيل\n"
        "آخر الأخبار\n"
        "الحكومة تقر موازنة العام المقبل بزيادة الإنفاق على التعليم والصحة\n"
        "افتتاح أكبر محطة لتحلية مياه البحر في الساحل الغربي\n"
        "انخفاض أسعار الذهب مع ارتفاع الدولار في الأسواق العالمية\n"
        "المنتخب الأولمبي يبدأ معسكره التدريبي استعدادا للتصفيات القارية\n"
        "وزارة الزراعة تطلق برنامجا لدعم صغار المزارعين بالبذور والأسمدة\n"
        "حريق يلتهم مستودعا للأخشاب في المنطقة الصناعية دون إصابات\n"
        "إطلاق قمر صناعي جديد لرصد التغيرات المناخية في المنطقة\n"
        "المعرض الدولي للكتاب يستقبل مليون زائر في أسبوعه الأول",
        "اشترك في نشرتنا البريدية لتصلك أهم الأخبار كل صباح مع تحليلات المحررين\n"
        "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا، وباستمرارك في التصفح فإنك توافق على "
        "سياسة الخصوصية\nمن نحن\nاتصل بنا\nسياسة الخصوصية\nشروط الاستخدام\n"
        "جميع الحقوق محفوظة لموقع الساحل اليوم 2024",
    ),
    "en": (
        "Home\nNews\nWorld\nPolitics\nBusiness\nTechnology\nScience\nHealth\nSports\nOpinion\nVideo\nPhotos\n"
        "Weather\nLocal\nSearch\nSubscribe\nNewsletters\nLog In",
        "Most Read\n"
        "Storm knocks out power to thousands of homes along the northern coast\n"
        "Local team wins the championship after a dramatic overtime finish\n"
        "Scientists find water ice near the south pole of the moon\n"
        "Hospital opens a new wing for children with rare diseases\n"
        "Prices of fresh vegetables rise for the third month in a row\n"
        "Museum returns ancient statues to their country of origin\n"
        "New rail line will link the airport to the city centre next year\n"
        "Heat wave expected to break records across the region this week\n"
        "Police search for a suspect after a bank robbery downtown\n"
        "University announces free tuition for students from low income families\n"
        "Transport ministry opens bidding to widen the ring road around the capital\n"
        "Film festival honours young directors from ten countries\n"
        "Central bank keeps interest rates unchanged for the fourth time\n"
        "Pilgrimage season opens under strict health measures at the holy sites\n"
        "Local start-up raises twenty million dollars to build delivery apps\n"
        "Latest\n"
        "Government passes next year's budget with more money for schools and hospitals\n"
        "Largest seawater desalination plant opens on the western coast\n"
        "Gold prices fall as the dollar rises on world markets\n"
        "Olympic team starts its training camp ahead of the continental qualifiers\n"
        "Farm ministry launches a plan to give small farmers seeds and fertiliser\n"
        "Fire destroys a timber warehouse in the industrial zone with no injuries\n"
        "New satellite launched to track climate change across the region\n"
        "International book fair welcomes a million visitors in its first week",
        "Sign up for our newsletter to get the top stories in your inbox every morning\n"
        "By continuing to browse this site you agree to our use of cookies\n"
        "About Us\nContact\nPrivacy Policy\nTerms of Use\n"
        "© 2024 Coast Herald. All rights reserved.",
    ),
}
SMALL_SITE_ARTICLES = {
    "ar": (
        ("وزارة الصحة تطلق حملة تطعيم وطنية", AR_PARAGRAPHS),
        (
            "نقابة المعلمين تعلق الإضراب",
            (
                "أعلنت نقابة المعلمين تعليق الإضراب بعد اتفاق مع الحكومة على زيادة الرواتب بنسبة عشرة "
                "في المئة اعتبارا من الشهر المقبل.",
                "وقال نقيب المعلمين إن المدارس ستفتح أبوابها صباح الأحد، داعيا الأهالي إلى إرسال أبنائهم "
                "والمساعدة في تعويض ما فات الطلاب من دروس.",
                "وكانت الحكومة قد رفضت في البداية مطالب النقابة، قبل أن تعود إلى طاولة الحوار بعد أسبوعين "
                "من إغلاق المدارس في معظم المحافظات.",
            ),
        ),
    ),
    "en": (
        (EN_TITLE, EN_PARAGRAPHS),
        (
            "Teachers end their strike",
            (
                "The teachers' union called off its strike on Thursday after the government agreed to "
                "raise salaries by ten percent from next month.",
                "Schools will open again on Monday morning, the union leader said, and asked parents to "
                "help pupils make up for the lessons they have missed.",
                "The government had first refused the union's demands, before it came back to the table "
                "after two weeks in which most schools stayed shut.",
            ),
        ),
    ),
}


@pytest.fixture(scope="session")
def small_site_records() -> list[dict[str, str]]:
    """Four pages (id, url, fetched_at, text) of two small sites: each page a different article
    in its site's long furniture (`SMALL_SITE_FURNITURE`)."""
    records = []
    for lang, site in (("ar", "alsahel.example"), ("en", "coastherald.example")):
        nav, most_read, footer = SMALL_SITE_FURNITURE[lang]
        for i, (title, paragraphs) in enumerate(SMALL_SITE_ARTICLES[lang]):
            text = "\n".join([nav, title, *paragraphs, most_read, footer]) + "\n"
            url = f"https://{site}/news/{i + 1}"
            records.append(
                {"id": f"{lang}{i + 1}", "url": url, "fetched_at": f"2024-05-0{i + 1}", "text": text}
            )
    return records
