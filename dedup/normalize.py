"""Matching keys: Unicode and Arabic folding. Keys are for matching only; page text is never altered."""

from __future__ import annotations

import unicodedata

import regex

# Bump when keys change: stored models hold keys made by one version.
NORMALIZER_VERSION = 2

# Arabic harakat, superscript alef, Quranic marks, tatweel; zero-width marks; soft hyphen.
_DROP = regex.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200D\uFEFF\u00AD]")
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
    return _PUNCT.sub(" ", text).strip()


def mask_digits(key: str) -> str:
    """A key with every number replaced by `0`: date lines and counters share one shape."""
    return _DIGITS.sub("0", key)


def words(key: str) -> list[str]:
    """The words of a normalized key."""
    return key.split()
