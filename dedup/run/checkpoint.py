"""Resumable batch runs: a checkpoint folder beside the output, OUTPUT.partial/.

It holds what a run that is stopped (killed, a power cut) needs to go on where it was:

- `manifest.json`: what the run is (its inputs, each with its size and time, its options and
  settings), and at the last checkpoint how many pages were cleaned, how many bytes of the spool
  and of the prints hold them, and the summary's counts so far. Written whole, then renamed over
  the last one, every CHECKPOINT_PAGES pages: it is one checkpoint or the one before.
- `model.db`: the site model learned from the inputs, saved once learning is done; a resumed
  run loads it instead of learning again.
- `spool.jsonl`: the cleaned pages' lines, in input order; `prints.bin`: what the duplicate
  grouping keeps of each page. Both are only appended to; a resumed run cuts them back to the
  last checkpoint's length, reads the inputs again past the pages it holds (bad records and
  skipped records are met again, and set aside again, as in the first run), and goes on.

The output is written, atomically as always, only when every page is cleaned; then the folder
goes. The output of a run stopped and resumed is the same, byte for byte, as the output of a run
never stopped. A run with other inputs or options than the checkpoint's is refused.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from dedup import __version__
from dedup.config import Config
from dedup.duplicates import DuplicateFinder, PagePrint
from dedup.io.readers import input_files
from dedup.io.writers import rejects_path, shard_path
from dedup.model import SiteModel

CHECKPOINT_PAGES = 2000  # pages cleaned between two checkpoints
PRINTS_FORMAT = 2  # 2: a page's print holds its site and shape hash; a checkpoint of another is refused
_LENGTH = struct.Struct("<I")


class CheckpointError(Exception):
    """A checkpoint that cannot be resumed from; the message says why and what to do."""


def checkpoint_folder(output: Path) -> Path:
    """Where the checkpoint of a run writing `output` lives: OUTPUT.partial beside it."""
    return output.with_name(output.name + ".partial")


def run_identity(
    inputs: Sequence[Path], output: Path, options: dict[str, Any], config: Config, state: str | None
) -> dict[str, Any]:
    """What must not change between a run and its resumption: every input file (path, size,
    modification time), the output, the options that shape the output, the settings, the state."""
    files = [
        {"path": str(f.resolve()), "size": f.stat().st_size, "mtime_ns": f.stat().st_mtime_ns}
        for f in input_files(inputs)
    ]
    state_file = Path(state) if state and "://" not in state else None
    return {
        "version": __version__,
        "prints": PRINTS_FORMAT,
        "inputs": files,
        "output": str(output.resolve()),
        "options": options,
        "settings": {
            "patterns": list(config.patterns),
            "duplicate_threshold": config.duplicate_threshold,
            "rule": asdict(config.rule),
            "guards": asdict(config.guards),
            "detectors": asdict(config.detectors),
            "duplicate_rule": asdict(config.duplicate_rule),
            "settings": config.settings.as_dict(),
        },
        "state": (
            {"path": str(state_file.resolve()), "mtime_ns": state_file.stat().st_mtime_ns}
            if state_file is not None and state_file.exists()
            else state
        ),
    }


# The command-line option behind each part of a run's identity, to name it in a refusal.
_OPTION_NAMES = {
    "options.fields.text": "--text-field",
    "options.fields.id": "--id-field",
    "options.fields.url": "--url-field",
    "options.site": "--site",
    "options.errors": "--errors",
    "options.drop_duplicates": "--drop-duplicates",
    "options.shard_size": "--shard-size",
    "settings.patterns": "--pattern/--patterns-file",
    "settings.duplicate_threshold": "--duplicate-threshold",
    "output": "-o",
    "state": "--state",
    "version": "the dedup version",
    "prints": "the checkpoint format",
}


def identity_changes(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between two run identities, each as "--threshold was 0.8, now 0.7"."""
    changes = _input_changes(before.get("inputs", []), now.get("inputs", []))
    old, new = _leaves(before), _leaves(now)
    for key in sorted(old.keys() | new.keys()):
        if key.startswith("inputs") or old.get(key) == new.get(key):
            continue
        name = _OPTION_NAMES.get(key, key)
        changes.append(f"{name} was {_shown(old.get(key))}, now {_shown(new.get(key))}")
    return changes


