"""Deterministic generator of labelled synthetic scraped news pages (Arabic and English).

Every page is an article body wrapped in its site's furniture (nav bar, date line, share widget,
teaser card, footer...). The truth record labels every line, so a cleaner's output can be scored
with `dedup.evaluate`. Usage: `python corpus/generate.py --pages N --seed S --out DIR`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

try:
    import orjson

    def _dumps(obj: object) -> bytes:
        """One JSON line, UTF-8."""
        return orjson.dumps(obj) + b"\n"

except ImportError:  # pragma: no cover - the project venv has orjson
    import json

    def _dumps(obj: object) -> bytes:
        """One JSON line, UTF-8."""
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

AR_LETTERS = "ابتثجحخدرزسشصضطعغفقكلمنهوي"
AR_RARE = "ذظءأإآ"
AR_PREFIXES = ["", "", "", "", "ال", "ال", "و", "وال", "ب", "بال", "ل", "لل", "ف", "ك", "سي", "ي", "ت"]
AR_SUFFIXES = ["", "", "", "", "ة", "ات", "ون", "ين", "ها", "هم", "ي", "ية", "ان", "نا", "وا"]
# Root-and-pattern templates: digits are the root letters.
AR_PATTERNS = [
    "123",
    "1ا23",
    "م12و3",
    "ت12ي3",
    "است12ا3",
    "م1ا2ي3",
    "1و2ي3",
    "م12ا3",
    "1ا2و3",
    "ان12ا3",
    "م1ت23",
    "1ي23",
    "مت1ا23",
    "12ي3",
    "ا12ا3",
]
AR_DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _wordlist(block: str) -> list[str]:
    """The whitespace-separated words of a text block."""
    return block.split()


# Common real Arabic function and news words, most frequent first (roughly).
AR_COMMON = _wordlist("""
في من على إلى أن عن مع هذا هذه التي الذي كان كانت قد لا ما لم لن بين بعد قبل حتى حيث كما أو ثم
إن وقال قال وأضاف وأكد وأشار أمس اليوم الحكومة الرئيس الوزير وزارة البلاد العام الماضي المقبل
خلال عدد أكثر أقل منذ عند كل بعض غير أي لدى نحو أيضا فقط جديد جديدة الأولى الثانية المجلس
الدولة الشعب المدينة القرية الحرب السلام الاتفاق المفاوضات الأمن الجيش الشرطة المواطنين السكان
الاقتصاد الأسعار السوق النفط الغاز الكهرباء المياه الصحة المستشفى التعليم المدارس الجامعة
الطلاب الانتخابات البرلمان الحزب المعارضة القانون المحكمة القضاء التحقيق الأمم المتحدة الدولي
المنطقة الحدود العاصمة الشمال الجنوب الشرق الغرب مصادر مسؤول مسؤولون تقرير بيان مؤتمر صحفي
اجتماع زيارة الأسبوع الشهر السنة مليون مليار دولار نسبة المئة ارتفاع انخفاض أزمة مشروع خطة
قرار دعم تنفيذ إطار مستوى وفق بحسب وفقا نتيجة إضافة إلى جانب مجموعة عملية الوضع الأوضاع
الأخيرة الجاري القادم كبير كبيرة صغير عدة أجل ضد داخل خارج حول أمام مدير رئيس وزير وكالة
الأنباء المصري السعودية العراق سوريا لبنان الأردن المغرب تونس الجزائر ليبيا اليمن فلسطين
""")

EN_FUNCTION = _wordlist("""
the the the of of and and to to a a in in is was for on that with as by at from it its he she
they their said has have had been were will would could also but not after before over into
about more than this which who when while where up out new two three first last year week
""")

EN_CONTENT = _wordlist("""
government minister president council city village war peace agreement talks security army police
residents economy prices market oil gas electricity water health hospital education schools
university students election parliament party opposition law court judge inquiry united nations
international region border capital north south east west sources official officials report
statement conference meeting visit month million billion dollars percent rise fall crisis project
plan decision support budget level according result group operation situation recent current
coming large small several against inside outside around director chief agency ministry national
local public private company workers union strike protest vote campaign bank trade export import
farmers harvest drought flood storm bridge road railway airport port ship fleet fishermen coast
river valley mountain desert district province mayor governor spokesman analyst expert survey data
figures growth inflation debt loan fund investment tax reform service program network system energy
climate weather season festival museum library theatre football team match league coach players
season record victory defeat final cup tournament fans stadium police suspects arrest trial verdict
sentence appeal witness evidence charges families children women men hospital doctors nurses
patients vaccine clinic ministry teachers pupils exams graduates research scientists study
""")

EN_SYLLABLES = _wordlist("""
ba be bo bra cal cor dan del dor fa fen gal gor ha hal ken kor la len lor ma mar mer mo nar nel
no pa pel por ra ren ro sa sel sor ta tel tor va ven vor wa wel yor za zel
""")
EN_ENDINGS = ["", "", "", "s", "ton", "ley", "ford", "ia", "an", "ing", "er", "ville", "mouth"]

# ---------------------------------------------------------------------------------------------
# Sites and furniture phrase banks (own wording)
# ---------------------------------------------------------------------------------------------

EN_SITES = [
    ("The Harbour Ledger", "harbourledger"),
    ("Northgate Daily", "northgatedaily"),
    ("Meridian Wire", "meridianwire"),
    ("Cedar Post", "cedarpost"),
    ("Riverside Courier", "riversidecourier"),
    ("Atlas Report", "atlasreport"),
    ("Lantern News", "lanternnews"),
    ("Copperfield Times", "copperfieldtimes"),
    ("Westbrook Herald", "westbrookherald"),
    ("Summit Observer", "summitobserver"),
    ("The Quayside Bulletin", "quaysidebulletin"),
    ("Ironbridge Chronicle", "ironbridgechronicle"),
    ("Bluewater Dispatch", "bluewaterdispatch"),
    ("Greyhill Gazette", "greyhillgazette"),
]
AR_SITES = [
    ("صدى الوادي", "sadaalwadi"),
    ("نبض المدينة", "nabdalmadina"),
    ("الرائد اليوم", "alraedalyoum"),
    ("منارة الخبر", "manaratalkhabar"),
    ("بوابة الشرق", "bawabatalsharq"),
    ("أفق نيوز", "ofoqnews"),
    ("الساحل الإخباري", "alsahelnews"),
    ("مرآة الحدث", "mirataalhadath"),
    ("رصيف الأخبار", "rasifalakhbar"),
    ("شرفة الوطن", "shurfatalwatan"),
    ("نافذة الجنوب", "nafidhataljanoub"),
    ("البوصلة الإخبارية", "albousala"),
    ("وكالة الضفاف", "aldhifaf"),
    ("جسر الأنباء", "jisralanba"),
]
EN_PLACES = ["North", "Coast", "Valley", "Metro", "Weekly", "Online", "Plus", "Today"]
AR_PLACES = ["الشمال", "الساحل", "اليوم", "الآن", "بلس", "أونلاين", "الجديد", "الأسبوعي"]
TLDS = ["com", "com", "com", "net", "news", "org", "info", "co.uk", "me", "tv"]

EN_SECTIONS = [
    "Home",
    "World",
    "Politics",
    "Business",
    "Sport",
    "Culture",
    "Opinion",
    "Video",
    "Science",
    "Health",
    "Local",
    "Travel",
    "Tech",
    "Weather",
    "Podcasts",
    "Photos",
]
AR_SECTIONS = [
    "الرئيسية",
    "محليات",
    "عربي ودولي",
    "سياسة",
    "اقتصاد",
    "رياضة",
    "ثقافة وفنون",
    "مقالات",
    "منوعات",
    "صحة",
    "تقارير",
    "فيديو",
    "صور",
    "تكنولوجيا",
    "حوارات",
    "مجتمع",
]
NAV_SEPS = ["  ", " | ", " - ", " • ", " / ", "   "]
CRUMB_SEPS = [" › ", " > ", " / ", " » ", " « "]

EN_FIRST = [
    "Laura",
    "Daniel",
    "Priya",
    "Tom",
    "Grace",
    "Omar",
    "Helen",
    "Marcus",
    "Nadia",
    "Peter",
    "Ruth",
    "Samir",
    "Claire",
    "Hugo",
    "Amira",
    "Jonah",
    "Tess",
    "Victor",
]
EN_LAST = [
    "Whitfield",
    "Okafor",
    "Brennan",
    "Castillo",
    "Harding",
    "Lindqvist",
    "Marsh",
    "Osei",
    "Pemberton",
    "Quinlan",
    "Rahman",
    "Sutton",
    "Thorne",
    "Varga",
    "Winslow",
    "Yates",
]
AR_FIRST = [
    "محمد",
    "أحمد",
    "سارة",
    "خالد",
    "ليلى",
    "يوسف",
    "منى",
    "عمر",
    "هدى",
    "طارق",
    "ريم",
    "سامي",
    "نادية",
    "كريم",
    "إيمان",
    "زياد",
    "علاء",
    "رنا",
]
AR_LAST = [
    "العلي",
    "الحسيني",
    "منصور",
    "الخطيب",
    "درويش",
    "الشامي",
    "عبد الله",
    "النجار",
    "حداد",
    "الزعبي",
    "السيد",
    "فرحات",
    "القاسم",
    "عيسى",
    "البدوي",
    "سليمان",
]

EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
AR_MONTHS = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
]
AR_MONTHS_LEV = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]
AR_DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]

SHARE = {
    "en": [
        "Share this article",
        "Share this story",
        "Share on:",
        "Spread the word",
        "Share",
        "Tell your friends about this",
    ],
    "ar": [
        "شارك هذا الخبر",
        "شارك الموضوع عبر",
        "انشر الخبر على صفحاتك",
        "مشاركة",
        "شارك مع أصدقائك",
        "Share",
        "Partager",
    ],
}
EMAIL = {
    "en": ["Email this story", "Mail this page to someone", "Forward by email", "Print this page"],
    "ar": ["أرسل الخبر لصديق", "أرسل بالبريد الإلكتروني", "طباعة الصفحة", "إرسال عبر البريد"],
}
SOCIAL = {
    "en": [
        "Facebook",
        "Twitter",
        "WhatsApp",
        "LinkedIn",
        "Telegram",
        "Reddit",
        "Email",
        "X",
        "Pinterest",
        "Copy link",
    ],
    "ar": [
        "فيسبوك",
        "تويتر",
        "واتساب",
        "تيليجرام",
        "لينكدإن",
        "Facebook",
        "Twitter",
        "WhatsApp",
        "نسخ الرابط",
        "إكس",
    ],
}
TAGS = {
    "en": ["Topics: {}", "Tags: {}", "Filed under: {}", "Keywords - {}", "More on: {}"],
    "ar": ["الوسوم: {}", "كلمات مفتاحية: {}", "مواضيع ذات علاقة: {}", "الكلمات الدلالية {}"],
}
VIEWS = {
    "en": ["Views: {n}", "{n} views", "Read {n} times", "{n} reads"],
    "ar": ["المشاهدات: {n}", "عدد القراءات {n}", "{n} مشاهدة", "قرئ {n} مرة"],
}
COMMENTS = {
    "en": ["Comments ({n})", "{n} comments", "Join the discussion ({n})", "Reader comments: {n}"],
    "ar": ["التعليقات ({n})", "{n} تعليقات", "تعليقات القراء: {n}", "أضف تعليقك ({n})"],
}
RELATED_HEAD = {
    "en": [
        "Related articles",
        "More from {site}",
        "You may also like",
        "Most read",
        "Further reading",
        "Don't miss",
    ],
    "ar": ["أخبار ذات صلة", "المزيد من {site}", "قد يهمك أيضا", "الأكثر قراءة", "مواضيع مشابهة", "لا تفوتك"],
}
INLINE = {
    "en": ["See also: {}", "Read more: {}", "Related: {}", "Also on {site}: {}", "READ ALSO | {}"],
    "ar": ["اقرأ أيضا: {}", "طالع أيضًا | {}", "ذات صلة: {}", "شاهد أيضا: {}", "لمزيد من التفاصيل: {}"],
}
CAMPAIGN = {
    "en": [
        "Support independent journalism: become a member for {year}",
        "Vote now in the {site} readers' awards {year}",
        "Winter appeal: help us keep the lights on",
        "Our election special is live - follow every result",
        "Half-price digital subscription this month only",
    ],
    "ar": [
        "ادعم الصحافة المستقلة وكن عضوا في {site} لعام {year}",
        "صوّت الآن في جوائز القراء {year}",
        "حملة الشتاء: ساعدوا الأسر المحتاجة",
        "تغطية خاصة للانتخابات لحظة بلحظة",
        "عروض رمضان: اشتراك رقمي بنصف السعر",
    ],
}
NEWSLETTER = {
    "en": [
        "Sign up for our morning briefing",
        "Get the day's headlines in your inbox",
        "Subscribe to the {site} newsletter",
        "Never miss a story: join our mailing list",
    ],
    "ar": [
        "اشترك في نشرتنا البريدية",
        "احصل على أهم الأخبار في بريدك يوميا",
        "سجّل في النشرة الإخبارية لـ {site}",
        "اشترك ليصلك كل جديد",
    ],
}
APP = {
    "en": [
        "Download the {site} app for iOS and Android",
        "Get our app: news on the go",
        "Read {site} in the app",
    ],
    "ar": ["حمّل تطبيق {site} الآن", "تطبيقنا متوفر على أندرويد وآيفون", "تابع الأخبار عبر تطبيق {site}"],
}
FOLLOW = {
    "en": [
        "Follow {site} on Telegram",
        "Follow us on social media",
        "Join us on WhatsApp for updates",
        "Like our page for more news",
    ],
    "ar": [
        "تابعونا على تويتر",
        "تابع {site} على تيليجرام",
        "انضم إلى قناتنا على واتساب",
        "تابعوا صفحتنا على فيسبوك",
    ],
}
COOKIE = {
    "en": [
        "We use cookies to improve your experience. By continuing you accept our policy. OK",
        "This site uses cookies. Accept all",
        "Cookies help us deliver our services. Learn more",
    ],
    "ar": [
        "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك. موافق",
        "نستخدم الكوكيز لتقديم خدمة أفضل، باستمرارك فأنت توافق",
        "هذا الموقع يستعمل ملفات الارتباط. قبول",
    ],
}
FOOTER = {
    "en": [
        "© {year} {site}. All rights reserved.",
        "Copyright {year} {site} Ltd",
        "About us | Contact | Privacy policy | Terms",
        "Advertise with us - Careers - Corrections",
        "{site} is not responsible for the content of external sites.",
    ],
    "ar": [
        "جميع الحقوق محفوظة © {year} {site}",
        "© {site} {year}",
        "من نحن | اتصل بنا | سياسة الخصوصية",
        "أعلن معنا - شروط الاستخدام - خريطة الموقع",
        "الآراء الواردة تعبر عن كتّابها ولا تعبر بالضرورة عن {site}",
    ],
}
BYLINE = {
    "en": [
        "By {name}",
        "Written by {name}",
        "{name} | Staff reporter",
        "By {name}, {site}",
        "Reporting by {name}",
    ],
    "ar": ["كتب: {name}", "بقلم {name}", "{name} - {site}", "تقرير: {name}", "{name} | مراسل الموقع"],
}
SAID = {"en": ["said {name}", "{name} said", "according to {name}"], "ar": ["قال {name}", "يقول {name}"]}

KINDS = [
    "nav",
    "breadcrumb",
    "date",
    "sitename",
    "byline",
    "share",
    "social",
    "tags",
    "views",
    "comments",
    "teaser",
    "related",
    "related_inline",
    "campaign",
    "newsletter",
    "app",
    "follow",
    "cookie",
    "footer",
]
HEAD_KINDS = ["nav", "breadcrumb", "sitename", "date", "byline"]
TAIL_KINDS = [
    "share",
    "tags",
    "views",
    "comments",
    "teaser",
    "email",
    "related",
    "newsletter",
    "app",
    "follow",
]


# ---------------------------------------------------------------------------------------------
# Language models
# ---------------------------------------------------------------------------------------------


class Lexicon:
    """A Zipf-weighted vocabulary for one language."""

    def __init__(self, lang: str, rnd: random.Random, size: int = 2600) -> None:
        """Build the word list and cumulative Zipf weights."""
        self.lang = lang
        words = _build_ar_words(rnd, size) if lang == "ar" else _build_en_words(rnd, size)
        self.words = words
        self.cum = list(itertools.accumulate(1.0 / (r + 2) ** 1.05 for r in range(len(words))))

    def sample(self, rnd: random.Random, k: int) -> list[str]:
        """k words drawn by Zipf frequency."""
        return rnd.choices(self.words, cum_weights=self.cum, k=k)


def _build_ar_words(rnd: random.Random, size: int) -> list[str]:
    """Real common Arabic words first, then words from three-letter roots, patterns and affixes."""
    seen: set[str] = set()
    out: list[str] = []
    for w in AR_COMMON:
        if w not in seen:
            seen.add(w)
            out.append(w)
    letters = AR_LETTERS * 3 + AR_RARE
    while len(out) < size:
        root = [rnd.choice(letters) for _ in range(3)]
        stem = "".join(root[int(c) - 1] if c.isdigit() else c for c in rnd.choice(AR_PATTERNS))
        word = rnd.choice(AR_PREFIXES) + stem + rnd.choice(AR_SUFFIXES)
        if stem[0] in "ءة" or word in seen:
            continue
        seen.add(word)
        out.append(word)
    # Keep the real words frequent: synthetic words go after rank ~60, mixed with the rest.
    head, tail = out[:60], out[60:]
    rnd.shuffle(tail)
    return head + tail


def _build_en_words(rnd: random.Random, size: int) -> list[str]:
    """Real English function and news words, plus invented place and person names."""
    out = list(EN_FUNCTION)
    content = list(dict.fromkeys(EN_CONTENT))
    rnd.shuffle(content)
    out += content
    seen = set(out)
    while len(out) < size:
        if rnd.random() < 0.3:
            base = rnd.choice(EN_CONTENT)
            word = base if base.endswith("s") else base + "s"
        else:
            word = "".join(rnd.choice(EN_SYLLABLES) for _ in range(rnd.choice((2, 2, 3))))
            word = (word + rnd.choice(EN_ENDINGS)).capitalize()
        if word in seen:
            continue
        seen.add(word)
        out.append(word)
    head, tail = out[: len(EN_FUNCTION)], out[len(EN_FUNCTION) :]
    rnd.shuffle(tail)
    return head + tail


# ---------------------------------------------------------------------------------------------
# Spelling noise on furniture
# ---------------------------------------------------------------------------------------------

_AR_LETTER_SET = set(AR_LETTERS + AR_RARE + "ةى")
_NONJOINING = set("اأإآدذرزوةءى")
_FINAL_YAA = re.compile(r"ي(?=\s|$)")


def _noise_once(text: str, lang: str, rnd: random.Random) -> str:
    """One random spelling/encoding accident of the kind real scrapes carry."""
    has_ar = any(c in _AR_LETTER_SET for c in text)
    ops = ["bidi", "zwnj", "double", "trail", "mark"]
    if has_ar:
        ops += ["diac", "diac", "tatweel", "alef", "yaa", "taa"]
    if any(c.isascii() and c.isalpha() for c in text):
        ops += ["case", "case"]
    op = rnd.choice(ops)
    if op == "diac" or op == "tatweel":
        chars = list(text)
        idx = [i for i, c in enumerate(chars) if c in _AR_LETTER_SET]
        if op == "tatweel":
            idx = [
                i
                for i in idx
                if chars[i] not in _NONJOINING and i + 1 < len(chars) and chars[i + 1] in _AR_LETTER_SET
            ]
        for i in sorted(rnd.sample(idx, min(len(idx), rnd.randint(1, 3))), reverse=True):
            chars.insert(i + 1, rnd.choice(AR_DIACRITICS) if op == "diac" else "\u0640")
        return "".join(chars)
    if op == "alef":
        return text.replace("أ", "ا").replace("إ", "ا")
    if op == "yaa":
        if "ى" in text:
            return text.replace("ى", "ي")
        return _FINAL_YAA.sub("ى", text)
    if op == "taa":
        return text.replace("ة", "ه")
    if op == "bidi":
        mark = rnd.choice(("\u200f", "\u200e"))
        return mark + text if rnd.random() < 0.6 else text + mark
    if op == "zwnj":
        spaces = [i for i, c in enumerate(text) if c == " "]
        if not spaces:
            return text + "\u200c"
        i = rnd.choice(spaces)
        return text[:i] + "\u200c" + text[i:]
    if op == "double":
        spaces = [i for i, c in enumerate(text) if c == " "]
        if not spaces:
            return " " + text
        i = rnd.choice(spaces)
        return text[:i] + " " + text[i:]
    if op == "trail":
        return text + rnd.choice((" ", "  ", "\u00a0"))
    if op == "mark":
        return text.rstrip(":›") + rnd.choice((" ›", ":", "›", " :"))
    # case
    return rnd.choice((text.upper(), text.lower(), text.title()))


def noisy(text: str, lang: str, rnd: random.Random, p: float = 0.3) -> str:
    """Furniture text with spelling noise on ~p of occurrences (one or two accidents)."""
    if rnd.random() >= p:
        return text
    text = _noise_once(text, lang, rnd)
    if rnd.random() < 0.3:
        text = _noise_once(text, lang, rnd)
    return text


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------


@dataclass
class Campaign:
    """A banner a site runs between two times."""

    text: str
    start: datetime
    end: datetime
    position: str  # "top", "body" or "tail"


@dataclass
class Site:
    """One simulated news site: identity, furniture choices and article pools."""

    index: int
    lang: str
    name: str
    domain: str
    hosts: list[str]
    host_weights: list[float]
    url_style: int
    no_breaks: bool
    sections: list[str]
    nav: str
    crumb_sep: str
    date_style: int
    byline_tpl: str
    reporters: list[str]
    head_order: list[str]
    head_p: dict[str, float]
    tail_order: list[str]
    tail_p: dict[str, float]
    share: str
    share_pos: str  # "tail" or "head"
    email: str
    social: list[str]
    tags_tpl: str
    views_tpl: str
    comments_tpl: str
    related_head: str
    inline_tpl: str
    inline_p: float
    newsletter: str
    app: str
    follow: str
    cookie: str
    cookie_pos: str
    footer: list[str]
    campaigns: list[Campaign]
    related_pool: list[str]
    topic_words: list[str]
    size: int
    articles: list[Article] = field(default_factory=list)
    stories: list[list] = field(default_factory=list)  # [story_id, paragraphs, remaining]


@dataclass
class Article:
    """An article body as it was first published."""

    cluster: str
    site: int
    title: str
    body: list[str]
    story: str | None
    lead: str


def _fill(tpl: str, site_name: str, year: int | None = None) -> str:
    """Template with {site} and {year} filled in."""
    return tpl.replace("{site}", site_name).replace("{year}", str(year or ""))


def _site_sizes(n_pages: int, n_sites: int, rnd: random.Random) -> list[int]:
    """Zipf-like page counts summing to n_pages; a few sites get only 1-5 pages."""
    n_tiny = max(1, n_sites // 5) if n_pages >= 4 * n_sites else 0
    tiny = [rnd.randint(1, 5) for _ in range(n_tiny)]
    rest = n_pages - sum(tiny)
    big = n_sites - n_tiny
    weights = [1.0 / (r + 1) ** 0.95 for r in range(big)]
    total = sum(weights)
    sizes = [max(1, int(rest * w / total)) for w in weights]
    i = 0
    while sum(sizes) < rest:
        sizes[i % big] += 1
        i += 1
    while sum(sizes) > rest:
        j = max(range(big), key=lambda k: sizes[k])
        sizes[j] -= 1
    return sizes + tiny


def _make_sites(
    n_pages: int,
    rnd: random.Random,
    lex: dict[str, Lexicon],
    no_breaks_share: float,
    t0: datetime,
    span: timedelta,
) -> list[Site]:
    """The sites of a corpus with their own furniture."""
    n_sites = max(2, min(60, round(20 * (max(n_pages, 1) / 600) ** 0.35)))
    n_sites = min(n_sites, max(2, n_pages))
    sizes = _site_sizes(n_pages, n_sites, rnd)
    langs = ["ar" if i % 2 == 0 else "en" for i in range(n_sites)]
    n_nobreak = round(no_breaks_share * n_sites)
    # Pick them among sites with a few pages at least, so that the case is visible.
    eligible = [i for i in range(n_sites) if sizes[i] >= 5] or list(range(n_sites))
    nobreak_idx = set(rnd.sample(eligible, min(n_nobreak, len(eligible)))) if n_nobreak else set()
    sites: list[Site] = []
    used: set[str] = set()
    pools = {"ar": list(AR_SITES), "en": list(EN_SITES)}
    for p in pools.values():
        rnd.shuffle(p)
    for i in range(n_sites):
        lang = langs[i]
        pool = pools[lang]
        base, slug = pool[(i // 2) % len(pool)]
        rep = (i // 2) // len(pool)
        if rep:
            extra = (AR_PLACES if lang == "ar" else EN_PLACES)[(rep - 1) % 8]
            base, slug = f"{base} {extra}", f"{slug}{rep}"
        tld = rnd.choice(TLDS)
        domain = f"{slug}.{tld}"
        while domain in used:
            domain = f"{slug}{rnd.randint(2, 99)}.{tld}"
        used.add(domain)
        host_mode = rnd.random()
        if host_mode < 0.4:
            hosts, hw = [f"www.{domain}", f"m.{domain}"], [0.7, 0.3]
        elif host_mode < 0.8:
            hosts, hw = [f"www.{domain}"], [1.0]
        elif host_mode < 0.9:
            hosts, hw = [domain, f"www.{domain}"], [0.5, 0.5]
        else:
            hosts, hw = [f"m.{domain}", f"www.{domain}", f"amp.{domain}"], [0.4, 0.4, 0.2]
        secs = AR_SECTIONS if lang == "ar" else EN_SECTIONS
        sections = [secs[0]] + rnd.sample(secs[1:], rnd.randint(5, 10))
        nav = rnd.choice(NAV_SEPS).join(sections)
        if rnd.random() < 0.3:
            nav = nav + rnd.choice(NAV_SEPS) + ("بحث" if lang == "ar" else "Search")
        first, last = (AR_FIRST, AR_LAST) if lang == "ar" else (EN_FIRST, EN_LAST)
        reporters = [f"{rnd.choice(first)} {rnd.choice(last)}" for _ in range(rnd.randint(2, 8))]
        head_order = [
            k
            for k in HEAD_KINDS
            if rnd.random()
            < {"nav": 0.85, "breadcrumb": 0.5, "sitename": 0.55, "date": 0.9, "byline": 0.6}[k]
        ]
        rnd.shuffle(head_order)
        if "nav" in head_order and rnd.random() < 0.7:  # nav bars mostly come first
            head_order.remove("nav")
            head_order.insert(0, "nav")
        head_p = {k: rnd.uniform(0.8, 1.0) for k in head_order}
        tail_order = [
            k
            for k in TAIL_KINDS
            if rnd.random()
            < {
                "share": 0.85,
                "tags": 0.5,
                "views": 0.4,
                "comments": 0.5,
                "teaser": 0.45,
                "email": 0.35,
                "related": 0.65,
                "newsletter": 0.3,
                "app": 0.25,
                "follow": 0.4,
            }[k]
        ]
        rnd.shuffle(tail_order)
        tail_p = {k: rnd.uniform(0.75, 1.0) for k in tail_order}
        name = base
        camps = []
        for _ in range(rnd.choice((0, 1, 1, 2))):
            a = rnd.uniform(0, 0.8)
            b = min(1.0, a + rnd.uniform(0.1, 0.35))
            start = t0 + span * a
            camps.append(
                Campaign(
                    _fill(rnd.choice(CAMPAIGN[lang]), name, start.year),
                    start,
                    t0 + span * b,
                    rnd.choice(("top", "body", "tail")),
                )
            )
        size = sizes[i]
        related_pool = [_title(lex[lang], rnd) for _ in range(max(10, min(80, size // 4)))]
        topic_words = lex[lang].words[rnd.randint(150, 400) :][: rnd.randint(25, 40)]
        footer = rnd.sample(FOOTER[lang], rnd.randint(1, 3))
        sites.append(
            Site(
                index=i,
                lang=lang,
                name=name,
                domain=domain,
                hosts=hosts,
                host_weights=hw,
                url_style=rnd.randrange(5),
                no_breaks=i in nobreak_idx,
                sections=sections,
                nav=nav,
                crumb_sep=rnd.choice(CRUMB_SEPS),
                date_style=rnd.randrange(4),
                byline_tpl=rnd.choice(BYLINE[lang]),
                reporters=reporters,
                head_order=head_order,
                head_p=head_p,
                tail_order=tail_order,
                tail_p=tail_p,
                share=rnd.choice(SHARE[lang]),
                share_pos="head" if rnd.random() < 0.15 else "tail",
                email=rnd.choice(EMAIL[lang]),
                social=rnd.sample(SOCIAL[lang], rnd.randint(2, 5)),
                tags_tpl=rnd.choice(TAGS[lang]),
                views_tpl=rnd.choice(VIEWS[lang]),
                comments_tpl=rnd.choice(COMMENTS[lang]),
                related_head=_fill(rnd.choice(RELATED_HEAD[lang]), name),
                inline_tpl=rnd.choice(INLINE[lang]).replace("{site}", name),
                inline_p=rnd.choice((0.0, 0.2, 0.35, 0.5)),
                newsletter=_fill(rnd.choice(NEWSLETTER[lang]), name),
                app=_fill(rnd.choice(APP[lang]), name),
                follow=_fill(rnd.choice(FOLLOW[lang]), name),
                cookie=rnd.choice(COOKIE[lang]),
                cookie_pos=rnd.choice(("top", "end", "none", "none")),
                footer=footer,
                campaigns=camps,
                related_pool=related_pool,
                topic_words=topic_words,
                size=size,
            )
        )
    return sites


# ---------------------------------------------------------------------------------------------
# Article text
# ---------------------------------------------------------------------------------------------


def _sentence(
    lex: Lexicon, rnd: random.Random, topic: list[str] | None = None, lo: int = 4, hi: int = 11
) -> str:
    """One sentence, Zipf words with some of the site's topic words mixed in."""
    words = lex.sample(rnd, rnd.randint(lo, hi))
    if topic:
        for i in range(len(words)):
            if rnd.random() < 0.08:
                words[i] = rnd.choice(topic)
    if rnd.random() < 0.1:
        n = str(rnd.choice((rnd.randint(2, 99), rnd.randint(100, 5000), rnd.randint(1990, 2024))))
        words.insert(rnd.randrange(len(words)), n)
    if lex.lang == "en":
        words[0] = words[0][:1].upper() + words[0][1:]
        if len(words) > 7 and rnd.random() < 0.4:
            words[rnd.randint(2, len(words) - 3)] += ","
    elif len(words) > 7 and rnd.random() < 0.4:
        words[rnd.randint(2, len(words) - 3)] += "،"
    return " ".join(words) + "."


