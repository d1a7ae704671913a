"""Line templates with variable slots: the shape of a date line or a counter, a `Label: …` prefix."""

from __future__ import annotations

import re

import regex

from dedup.normalize import normalize

_NAMES = """
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday am pm gmt utc
janvier février mars avril mai juin juillet août septembre octobre novembre décembre
lundi mardi mercredi jeudi vendredi samedi dimanche
يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس اغسطس سبتمبر أكتوبر اكتوبر نوفمبر ديسمبر
كانون الثاني شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين الأول
الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت صباحا مساء ص م
"""
# Month and weekday names are slots, like numbers: "12 March 2021" and "3 May 2020" share a shape.
SLOT_WORDS = frozenset(normalize(w) for w in _NAMES.split())
_HAS_DIGIT = regex.compile(r"\d")
# A label and its separator at the start of a short line: "Tags:", "اقرأ أيضا:", "READ MORE |".
_LABEL = regex.compile(r"^\W*([^:|»›–—]{1,40}?)\s*[:|»›–—]")
_SEPARATOR = re.compile(r"[:|»›–—]")  # a line without one has no label: ruled out in one scan
MAX_TEMPLATE_WORDS = 16
MAX_LABEL_WORDS = 4


def shape(key: str) -> str:
    """The key with numbers, month and weekday names as one `0` slot per run."""
    words = key.split()
    if not _HAS_DIGIT.search(key) and SLOT_WORDS.isdisjoint(words):
        return " ".join(words)  # no slot: the common case, without a look at every word
    out: list[str] = []
    for word in words:
        if word in SLOT_WORDS or _HAS_DIGIT.search(word):
            if not out or out[-1] != "0":
                out.append("0")
        else:
            out.append(word)
    return " ".join(out)


def label_prefix(raw_line: str, n_words: int) -> str | None:
    """`P:<label>` for a short line that starts with a label and a separator, else None."""
    if n_words > MAX_TEMPLATE_WORDS or not _SEPARATOR.search(raw_line):
        return None
    m = _LABEL.match(raw_line)
    if not m:
        return None
    label = normalize(m.group(1))
    if not label or label.count(" ") + 1 > MAX_LABEL_WORDS or shape(label) == "0":
        return None
    return "P:" + label
