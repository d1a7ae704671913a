"""Page-level near-duplicates with datasketch used well: word 5-grams of the NFKC text with
whitespace collapsed, xxh32, `MinHash.bulk` (the affine32 scheme), `MinHashLSH(0.8)` insert and
query. Usage: bench_datasketch.py INPUT.jsonl OUTPUT.txt (the pages that have a candidate)."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator
from itertools import islice

import orjson
import xxhash
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
BATCH = 1000


def shingles(text: str) -> list[bytes]:
    """The page's word 5-grams (the whole page when shorter), as UTF-8."""
    words = unicodedata.normalize("NFKC", text).split()
    return [" ".join(words[i : i + 5]).encode("utf-8") for i in range(max(1, len(words) - 4))]


def pages(source: str) -> Iterator[tuple[str, str]]:
    """(id, text) of every page."""
    with open(source, "rb") as f:
        for line in f:
            record = orjson.loads(line)
            yield record["id"], record["text"]


def main(source: str, target: str) -> None:
    """Sign every page, index the signatures, query each one; write the pages with a candidate."""
    lsh = MinHashLSH(threshold=0.8, num_perm=NUM_PERM)
    signed: list[tuple[str, MinHash]] = []
    it = pages(source)
    with lsh.insertion_session() as session:
        while batch := list(islice(it, BATCH)):
            sigs = MinHash.bulk(
                [shingles(text) for _, text in batch], num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest
            )
            for (page_id, _), sig in zip(batch, sigs, strict=True):
                session.insert(page_id, sig)
                signed.append((page_id, sig))
    with open(target, "w", encoding="utf-8") as out:
        for page_id, sig in signed:
            if len(lsh.query(sig)) > 1:
                out.write(page_id + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
