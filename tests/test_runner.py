"""A file that crashes, hangs or exhausts memory while being read fails alone; the run finishes."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from xlplan import runner
from xlplan.consolidate import Outcome, consolidate, read_one


def _hostile_reader(path: str) -> Outcome:
    """Reads normally, except files whose names ask it to misbehave (runs in a worker process)."""
    name = Path(path).name
    if name.startswith("abort"):
        os.abort()  # a native crash, as python-calamine does on a cell at XFD1048576
    if name.startswith("hang"):
        time.sleep(60)
    if name.startswith("hog"):
        block = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB: beyond the worker's memory cap
        del block
    return read_one(path)


def _square(x: int) -> int:
    if x == 3:
        os.abort()
    if x == 5:
        time.sleep(30)
    return x * x


def _unpicklable(x: int) -> object:
    return (lambda: x) if x == 2 else x  # a lambda cannot be pickled to cross to the parent


def test_a_result_that_cannot_cross_to_the_parent_fails_its_item_alone() -> None:
    results = dict(runner.run(_unpicklable, list(range(5)), jobs=2, timeout=10))
    assert {i: results[i] for i in (0, 1, 3, 4)} == {0: 0, 1: 1, 3: 3, 4: 4}
    assert isinstance(results[2], runner.Failure) and results[2].item == 2
    assert results[2].reason.startswith(("PicklingError", "AttributeError"))


def test_runner_isolates_crashes_and_timeouts() -> None:
    t0 = time.monotonic()
    results = dict(runner.run(_square, list(range(8)), jobs=2, timeout=2))
    assert time.monotonic() - t0 < 20
    assert sorted(results) == list(range(8))
    assert {i: results[i] for i in (0, 1, 2, 4, 6, 7)} == {0: 0, 1: 1, 2: 4, 4: 16, 6: 36, 7: 49}
    assert isinstance(results[3], runner.Failure) and "SIGABRT" in results[3].reason
    assert isinstance(results[5], runner.Failure) and results[5].reason.startswith("timeout")


def test_consolidate_accounts_for_files_that_crash_hang_or_exhaust_memory(tmp_path: Path, example_xlsx: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("abort.xlsx", "hang.xlsx", "hog.xlsx", "good.xlsx"):
        shutil.copy(example_xlsx, inbox / name)
    t0 = time.monotonic()
    c = consolidate([inbox], jobs=2, timeout=3, memory=512 * 1024 * 1024, reader=_hostile_reader)
    assert time.monotonic() - t0 < 30
    led = c.ledger.set_index(c.ledger["path"].map(lambda p: Path(p).name))
    assert len(led) == 4
    assert led.loc["good.xlsx", "status"] == "used"
    for name in ("abort.xlsx", "hang.xlsx", "hog.xlsx"):
        assert led.loc[name, "status"] == "failed", name
        assert led.loc[name, "used"] == False  # noqa: E712
    assert "SIGABRT" in led.loc["abort.xlsx", "reason"]
    assert led.loc["hang.xlsx", "reason"].startswith("timeout")
    assert "memory" in led.loc["hog.xlsx", "reason"]
    failed = c.findings[c.findings["verdict"] == "failed"]
    assert sorted(Path(p).name for p in failed["path"]) == ["abort.xlsx", "hang.xlsx", "hog.xlsx"]


def _collector_on(_: str) -> Outcome:
    import gc

    return Outcome("", reason=f"gc enabled: {gc.isenabled()}")


def test_the_collector_is_on_in_workers_and_restored_after(tmp_path: Path) -> None:
    """consolidate pauses the cyclic collector while it gathers outcomes; workers forked meanwhile run with it on
    (reading may make cycles, and a worker reads thousands of files), and the caller gets it back as it was."""
    import gc

    for i in range(3):
        (tmp_path / f"{i}.xlsx").write_bytes(b"x")
    assert gc.isenabled()
    c = consolidate([tmp_path], jobs=2, reader=_collector_on)
    assert c.ledger["reason"].tolist() == ["gc enabled: True"] * 3
    assert gc.isenabled()
    gc.disable()
    try:
        consolidate([tmp_path], jobs=1, reader=_collector_on)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_file_given_to_a_worker_that_just_died_is_kept_for_the_next() -> None:
    """Between the run loop's look at a worker and its next file, the worker can die (the file it was on crashed
    it): giving it a file then must not stop the run; the file stays with the slot, to go to the new worker."""
    import multiprocessing as mp

    slot = runner._Slot(mp.get_context("fork"), _square, None)
    slot.proc.kill()
    slot.proc.join()
    slot.give(0, 1)
    slot.give(1, 2)
    assert list(slot.tasks) == [(0, 1), (1, 2)]
    slot.kill()
