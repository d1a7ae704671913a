"""Known widget phrases: share, follow, newsletter, cookie, print, "send to a friend", in ar/en/fr.

These clean the first page of an unknown site; learned site evidence does most of the work later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

from dedup import checks
from dedup._core import WidgetTable, match_widgets, widget_decisions
from dedup.config import Widgets
from dedup.normalize import normalize
from dedup.page import Block, Decision, Kind
from dedup.segment import Words, ends_sentence_at

# A short block that contains one of these phrases, and is mostly made of it, is a widget.
PHRASES = (
    # Arabic
    "شارك المقال",
    "شارك الخبر",
    "شارك هذا",
    "شاركها على",
    "شارك على",
    "مشاركة المقال",
    "أرسل لصديق",
    "ارسل الى صديق",
    "أرسل إلى صديق",
    "إرسال لصديق",
    "تابعونا على",
    "تابعنا على",
    "تابعوا آخر",
    "تابعونا",
    "اشترك في النشرة",
    "اشترك في القائمة البريدية",
    "النشرة البريدية",
    "اشترك الآن",
    "حمل تطبيق",
    "حمّل التطبيق",
    "نزّل تطبيق",
    "يستخدم الكوكيز",
    "ملفات تعريف الارتباط",
    "ملفات الكوكيز",
    "أخبار ذات صلة",
    "مواضيع ذات صلة",
    "مقالات ذات صلة",
    "الأكثر قراءة",
    "اقرأ المزيد",
    "جميع الحقوق محفوظة",
    "اترك تعليقا",
    "أضف تعليقا",
    "اضف تعليق",
    # English
    "send this to a friend",
    "email this article",
    "email this story",
    "share this article",
    "share this story",
    "share this",
    "share on facebook",
    "share on twitter",
    "share on whatsapp",
    "follow us on",
    "follow us",
    "subscribe to our newsletter",
    "sign up for our newsletter",
    "sign up to our newsletter",
    "subscribe to our daily newsletter",
    "get our newsletter",
    "this site uses cookies",
    "this website uses cookies",
    "we use cookies",
    "accept cookies",
    "cookie policy",
    "print this article",
    "print this page",
    "related articles",
    "related stories",
    "most read",
    "all rights reserved",
    "leave a comment",
    "add your comment",
    "download our app",
    "get the app",
    "skip to content",
    "skip to main content",
    # French
    "partager cet article",
    "partagez cet article",
    "envoyer à un ami",
    "envoyer a un ami",
    "suivez nous",
    "abonnez vous à notre newsletter",
    "inscrivez vous à notre newsletter",
    "abonnez vous à la newsletter",
    "ce site utilise des cookies",
    "nous utilisons des cookies",
    "imprimer l'article",
    "articles similaires",
    "tous droits réservés",
    "laisser un commentaire",
)

# A line made of one of these alone (social buttons, ad labels) is a widget.
LABELS = (
    "شارك",
    "مشاركة",
    "طباعة",
    "إعلان",
    "اعلان",
    "واتساب",
    "فيسبوك",
    "تويتر",
    "تلغرام",
    "ارسل لصديق",
    "share",
    "print",
    "email",
    "tweet",
    "facebook",
    "twitter",
    "whatsapp",
    "telegram",
    "linkedin",
    "pinterest",
    "reddit",
    "advertisement",
    "sponsored",
    "imprimer",
    "partager",
    "publicité",
)

# A short line that starts with one of these introduces a link to another article.
LINK_PREFIXES = (
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "إقرأ أيضا",
    "اقرأ/ي أيضًا",
    "اقرأ المزيد",
    "شاهد أيضا",
    "طالع أيضا",
    "read more",
    "read also",
    "see also",
    "also read",
    "lire aussi",
    "à lire aussi",
    "voir aussi",
)


@dataclass(frozen=True)
class WidgetMatcher:
    """Phrases, labels and link prefixes as normalized keys, plus user regexes on keys."""

    phrases: tuple[str, ...]
    labels: frozenset[str]
    link_prefixes: tuple[str, ...]
    patterns: tuple[regex.Pattern[str], ...] = ()
    limits: Widgets = Widgets()
    # A phrase or prefix can only match a key holding its first word: most keys are ruled out at
    # once, and the others are tried against the phrases that start with one of their words.
    phrases_by_first_word: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    link_first_words: frozenset[str] = field(init=False, repr=False)
    # The same lists in the Rust core, which matches a page's keys in one call (None: a phrase
    # there holds a lone surrogate, and every key is matched here).
    table: WidgetTable | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_first: dict[str, list[int]] = {}
        for i, phrase in enumerate(self.phrases):
            by_first.setdefault(phrase.split(" ", 1)[0], []).append(i)
        by_first_word = {word: tuple(at) for word, at in by_first.items()}
        object.__setattr__(self, "phrases_by_first_word", by_first_word)
        link_first_words = frozenset(p.split(" ", 1)[0] for p in self.link_prefixes)
        object.__setattr__(self, "link_first_words", link_first_words)
        try:
            table = WidgetTable(
                list(self.phrases),
                set(self.labels),
                list(self.link_prefixes),
                self.limits.max_widget_words,
                self.limits.max_link_words,
            )
        except UnicodeEncodeError:
            table = None
        object.__setattr__(self, "table", table)

    def __reduce__(self) -> tuple[type[WidgetMatcher], tuple[object, ...]]:
        # Made again where it is unpickled (a worker, a Spark task): the core's table is not pickled.
        return WidgetMatcher, (self.phrases, self.labels, self.link_prefixes, self.patterns, self.limits)

    @classmethod
    def build(cls, user_patterns: Iterable[str] = (), limits: Widgets = Widgets()) -> WidgetMatcher:
        """The default lists plus user patterns: a plain phrase, or `re:REGEX` on normalized keys."""
        phrases = [normalize(p) for p in PHRASES]
        compiled = []
        for p in user_patterns:
            if p.startswith("re:"):
                checks.pattern(p)  # a broken one is refused with what to do, not a bare regex error
                compiled.append(regex.compile(p[3:]))
            elif normalize(p):
                phrases.append(normalize(p))
        return cls(
            phrases=tuple(sorted(set(phrases), key=len, reverse=True)),
            labels=frozenset(normalize(x) for x in LABELS),
            link_prefixes=tuple(normalize(x) for x in LINK_PREFIXES),
            patterns=tuple(compiled),
            limits=limits,
        )

    def match(self, key: str) -> str | None:
        """The phrase or label that makes this key a widget, or None."""
        n_words = key.count(" ") + 1
        if key in self.labels:
            return key
        if n_words <= self.limits.max_widget_words and (phrase := self._phrase(key, n_words)):
            return phrase
        if n_words <= self.limits.max_link_words and key.split(" ", 1)[0] in self.link_first_words:
            for prefix in self.link_prefixes:
                if key.startswith(prefix + " "):
                    return prefix + " …"
        return self._pattern(key)

    def match_all(self, keys: list[str]) -> list[str | None]:
        """`match` of each key, the lists matched by the Rust core (the keys of a page with a lone
        surrogate, here), the user's regexes here."""
        found = None if self.table is None else match_widgets(self.table, keys)
        if found is None:
            return [self.match(key) for key in keys]
        if not self.patterns:
            return found
        return [
            phrase if phrase is not None else self._pattern(key)
            for phrase, key in zip(found, keys, strict=True)
        ]

    def _pattern(self, key: str) -> str | None:
        """The first user regex found in the key, or None."""
        for pattern in self.patterns:
            if pattern.search(key):
                return pattern.pattern
        return None

    def _phrase(self, key: str, n_words: int) -> str | None:
        """The phrase a key starts with, or is mostly made of, tried in the phrases' order (longest
        first) among those that start with one of its words."""
        words = key.split(" ")
        if self.phrases_by_first_word.keys().isdisjoint(words):
            return None
        for i in sorted({i for word in words for i in self.phrases_by_first_word.get(word, ())}):
            phrase = self.phrases[i]
            # A widget starts with its phrase ("Share this article on …"), or is mostly made of it.
            if (key + " ").startswith(phrase + " ") or (
                _contains_words(key, phrase) and phrase.count(" ") + 1 >= n_words / 2
            ):
                return phrase
        return None