def _paragraph(lex: Lexicon, rnd: random.Random, topic: list[str]) -> str:
    """A paragraph of 2-6 sentences, mostly short ones."""
    n = min(6, 2 + int(rnd.expovariate(0.9)))
    return " ".join(_sentence(lex, rnd, topic) for _ in range(n))


def _title(lex: Lexicon, rnd: random.Random) -> str:
    """A headline: 5-10 words, no final stop."""
    words = lex.sample(rnd, rnd.randint(5, 10))
    if lex.lang == "en":
        words = [w[:1].upper() + w[1:] for w in words]
    return " ".join(words)


def _short_line(lex: Lexicon, rnd: random.Random, topic: list[str], reporters: list[str]) -> str:
    """A short real content line: a subheading or a one-line quote."""
    if rnd.random() < 0.6:
        words = lex.sample(rnd, rnd.randint(4, 8))
        if lex.lang == "en":
            words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words)
    quote = _sentence(lex, rnd, topic, 4, 9)[:-1]
    said = rnd.choice(SAID[lex.lang]).format(name=rnd.choice(reporters))
    if lex.lang == "ar":
        return f"«{quote}»، {said}."
    return f"\u201c{quote},\u201d {said}."


def _body(site: Site, lex: Lexicon, rnd: random.Random) -> list[str]:
    """The content lines of a new article: 5-15 paragraphs and a few short lines."""
    n = min(15, 5 + int(rnd.expovariate(0.65)))
    body = [_paragraph(lex, rnd, site.topic_words) for _ in range(n)]
    for _ in range(rnd.choice((0, 0, 1, 1, 2, 3))):
        body.insert(rnd.randint(1, len(body) - 1), _short_line(lex, rnd, site.topic_words, site.reporters))
    return body


