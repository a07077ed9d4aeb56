"""The consolidation's summary workbook recalculated by LibreOffice gives the values it carries."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from xlplan.consolidate import consolidate
from xlplan.summary import SHEET, write_summary

from conftest import ROOT
from libreoffice import available, run_job

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(not available(), reason="needs LibreOffice")]


def test_summary_formulas_recalculate_to_their_values(tmp_path: Path, example_xlsx: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "a").mkdir(parents=True)
    shutil.copy(example_xlsx, inbox / "a" / "maehoi.xlsx")
    shutil.copy(ROOT / "examples" / "maehoi-as-written.xlsx", inbox / "as-written.xlsx")
    (inbox / "junk.xlsx").write_bytes(b"PK\x03\x04 broken")
    from typer.testing import CliRunner

    from xlplan.cli import app

    assert (
        CliRunner()
        .invoke(app, ["new", "--orgs", str(ROOT / "examples" / "orgs.csv"), "--out-dir", str(inbox / "blank")])
        .exit_code
        == 0
    )
    c = consolidate([inbox], roster=ROOT / "examples" / "orgs.csv", jobs=2)
    out = write_summary(c, tmp_path / "summary.xlsx")

    wb = openpyxl.load_workbook(out)
    cells = [
        (ws.title, cell.coordinate)
        for name in ("overview", "charts")
        for ws in [wb[SHEET[name]]]
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    assert len(cells) > 40
    carried = run_job(out, recalc=False, read=cells)["values"]
    recalculated = run_job(out, recalc=True, read=cells)["values"]
    assert recalculated == carried
    ov = SHEET["overview"]
    # the file accounting: 4 + 1 + 1 + 4 files; the example district's totals
    assert carried[f"{ov}!B3"] == len(c.ledger)
    assert carried[f"{ov}!B4"] == 4  # used: one per organisation
    assert carried[f"{ov}!B7"] == 0  # failed
    assert sum(v for k, v in carried.items() if k.startswith(SHEET["charts"]) and isinstance(v, float)) > 0