def _contains_words(key: str, phrase: str) -> bool:
    """Whether phrase occurs in key on word boundaries."""
    return f" {phrase} " in f" {key} "


def tail_links(text: str, words: Words, end_of_flow: int, matcher: WidgetMatcher) -> list[Decision]:
    """In a flattened page, a "read also" phrase near the end and the few titles after it.

    `words` are the words that stay so far, so "near the end" means near the end of what stays.
    Titles carry no full stop: a phrase followed by sentences is inside the article (a link in
    the body), and the sentences after it are the article's.
    """
    n = len(words.words)
    for i in range(max(0, n - matcher.limits.max_tail_link_words), n):
        if words.words[i] not in matcher.link_first_words:
            continue  # no prefix opens with it: most words
        for prefix in matcher.link_prefixes:
            k = prefix.count(" ") + 1
            if " ".join(words.words[i : i + k]) == prefix and not _sentences_follow(text, words, i + k):
                return [Decision(words.starts[i], end_of_flow, Kind.READ_ALSO, {"phrase": prefix + " …"})]
    return []


def _sentences_follow(text: str, words: Words, first: int) -> bool:
    """Whether a word from `first` on, but the last, ends a sentence."""
    return any(ends_sentence_at(text, words.ends[j]) for j in range(first, len(words.words) - 1))


def detect(blocks: Sequence[Block], matcher: WidgetMatcher) -> list[Decision]:
    """Decisions for the blocks that are known widgets (of kind read-also for a link prefix's title
    list): made by the Rust core in one call, but for the user's regexes and a page with a lone
    surrogate."""
    if matcher.table is not None and not matcher.patterns:
        made = widget_decisions(matcher.table, list(blocks), Decision, (Kind.WIDGET, Kind.READ_ALSO))
        if made is not None:
            return made
    found = matcher.match_all([b.key for b in blocks])
    return [
        Decision(b.start, b.end, Kind.READ_ALSO if phrase.endswith(" …") else Kind.WIDGET, {"phrase": phrase})
        for b, phrase in zip(blocks, found, strict=True)
        if phrase
    ]
