"""Hostile files through the whole check, each in a fresh process: a clear finding within seconds and under
500 MB of memory (measured as the child process's peak resident set)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import build_corpus

PROBE = """
import json, resource, sys
from xlplan.check import check
rep = check(sys.argv[1])
print(json.dumps({"codes": sorted({f.code for f in rep.findings}), "verdict": rep.verdict,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_corpus(tmp_path_factory.mktemp("hostile-limits"))


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("zip_bomb", "F110"),
        ("entities", "F109"),
        ("far_corner", "F111"),
        ("million_rows", "F111"),
        ("truncated", "F106"),
        ("encrypted", "F105"),
        ("random_bytes", "F102"),
    ],
)
def test_hostile_file_is_one_clear_finding_fast_and_small(corpus: dict[str, Path], case: str, code: str) -> None:
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, "-c", PROBE, str(corpus[case])], capture_output=True, text=True, timeout=60)
    wall = time.monotonic() - t0
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout)
    assert code in out["codes"], out
    assert wall < 10, f"{case}: {wall:.1f} s"
    assert out["rss_mb"] < 500, f"{case}: {out['rss_mb']:.0f} MB"
