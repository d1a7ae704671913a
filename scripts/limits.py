"""Large inputs, made up on the spot, and the peak memory and time of `dedup clean` on each.

    python scripts/limits.py                 # every case, a table at the end
    python scripts/limits.py one-line site   # some cases
    python scripts/limits.py --scale 0.1     # every case at a tenth of its size

Each case writes its input (JSONL) into a temporary folder, then runs `dedup clean INPUT -o OUT`
in a child process; the peak memory is the child's own maximum resident set (os.wait4), the time
its wall-clock time. The two huge pages (`huge-line`, `short-lines`) are also cleaned at four
times their size, and the 4x/1x ratios of time and peak printed: linear work gives about 4.
The tests marked slow (`make test-slow`) run the same cases.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

MB = 1_000_000
_SYLLABLES_AR = ["ب", "ت", "ث", "ج", "ح", "خ", "د", "ر", "ز", "س", "ش", "ص", "ض", "ط", "ع", "غ", "ف", "ق", "ك", "ل", "م", "ن", "ه", "و", "ي"]
_SYLLABLES_EN = ["ka", "lo", "mi", "ne", "ra", "to", "shi", "ve", "du", "pa", "ri", "se", "no", "ma", "li", "ba"]


def vocabulary(rnd: random.Random, size: int = 5000) -> list[str]:
    """Made-up words, half Arabic-looking, half Latin, with the short function words news uses."""
    words = ["في", "من", "على", "إلى", "أن", "the", "of", "and", "to", "in"] * 20
    for i in range(size):
        letters = _SYLLABLES_AR if i % 2 else _SYLLABLES_EN
        words.append("".join(rnd.choice(letters) for _ in range(rnd.randint(2, 4))))
    return words


def sentence(rnd: random.Random, words: list[str], low: int = 8, high: int = 20) -> str:
    """A sentence of made-up words with a full stop."""
    return " ".join(rnd.choice(words) for _ in range(rnd.randint(low, high))) + "."


def paragraph(rnd: random.Random, words: list[str], sentences: int = 3) -> str:
    """A few sentences."""
    return " ".join(sentence(rnd, words) for _ in range(sentences))


NAV = "الرئيسية | أخبار | اقتصاد | رياضة | ثقافة | اتصل بنا"
SHARE = "شارك المقال مع أصدقائك"
FOOTER = "جميع الحقوق محفوظة © 2024 جريدة المثال"


def news_page(rnd: random.Random, words: list[str], paragraphs: int) -> str:
    """A page of a made-up site: nav, date, title, paragraphs, a share widget, a teaser, a footer."""
    body = [paragraph(rnd, words) for _ in range(paragraphs)]
    date = f"{rnd.randint(1, 28)}/{rnd.randint(1, 12)}/2024 - {rnd.randint(0, 23)}:{rnd.randint(10, 59)}"
    title = " ".join(rnd.choice(words) for _ in range(6))
    teaser = body[0][: len(body[0]) // 2]
    return "\n".join([NAV, date, title, *body, SHARE, title, teaser, FOOTER]) + "\n"


def big_page(size: int, seed: int = 1) -> str:
    """One page of about `size` characters: many paragraphs between one site's furniture, with
    paragraphs doubled here and there."""
    rnd = random.Random(seed)
    words = vocabulary(rnd)
    lines = [NAV, "1/1/2024 - 10:00", " ".join(rnd.choice(words) for _ in range(6))]
    total = 0
    while total < size:
        line = paragraph(rnd, words, rnd.randint(1, 5))
        lines.append(line)
        if rnd.random() < 0.05:
            lines.append(line)  # a scraper's double
        if rnd.random() < 0.02:
            lines.append(SHARE)
        total += len(line) + 1
    lines.append(FOOTER)
    return "\n".join(lines) + "\n"


def one_line_page(size: int, seed: int = 2) -> str:
    """One page of about `size` characters in one line: a page that lost its line breaks, with its
    furniture glued into the flow of words."""
    return big_page(size, seed).replace("\n", " ")


_REFERENCE = Path(__file__).resolve().parent.parent / "corpus" / "reference" / "page.txt"


def huge_line_page(size: int, seed: int = 5) -> str:
    """One page of about `size` characters in one line: the real article of corpus/reference,
    its paragraphs repeated over and over, each copy varied (one number changed, a made-up word
    added), as a page that lost its line breaks and kept a scraper's repeats."""
    rnd = random.Random(seed)
    paragraphs = [p.strip() for p in _REFERENCE.read_text(encoding="utf-8").split("\n") if p.strip()]
    pieces = []
    total = 0
    while total < size:
        word = rnd.choice(_SYLLABLES_AR) + rnd.choice(_SYLLABLES_AR)
        piece = f"{rnd.choice(paragraphs)} {rnd.randint(1, 9999)} {word}."
        pieces.append(piece)
        total += len(piece) + 1
    return " ".join(pieces)


