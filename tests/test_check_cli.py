"""``xlplan check`` and ``xlplan export`` through the command line: thin over the library, exact exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from xlplan.check import check
from xlplan.cli import app
from xlplan.docs import main as docs_main
from xlplan.layout import SHEETS
from xlplan.model import Plan
from xlplan.rules import RULES
from xlplan.writer import render

from conftest import ROOT

runner = CliRunner()
AS_WRITTEN = ROOT / "examples" / "maehoi-as-written.xlsx"


@pytest.fixture()
def broken(tmp_path: Path, example_plan: Plan) -> Path:
    """The example with one error: likelihood 7 on the first risk row (ความเสี่ยง!D5)."""
    p = tmp_path / "broken.xlsx"
    p.write_bytes(render(example_plan, overrides=[(SHEETS.risks, 4, 3, 7)]))
    return p


def test_json_output_is_the_library_report(example_xlsx: Path, broken: Path) -> None:
    res = runner.invoke(app, ["check", str(example_xlsx), str(broken), "--format", "json"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    assert data == [check(example_xlsx).to_dict(), check(broken).to_dict()]
    assert data[0]["verdict"] == "ok"
    f = data[1]["findings"]
    assert [(x["code"], x["sheet"], x["cell"]) for x in f if x["severity"] == "error"] == [("V302", "ความเสี่ยง", "D5")]
    for key in ("code", "severity", "sheet", "cell", "message", "hint"):
        assert key in f[0]


def test_exit_codes(example_xlsx: Path, broken: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["check", str(example_xlsx)]).exit_code == 0
    assert runner.invoke(app, ["check", str(broken)]).exit_code == 1
    assert runner.invoke(app, ["check", str(broken), "--ignore", "V302"]).exit_code == 0
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook at all")
    res = runner.invoke(app, ["check", str(junk), str(broken)])
    assert res.exit_code == 2  # a file could not be read
    assert "F102" in res.output
    assert "Traceback" not in res.output
    assert runner.invoke(app, ["check", str(broken), "--format", "xml"]).exit_code == 2  # misuse
    assert runner.invoke(app, ["check", str(tmp_path / "none.xlsx")]).exit_code == 2


def test_warnings_fail_only_when_strict(tmp_path: Path, example_plan: Plan) -> None:
    p = tmp_path / "warn.xlsx"
    # a grand total typed over its formula with the right value: X401 (warning)
    from xlplan.layout import SPARE_ROWS, layout_for

    L = layout_for(example_plan.years)
    marker = L.budget.first_row + len(example_plan.items) + SPARE_ROWS
    g = L.summary_row(marker, 4)
    p.write_bytes(render(example_plan, overrides=[(SHEETS.budget, g, 6, 150320)]))
    assert runner.invoke(app, ["check", str(p)]).exit_code == 0
    res = runner.invoke(app, ["check", str(p), "--strict", "--lang", "en"])
    assert res.exit_code == 1
    assert "X401" in res.output and "The formula was typed over" in res.output


def test_folders_select_and_english(tmp_path: Path, broken: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(broken, folder / "sub" / "a.xlsx")
    shutil.copy(AS_WRITTEN, folder / "b.xlsx")
    res = runner.invoke(app, ["check", str(folder), "--format", "json", "--select", "C6,V3"])
    data = json.loads(res.output)
    assert [Path(d["file"]).name for d in data] == ["b.xlsx", "a.xlsx"]
    codes = {f["code"] for d in data for f in d["findings"]}
    assert codes and all(c.startswith(("C6", "V3")) for c in codes)
    res = runner.invoke(app, ["check", str(broken), "--lang", "en"])
    assert "is outside 1-5" in res.output


def test_annotate_writes_a_marked_copy_and_keeps_the_input(broken: Path, tmp_path: Path) -> None:
    before = broken.read_bytes()
    out = tmp_path / "marked.xlsx"
    res = runner.invoke(app, ["check", str(broken), "--annotate", str(out)])
    assert res.exit_code == 1
    assert broken.read_bytes() == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "ผลการตรวจ"
    cell = wb[SHEETS.risks]["D5"]
    assert cell.comment is not None and "V302" in cell.comment.text
    res = runner.invoke(app, ["check", str(broken), "--annotate", str(broken)])
    assert res.exit_code == 2
    assert broken.read_bytes() == before


def test_export_json_and_csv(example_xlsx: Path, tmp_path: Path, example_plan: Plan) -> None:
    res = runner.invoke(app, ["export", str(example_xlsx), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    for key in ("org", "years", "items", "risks", "targets"):
        assert key in data
    assert data["years"] == [2566, 2567, 2568, 2569, 2570]
    it = data["items"][0]
    for key in ("number", "dimension", "mission", "indicator", "kind", "name", "budget", "responsible"):
        assert key in it
    assert it["budget"] == {"2566": 19800, "2567": 19800, "2568": 19800, "2569": 19800, "2570": 19800}
    assert sum(i["budget"]["2566"] for i in data["items"]) == 150320

    out = tmp_path / "items.csv"
    res = runner.invoke(app, ["export", str(example_xlsx), "--format", "csv", "-o", str(out)])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 29
    assert rows[0]["budget_2566"] == "19800"
    assert sum(float(r["total"]) for r in rows) == 751600


def test_csv_export_escapes_formula_text(tmp_path: Path, example_plan: Plan) -> None:
    import copy

    plan = copy.deepcopy(example_plan)
    plan.items[0].name = '=HYPERLINK("http://x")'
    plan.items[1].note = "+66 1234"
    p = tmp_path / "evil.xlsx"
    p.write_bytes(render(plan))
    out = tmp_path / "evil.csv"
    assert runner.invoke(app, ["export", str(p), "--format", "csv", "-o", str(out)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["note"] == "'+66 1234"


def test_rules_reference_is_generated_and_complete() -> None:
    assert docs_main(["--check"]) == 0, "docs/rules.md is stale: run python -m xlplan.docs"
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert f"`{code}`" in text
        assert rule.message_th and rule.message_en and rule.hint_th and rule.hint_en and rule.title_en


def test_every_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("new", "check", "export", "consolidate"):
        res = runner.invoke(app, [command, "--help"])
        assert res.exit_code == 0
        assert f"xlplan {command}" in readme


@pytest.mark.parametrize("header_cell", ["B4", "G4", "F4", "M4"])
def test_overwritten_budget_header_is_reported_not_a_crash(
    tmp_path: Path, example_plan: Plan, header_cell: str
) -> None:
    from xlplan.cells import parse_a1

    row, col = parse_a1(header_cell)
    p = tmp_path / "hdr.xlsx"
    p.write_bytes(render(example_plan, overrides=[(SHEETS.budget, row, col, "อื่น ๆ")]))
    rep = check(p)
    assert rep.plan is not None
    assert "S203" in {f.code for f in rep.findings}
    assert "F115" not in {f.code for f in rep.findings}
