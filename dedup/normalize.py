"""Matching keys: Unicode and Arabic folding, and the shapes of keys (numbers and dates as slots). Keys are
for matching only; page text is never altered."""

from __future__ import annotations

import functools
import sys
import unicodedata
from array import array
from bisect import bisect_left

import numpy as np
import regex

from dedup._core import FoldTable, fold, fold_first, folded_words, nfkc_by_char

# Bump when keys change: stored models hold keys made by one version.
NORMALIZER_VERSION = 3

# Arabic harakat, superscript alef, Quranic marks, tatweel; zero-width marks; soft hyphen.
_DROP = regex.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200D\uFEFF\u00AD]")
# What can join the character before it (compose with it, or move before it): a mark, a Hangul
# vowel or final jamo.
_JOINS = regex.compile(r"[\p{M}\u1161-\u1175\u11A8-\u11C2]")
# Bidi marks stand between words: "وفي\u200fالثاني" is two words.
_BIDI = regex.compile(r"[\u200E\u200F\u202A-\u202E\u2066-\u2069\u061C]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ئ": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ک": "ك",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)
# Punctuation and symbols become spaces; letters, marks and digits of every script stay.
_PUNCT = regex.compile(r"[\p{P}\p{S}\s]+")
_DIGITS = regex.compile(r"\d+")
WORD = regex.compile(r"\w+")


def normalize(text: str) -> str:
    """The matching key of a text: folded, lowercased, punctuation-free, one space between words."""
    text = unicodedata.normalize("NFKC", text)
    text = _BIDI.sub(" ", _DROP.sub("", text)).translate(_FOLD).casefold()
    # Casefolding (or a dropped mark) can undo NFKC: "J" and a combining caron fold to "j" and the
    # caron, which NFKC composes into "ǰ". Composed again, a key is its own key.
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _PUNCT.sub(" ", text).strip()


# Scripts written without spaces between words: a run of them is a phrase, not one word.
NO_SPACE_CHAR = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]"
_NO_SPACE_SCRIPT = regex.compile(NO_SPACE_CHAR + "{3,}")
NO_SPACE_CHARS_PER_WORD = 2  # a Chinese word is about two characters long
# Thai (U+0E00) and on: Latin, Greek, Cyrillic, Hebrew, Arabic come before it.
_PAST_SPACED_SCRIPTS = regex.compile(r"[^\x00-\u0dff]")


