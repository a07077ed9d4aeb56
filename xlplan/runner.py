"""Run a function over many files in worker processes, so that a file that crashes, hangs or exhausts memory
while being read fails alone, with its reason, and the run goes on.

Each worker handles one file at a time. The parent knows which file every worker holds; when a worker dies (a
native crash: SIGABRT, SIGSEGV, the kernel's OOM killer) or overruns its time, the parent records the reason for
that file, ends the worker and starts a new one. Memory per worker is capped with RLIMIT_AS, so a file that
tries to take more raises MemoryError inside the worker (caught by the task) or ends the worker (recorded).
"""

from __future__ import annotations

import contextlib
import gc
import math
import multiprocessing as mp
import os
import pickle
import select
import signal
import time
from collections import deque
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
    # A file's objects are freed by reference counting once it is done (reading makes no reference cycles to speak
    # of), so the cyclic collector is run far less often than its default, and never over the modules imported:
    # ~3% fewer instructions per workbook, more in time (it walks memory the file no longer needs).
    gc.enable()  # whatever the parent had when it forked (consolidate pauses it while gathering)
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    while True:
        try:
            task = _loads(conn.recv_bytes())
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
        try:
            message = _dumps((index, result))
        except Exception as exc:  # a result that cannot be pickled fails its file, not the worker
            message = _dumps((index, Failure(item, f"{type(exc).__name__}: {exc}"[:300])))
        conn.send_bytes(message)


# Tasks and results cross the pipes pickled by pickle itself. Connection.send/recv go through multiprocessing's
# ForkingPickler (made anew for every message, with its table of reducers for connections and sockets, which
# paths and outcomes never hold): ~30 us more a file in the parent, where it is taken from the workers' cores.
def _dumps(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


_loads = pickle.loads


class _Slot:
    """One worker and the files it holds, in the order it works through them (``DEPTH`` at a time, so that it
    never waits for the parent between two files)."""

    def __init__(self, ctx: Any, fn: Callable[[Any], Any], memory: int | None) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, fn, memory), daemon=True)
        self.proc.start()
        child.close()
        self.tasks: deque[tuple[int, Any]] = deque()
        self.started = 0.0  # when the worker began the first task it holds
        # Whether a result waits is asked after every result: with a poll object made once, not through
        # Connection.poll (a selector made and torn down each time: ~2 s of the parent's CPU for the country)
        self._poller = select.poll() if hasattr(select, "poll") else None
        if self._poller is not None:
            self._poller.register(self.conn.fileno(), select.POLLIN)

    def ready(self) -> bool:
        """A result (or the end of the connection: the worker died) is waiting to be received."""
        if self._poller is None:
            return self.conn.poll()
        return bool(self._poller.poll(0))

    def give(self, index: int, item: Any) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append((index, item))
        # A worker that died since it was last looked at refuses the file (BrokenPipeError): the run loop sees it
        # dead, blames the file it was on (the first it holds) and gives the others, this one included, to a new one.
        with contextlib.suppress(OSError):
            self.conn.send_bytes(_dumps((index, item)))

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        self.proc.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


DEPTH = 2


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


def _wait(slots: list[_Slot], timeout: float) -> None:
    """Until a result comes from one of the slots' workers, one of them ends, or ``timeout`` seconds pass (a poll
    object of their descriptors, where there is poll: multiprocessing's wait builds a selector each time)."""
    if not hasattr(select, "poll"):
        wait([s.conn for s in slots] + [s.proc.sentinel for s in slots], timeout=timeout)
        return
    p = select.poll()
    for s in slots:
        p.register(s.conn.fileno(), select.POLLIN)
        p.register(s.proc.sentinel, select.POLLIN)
    p.poll(max(0, math.ceil(timeout * 1000)))


def run(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int | None = DEFAULT_MEMORY,
) -> Iterator[tuple[int, Any]]:
    """(index, result) for every item, in completion order; a result is a Failure when the item's worker failed.

    ``fn`` must be a module-level function (it runs in the workers) and should catch its own errors. A worker
    works through its files in order, so when it dies the file it was on is the first one it holds; the files
    queued behind it go to the next worker.
    """
    if not items:
        return
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    slots = [_Slot(ctx, fn, memory) for _ in range(jobs)]
    pending: deque[tuple[int, Any]] = deque(enumerate(items))
    left = len(items)

    def fill(slot: _Slot) -> None:
        while pending and len(slot.tasks) < DEPTH:
            slot.give(*pending.popleft())

    def replace(i: int, reason: str) -> tuple[int, Any]:
        """The worker of slot i failed on its first file: a new worker; its other files go back in the queue."""
        slot = slots[i]
        index, item = slot.tasks.popleft()
        pending.extendleft(reversed(slot.tasks))
        slot.kill()
        slots[i] = _Slot(ctx, fn, memory)
        return index, Failure(item, reason)

    try:
        for slot in slots:
            fill(slot)
        while left:
            busy = [s for s in slots if s.tasks]
            now = time.monotonic()
            _wait(busy, max(0.0, min(s.started + timeout - now for s in busy)))
            for i in range(len(slots)):
                slot = slots[i]
                while slot.tasks and slot.ready():
                    try:
                        got_index, result = _loads(slot.conn.recv_bytes())
                    except (EOFError, OSError):
                        break
                    index, _item = slot.tasks.popleft()
                    slot.started = time.monotonic()
                    left -= 1
                    yield (got_index if got_index == index else index), result
                if not slot.tasks:
                    fill(slot)
                    continue
                if not slot.proc.is_alive():
                    slot.proc.join(timeout=1)
                    left -= 1
                    yield replace(i, _death_reason(slot.proc))
                    fill(slots[i])
                elif time.monotonic() - slot.started > timeout:
                    left -= 1
                    yield replace(i, f"timeout: reading took longer than {timeout:.0f} s")
                    fill(slots[i])
                else:
                    fill(slot)
    finally:
        for slot in slots:
            with contextlib.suppress(Exception):
                slot.conn.send_bytes(_dumps(None))
        for slot in slots:
            slot.proc.join(timeout=2)
            if slot.proc.is_alive():
                slot.kill()