# ---------------------------------------------------------------------------------------------
# Furniture rendering
# ---------------------------------------------------------------------------------------------


def _digits(text: str, lang: str, site: Site) -> str:
    """Arabic-Indic digits on half the Arabic sites."""
    if lang == "ar" and site.index % 4 == 0:
        return text.translate(AR_DIGITS)
    return text


def _date_line(site: Site, when: datetime) -> str:
    """The site's date line for a publication time."""
    d, mo, y, hh, mm = when.day, when.month, when.year, when.hour, when.minute
    s = site.date_style
    ampm = "pm" if hh >= 12 else "am"
    if site.lang == "en":
        text = [
            f"Published {d} {EN_MONTHS[mo - 1]} {y}, {hh:02d}:{mm:02d}",
            f"Posted on {EN_MONTHS[mo - 1]} {d}, {y} at {(hh % 12) or 12}:{mm:02d} {ampm}",
            f"Updated: {y}-{mo:02d}-{d:02d} {hh:02d}:{mm:02d}",
            f"{EN_DAYS[when.weekday()]} {d:02d}/{mo:02d}/{y} | {hh:02d}:{mm:02d} GMT",
        ][s]
    else:
        text = [
            f"نُشر في {d} {AR_MONTHS[mo - 1]} {y}",
            f"آخر تحديث: {d} {AR_MONTHS_LEV[mo - 1]} {y} - {hh:02d}:{mm:02d}",
            f"{AR_DAYS[when.weekday()]} {d} {AR_MONTHS[mo - 1]} {y} | {hh:02d}:{mm:02d}",
            f"تاريخ النشر: {y}/{mo:02d}/{d:02d}",
        ][s]
    return _digits(text, site.lang, site)


