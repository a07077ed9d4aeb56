"""Regenerate the committed workbooks from their sources: the example plan and the blank template.

    python scripts/regenerate_examples.py          # rewrite them
    python scripts/regenerate_examples.py --check  # exit 1 if any committed workbook is stale

Workbooks are written with a fixed creation date, so the same sources give the same bytes.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from xlplan import planfile  # noqa: E402
from xlplan.layout import layout_for  # noqa: E402
from xlplan.model import Org, Plan, Risk  # noqa: E402
from xlplan.new import blank_plan  # noqa: E402
from xlplan.writer import FIXED_CREATED, Override, render, write_atomic  # noqa: E402

EXAMPLE_PLAN = ROOT / "examples" / "maehoi.plan.yaml"
EXAMPLE_XLSX = ROOT / "examples" / "maehoi.xlsx"
AS_WRITTEN_NOTES = ROOT / "examples" / "maehoi-as-written.notes.yaml"
AS_WRITTEN_XLSX = ROOT / "examples" / "maehoi-as-written.xlsx"
TEMPLATE_XLSX = ROOT / "workbook_templates" / "xlplan-lao-acp-2566-2570.xlsx"
DISTRICT = ROOT / "examples" / "district"
DISTRICT_ROSTER = ROOT / "examples" / "district-roster.csv"


def district(out: Path) -> Path:
    """A small district as an office receives it: twelve organisations' files (three with typical faults, one
    broken, one sent twice as a newer revision, a lock file beside one) and the roster, where one organisation
    has sent nothing."""
    from xlplan.synth import generate

    m = generate(
        out / "district",
        13,
        seed=5,
        fault_share=0.25,
        unreadable_share=0.085,
        duplicate_share=0.085,
        lock_files=1,
        not_submitted=1,
    )
    return m.write_roster_csv(out / "district-roster.csv")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def as_written() -> tuple[Plan, list[Override]]:
    """The seed plan as its authors really wrote it, in the workbook: the clean plan with the seed's own
    inconsistencies put back from the notes (names that differ between Part 2 and Part 3, one risk row per
    process area with the levels and measures as written, "xxx" for no budget, other spellings of the name)."""
    plan = planfile.load(EXAMPLE_PLAN)
    notes = yaml.safe_load(AS_WRITTEN_NOTES.read_text(encoding="utf-8"))
    L = layout_for(plan.years)
    substantive = {d["number"]: d for d in notes["name_differences"] if d.get("substantive")}
    for it in plan.items:
        if it.number in substantive:
            it.name = " ".join(substantive[it.number]["part2_name"].split())
            it.details.name = " ".join(substantive[it.number]["part3_name"].split())
    areas: dict[str, Risk] = {}
    for risk in plan.risks:
        areas.setdefault(risk.area, risk)
    plan.risks = []
    for row in notes["risk_rows"]:
        area = list(areas)[row["number"] - 1]
        plan.risks.append(Risk(number=row["number"], area=area, issue=row["issues_text"], owner=areas[area].owner))
    overrides: list[Override] = []
    r = L.risks
    for i, row in enumerate(notes["risk_rows"]):
        measures = " ".join(f"{m['label']} {m['text']}" for m in row["measures"])
        overrides.append((r.sheet, r.first_row + i, r.col("level"), row["level_text"]))
        overrides.append((r.sheet, r.first_row + i, r.col("measures"), measures))
    b = L.budget
    for i, it in enumerate(plan.items):
        if it.total() == 0:
            for y in plan.years:
                overrides.append((b.sheet, b.first_row + i, b.col(f"y{y}"), "xxx"))
    # Part 2 is titled with another spelling of the organisation's name
    overrides.append((b.sheet, 1, 0, "องค์การบริหารส่วนตำบลแม่ฮ้อ"))
    return plan, overrides


def targets() -> dict[Path, tuple[object, list[Override]]]:
    return {
        EXAMPLE_XLSX: (planfile.load(EXAMPLE_PLAN), []),
        AS_WRITTEN_XLSX: as_written(),
        TEMPLATE_XLSX: (blank_plan(Org()), []),
    }


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for path, (plan, overrides) in targets().items():
        data = render(plan, created=FIXED_CREATED, overrides=overrides)  # type: ignore[arg-type]
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path)
        else:
            write_atomic(path, data)
            print(f"wrote {path.relative_to(ROOT)}")
    with tempfile.TemporaryDirectory() as tmp:
        district(Path(tmp))
        fresh = _tree(Path(tmp) / "district") | {"roster": (Path(tmp) / "district-roster.csv").read_bytes()}
        if check:
            have = (_tree(DISTRICT) if DISTRICT.exists() else {}) | {
                "roster": DISTRICT_ROSTER.read_bytes() if DISTRICT_ROSTER.exists() else b""
            }
            if have != fresh:
                stale.append(DISTRICT)
        else:
            shutil.rmtree(DISTRICT, ignore_errors=True)
            shutil.copytree(Path(tmp) / "district", DISTRICT)
            shutil.copy(Path(tmp) / "district-roster.csv", DISTRICT_ROSTER)
            print(f"wrote {DISTRICT.relative_to(ROOT)}/ and {DISTRICT_ROSTER.relative_to(ROOT)}")
    if stale:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run: python scripts/regenerate_examples.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