def _input_changes(before: list[dict[str, Any]], now: list[dict[str, Any]]) -> list[str]:
    """The input files added, removed or changed (size or modification time) since the checkpoint."""
    old = {f["path"]: f for f in before}
    new = {f["path"]: f for f in now}
    changes = [f"input {p} was not in it" for p in new if p not in old]
    changes += [f"input {p} was in it, now is not" for p in old if p not in new]
    for path in new.keys() & old.keys():
        if new[path]["size"] != old[path]["size"]:
            changes.append(f"input {path} was {old[path]['size']} bytes, now {new[path]['size']}")
        elif new[path] != old[path]:
            changes.append(f"input {path} was modified since")
    if not changes and [f["path"] for f in before] != [f["path"] for f in now]:
        changes.append("the inputs are given in another order")
    return changes


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """A nested dict as {"a.b.c": leaf}."""
    if not isinstance(value, dict):
        return {prefix: value}
    leaves: dict[str, Any] = {}
    for key, inner in value.items():
        leaves.update(_leaves(inner, f"{prefix}.{key}" if prefix else str(key)))
    return leaves


def _shown(value: Any) -> str:
    """A value as a refusal shows it: none for a missing one, JSON otherwise."""
    return "none" if value is None else orjson.dumps(value).decode("utf-8")