def _fmt_count(n: int, site: Site) -> str:
    """A counter value, with thousands separators on some sites."""
    text = f"{n:,}" if site.lang == "en" and site.index % 3 == 0 else str(n)
    return _digits(text, site.lang, site)


def _url(site: Site, rnd: random.Random, when: datetime, title: str, serial: int) -> str:
    """A URL for a page of the site."""
    host = rnd.choices(site.hosts, weights=site.host_weights)[0]
    num = rnd.randint(100000, 9999999)
    slug = "-".join(w.lower() for w in title.split()[:5] if w.isascii()) or f"news-{num % 1000}"
    sec = f"section{site.sections.index(rnd.choice(site.sections[1:]))}"
    path = [
        f"{when.year}/{when.month:02d}/{when.day:02d}/{slug}-{num}",
        f"news/{num}",
        f"article/{site.lang}/{num}.html",
        f"{sec}/{slug}-{serial}",
        f"?p={num}",
    ][site.url_style]
    return f"https://{host}/{path}"


def _tail_piece(
    kind: str, site: Site, art: Article, rnd: random.Random, when: datetime, lex: Lexicon
) -> list[tuple[str, str]]:
    """The lines of one end-of-article furniture element."""
    lang = site.lang
    if kind == "share":
        out = [("share", noisy(site.share, lang, rnd))]
        if rnd.random() < 0.85:
            out += [("social", noisy(s, lang, rnd)) for s in site.social]
        return out
    if kind == "email":
        return [("share", noisy(site.email, lang, rnd))]
    if kind == "tags":
        sep = "، " if lang == "ar" else ", "
        tags = rnd.sample(site.topic_words, min(len(site.topic_words), rnd.randint(2, 5)))
        return [("tags", noisy(site.tags_tpl.format(sep.join(tags)), lang, rnd))]
    if kind == "views":
        n = _fmt_count(int(rnd.lognormvariate(6.5, 1.2)) + 1, site)
        return [("views", noisy(site.views_tpl.format(n=n), lang, rnd))]
    if kind == "comments":
        n = _fmt_count(int(rnd.expovariate(0.05)), site)
        return [("comments", noisy(site.comments_tpl.format(n=n), lang, rnd))]
    if kind == "teaser":
        lead = art.lead
        k = rnd.randint(60, min(220, max(61, len(lead) - 1)))
        # Cut inside a word, as a fixed-length teaser does.
        while 0 < k < len(lead) - 1 and not (lead[k - 1].isalpha() and lead[k].isalpha()):
            k += 1
        cut = lead[:k]
        return [("teaser", noisy(art.title, lang, rnd)), ("teaser", noisy(f"{site.name} {cut}", lang, rnd))]
    if kind == "related":
        titles = rnd.sample(site.related_pool, min(len(site.related_pool), rnd.randint(3, 5)))
        return [("related", noisy(site.related_head, lang, rnd))] + [
            ("related", noisy(t, lang, rnd, 0.15)) for t in titles
        ]
    if kind == "newsletter":
        return [("newsletter", noisy(site.newsletter, lang, rnd))]
    if kind == "app":
        return [("app", noisy(site.app, lang, rnd))]
    if kind == "follow":
        return [("follow", noisy(site.follow, lang, rnd))]
    raise ValueError(kind)


