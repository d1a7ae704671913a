"""Score a cleaner's output against a labelled truth file (word multisets over normalized text).

usage: python -m dedup.evaluate TRUTH.jsonl OUTPUT.jsonl [--json]
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import orjson

from dedup.normalize import normalize

CONTENT = "content"
BACKGROUND_MIN_CHARS = 40


def _read_jsonl(path: Path) -> Iterator[dict]:
    """The records of a JSONL file, blank lines skipped."""
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                yield orjson.loads(raw)


def _words(text: str) -> Counter[str]:
    """The multiset of normalized words of a text."""
    return Counter(normalize(text).split()) if text else Counter()


def _squash(text: str) -> str:
    """Text with runs of whitespace collapsed to one space, trimmed."""
    return " ".join(text.split())


def _is_word_char(ch: str) -> bool:
    """Whether a character belongs to a word (letter, digit, mark or underscore)."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


def _contains(haystack: str, piece: str) -> bool:
    """Whether piece occurs in haystack whole, not as part of a longer word."""
    start = haystack.find(piece)
    while start != -1:
        end = start + len(piece)
        if (start == 0 or not _is_word_char(haystack[start - 1])) and (
            end == len(haystack) or not _is_word_char(haystack[end])
        ):
            return True
        start = haystack.find(piece, start + 1)
    return False


def _duplicate_of(rec: dict) -> str | None:
    """The canonical page id an output record names, at top level or inside its "dedup" object."""
    target = rec.get("duplicate_of")
    if target is None and isinstance(rec.get("dedup"), dict):
        target = rec["dedup"].get("duplicate_of")
    return str(target) if target not in (None, "") else None


def _gold_lines(lines: list[list]) -> list[list[tuple[str, str]]]:
    """Truth pieces grouped into page lines: a glued piece joins the line before it."""
    grouped: list[list[tuple[str, str]]] = []
    for label, text, glued in lines:
        if glued and grouped:
            grouped[-1].append((label, text))
        else:
            grouped.append([(label, text)])
    return grouped


def _overlap(a: Counter[str], b: Counter[str]) -> int:
    """Size of the multiset intersection of a and b."""
    if len(a) > len(b):
        a, b = b, a
    return sum(min(n, b[w]) for w, n in a.items() if w in b)


class _UnionFind:
    """Disjoint sets over page ids."""

    def __init__(self) -> None:
        """An empty forest."""
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        """The root of x, with path halving."""
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        """Merge the sets of a and b."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def _pairs(n: int) -> int:
    """Number of unordered pairs among n items."""
    return n * (n - 1) // 2


def _background(truths: list[dict]) -> set[tuple[str, str]]:
    """(site, line) of content pieces over 40 chars that occur on two or more pages of one site."""
    pages_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for t in truths:
        for label, text, _glued in t["lines"]:
            sq = _squash(text)
            if label == CONTENT and len(sq) > BACKGROUND_MIN_CHARS:
                pages_of[(t.get("site", ""), sq)].add(t["id"])
    return {key for key, ids in pages_of.items() if len(ids) >= 2}


def _dup_scores(truths: list[dict], links: dict[str, str]) -> dict[str, float | int]:
    """Pairwise duplicate precision and recall of the output's links against the truth clusters."""
    ids = {t["id"] for t in truths}
    cluster = {t["id"]: str(t["cluster"]) for t in truths}
    uf = _UnionFind()
    for pid, target in links.items():
        if pid in ids and target in ids:
            uf.union(pid, target)
    true_sizes = Counter(cluster.values())
    pred_sizes = Counter(uf.find(pid) for pid in ids)
    both = Counter((uf.find(pid), cluster[pid]) for pid in ids)
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    pred_pairs = sum(_pairs(n) for n in pred_sizes.values())
    hit = sum(_pairs(n) for n in both.values())
    return {
        "dup_precision": hit / pred_pairs if pred_pairs else 1.0,
        "dup_recall": hit / true_pairs if true_pairs else 1.0,
        "dup_pairs_true": true_pairs,
        "dup_pairs_predicted": pred_pairs,
    }


