"""Coverage-guided fuzzing of reading and cleaning (atheris): `make fuzz` (FUZZ_SECONDS=60).

Each input is read as a JSONL line, as in a real run, and as page text: a few pages of one site
cut from it, learned and cleaned. Checked on every input: reading gives a page or a bad record,
never an exception; cleaning never fails; restoring gives the original back; a page cleaned
without a model and cleaned again loses nothing more. Any other outcome is a crash atheris
reports with the input that made it (saved as crash-*).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from dedup.audit import restore
    from dedup.clean import Cleaner
    from dedup.io.readers import _parse_line
    from dedup.io.records import BadRecord, Fields
    from dedup.page import Page

FIELDS = Fields()
SEPARATORS = ("\n", "\n\n", " ", ". ")


def check_line(data: bytes) -> None:
    """A JSONL line is a page or a bad record with a reason."""
    item = _parse_line(data, Path("fuzz.jsonl"), 1, FIELDS, None)
    assert isinstance(item, Page | BadRecord), item
    if isinstance(item, BadRecord):
        assert item.reason and item.raw == data


def check_pages(fdp: atheris.FuzzedDataProvider) -> None:
    """A few pages of one site, sharing lines: learn them, clean each, restore each."""
    parts = [fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 400)) for _ in range(fdp.ConsumeIntInRange(1, 6))]
    shared = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 200))
    sep = SEPARATORS[fdp.ConsumeIntInRange(0, len(SEPARATORS) - 1)]
    pages = [Page(id=str(i), text=sep.join((shared, p, shared)), site="s") for i, p in enumerate(parts)]
    cleaner = Cleaner()
    cleaner.learn(pages)
    for page in pages:
        result = cleaner.clean(page)
        assert restore(result.text, result.removed) == page.text
    alone = Cleaner().clean(pages[0])
    again = Cleaner().clean(Page(id="again", text=alone.text))
    assert again.removed == (), (pages[0].text, alone.removed, again.removed)


def test_one_input(data: bytes) -> None:
    """The fuzz target."""
    check_line(data)
    check_pages(atheris.FuzzedDataProvider(data))


def main() -> None:
    """Run atheris with the command-line arguments (libFuzzer flags: -max_total_time=N, a corpus dir)."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