TEN_WORDS = ["في", "من", "الخبر", "اليوم", "قال", "the", "news", "of", "today", "said"]


def short_lines_page(lines: int, seed: int = 6) -> str:
    """One page of `lines` short lines (four to fifteen words) drawn from ten words: a page that
    repeats itself line after line, never quite the same way."""
    rnd = random.Random(seed)
    return "".join(" ".join(rnd.choices(TEN_WORDS, k=rnd.randint(4, 15))) + "\n" for _ in range(lines))


@dataclass(frozen=True)
class Case:
    """A large input: its name, what it is, and how to write it (into a JSONL file)."""

    name: str
    about: str
    write: Callable[[Path, float], int]  # (path, scale) -> records written
    growth: bool = False  # also measured at four times the size, to show the work grows linearly


def _write(path: Path, records: Iterator[dict[str, str]]) -> int:
    n = 0
    with path.open("wb") as f:
        for record in records:
            f.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
            n += 1
    return n


def write_big_page(path: Path, scale: float = 1.0) -> int:
    """One page of 50 MB of text."""
    return _write(path, iter([{"id": "big", "url": "https://example.org/big", "text": big_page(int(50 * MB * scale))}]))


def write_one_line(path: Path, scale: float = 1.0) -> int:
    """One page that is a single line of 10 MB."""
    text = one_line_page(int(10 * MB * scale))
    return _write(path, iter([{"id": "line", "url": "https://example.org/line", "text": text}]))


def write_huge_line(path: Path, scale: float = 1.0) -> int:
    """One page that is a single line of 20 MB of a real article, repeated and varied."""
    text = huge_line_page(int(20 * MB * scale))
    return _write(path, iter([{"id": "huge-line", "url": "https://example.org/huge-line", "text": text}]))


def write_short_lines(path: Path, scale: float = 1.0) -> int:
    """One page of 500,000 short lines from a ten-word vocabulary (about 30 MB)."""
    text = short_lines_page(int(500_000 * scale))
    return _write(path, iter([{"id": "short-lines", "url": "https://example.org/short-lines", "text": text}]))


def site_records(pages: int, seed: int = 3) -> Iterator[dict[str, str]]:
    """`pages` pages of one site, each with its own article, one in fifty a re-fetch of another."""
    rnd = random.Random(seed)
    words = vocabulary(rnd)
    recent: list[str] = []
    for i in range(pages):
        if recent and rnd.random() < 0.02:
            text = rnd.choice(recent)
        else:
            text = news_page(rnd, words, rnd.randint(1, 3))
            recent = (recent + [text])[-50:]
        yield {"id": f"s{i}", "url": f"https://www.example.org/news/{i}", "text": text}


def write_site(path: Path, scale: float = 1.0) -> int:
    """200,000 pages of one site."""
    return _write(path, site_records(int(200_000 * scale)))


def one_line_records(pages: int, seed: int = 4) -> Iterator[dict[str, str]]:
    """`pages` pages of one line each (a headline, a short notice), over 100 sites."""
    rnd = random.Random(seed)
    words = vocabulary(rnd)
    for i in range(pages):
        text = sentence(rnd, words, 4, 14) if i % 10 else SHARE
        yield {"id": f"l{i}", "url": f"https://site{i % 100}.example/{i}", "text": text}


def write_one_line_pages(path: Path, scale: float = 1.0) -> int:
    """1,000,000 pages of one line."""
    return _write(path, one_line_records(int(1_000_000 * scale)))


CASES = {
    "big-page": Case("big-page", "one page of 50 MB", write_big_page),
    "one-line": Case("one-line", "one page that is one 10 MB line", write_one_line),
    "huge-line": Case("huge-line", "one page that is one 20 MB line", write_huge_line, growth=True),
    "short-lines": Case("short-lines", "one page of 500,000 short lines", write_short_lines, growth=True),
    "site": Case("site", "one site of 200,000 pages", write_site),
    "one-line-pages": Case("one-line-pages", "1,000,000 one-line pages", write_one_line_pages),
}


GROWTH = 4  # how much bigger the second measure of a growth case is


