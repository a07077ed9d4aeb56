"""Benchmark: `xlplan check` of one workbook, as a fresh process and in-process.

    python benchmarks/bench_check.py [WORKBOOK]

Prints the median wall time of `xlplan check FILE` run as a new process (target < 0.5 s on a 2-core machine)
and the median time of `xlplan.check.check(FILE)` in a warm process (target < 50 ms).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlplan.check import check  # noqa: E402


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "maehoi.xlsx"
    exe = shutil.which("xlplan") or str(Path(sys.executable).with_name("xlplan"))
    cmd = [exe, "check", str(path), "--format", "json", "-o", "/dev/null"]
    subprocess.run(cmd, capture_output=True)  # warm the disk cache
    walls = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True)
        walls.append(time.perf_counter() - t)
    check(path)
    inproc = []
    for _ in range(30):
        t = time.perf_counter()
        rep = check(path)
        inproc.append(time.perf_counter() - t)
    print(f"workbook:            {path.name} ({path.stat().st_size / 1024:.0f} KiB), verdict {rep.verdict}")
    print(
        f"fresh process:       median {statistics.median(walls) * 1000:.0f} ms, "
        f"min {min(walls) * 1000:.0f} ms   (target < 500 ms)"
    )
    print(
        f"in-process:          median {statistics.median(inproc) * 1000:.1f} ms, "
        f"min {min(inproc) * 1000:.1f} ms   (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
