"""Benchmark: pre-filled workbooks from an organisation list, as a provincial office hands them out.

    python benchmarks/bench_new.py [--count 1000] [--jobs N]

Prints workbooks/s and peak memory (the largest resident set of this process and of any one worker).
Target on a 2-core machine: at least 30 workbooks/s (all 7,850 LAOs in under 5 minutes).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xlplan.new import new_from_orgs

PROVINCES = ["เชียงใหม่", "ลำพูน", "ลำปาง", "แพร่", "น่าน", "พะเยา", "เชียงราย", "แม่ฮ่องสอน"]
TYPES = ["องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง"]


def write_orgs(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["code", "name", "subdistrict", "district", "province"])
        for i in range(count):
            sub = f"ตำบลที่{i:04d}"
            w.writerow([f"{6000000 + i}", f"{TYPES[i % 3]}{sub}", sub, f"อำเภอที่{i // 12:03d}", PROVINCES[i % 8]])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        orgs = Path(tmp) / "orgs.csv"
        write_orgs(orgs, args.count)
        t0 = time.perf_counter()
        result = new_from_orgs(orgs, Path(tmp) / "out", jobs=args.jobs)
        wall = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in result.written)
    assert len(result.written) == args.count and not result.bad_rows
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"workbooks:        {args.count} on {args.jobs} process(es), {os.cpu_count()} cores")
    print(f"wall time:        {wall:.2f} s")
    print(f"throughput:       {args.count / wall:.1f} workbooks/s   (target >= 30)")
    print(f"country estimate: {7850 / (args.count / wall):.0f} s for 7,850 LAOs   (target < 300)")
    print(f"average size:     {size / args.count / 1024:.1f} KiB")
    print(f"peak memory:      main {rss_self:.0f} MiB, largest worker {rss_child:.0f} MiB")


if __name__ == "__main__":
    main()
