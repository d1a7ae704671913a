"""The floor a cleaner is measured against: read JSONL, parse, split lines, NFKC + casefold +
whitespace per line, write JSONL back. Usage: bench_floor.py INPUT.jsonl OUTPUT.jsonl"""

from __future__ import annotations

import sys
import unicodedata

import orjson


def main(source: str, target: str) -> None:
    """Normalize every line of every page, and write the pages back."""
    with open(source, "rb") as f, open(target, "wb") as out:
        for line in f:
            record = orjson.loads(line)
            lines = record["text"].split("\n")
            record["text"] = "\n".join(
                " ".join(unicodedata.normalize("NFKC", x).casefold().split()) for x in lines
            )
            out.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