def key_words(key: str) -> int:
    """The words of a normalized key; in scripts written without spaces (Chinese, Japanese,
    Thai), every NO_SPACE_CHARS_PER_WORD characters count as a word."""
    if not key:
        return 0
    n = key.count(" ") + 1
    if key.isascii() or not _PAST_SPACED_SCRIPTS.search(key):
        return n
    for run in _NO_SPACE_SCRIPT.findall(key):
        n += -(-len(run) // NO_SPACE_CHARS_PER_WORD) - 1  # the run was counted as one word
    return n


def mask_digits(key: str) -> str:
    """A key with every number replaced by `0`: date lines and counters share one shape."""
    return _DIGITS.sub("0", key)


_WEEKDAY_NAMES = """
monday tuesday wednesday thursday friday saturday sunday
lundi mardi mercredi jeudi vendredi samedi dimanche
الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت
"""
_OTHER_NAMES = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec am pm gmt utc
janvier février mars avril mai juin juillet août septembre octobre novembre décembre
يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس اغسطس سبتمبر أكتوبر اكتوبر نوفمبر ديسمبر
كانون الثاني شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين الأول صباحا مساء ص م
"""
# Month and weekday names are slots, like numbers: "12 March 2021" and "3 May 2020" share a shape.
SLOT_WORDS = frozenset(normalize(w) for w in (_WEEKDAY_NAMES + _OTHER_NAMES).split())
WEEKDAYS = frozenset(normalize(w) for w in _WEEKDAY_NAMES.split())  # what a date line opens with
_HAS_DIGIT = regex.compile(r"\d")
SLOT = "0"  # what a run of numbers, dates and times becomes in a shape


def shape(key: str) -> str:
    """The key (normalized: one space between words) with numbers, month and weekday names as one
    `0` slot per run."""
    words = key.split()
    if not _HAS_DIGIT.search(key) and SLOT_WORDS.isdisjoint(words):
        return key  # no slot: the common case, without a look at every word
    out: list[str] = []
    for word in words:
        if word in SLOT_WORDS or _HAS_DIGIT.search(word):
            if not out or out[-1] != SLOT:
                out.append(SLOT)
        else:
            out.append(word)
    return " ".join(out)


def words(key: str) -> list[str]:
    """The words of a normalized key."""
    return key.split()


# Page-level folding: the same keys as `normalize`, for every span of a page, from one pass over it.
_PUNCT_CHAR = regex.compile(r"[\p{P}\p{S}\s]")
_WORD_CHAR = regex.compile(r"\w")
_BAD = 0xFFFFFFFF  # a character whose NFKC form or folding is not one character (see the expansions)
_PAST_BMP = regex.compile(r"[^\x00-\uffff]")
_SYMBOLS = frozenset({"So", "Sk", "Sm", "Sc"})
# What the Rust core's classes hold by regex (dedup.segment.char_table); a symbol is in none.
_CLASSED = regex.compile(r"[\w\d\s\p{L}\p{Cf}]|" + NO_SPACE_CHAR)
_PUNCTUATION = regex.compile(r"\p{P}+")


@functools.cache
def bmp_chars() -> tuple[np.ndarray, str]:
    """Every BMP character but the surrogates: their code points (read-only), and the string of
    them."""
    codes = np.concatenate([np.arange(0xD800, dtype=np.uint32), np.arange(0xE000, 0x10000, dtype=np.uint32)])
    codes.flags.writeable = False
    return codes, codes.tobytes().decode("utf-32-le")


def one_char_forms(forms: list[str]) -> np.ndarray:
    """Each form's code point where it is one character, else _BAD (a table's column at once):
    read off the forms joined, where each starts, without a Python step a form."""
    lengths = np.fromiter(map(len, forms), np.int64, len(forms))
    joined = np.frombuffer("".join(forms).encode("utf-32-le"), "<u4")
    one = lengths == 1
    points = np.full(len(forms), _BAD, np.uint32)
    points[one] = joined[(np.cumsum(lengths) - lengths)[one]]
    return points


def matched(char_class: regex.Pattern[str], text: str) -> np.ndarray:
    """Whether each character of the text is one the pattern (a character class) matches, found
    a run of them at a time."""
    found = np.zeros(len(text), bool)
    for m in regex.finditer(f"(?:{char_class.pattern})+", text, char_class.flags):
        found[m.start() : m.end()] = True
    return found


@functools.cache
def _fold_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, str], dict[int, str]]:
    """For every BMP character: its NFKC form when that is one character, a space when it is
    several punctuation marks (else _BAD); what that folds to (a space for punctuation), or _BAD;
    whether `normalize` drops it; whether it is a word character (`\\w`). Last, the NFKC forms of
    several BMP characters (a ligature's: "ﷺ", "ﻻ"), of the characters whose form is _BAD, and the
    foldings of several ("ß": "ss"), of those that fold to _BAD."""
    codes, chars = bmp_chars()
    nfkc = np.full(0x10000, _BAD, np.uint32)
    nfkc_forms = [unicodedata.normalize("NFKC", c) for c in chars]
    forms = one_char_forms(nfkc_forms)
    ok = forms < 0x10000  # a compatibility ideograph (U+FA6C) goes past the BMP
    nfkc[codes[ok]] = forms[ok]
    # A form of several punctuation marks ("…" is "...") folds to spaces, as one mark does: a space
    # stands for it. No punctuation mark composes with a mark after it (as "=" does with U+0338).
    several = [i for i in np.flatnonzero(forms == _BAD) if _PUNCTUATION.fullmatch(nfkc_forms[i]) is not None]
    nfkc[codes[several]] = ord(" ")
    drop = np.zeros(0x10000, bool)
    drop[codes] = matched(_DROP, chars)
    casefolds = [c.casefold() for c in _BIDI.sub(" ", chars).translate(_FOLD)]
    folded = one_char_forms(casefolds)
    single = np.where(folded == _BAD, 0, folded).astype("<u4").tobytes().decode("utf-32-le")
    punct = matched(_PUNCT_CHAR, single)
    # Unfoldable one-to-one; a space `str.split` sees and `normalize` keeps; a character that
    # folds to one `normalize` drops, where it is not dropped itself.
    space = np.fromiter(map(str.isspace, single), bool, len(single))
    kept = (folded != _BAD) & ~(space & ~punct) & ~(matched(_DROP, single) & ~drop[codes])
    table = np.full(0x10000, _BAD, np.uint32)
    table[codes[kept]] = np.where(punct, 32, folded)[kept]
    fold_expansions = {
        int(codes[i]): "".join(" " if _PUNCT_CHAR.match(x) else x for x in casefolds[i])
        for i in np.flatnonzero(folded == _BAD)
        if all(_folds_within(x, bool(drop[codes[i]])) for x in casefolds[i])
    }
    word = np.zeros(0x10000, bool)
    word[codes] = matched(_WORD_CHAR, chars)
    for part in (nfkc, table, drop, word):
        part.flags.writeable = False
    expansions = {
        int(codes[i]): nfkc_forms[i]
        for i in np.flatnonzero(nfkc[codes] == _BAD)
        if len(nfkc_forms[i]) > 1 and _PAST_BMP.search(nfkc_forms[i]) is None
    }
    return nfkc, table, drop, word, expansions, fold_expansions


def _folds_within(char: str, dropped: bool) -> bool:
    """Whether a character of a folding of several is one the fast path can keep (as one of a
    single folding): in the BMP, no space that `normalize` keeps, and not one it drops unless the
    character folded is dropped as well."""
    return (
        ord(char) < 0x10000
        and not (char.isspace() and not _PUNCT_CHAR.match(char))
        and not (_DROP.match(char) and not dropped)
    )


@functools.cache
def core_fold_table() -> FoldTable:
    """The folding tables as the Rust core reads them, which characters can join the one before
    them (`_JOINS`), and which are settled (`_settled`)."""
    nfkc, table, drop, word, expansions, fold_expansions = _fold_table()
    codes, chars = bmp_chars()
    joins = np.zeros(0x10000, bool)
    joins[codes] = matched(_JOINS, chars)
    return FoldTable(
        nfkc.astype("<u4").tobytes(),
        table.astype("<u4").tobytes(),
        drop.tobytes(),
        word.tobytes(),
        joins.tobytes(),
        _settled(nfkc, drop).tobytes(),
        expansions,
        fold_expansions,
    )


def _settled(nfkc: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """Whether each BMP character is one that NFKC leaves where it is and as it is, wherever it
    stands (its own NFKC form, a starter, and none composes with the character before it), or a
    dropped mark that composes with nothing: NFKC can only move it among the marks around it. A
    text of these is NFKC but for the order of its dropped marks, without asking NFKC."""
    codes, chars = bmp_chars()
    # The canonical decompositions (the pairs past the BMP compose none of its characters).
    canonical = [(c, d.split()) for c in chars if (d := unicodedata.decomposition(c)) and d[0] != "<"]
    seconds = np.zeros(0x10000, bool)  # what composes with the character before it
    for _, parts in canonical:
        if len(parts) == 2 and int(parts[1], 16) < 0x10000:
            seconds[int(parts[1], 16)] = True
    seconds[0x1161:0x1176] = seconds[0x11A8:0x11C3] = True  # Hangul's vowels and final consonants
    opens_with_second = np.zeros(0x10000, bool)
    for c, _ in canonical:
        first = ord(unicodedata.normalize("NFD", c)[0])
        opens_with_second[ord(c)] = first < 0x10000 and seconds[first]
    own = nfkc[codes] == codes
    starter = np.fromiter(map(unicodedata.combining, chars), np.uint8, len(chars)) == 0
    settled = np.zeros(0x10000, bool)
    settled[codes] = own & ~seconds[codes] & ((starter & ~opens_with_second[codes]) | drop[codes])
    return settled


def build_tables() -> None:
    """Build the folding tables now (a process about to fork workers builds them once for all)."""
    core_fold_table()


@functools.cache
def _folds_to_a_space(char: str) -> bool:
    """Whether a character past the BMP (which the tables leave out) is a symbol, an emoji say,
    that NFKC and casefolding leave as it is, that `normalize` makes a space, and that no class of
    the Rust core's holds: the fast path takes it as a space."""
    return (
        unicodedata.category(char) in _SYMBOLS
        and unicodedata.normalize("NFKC", char) == char
        and char.casefold() == char
        and _PUNCT_CHAR.match(char) is not None
        and _CLASSED.match(char) is None
    )


# What the Rust core's `fold` gives of a text (see dedup._core.fold).
Folding = tuple[str, bytes, bytes, bytes | None, bool, bool, bool]


class Folded:
    """A text folded once, character for character, so that the key of any of its spans is a slice
    away; `key(start, end) == normalize(text[start:end])` always (the slow path where it must)."""

    def __init__(self, text: str, folding: Folding | None = None, *, folded: bool = False) -> None:
        """With `folded`, `folding` is what `fold(core_fold_table(), text, False)` gave the caller
        (None where it gave none): the text is not folded so again."""
        self.text = text
        self.fast = False  # whether the keys and words come from the folded text
        self.symbols = False  # whether the text holds symbols past the BMP (emoji): each folds to a space
        table = core_fold_table()
        # Most texts are of settled BMP characters: each its own NFKC form, the text NFKC but for
        # the order of the marks that go. Those fold as they are, without asking NFKC.
        by_char = False  # whether the text is folded by its characters' NFKC forms
        if not folded:
            # A text that is not NFKC for a character whose form is not itself (a no-break space:
            # a fifth of pages) comes folded by its characters' forms at once.
            first = fold_first(table, text)
            folding, by_char = first if first is not None else (None, False)
        if folding is not None and by_char:
            if not (folding[5] or _nfkc_by_char(text) is not None):
                return
        elif folding is None or not folding[5]:
            # A text folded so holds no character past the BMP.
            self.symbols = folding is None and not text.isascii() and _PAST_BMP.search(text) is not None
            if self.symbols and not all(map(_folds_to_a_space, set(_PAST_BMP.findall(text)))):
                return  # a letter or an ideograph past the BMP, say
            if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
                # Folded by its characters' forms where each has one, then asked whether the forms
                # are settled (most such texts hold only no-break spaces and the like, whose are).
                folding = fold(table, text, True, self.symbols)
                if folding is None or not (folding[5] or _nfkc_by_char(text, self.symbols) is not None):
                    return
                by_char = True
            elif self.symbols:  # else the folding above stands
                folding = fold(table, text, False, True)
        if folding is None:
            return  # a lone surrogate, a character past the BMP or one the tables cannot fold
        kept, word, letter, at, rejoins, _, kept_settled = folding
        if not kept_settled and not unicodedata.is_normalized("NFKC", kept):
            return  # folding undid NFKC ("J" and a combining caron): `normalize` composes again
        if rejoins:  # a dropped mark stood between two that compose once it goes ("=", U+0338)
            source = (_nfkc_by_char(text, self.symbols) if by_char else None) or text
            if not unicodedata.is_normalized("NFKC", _DROP.sub("", source)):
                return
        self.fast = True
        self._word = word  # a byte per character: a `\w` character
        self._letter = letter  # a byte per character: a `\w` character whose folding holds a letter
        self._kept = kept  # the folded text without the dropped characters
        # Where each position went in `_kept` (four bytes a character where some were dropped or
        # went to several: a 20 MB page holds these once per pass).
        self._at_bytes = at or b""  # read by the Rust core where they lie
        self._at = None if at is None else np.frombuffer(at, "<u4")
        self._at_view: memoryview | None = None
        self._whole_words: tuple[list[str], array[int], array[int]] | None = None

    def kept_span(self, start: int, end: int) -> tuple[str, bytes]:
        """Where `fast`, what the Rust core reads of text[start:end]: its folded text without the
        dropped characters, and where each of its positions went in that, as u32 bytes (empty where
        each went to one)."""
        if self._at is None:
            return self._kept[start:end], b""
        if (start, end) == (0, len(self.text)):  # the whole text's, without a copy
            return self._kept, self._at_bytes
        at = self._at[start : end + 1]
        first, last = int(at[0]), int(at[-1])
        return self._kept[first:last], (at - first if first else at).tobytes()

    def flags(self) -> tuple[bytes, bytes]:
        """Where `fast`, a byte per character of the text: a `\\w` character; one that folds to a
        letter."""
        return self._word, self._letter

    def words(
        self, start: int = 0, end: int | None = None
    ) -> tuple[list[str], array[int], array[int]] | None:
        """The words of the `\\w+` tokens of text[start:end] (what `normalize(token).split()` gives
        for each), with the start and end of the token each came from (array("q"): machine
        integers); None where the slow path must do it. Once the whole text's words are made, a
        span that cuts no token is a slice of them."""
        if not self.fast:
            return None
        end = len(self.text) if end is None else end
        if self._whole_words is None and (start, end) == (0, len(self.text)):
            self._whole_words = self._words_between(start, end)
        if self._whole_words is None or self._cuts_token(start) or self._cuts_token(end):
            return self._words_between(start, end)
        words, starts, ends = self._whole_words
        i = bisect_left(starts, start)
        j = bisect_left(starts, end, i)
        return words[i:j], starts[i:j], ends[i:j]

    def _cuts_token(self, at: int) -> bool:
        return 0 < at < len(self.text) and bool(self._word[at - 1] and self._word[at])

    def _words_between(self, start: int, end: int) -> tuple[list[str], array[int], array[int]]:
        # The Rust core reads the whole text's flags and folded text where they lie, copies the
        # span's (dropped characters inside a word stay: they join, never split) and makes one
        # string per distinct word.
        words, starts, ends = folded_words(self._word, self._letter, self._kept, self._at_bytes, start, end)
        return words, machine_ints(starts), machine_ints(ends)

    def key(self, start: int, end: int) -> str:
        """The matching key of text[start:end]."""
        if not self.fast:
            return normalize(self.text[start:end])
        if self._at is not None:
            if self._at_view is None:
                # Plain ints for each lookup, without a Python int per character (a 20 MB page).
                self._at_view = self._at.data
            start, end = self._at_view[start], self._at_view[end]
        return " ".join(self._kept[start:end].split())


def machine_ints(data: bytes) -> array[int]:
    """Little-endian 8-byte integers (the Rust core's) as an array("q")."""
    out = array("q")
    out.frombytes(data)
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _nfkc_by_char(text: str, symbols: bool = False) -> str | None:
    """The text with every character replaced by its NFKC form (a space for several punctuation
    marks), where each is of BMP characters (or, with `symbols`, a symbol past it: its own) and the
    result is NFKC as a whole but for the order of marks `normalize` drops (so that every span's
    NFKC, those marks dropped, is its replaced span's); else None."""
    found = nfkc_by_char(core_fold_table(), text, symbols)
    if found is None:
        return None
    replaced, settled = found
    if settled or unicodedata.is_normalized("NFKC", replaced):
        return replaced
    # Harakat typed out of their canonical order (a shadda before its fatha): NFKC only moves
    # them, and they go. A mark that composes with its letter (a hamza above) changes the letter.
    kept = _DROP.sub("", replaced)
    moved_only = _DROP.sub("", unicodedata.normalize("NFKC", replaced)) == kept
    return replaced if moved_only and unicodedata.is_normalized("NFKC", kept) else None