@dataclass
class Checkpoint:
    """The checkpoint folder of one run, opened to start it or to resume it."""

    folder: Path
    identity: dict[str, Any]
    pages: int = 0  # pages cleaned and spooled at the last checkpoint
    spool_bytes: int = 0
    prints_bytes: int = 0
    counts: dict[str, Any] = field(default_factory=dict)  # the summary's counts at the last checkpoint
    every: int = CHECKPOINT_PAGES
    _since: int = 0
    _spool: BinaryIO | None = None
    _prints: BinaryIO | None = None

    @classmethod
    def open(cls, output: Path, identity: dict[str, Any], every: int = CHECKPOINT_PAGES) -> Checkpoint:
        """The run's checkpoint: the one in OUTPUT.partial when it is this run's, else a new one.

        A folder left by a run of other inputs or options is refused, naming what differs."""
        folder = checkpoint_folder(output)
        manifest = folder / "manifest.json"
        if not manifest.exists():
            folder.mkdir(parents=True, exist_ok=True)
            checkpoint = cls(folder, identity, every=every)
            checkpoint._write_manifest()
            return checkpoint
        try:
            saved = orjson.loads(manifest.read_bytes())
        except (OSError, orjson.JSONDecodeError) as e:
            raise CheckpointError(f"{manifest}: unreadable ({e}); remove {folder} to start over") from e
        if saved.get("identity") != identity:
            before = saved.get("identity", {})
            differs = ", ".join(k for k in identity if before.get(k) != identity[k])
            details = "; ".join(identity_changes(before, identity))
            raise CheckpointError(
                f"{folder} holds a run with other {differs or 'settings'} than this one ({details}): "
                f"resume it with the same inputs and options, or remove {folder} to start over"
            )
        _remove_leftovers(output)
        return cls(
            folder,
            identity,
            saved["pages"],
            saved["spool_bytes"],
            saved["prints_bytes"],
            saved["counts"],
            every,
        )

    @property
    def model_path(self) -> Path:
        """The learned model, once learning is done."""
        return self.folder / "model.db"

    @property
    def spool_path(self) -> Path:
        """The cleaned pages' lines so far."""
        return self.folder / "spool.jsonl"

    def load_model(self, config: Config) -> SiteModel | None:
        """The model learned before the run stopped, or None when learning did not finish."""
        from dedup.store.sqlite import load

        return load(self.model_path, config.settings) if self.model_path.exists() else None

    def save_model(self, model: SiteModel) -> None:
        """Keep the learned model (written whole, then renamed into place)."""
        from dedup.store.sqlite import save

        save(model, self.model_path)

    def resume(self, finder: DuplicateFinder) -> BinaryIO:
        """Cut the spool and the prints back to the last checkpoint, give the finder the pages'
        prints, and return the spool, open to go on writing."""
        self._spool = _cut(self.spool_path, self.spool_bytes)
        self._prints = _cut(self.folder / "prints.bin", self.prints_bytes)
        for page_id, fetched_at, print_ in _read_prints(self.folder / "prints.bin", self.prints_bytes):
            finder.add_print(page_id, fetched_at, print_)
        return self._spool

    def page_done(
        self, page_id: str, fetched_at: str | None, print_: PagePrint, counts: Callable[[], dict[str, Any]]
    ) -> None:
        """A page's line is in the spool: keep its print; every `every` pages, make a checkpoint
        (with the summary's `counts()` then)."""
        assert self._prints is not None, "resume() first"
        blob = pickle.dumps(
            (page_id, fetched_at, print_.site, print_.exact, print_.shape, print_.shingles.tobytes()),
            protocol=5,
        )
        self._prints.write(_LENGTH.pack(len(blob)) + blob)
        self._since += 1
        if self._since >= self.every:
            self.save(counts())

    def save(self, counts: dict[str, Any]) -> None:
        """Make a checkpoint: the spool and the prints on disk, then the manifest that counts them."""
        assert self._spool is not None and self._prints is not None, "resume() first"
        for f in (self._spool, self._prints):
            f.flush()
            os.fsync(f.fileno())
        self.pages += self._since
        self._since = 0
        self.spool_bytes, self.prints_bytes = self._spool.tell(), self._prints.tell()
        self.counts = counts
        self._write_manifest()

    def close(self) -> None:
        """Close the spool and the prints (the folder stays, to resume from)."""
        for f in (self._spool, self._prints):
            if f is not None:
                f.close()
        self._spool = self._prints = None

    def finish(self) -> None:
        """The output is written: the checkpoint is no longer needed."""
        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _write_manifest(self) -> None:
        manifest = {
            "identity": self.identity,
            "pages": self.pages,
            "spool_bytes": self.spool_bytes,
            "prints_bytes": self.prints_bytes,
            "counts": self.counts,
        }
        tmp = self.folder / "manifest.json.tmp"
        with tmp.open("wb") as f:
            f.write(orjson.dumps(manifest))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.folder / "manifest.json")
        with contextlib.suppress(OSError):
            fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _remove_leftovers(output: Path) -> None:
    """The temp files the stopped run was writing (the output, its shards, its rejects): a file is
    written whole into a temp file first, and a killed run leaves that behind."""
    names = [output.name, shard_path(output, 0).name.replace("00000", "?????"), rejects_path(output).name]
    for name in names:
        for leftover in output.parent.glob(f".{name}.tmp-*"):
            leftover.unlink(missing_ok=True)


def _cut(path: Path, length: int) -> BinaryIO:
    """The file cut to `length` bytes (made if missing), open for appending."""
    f = path.open("ab")
    f.truncate(length)
    f.seek(length)
    return f


def _read_prints(path: Path, length: int) -> Iterator[tuple[str, str | None, PagePrint]]:
    """The prints of the first `length` bytes of the prints file."""
    with path.open("rb") as f:
        while f.tell() < length:
            (size,) = _LENGTH.unpack(f.read(_LENGTH.size))
            page_id, fetched_at, site, exact, shape, shingles = pickle.loads(f.read(size))
            yield (
                page_id,
                fetched_at,
                PagePrint(site, np.frombuffer(shingles, np.uint32).copy(), exact, shape),
            )
