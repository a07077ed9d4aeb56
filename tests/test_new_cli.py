"""``xlplan new`` through the command line, as staff and offices use it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xlplan.cli import app
from xlplan.layout import SHEETS

from conftest import EXAMPLE_PLAN, ROOT

runner = CliRunner()


def _general(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, read_only=True)[SHEETS.general]
    return {row[0]: row[1] for row in ws.iter_rows(min_row=4, max_row=17, max_col=2, values_only=True)}


def test_help_reads_well() -> None:
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    assert "new" in res.output
    res = runner.invoke(app, ["new", "--help"])
    assert res.exit_code == 0
    for opt in ("--from", "--org", "--code", "--orgs", "--out-dir", "--years"):
        assert opt in res.output


def test_new_from_plan(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    res = runner.invoke(app, ["new", "--from", str(EXAMPLE_PLAN), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert _general(out)["ชื่อองค์กรปกครองส่วนท้องถิ่น *"] == "องค์การบริหารส่วนตำบลแม่ฮ้อย"


def test_new_blank_for_one_org_with_thai_digit_years(tmp_path: Path) -> None:
    out = tmp_path / "blank.xlsx"
    res = runner.invoke(
        app,
        [
            "new",
            "-o",
            str(out),
            "--org",
            "เทศบาลตำบลทดสอบ",
            "--code",
            "5012345",
            "--subdistrict",
            "ทดสอบ",
            "--district",
            "เมือง",
            "--province",
            "เชียงใหม่",
            "--years",
            "๒๕๖๗-๒๕๗๑",
        ],
    )
    assert res.exit_code == 0, res.output
    g = _general(out)
    assert g["ประเภท อปท. *"] == "เทศบาลตำบล"
    assert g["รหัส อปท. *"] == "5012345"
    assert (g["ปีแรกของแผน (พ.ศ.)"], g["ปีสุดท้ายของแผน (พ.ศ.)"]) == (2567, 2571)
    header = openpyxl.load_workbook(out, read_only=True)[SHEETS.budget]["G4"].value
    assert header == "ปี 2567\n(บาท)"


def test_missing_options_and_bad_years_are_clear(tmp_path: Path) -> None:
    res = runner.invoke(app, ["new", "-o", str(tmp_path / "a.xlsx"), "--org", "x"])
    assert res.exit_code == 2
    assert "--code --subdistrict --district --province" in res.output
    res = runner.invoke(
        app,
        [
            "new",
            "-o",
            str(tmp_path / "a.xlsx"),
            "--org",
            "x",
            "--code",
            "1",
            "--subdistrict",
            "s",
            "--district",
            "d",
            "--province",
            "p",
            "--years",
            "66-70",
        ],
    )
    assert res.exit_code == 2
    assert "--years" in res.output
    assert "Traceback" not in res.output


def test_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(EXAMPLE_PLAN.read_bytes())
    before = plan.read_bytes()
    res = runner.invoke(app, ["new", "--from", str(plan), "-o", str(plan)])
    assert res.exit_code == 2
    assert "output path is one of the inputs" in res.output
    assert plan.read_bytes() == before


def test_bad_plan_file_names_file_and_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("items:\n  - {number: 1, dimension: 1, name: a, budget: {2566: abc}}\n", encoding="utf-8")
    res = runner.invoke(app, ["new", "--from", str(bad), "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 2
    assert f"{bad}: items[1].budget.2566" in res.output
    assert not (tmp_path / "o.xlsx").exists()


def test_orgs_list_writes_one_workbook_each_and_names_bad_lines(tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(
        "รหัส,ชื่อ,ตำบล,อำเภอ,จังหวัด\n"
        "6501001,องค์การบริหารส่วนตำบลแม่ฮ้อย,แม่ฮ้อย,ดอยสะเก็ด,เชียงใหม่\n"
        "5012345,เทศบาลตำบลทดสอบ,ทดสอบ,เมือง,เชียงใหม่\n"
        ",องค์การบริหารส่วนตำบลไม่มีรหัส,ก,ข,ค\n"
        "65O1002,องค์การบริหารส่วนตำบลรหัสผิด,ก,ข,ค\n"
        "6501001,ซ้ำ,ก,ข,ค\n",
        encoding="utf-8-sig",
    )
    out_dir = tmp_path / "out"
    res = runner.invoke(app, ["new", "--orgs", str(orgs), "--out-dir", str(out_dir)])
    assert res.exit_code == 1
    assert "line 4: missing code" in res.output
    assert "line 5: government code '65O1002' must be digits" in res.output
    assert "line 6: code 6501001 repeats line 2" in res.output
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == ["5012345_เทศบาลตำบลทดสอบ.xlsx", "6501001_องค์การบริหารส่วนตำบลแม่ฮ้อย.xlsx"]
    g = _general(out_dir / files[1])
    assert g["ประเภท อปท. *"] == "องค์การบริหารส่วนตำบล"
    assert g["อำเภอ *"] == "ดอยสะเก็ด"


def test_orgs_list_in_tis620_is_read(tmp_path: Path) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_bytes("code,name,subdistrict,district,province\n1234567,เทศบาลเมืองทดสอบ,ก,ข,ค\n".encode("cp874"))
    res = runner.invoke(app, ["new", "--orgs", str(orgs), "--out-dir", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "1234567_เทศบาลเมืองทดสอบ.xlsx").exists()


@pytest.mark.parametrize("header", ["id,name,subdistrict,district,province", ""])
def test_orgs_list_without_a_usable_header(tmp_path: Path, header: str) -> None:
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(header + "\n" if header else "", encoding="utf-8")
    res = runner.invoke(app, ["new", "--orgs", str(orgs), "--out-dir", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert str(orgs) in res.output


def test_committed_workbooks_are_up_to_date() -> None:
    """examples/maehoi.xlsx and the blank template are regenerated by scripts/regenerate_examples.py."""
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "regenerate_examples.py"), "--check"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stdout + res.stderr
