"""Benchmark: consolidate the whole country, 7,850 synthetic LAO workbooks, with every check.

    python benchmarks/bench_consolidate.py [--orgs 7850] [--jobs N] [--baseline-files 500] [--keep DIR]

Generates the workbooks (xlplan.synth: varied sizes, codes, districts and provinces, a share with typical
faults, duplicates, lock files and unreadable files), then times `xlplan.consolidate.consolidate` + the summary
workbook + the data files (written together, as the CLI writes them), and prints files/s and peak memory.
Targets on a 2-core machine: under 60 s wall and under 1 GiB peak memory. As the side-by-side baseline, the
same files are read by a plain `pandas.read_excel` loop (all sheets, default engine) on a sample, and the ratio
of files/s is printed.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xlplan.consolidate import consolidate, write_outputs
from xlplan.synth import generate


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakMemory:
    """The largest sum of resident memory of this process and its children, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> list[int]:
        """The worker processes: from the kernel's list of each thread's children (cheap), else by a scan of /proc
        (~2 ms, which sampling often would take from the workers it measures)."""
        me = os.getpid()
        try:
            out = []
            for tid in os.listdir(f"/proc/{me}/task"):
                with open(f"/proc/{me}/task/{tid}/children") as f:
                    out += [int(x) for x in f.read().split()]
            return out
        except OSError:
            pass
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                            out.append(int(entry))
                except (OSError, ValueError, IndexError):
                    continue
        return out

    def _run(self) -> None:
        # every 0.2 s: memory grows slowly (the workers stay near their size, the parent grows with the tables)
        while not self._stop.is_set():
            total = _rss_mib(os.getpid()) + sum(_rss_mib(p) for p in self._children())
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=7850)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--baseline-files", type=int, default=500)
    ap.add_argument("--keep", type=Path, default=None, help="keep the files here (a later run reuses them)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        inbox = root / "inbox"
        t0 = time.perf_counter()
        saved = root / f"manifest-{args.orgs}.pickle"
        if args.keep and saved.exists():  # the same files as the last run with --keep (generation is not timed)
            manifest = pickle.loads(saved.read_bytes())
        else:
            manifest = generate(inbox, args.orgs, seed=7850)
            if args.keep:
                saved.write_bytes(pickle.dumps(manifest))
        gen = time.perf_counter() - t0
        roster = manifest.write_roster_csv(root / "roster.csv")
        files = len(manifest.files)
        print(f"generated:      {files} files for {args.orgs} organisations in {gen:.1f} s")

        read = [0.0]  # when the last file was read: the tables are built after it

        def progress(done: int, total: int) -> None:
            if done == total:
                read[0] = time.perf_counter()

        with PeakMemory() as mem:
            t0 = time.perf_counter()
            result = consolidate([inbox], roster=roster, jobs=args.jobs, progress=progress)
            t_read = time.perf_counter() - t0
            t_tables = time.perf_counter() - (read[0] or t0)
            write_outputs(result, root / "summary.xlsx", root / "data")  # as the CLI: summary and data files together
            t_summary = time.perf_counter() - t0 - t_read
            wall = time.perf_counter() - t0
        assert len(result.ledger) == files, "every file is one row of the ledger"
        status = result.ledger["status"].value_counts().to_dict()
        print(f"ledger:         {len(result.ledger)} rows {status}")
        print(
            f"tables:         {len(result.orgs)} organisations, {len(result.items)} items, "
            f"{len(result.risks)} risks, {len(result.findings)} findings"
        )
        print(f"read + check:   {t_read:.1f} s on {args.jobs} process(es), the last {t_tables:.1f} s the tables built")
        print(
            f"summary:        {t_summary:.1f} s ({(root / 'summary.xlsx').stat().st_size / 1e6:.1f} MB), "
            "the data files written alongside"
        )
        print(f"tail:           {t_tables + t_summary:.1f} s from the last file read to all outputs written")
        print(f"wall:           {wall:.1f} s   (target < 60 s)")
        print(f"throughput:     {files / wall:.0f} files/s end to end, {files / t_read:.0f} files/s reading")
        main_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak = max(mem.peak, main_max)  # the main process alone may peak between two samples
        print(f"peak memory:    {peak:.0f} MiB, this process and its workers together   (target < 1024 MiB)")
        print(
            f"                (max resident: main {main_max:.0f} "
            f"MiB, largest worker {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB)"
        )

        import pandas as pd

        sample = [f.path for f in manifest.files if f.path.suffix == ".xlsx" and f.kind in ("clean", "fault")]
        sample = sample[: args.baseline_files]
        t0 = time.perf_counter()
        for p in sample:
            pd.read_excel(p, sheet_name=None, engine="openpyxl")
        base = time.perf_counter() - t0
        base_rate = len(sample) / base
        print(
            f"baseline:       pandas.read_excel (all sheets) {base_rate:.0f} files/s on one process "
            f"({len(sample)} files, {base:.1f} s); whole country ~{files / base_rate:.0f} s"
        )
        print(
            f"ratio:          xlplan (all checks, {args.jobs} processes) reads {files / t_read / base_rate:.1f}x "
            "as many files per second as the pandas loop"
        )


if __name__ == "__main__":
    main()