def score(truth_path: Path, output_path: Path) -> dict:
    """Scores of an output file against truth: words and lines kept or removed, duplicate pairs."""
    truths = list(_read_jsonl(Path(truth_path)))
    outputs: dict[str, dict] = {}
    for record in _read_jsonl(Path(output_path)):
        if "id" in record:
            outputs[str(record["id"])] = record
    background = _background(truths)

    content_total = content_kept = 0
    boiler_total = boiler_kept = 0
    lines_total = lines_kept = 0
    bg_total = bg_kept = 0
    kind_total: Counter[str] = Counter()
    kind_kept: Counter[str] = Counter()
    missing = 0
    links: dict[str, str] = {}

    for t in truths:
        pid = str(t["id"])
        rec = outputs.get(pid)
        if rec is None:
            missing += 1
            text = ""
        else:
            text = rec.get("text") or ""
            target = _duplicate_of(rec)
            if target is not None:
                links[pid] = target
        out_words = _words(text)
        out_lines = Counter(sq for sq in map(_squash, text.split("\n")) if sq)
        out_flat = _squash(text)

        # Pieces are joined by newlines before normalizing: same words, one call per side.
        gold_content = _words("\n".join(x[1] for x in t["lines"] if x[0] == CONTENT))
        gold_boiler = _words("\n".join(x[1] for x in t["lines"] if x[0] != CONTENT))

        # Content words are matched first; boilerplate is scored on what is left of the output.
        kept_c = _overlap(gold_content, out_words)
        rest = out_words - gold_content
        kept_b = _overlap(gold_boiler, rest)
        content_total += sum(gold_content.values())
        content_kept += kept_c
        boiler_total += sum(gold_boiler.values())
        boiler_kept += kept_b

        # A whole line must still be a line of the output; a glued piece must survive intact. Each
        # output line counts once: content lines take theirs first, so a teaser line that repeats
        # the title is kept only if the title's line is there twice.
        line_budget = Counter(out_lines)
        pieces = [
            (label, _squash(piece), len(group) == 1)
            for group in _gold_lines(t["lines"])
            for label, piece in group
        ]
        for label, sq, single in pieces:
            if label != CONTENT or not sq:
                continue
            if single:
                lines_total += 1
                if line_budget[sq] > 0:
                    line_budget[sq] -= 1
                    lines_kept += 1
            if (t.get("site", ""), sq) in background:
                bg_total += 1
                bg_kept += out_lines[sq] > 0 if single else _contains(out_flat, sq)
        for label, sq, single in pieces:
            if label == CONTENT or not sq:
                continue
            kind_total[label] += 1
            if single:
                kind_kept[label] += line_budget[sq] > 0
                line_budget[sq] -= line_budget[sq] > 0
            else:
                kind_kept[label] += _contains(out_flat, sq)

    removed_c = content_total - content_kept
    removed_b = boiler_total - boiler_kept
    result: dict = {
        "pages": len(truths),
        "missing_pages": missing,
        "content_kept": content_kept / content_total if content_total else 1.0,
        "content_lines_kept": lines_kept / lines_total if lines_total else 1.0,
        "boilerplate_removed": removed_b / boiler_total if boiler_total else 1.0,
        "removal_precision": removed_b / (removed_b + removed_c) if removed_b + removed_c else 1.0,
        "background_paragraphs_kept": bg_kept / bg_total if bg_total else 1.0,
        "by_kind_removed": {
            kind: (kind_total[kind] - kind_kept[kind]) / kind_total[kind] for kind in sorted(kind_total)
        },
        "content_words": content_total,
        "boilerplate_words": boiler_total,
        "background_paragraphs": bg_total,
    }
    result.update(_dup_scores(truths, links))
    return result


# The headline figures, in the order reports show them.
HEADLINE = (
    "content_kept",
    "content_lines_kept",
    "boilerplate_removed",
    "removal_precision",
    "background_paragraphs_kept",
    "dup_precision",
    "dup_recall",
)


def format_scores(scores: dict) -> str:
    """A plain-text report of a score() result."""
    rows = [f"pages                       {scores['pages']}  (missing {scores['missing_pages']})"]
    rows += [f"{key:<27} {scores[key]:.4f}" for key in HEADLINE if key in scores]
    if "dup_pairs_true" in scores:
        rows.append(
            f"{'dup_pairs (true/predicted)':<27} {scores['dup_pairs_true']} / {scores['dup_pairs_predicted']}"
        )
    kinds = scores.get("by_kind_removed") or {}
    if kinds:
        rows.append("by_kind_removed:")
        rows += [f"  {kind:<25} {share:.4f}" for kind, share in kinds.items()]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """CLI: print the scores of an output file."""
    ap = argparse.ArgumentParser(description="Score a cleaner's output against truth.jsonl.")
    ap.add_argument("truth", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = ap.parse_args(argv)
    scores = score(args.truth, args.output)
    if args.json:
        sys.stdout.write(orjson.dumps(scores, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        print(format_scores(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
