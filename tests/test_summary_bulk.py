"""The summary's long tables, written column-wise in bulk, carry the cells the per-value conversion gives."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from xlsxwriter.xmlwriter import XMLwriter

from xlplan import summary
from xlplan.consolidate import Consolidation, consolidate
from xlplan.summary import SHEET, _column, _escaped, _values, write_summary
from xlplan.synth import generate

ODD_TEXT = ["ก & ข", "<b>", "_x0041_", "tab\there", "ctl\x01\x1f", "", "ไทย", "a\r\nb", "x\ufffe", "ｆｕｌｌ", "a>b"]


def _reference(series: pd.Series, col: str) -> tuple[list[str | None], list[str | None]]:
    """(text, number) as the per-value code makes them: strings as they are, numbers by repr(), empty as None."""
    values = [row[0] for row in _values(series.to_frame(col))]
    text = [v if isinstance(v, str) else None for v in values]
    number = [repr(v) if v is not None and not isinstance(v, str) and math.isfinite(v) else None for v in values]
    return text, number


@pytest.mark.parametrize(
    ("col", "series"),
    [
        ("budget", pd.Series([7500.0, 0.1, -0.0, 1e16, 1e20, 123456789.25, math.nan, math.inf, -3.0, 2.0**53, 1e-7])),
        ("score", pd.Series(np.arange(11, dtype=np.int64) - 5)),
        ("used", pd.Series([True, False] * 5 + [True])),
        ("verdict", pd.Series(["ok", "warnings", "errors", "", None, "odd", "ok", "skipped", "failed", "x", "ok"])),
        ("status", pd.Series(["used", "superseded", None, "received", "not_submitted", "no_org_code", *"abcde"])),
        ("name", pd.Series([*ODD_TEXT[:5], None, *ODD_TEXT[5:10]])),
        ("name", pd.Series(ODD_TEXT, dtype=object)),
        ("mixed", pd.Series(["a", 1, 2.5, True, None, math.nan, np.int64(3), "z", pd.Timestamp(0), math.inf, -0.0])),
        ("nullable", pd.Series([1, None, 3, 4, 5, 6, 7, 8, 9, 10, 11], dtype="Int64")),
    ],
)
def test_columns_convert_as_the_per_value_code(col: str, series: pd.Series) -> None:
    text, number = _column(series, col)
    want_text, want_number = _reference(series, col)
    assert (text.to_pylist() if text is not None else [None] * len(series)) == want_text
    assert (number.to_pylist() if number is not None else [None] * len(series)) == want_number
    sliced = series.iloc[3:]  # a chunk of a longer table: Arrow arrays with an offset
    text, number = _column(sliced, col)
    assert (text.to_pylist() if text is not None else [None] * len(sliced)) == want_text[3:]
    assert (number.to_pylist() if number is not None else [None] * len(sliced)) == want_number[3:]


def test_text_is_escaped_as_xlsxwriter_escapes_it() -> None:
    w = XMLwriter()
    strings = [*ODD_TEXT, "plain", "path_to/file.xlsx", "_x00e9_", None]
    got = _escaped(pa.array(strings, pa.string()).slice(1)).to_pylist()
    assert got == [None if s is None else w._escape_data(w._escape_control_characters(s)) for s in strings[1:]]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Consolidation]:
    root = tmp_path_factory.mktemp("summary_bulk")
    m = generate(root / "inbox", 36, seed=11, duplicate_share=0.1, not_submitted=2)
    return root, consolidate([root / "inbox"], roster=m.write_roster_csv(root / "roster.csv"), jobs=1)


def test_every_cell_reads_back(district: tuple[Path, Consolidation], monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny chunks, so that the rows and the shared strings of many chunks are put together, as country-wide."""
    root, c = district
    monkeypatch.setattr(summary, "CHUNK", 7)
    out = write_summary(c, root / "summary.xlsx")
    tables = c.tables()
    wb = openpyxl.load_workbook(out, read_only=True)
    for key, df in tables.items():
        if key == "overview":
            continue
        rows = list(wb[SHEET[key]].iter_rows(min_row=4, values_only=True))
        assert len(rows) == len(df), key
        want = _values(df)
        for i, (got, row) in enumerate(zip(rows, want, strict=True)):
            # a float the per-value code writes as 7500.0 reads back as such; empty cells as None
            assert list(got) == [v if not isinstance(v, float) or math.isfinite(v) else None for v in row], (key, i)
    values = openpyxl.load_workbook(out, read_only=True, data_only=True)[SHEET["overview"]]
    formulas = openpyxl.load_workbook(out, read_only=True)[SHEET["overview"]]
    body = list(values.iter_rows(min_row=14, max_row=13 + len(c.overview), values_only=True))
    text = list(formulas.iter_rows(min_row=14, max_row=13 + len(c.overview), values_only=True))
    assert len(body) == len(c.overview) > 1
    for got, f, want in zip(body, text, c.overview.itertuples(index=False), strict=True):
        assert list(got[:2]) == [want.province, want.district]
        assert list(got[2:]) == pytest.approx([float(v) for v in want[2:]])
        assert all(isinstance(v, str) and v.startswith("=") for v in f[2:])
    with zipfile.ZipFile(out) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
        refs = sum(len(re.findall(r't="s"><v>', z.read(n).decode())) for n in z.namelist() if "worksheets/sheet" in n)
    assert f'count="{refs}" uniqueCount="{sst.count("<si>")}"' in sst


def test_parts_past_the_zip64_limit_read_back(
    district: tuple[Path, Consolidation], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary's zip writer puts sizes and offsets past 4 GiB in zip64 fields: with the limit lowered to 1000
    bytes, the parts past it have them, and the workbook reads back as the same bytes."""
    root, c = district
    normal = write_summary(c, root / "normal.xlsx")
    monkeypatch.setattr(summary, "_ZIP64_LIMIT", 1000)
    big = write_summary(c, root / "zip64.xlsx")
    with zipfile.ZipFile(normal) as a, zipfile.ZipFile(big) as b:
        assert b.testzip() is None
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":  # the time it was made
                assert a.read(name) == b.read(name), name
        assert any(i.file_size >= 1000 and i.extra for i in b.infolist())
    assert openpyxl.load_workbook(big, read_only=True)[SHEET["items"]].max_row > 3