def _render(
    site: Site, art: Article, body: list[str], rnd: random.Random, when: datetime, lex: Lexicon
) -> tuple[list[list], bool]:
    """Truth lines [label, text, glued] of one page, and whether the share widget was glued."""
    lang = site.lang
    lines: list[tuple[str, str]] = []
    campaign = next((c for c in site.campaigns if c.start <= when <= c.end and rnd.random() < 0.92), None)
    if site.cookie_pos == "top" and rnd.random() < 0.8:
        lines.append(("cookie", noisy(site.cookie, lang, rnd)))
    if campaign and campaign.position == "top":
        lines.append(("campaign", noisy(campaign.text, lang, rnd)))
    pub = when - timedelta(minutes=rnd.randint(5, 60 * 30))
    for kind in site.head_order:
        if rnd.random() >= site.head_p[kind]:
            continue
        if kind == "nav":
            lines.append(("nav", noisy(site.nav, lang, rnd, 0.2)))
        elif kind == "breadcrumb":
            sec = rnd.choice(site.sections[1:])
            lines.append(("breadcrumb", noisy(site.crumb_sep.join([site.sections[0], sec]), lang, rnd)))
        elif kind == "sitename":
            lines.append(("sitename", noisy(site.name, lang, rnd)))
        elif kind == "date":
            lines.append(("date", noisy(_date_line(site, pub), lang, rnd)))
        elif kind == "byline":
            text = _fill(site.byline_tpl, site.name).replace("{name}", rnd.choice(site.reporters))
            lines.append(("byline", noisy(text, lang, rnd)))
    # ~15% of pages: the share widget stuck to the last paragraph, as flattened inline markup leaves it.
    glue_share = rnd.random() < 0.15
    share_here = site.share_pos == "head" and "share" in site.tail_order and not glue_share
    if share_here and rnd.random() < 0.9:
        lines += _tail_piece("share", site, art, rnd, when, lex)
    body_lines: list[tuple[str, str]] = [("content", p) for p in body]
    if site.inline_p and len(body) > 3 and rnd.random() < site.inline_p:
        text = site.inline_tpl.format(rnd.choice(site.related_pool))
        body_lines.insert(rnd.randint(2, len(body) - 1), ("related_inline", noisy(text, lang, rnd)))
    if campaign and campaign.position == "body" and len(body_lines) > 2:
        body_lines.insert(rnd.randint(1, len(body_lines) - 1), ("campaign", noisy(campaign.text, lang, rnd)))
    lines += body_lines
    tail: list[tuple[str, str]] = []
    for kind in site.tail_order:
        if kind == "share" and (share_here or glue_share):
            continue
        if rnd.random() < site.tail_p[kind]:
            tail += _tail_piece(kind, site, art, rnd, when, lex)
    if campaign and campaign.position == "tail":
        tail.insert(rnd.randint(0, len(tail)), ("campaign", noisy(campaign.text, lang, rnd)))
    if glue_share:
        tail = _tail_piece("share", site, art, rnd, when, lex) + tail
    lines += tail
    if site.cookie_pos == "end" and rnd.random() < 0.8:
        lines.append(("cookie", noisy(site.cookie, lang, rnd)))
    for f in site.footer:
        if rnd.random() < 0.95:
            lines.append(("footer", noisy(_digits(_fill(f, site.name, when.year), lang, site), lang, rnd)))
    out: list[list] = []
    last_content = max(i for i, x in enumerate(lines) if x[0] == "content")
    for i, (label, text) in enumerate(lines):
        if site.no_breaks and out:
            out.append([label, " " + text, 1])
        elif glue_share and i == last_content + 1:
            # Stuck on directly after a full stop, else with a space: words never merge.
            sep = rnd.choice(("", "", " ")) if lines[last_content][1][-1:] in ".»”" else " "
            out.append([label, sep + text, 1])
        else:
            out.append([label, text, 0])
    return out, glue_share


