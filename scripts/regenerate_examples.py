"""Regenerate the committed workbooks from their sources: the example plan and the blank template.

    python scripts/regenerate_examples.py          # rewrite them
    python scripts/regenerate_examples.py --check  # exit 1 if any committed workbook is stale

Workbooks are written with a fixed creation date, so the same sources give the same bytes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlplan import planfile  # noqa: E402
from xlplan.model import Org  # noqa: E402
from xlplan.new import blank_plan  # noqa: E402
from xlplan.writer import FIXED_CREATED, write_workbook  # noqa: E402

EXAMPLE_PLAN = ROOT / "examples" / "maehoi.plan.yaml"
EXAMPLE_XLSX = ROOT / "examples" / "maehoi.xlsx"
TEMPLATE_XLSX = ROOT / "workbook_templates" / "xlplan-lao-acp-2566-2570.xlsx"


def targets() -> dict[Path, object]:
    return {
        EXAMPLE_XLSX: planfile.load(EXAMPLE_PLAN),
        TEMPLATE_XLSX: blank_plan(Org()),
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for path, plan in targets().items():
        if check:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = write_workbook(plan, Path(tmp) / path.name, created=FIXED_CREATED)  # type: ignore[arg-type]
                if not path.exists() or path.read_bytes() != fresh.read_bytes():
                    stale.append(path)
        else:
            write_workbook(plan, path, created=FIXED_CREATED)  # type: ignore[arg-type]
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run: python scripts/regenerate_examples.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
