"""Checks of setting values, made once where a setting object is built, with messages that say
what to give instead."""

from __future__ import annotations

from typing import Any

import regex


class SettingError(ValueError):
    """A setting with a value it cannot have; the message names it and says what to give."""


def whole(owner: str, name: str, value: Any, least: int = 1) -> None:
    """A whole number of at least `least`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise SettingError(f"{owner}.{name} is {value!r}: give a whole number of at least {least}")


def share(owner: str, name: str, value: Any, zero: bool = True, hint: str = "") -> None:
    """A share between 0 and 1 (0 excluded unless `zero`)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not (0 <= value <= 1) or (value == 0 and not zero):
        low = "0" if zero else "just above 0"
        raise SettingError(f"{owner}.{name} is {value!r}: give a number from {low} to 1{hint}")


def one_of(owner: str, name: str, value: Any, allowed: tuple[str, ...]) -> None:
    """One of a few names."""
    if value not in allowed:
        raise SettingError(f"{owner}.{name} is {value!r}: give one of {', '.join(allowed)}")


def pattern(value: str) -> None:
    """Refuse a `re:` pattern that is no regular expression, saying where it breaks."""
    if value.startswith("re:"):
        try:
            regex.compile(value[3:])
        except regex.error as e:
            raise SettingError(
                f"pattern {value!r} is not a regular expression ({e}); fix it, or drop the re: prefix "
                "to match it as a plain phrase"
            ) from e