def page_text(lines: list[list]) -> str:
    """The page text a truth record stands for: lines joined by newlines, glued pieces appended."""
    parts: list[str] = []
    for _label, text, glued in lines:
        if glued and parts:
            parts[-1] += text
        else:
            parts.append(text)
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------


def _edit(body: list[str], lex: Lexicon, rnd: random.Random, site: Site) -> list[str]:
    """A lightly edited copy: a few words changed, or a paragraph added."""
    body = list(body)
    if rnd.random() < 0.5:
        candidates = [i for i, p in enumerate(body) if len(p.split()) > 10]
        for i in rnd.sample(candidates, min(len(candidates), rnd.randint(1, 2))):
            words = body[i].split()
            for _ in range(rnd.randint(1, 3)):
                j = rnd.randrange(1, len(words) - 1)
                words[j] = lex.sample(rnd, 1)[0]
            body[i] = " ".join(words)
    else:
        body.insert(rnd.randint(1, len(body)), _paragraph(lex, rnd, site.topic_words))
    return body


def iter_corpus(n_pages: int, seed: int = 0, no_breaks_share: float = 0.0) -> Iterator[tuple[dict, dict]]:
    """(page, truth) pairs in fetch order."""
    rnd = random.Random(seed)
    lex = {
        "ar": Lexicon("ar", random.Random(seed * 7919 + 1)),
        "en": Lexicon("en", random.Random(seed * 7919 + 2), 900),
    }
    t0 = datetime(2019, 1, 1) + timedelta(days=rnd.randint(0, 900), hours=rnd.randint(0, 23))
    span = timedelta(days=rnd.randint(90, 240))
    sites = _make_sites(n_pages, rnd, lex, no_breaks_share, t0, span)
    slots = [s.index for s in sites for _ in range(s.size)]
    rnd.shuffle(slots)
    gap = span.total_seconds() / max(1, n_pages)
    when = t0
    n_clusters = 0
    story_serial = 0
    for serial, si in enumerate(slots):
        site = sites[si]
        lang = site.lang
        when += timedelta(seconds=int(rnd.expovariate(1.0 / gap)) if gap > 0 else 0)
        roll = rnd.random()
        notes: list[str] = []
        art: Article | None = None
        body: list[str] = []
        if roll < 0.035 and site.articles:
            art = rnd.choice(site.articles[-40:])
            body, notes = art.body, ["repost"]
        elif roll < 0.07 and site.articles:
            art = rnd.choice(site.articles[-40:])
            body, notes = _edit(art.body, lex[lang], rnd, site), ["edited"]
        elif roll < 0.11:
            donors = [s for s in sites if s.lang == lang and s.index != si and s.articles]
            if donors:
                donor = rnd.choice(donors)
                art = rnd.choice(donor.articles[-40:])
                body, notes = art.body, ["synd"]
        if art is None:
            body = _body(site, lex[lang], rnd)
            story = None
            open_stories = [s for s in site.stories if s[2] > 0]
            if open_stories and rnd.random() < 0.4:
                st = rnd.choice(open_stories)
            elif rnd.random() < 0.09 and site.size >= 4:
                story_serial += 1
                background = [
                    _paragraph(lex[lang], rnd, site.topic_words)
                    + " "
                    + _sentence(lex[lang], rnd, site.topic_words)
                    for _ in range(rnd.randint(1, 2))
                ]
                st = [f"{lang}-{si}-{story_serial}", background, rnd.randint(2, 5)]
                site.stories.append(st)
            else:
                st = None
            if st is not None:
                st[2] -= 1
                story = st[0]
                pos = rnd.randint(1, max(1, len(body) - 1))
                body[pos:pos] = st[1]
            title = _title(lex[lang], rnd)
            lead = " ".join(body[: rnd.randint(2, 4)])
            art = Article(f"c{n_clusters:05d}", si, title, body, story, lead)
            n_clusters += 1
            site.articles.append(art)
            notes = ["orig"]
        if art.story:
            notes.append(f"story:{art.story}")
        lines, glued = _render(site, art, body, rnd, when, lex[lang])
        if glued:
            notes.append("share_glued")
        if site.no_breaks:
            notes.append("no_breaks")
        pid = f"n{serial:06d}"
        page = {
            "id": pid,
            "url": _url(site, rnd, when, art.title, serial),
            "fetched_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "text": page_text(lines),
        }
        truth = {"id": pid, "site": site.domain, "cluster": art.cluster, "notes": notes, "lines": lines}
        yield page, truth