@dataclass(frozen=True)
class Measure:
    """What one run of `dedup clean` took."""

    case: str
    records: int
    input_bytes: int
    output_bytes: int
    seconds: float
    peak_rss_mb: float
    exit_code: int
    cpu_seconds: float = 0.0  # the child's own processor time: steadier on a busy machine
    system_seconds: float = 0.0  # the part of it the kernel spent (mostly fresh memory for a huge page)
    page_faults: int = 0  # the child's minor page faults: each 4 KB of fresh memory it touched


def run_clean(input_path: Path, output: Path, extra: list[str] | None = None) -> tuple[int, float, float]:
    """Run `dedup clean` in a child process, its messages into OUTPUT.log: (exit code, seconds,
    peak resident memory in MB)."""
    code, seconds, peak, _, _, _ = run_clean_timed(input_path, output, extra)
    return code, seconds, peak


def run_clean_timed(
    input_path: Path, output: Path, extra: list[str] | None = None
) -> tuple[int, float, float, float, float, int]:
    """`run_clean`, with the child's processor time (user and system seconds, and system alone) and
    its minor page faults."""
    dedup = Path(sys.executable).with_name("dedup")
    # One process: its peak is the whole run's (workers would be other processes, not counted).
    argv = [str(dedup), "clean", str(input_path), "-o", str(output), "--workers", "1", *(extra or [])]
    log = os.open(output.with_name(output.name + ".log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    start = time.monotonic()
    try:
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, log, 1), (os.POSIX_SPAWN_DUP2, log, 2)])
    finally:
        os.close(log)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    peak = usage.ru_maxrss / 1024  # ru_maxrss is in KB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), seconds, peak, cpu, usage.ru_stime, usage.ru_minflt


def measure(case: Case, folder: Path, scale: float = 1.0) -> Measure:
    """Write the case's input, clean it, and measure."""
    src = folder / f"{case.name}.jsonl"
    out = folder / f"{case.name}.cleaned.jsonl"
    records = case.write(src, scale)
    code, seconds, peak, cpu, system, faults = run_clean_timed(src, out)
    size_out = out.stat().st_size if out.exists() else 0
    return Measure(case.name, records, src.stat().st_size, size_out, seconds, peak, code, cpu, system, faults)


def _ratio(big: float, small: float) -> str:
    return f"{big / max(small, 1e-9):.1f}"


def main(argv: list[str] | None = None) -> int:
    """Measure the cases named (all by default) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", choices=[[], *CASES], default=[], metavar="CASE")
    parser.add_argument("--scale", type=float, default=1.0, help="size of every case, 1.0 as described")
    args = parser.parse_args(argv)
    names = args.cases or list(CASES)
    rows = []
    with tempfile.TemporaryDirectory(prefix="dedup-limits-") as tmp:
        for name in names:
            case = CASES[name]
            scales = [args.scale, GROWTH * args.scale] if case.growth else [args.scale]
            measured = []
            for scale in scales:
                m = measure(case, Path(tmp), scale)
                measured.append(m)
                size = f"{case.about}{'' if scale == args.scale else f' x{GROWTH}'}"
                print(
                    f"{m.case:<15} {size:<37} {m.records:>9,} records  {m.input_bytes / MB:>7.1f} MB in  "
                    f"{m.seconds:>8.1f} s ({m.cpu_seconds:>7.1f} s CPU, {m.system_seconds:>6.1f} s system, "
                    f"{m.page_faults / 1e6:>5.2f} M page faults)  peak {m.peak_rss_mb:>7.0f} MB  "
                    f"exit {m.exit_code}",
                    flush=True,
                )
                (Path(tmp) / f"{name}.jsonl").unlink()
                (Path(tmp) / f"{name}.cleaned.jsonl").unlink(missing_ok=True)
            if len(measured) == 2:
                small, big = measured
                user = _ratio(big.cpu_seconds - big.system_seconds, small.cpu_seconds - small.system_seconds)
                print(
                    f"{name:<15} x{GROWTH} the input: time x{big.seconds / small.seconds:.1f} "
                    f"(CPU x{_ratio(big.cpu_seconds, small.cpu_seconds)}: user x{user}, "
                    f"system x{_ratio(big.system_seconds, small.system_seconds)}), "
                    f"page faults x{_ratio(big.page_faults, small.page_faults)}, "
                    f"peak x{big.peak_rss_mb / small.peak_rss_mb:.1f}",
                    flush=True,
                )
            rows += measured
    return 0 if all(m.exit_code == 0 for m in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
