"""`dedup clean --resume`: a run killed halfway goes on from its last checkpoint and writes the same
bytes as a run never stopped; a checkpoint of other inputs or options is refused."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from conftest import ROOT
from typer.testing import CliRunner

from dedup.cli import app
from dedup.run.checkpoint import checkpoint_folder

DEDUP = Path(sys.executable).with_name("dedup")
Squash = Callable[[str], str]


def _generated(path: Path, pages: int, seed: int = 5) -> Path:
    """Pages of the labelled generator (duplicates among them), with a bad line in the middle."""
    spec = importlib.util.spec_from_file_location("dedup_corpus_generate", ROOT / "corpus" / "generate.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generator
    spec.loader.exec_module(generator)
    records, _ = generator.generate(pages, seed=seed, no_breaks_share=0.1)
    lines = [orjson.dumps(r) for r in records]
    lines.insert(pages // 3, b'{"id": "broken", "text": ')
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def _run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(DEDUP), *map(str, args)], capture_output=True, check=False, timeout=600)


def _kill_after(args: list[str | Path], folder: Path, pages: int) -> None:
    """Start a run, and kill it (SIGKILL) once its checkpoint holds at least `pages` pages."""
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    proc = subprocess.Popen([str(DEDUP), *map(str, args)], **quiet)  # type: ignore[call-overload]
    try:
        _wait_for_checkpoint(proc, folder, pages)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def _wait_for_checkpoint(proc: subprocess.Popen[bytes], folder: Path, pages: int) -> None:
    """Wait until a run's checkpoint holds at least `pages` pages; fail if the run ends first."""
    manifest = folder / "manifest.json"
    while proc.poll() is None:
        try:
            if orjson.loads(manifest.read_bytes())["pages"] >= pages:
                return
        except (OSError, orjson.JSONDecodeError, KeyError):
            pass
        time.sleep(0.05)
    pytest.fail(f"the run ended before its checkpoint held {pages} pages")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated pages and the output of an uninterrupted run over them."""
    folder = tmp_path_factory.mktemp("resume")
    src = _generated(folder / "pages.jsonl", 500)
    done = _run("clean", src, "-o", folder / "full.jsonl", "--errors", "skip")
    assert done.returncode == 0, done.stderr.decode()
    return folder


def test_killed_run_resumes_to_the_same_bytes(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args: list[str | Path] = ["clean", run_dir / "pages.jsonl", "-o", out, "--errors", "skip", "--resume"]
    args += ["--checkpoint-every", "25", "--workers", "1"]
    _kill_after(args, checkpoint_folder(out), 250)
    assert not out.exists()  # nothing but the checkpoint
    manifest = orjson.loads((checkpoint_folder(out) / "manifest.json").read_bytes())
    assert 250 <= manifest["pages"] < 500 and (checkpoint_folder(out) / "model.db").exists()
    resumed = _run(*args)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert out.read_bytes() == (run_dir / "full.jsonl").read_bytes()
    rejects = (run_dir / "full.rejects.jsonl").read_bytes()
    assert (tmp_path / "out.rejects.jsonl").read_bytes() == rejects == b'{"id": "broken", "text": \n'
    assert not checkpoint_folder(out).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "out.rejects.jsonl"]


def test_ctrl_c_says_what_was_written_and_how_to_go_on(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = ["clean", run_dir / "pages.jsonl", "-o", out, "--errors", "skip", "--resume"]
    args += ["--checkpoint-every", "20", "--workers", "1"]
    # Ctrl-C reaches the run even where the tests were started in the background, which leaves
    # SIGINT ignored in every child (and Python then keeps it ignored).
    proc = subprocess.Popen(
        [str(DEDUP), *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _wait_for_checkpoint(proc, checkpoint_folder(out), 40)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=300)
    finally:
        proc.kill()
    message = stderr.decode("utf-8")
    assert proc.returncode == 130, message
    assert "Traceback" not in message
    (line,) = [line for line in message.splitlines() if line.startswith("interrupted:")]
    assert f"{out} not written" in line
    assert f"{checkpoint_folder(out)} holds the" in line and "(with --resume) to go on" in line
    assert not out.exists()
    resumed = _run(*args)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert out.read_bytes() == (run_dir / "full.jsonl").read_bytes()


def test_run_killed_while_learning_learns_again(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "resumed" / "out.jsonl.gz"
    args: list[str | Path] = ["clean", run_dir / "pages.jsonl", "-o", out, "--errors", "skip", "--resume"]
    _kill_after([*args, "--workers", "1"], checkpoint_folder(out), 0)  # as soon as the folder is made
    assert _run(*args, "--workers", "2").returncode == 0
    full = tmp_path / "full" / "out.jsonl.gz"
    assert _run("clean", run_dir / "pages.jsonl", "-o", full, "--errors", "skip").returncode == 0
    assert out.read_bytes() == full.read_bytes()


def test_uninterrupted_resumable_run_writes_the_same_shards(run_dir: Path, tmp_path: Path) -> None:
    args: list[str | Path] = ["clean", run_dir / "pages.jsonl", "--errors", "skip", "--shard-size", "200KB"]
    assert _run(*args, "-o", tmp_path / "a" / "out.jsonl").returncode == 0
    resumable = _run(*args, "-o", tmp_path / "b" / "out.jsonl", "--resume", "--checkpoint-every", "7")
    assert resumable.returncode == 0
    shards = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(shards) > 2 and shards == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in shards:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_checkpoint_of_other_inputs_is_refused(
    run_dir: Path, tmp_path: Path, runner: CliRunner, squashed: Squash
) -> None:
    src = tmp_path / "pages.jsonl"
    src.write_bytes((run_dir / "pages.jsonl").read_bytes())
    out = tmp_path / "out.jsonl"
    args: list[str | Path] = ["clean", src, "-o", out, "--errors", "skip", "--resume"]
    args += ["--checkpoint-every", "20"]
    _kill_after([*args, "--workers", "1"], checkpoint_folder(out), 40)

    def refused(extra: list[str], differs: str, change: str) -> None:
        result = runner.invoke(app, [str(a) for a in args] + extra)
        assert result.exit_code != 0 and "Traceback" not in result.output
        message = squashed(result.output)
        assert squashed(f"holds a run with other {differs} than this one") in message
        assert squashed(change) in message
        assert squashed(f"remove {checkpoint_folder(out)} to start over") in message
        assert not out.exists()

    refused(["--drop-duplicates"], "options", "(--drop-duplicates was false, now true)")
    refused(["--duplicate-threshold", "0.7"], "settings", "(--duplicate-threshold was 0.8, now 0.7)")
    size = src.stat().st_size
    with src.open("ab") as f:  # the input changed since
        f.write(orjson.dumps({"id": "late", "text": "one more page"}) + b"\n")
    refused([], "inputs", f"(input {src.resolve()} was {size} bytes, now {src.stat().st_size})")


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], "give -o FILE"),
        (["--stream", "--state", "STATE"], "--resume is for batch runs"),
    ],
)
def test_resume_needs_a_batch_run_into_a_file(
    runner: CliRunner, squashed: Squash, tmp_path: Path, news_records: Path, extra: list[str], expected: str
) -> None:
    extra = [str(tmp_path / "state.db") if e == "STATE" else e for e in extra]
    out = ["-o", str(tmp_path / "out.jsonl")] if extra else []
    result = runner.invoke(app, ["clean", str(news_records), "--resume", *out, *extra])
    assert result.exit_code != 0 and squashed(expected) in squashed(result.output)


def test_stopped_run_is_told_about_without_resume(
    runner: CliRunner, squashed: Squash, tmp_path: Path, news_records: Path
) -> None:
    out = tmp_path / "out.jsonl"
    checkpoint_folder(out).mkdir()
    result = runner.invoke(app, ["clean", str(news_records), "-o", str(out)])
    assert result.exit_code == 0
    assert squashed("holds a stopped run: add --resume") in squashed(result.output)


@pytest.fixture()
def news_records(tmp_path: Path) -> Path:
    """A few pages as JSONL."""
    src = tmp_path / "in.jsonl"
    text = "Title\nA paragraph of the article, long enough to be one.\nShare this article\n"
    src.write_bytes(b"".join(orjson.dumps({"id": str(i), "text": text}) + b"\n" for i in range(3)))
    return src