def short_article_corpus(n_pages: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Pages whose article is short (one to three sentences, sometimes a paragraph) and whose
    furniture is long: the site's about-blurb, a comment form and a teaser list of its titles, as
    on fact-check and comment-heavy sites. About a tenth are re-fetches of an earlier page (other
    teasers), a tenth copies syndicated to another site of the same language. (pages, truths),
    in fetch order; a truth holds the page's cluster: its copies share it."""
    rnd = random.Random(seed)
    lex = {
        "ar": Lexicon("ar", random.Random(seed * 7919 + 3)),
        "en": Lexicon("en", random.Random(seed * 7919 + 4), 900),
    }
    sites = []
    for i in range(6):
        lang = "ar" if i % 2 == 0 else "en"
        sites.append(
            {
                "lang": lang,
                "domain": f"{'taqsi' if lang == 'ar' else 'checkdesk'}{i}.example",
                "blurb": " ".join(_sentence(lex[lang], rnd, None, 9, 16) for _ in range(6)),
                "form": [_title(lex[lang], rnd) for _ in range(3)],
                "titles": [_title(lex[lang], rnd) for _ in range(12)],
                "articles": [],
            }
        )
    pages: list[dict] = []
    truths: list[dict] = []
    when = datetime(2024, 1, 1)
    for serial in range(n_pages):
        site = rnd.choice(sites)
        lang = site["lang"]
        roll = rnd.random()
        donors = [s for s in sites if s["lang"] == lang and s is not site and s["articles"]]
        if roll < 0.1 and site["articles"]:
            cluster, body = rnd.choice(site["articles"])
        elif roll < 0.2 and donors:
            cluster, body = rnd.choice(rnd.choice(donors)["articles"])
        else:
            sentences = rnd.choice((1, 1, 2, 3, 8))
            body = [" ".join(_sentence(lex[lang], rnd, None, 6, 14) for _ in range(sentences))]
            cluster = f"s{serial:05d}"
            site["articles"].append((cluster, body))
        teasers = [("related", t) for t in rnd.sample(site["titles"], 5)]
        lines = [
            *teasers,
            *(("content", p) for p in body),
            ("sitename", site["blurb"]),
            *(("comments", f) for f in site["form"]),
        ]
        pid = f"s{serial:05d}"
        when += timedelta(minutes=rnd.randint(1, 90))
        text = "\n".join(t for _, t in lines)
        pages.append(
            {
                "id": pid,
                "url": f"https://{site['domain']}/{pid}",
                "fetched_at": when.isoformat() + "Z",
                "text": text,
            }
        )
        truths.append(
            {
                "id": pid,
                "site": site["domain"],
                "cluster": cluster,
                "notes": [],
                "lines": [[k, t, 0] for k, t in lines],
            }
        )
    return pages, truths


_REDESIGN_BARS = {
    "ar": (
        "الرئيسية سياسة اقتصاد رياضة ثقافة منوعات",
        "أخبار محلية عربي ودولي تقارير حوارات فيديو",
        "آخر الأخبار الأكثر قراءة ملفات خاصة صور",
    ),
    "en": (
        "Home Politics Economy Sport Culture Travel",
        "Local World Reports Interviews Video Podcasts",
        "Latest Most Read Special Files Photos Opinion",
    ),
}


def redesign_corpus(n_pages: int, seed: int = 0, designs: int = 3) -> tuple[list[dict], list[dict]]:
    """An archive crawl of one site per language over a year, through `designs` designs (a few
    months each): pages without line breaks whose section bar, glued before the lead, and closing
    about-blurb change with each design, so that each design's furniture is on a minority of the
    site's pages. (pages, truths) in fetch order; a truth names the page's design and furniture."""
    rnd = random.Random(seed)
    pages: list[dict] = []
    truths: list[dict] = []
    for lang in ("ar", "en"):
        lex = Lexicon(lang, random.Random(seed * 7919 + (5 if lang == "ar" else 6)), 1500)
        domain = "arshif.example" if lang == "ar" else "archive-herald.example"
        bars = _REDESIGN_BARS[lang]
        looks = [
            (bars[i % len(bars)], " ".join(_sentence(lex, rnd, None, 9, 14) for _ in range(2)))
            for i in range(designs)
        ]
        when = datetime(2021, 1, 3)
        per_design = max(1, n_pages // (2 * designs))
        for serial in range(per_design * designs):
            design = serial // per_design
            bar, blurb = looks[design]
            lead = " ".join(_paragraph(lex, rnd, []) for _ in range(rnd.randint(3, 6)))
            pid = f"{lang}-{serial:04d}"
            when += timedelta(days=365 / (per_design * designs), minutes=rnd.randint(0, 600))
            pages.append(
                {
                    "id": pid,
                    "url": f"https://{domain}/{pid}",
                    "fetched_at": when.isoformat() + "Z",
                    "text": f"{bar} {lead} {blurb}",
                }
            )
            truths.append({"id": pid, "design": design, "bar": bar, "blurb": blurb, "lead": lead})
    return pages, truths


def generate(n_pages: int, seed: int = 0, no_breaks_share: float = 0.0) -> tuple[list[dict], list[dict]]:
    """A labelled corpus of n_pages pages: (pages, truths), same order."""
    pages: list[dict] = []
    truths: list[dict] = []
    for page, truth in iter_corpus(n_pages, seed, no_breaks_share):
        pages.append(page)
        truths.append(truth)
    return pages, truths


def write_corpus(
    out: Path, n_pages: int, seed: int = 0, no_breaks_share: float = 0.0, truth: bool = True
) -> int:
    """Stream a corpus to out/pages.jsonl and out/truth.jsonl (unless `truth` is False, for a
    benchmark); the number of pages written."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    truth_path = out / "truth.jsonl" if truth else Path(os.devnull)
    with (out / "pages.jsonl").open("wb") as fp, truth_path.open("wb") as ft:
        for page, labels in iter_corpus(n_pages, seed, no_breaks_share):
            fp.write(_dumps(page))
            if truth:
                ft.write(_dumps(labels))
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    """CLI: write a generated corpus to a directory."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--no-breaks-share",
        type=float,
        default=0.0,
        help="share of sites whose pages have no line breaks at all",
    )
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-truth", action="store_true", help="write pages.jsonl only (for a benchmark)")
    args = ap.parse_args(argv)
    n = write_corpus(args.out, args.pages, args.seed, args.no_breaks_share, truth=not args.no_truth)
    print(f"wrote {n} pages to {args.out}", file=sys.stderr)
    return 0


__all__ = ["KINDS", "generate", "iter_corpus", "page_text", "short_article_corpus", "write_corpus"]

if __name__ == "__main__":
    raise SystemExit(main())
