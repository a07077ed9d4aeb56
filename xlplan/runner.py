"""Run a function over many files in worker processes, so that a file that crashes, hangs or exhausts memory
while being read fails alone, with its reason, and the run goes on.

Each worker handles one file at a time. The parent knows which file every worker holds; when a worker dies (a
native crash: SIGABRT, SIGSEGV, the kernel's OOM killer) or overruns its time, the parent records the reason for
that file, ends the worker and starts a new one. Memory per worker is capped with RLIMIT_AS, so a file that
tries to take more raises MemoryError inside the worker (caught by the task) or ends the worker (recorded).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

DEFAULT_TIMEOUT = 60.0  # seconds for one file: a plan takes milliseconds
DEFAULT_MEMORY = 1536 * 1024 * 1024  # address space per worker


@dataclass
class Failure:
    """A file whose worker died or overran: what is known of it."""

    item: Any
    reason: str


def _worker(conn: Connection, fn: Callable[[Any], Any], memory: int | None) -> None:
    import faulthandler

    faulthandler.disable()  # a native crash is reported by the parent as the file's reason, not as a dump
    if memory:
        import resource

        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, item = task
        try:
            result = fn(item)
        except MemoryError:
            result = Failure(item, "memory: the file needs more memory than allowed while being read")
        except Exception as exc:  # a bug met on one file must not stop the others
            result = Failure(item, f"{type(exc).__name__}: {exc}"[:300])
        conn.send((index, result))


class _Slot:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], memory: int | None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, fn, memory), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, Any] | None = None
        self.started = 0.0

    def give(self, index: int, item: Any) -> None:
        self.task = (index, item)
        self.started = time.monotonic()
        self.conn.send(self.task)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        self.proc.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


def _death_reason(proc: Any) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGKILL:
            return f"crashed: the reading process was killed ({name}; likely out of memory)"
        return f"crashed: the reading process died ({name})"
    return f"crashed: the reading process exited with code {code}"


def run(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
) -> Iterator[tuple[int, Any]]:
    """(index, result) for every item, in completion order; a result is a Failure when the item's worker failed.

    ``fn`` must be a module-level function (it runs in the workers) and should catch its own errors.
    """
    if not items:
        return
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    slots = [_Slot(ctx, fn, memory) for _ in range(jobs)]
    pending = iter(enumerate(items))
    outstanding = 0
    try:
        for slot in slots:
            nxt = next(pending, None)
            if nxt is None:
                break
            slot.give(*nxt)
            outstanding += 1
        while outstanding:
            busy = [s for s in slots if s.task is not None]
            waits: list[Any] = [s.conn for s in busy] + [s.proc.sentinel for s in busy]
            now = time.monotonic()
            left = min(s.started + timeout - now for s in busy)
            ready = wait(waits, timeout=max(0.0, left))
            now = time.monotonic()
            for i, slot in enumerate(slots):
                if slot.task is None:
                    continue
                index, item = slot.task
                result: Any = None
                done = False
                if slot.conn in ready:
                    try:
                        got_index, result = slot.conn.recv()
                        done = got_index == index
                    except (EOFError, OSError):
                        result = Failure(item, _death_reason(slot.proc) if not slot.proc.is_alive() else "crashed")
                        slot.kill()
                        slots[i] = slot = _Slot(ctx, fn, memory)
                        done = True
                elif slot.proc.sentinel in ready or not slot.proc.is_alive():
                    slot.proc.join(timeout=1)
                    result = Failure(item, _death_reason(slot.proc))
                    slot.kill()
                    slots[i] = slot = _Slot(ctx, fn, memory)
                    done = True
                elif now - slot.started > timeout:
                    result = Failure(item, f"timeout: reading took longer than {timeout:.0f} s")
                    slot.kill()
                    slots[i] = slot = _Slot(ctx, fn, memory)
                    done = True
                if done:
                    slot.task = None
                    outstanding -= 1
                    yield index, result
                    nxt = next(pending, None)
                    if nxt is not None:
                        slot.give(*nxt)
                        outstanding += 1
    finally:
        for slot in slots:
            with contextlib.suppress(Exception):
                slot.conn.send(None)
        for slot in slots:
            slot.proc.join(timeout=2)
            if slot.proc.is_alive():
                slot.kill()
