"""Consolidation of a generated district with known faults, duplicates and broken files."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from xlplan.cli import app
from xlplan.consolidate import Consolidation, consolidate, schema, write_data_files, write_outputs
from xlplan.summary import SHEET, write_summary
from xlplan.synth import Manifest, generate

ROOT = Path(__file__).resolve().parent.parent

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest, Consolidation]:
    root = tmp_path_factory.mktemp("consolidate")
    m = generate(root / "inbox", 40, seed=3, duplicate_share=0.1, not_submitted=3)
    roster = m.write_roster_csv(root / "roster.csv")
    return root, m, consolidate([root / "inbox"], roster=roster, jobs=2)


def _winners(m: Manifest) -> dict[str, Path]:
    """The file each organisation should be counted from, by the documented rule, from the manifest alone."""
    by_org: dict[str, list] = {}
    for f in m.files:
        if f.org_code and f.kind not in ("unreadable", "lock"):
            by_org.setdefault(f.org_code, []).append(f)
    out = {}
    for code, files in by_org.items():
        newer = [f for f in files if f.kind == "duplicate_newer"]
        conflict = [f for f in files if f.kind == "duplicate_conflict"]
        if newer:
            out[code] = newer[0].path
        elif conflict:
            out[code] = conflict[0].path  # same revision, later modification time
        else:
            out[code] = min(f.path for f in files if f.kind != "duplicate_same") if len(files) == 1 else None
    return {k: v for k, v in out.items() if v is not None}


def test_every_file_is_one_ledger_row_with_its_verdict(run: tuple[Path, Manifest, Consolidation]) -> None:
    _root, m, c = run
    led = c.ledger.set_index("path")
    assert len(c.ledger) == len(m.files)
    assert set(led.index) == {str(f.path) for f in m.files}
    for f in m.files:
        row = led.loc[str(f.path)]
        expected_status = {"lock": "skipped", "unreadable": "unreadable"}.get(f.kind)
        if expected_status:
            assert row["status"] == expected_status, f.path.name
            assert not row["used"]
            assert row["reason"], f.path.name
        else:
            assert row["verdict"] == f.expected_verdict, (f.path.name, f.kind, f.fault)
            assert row["org_code"] == f.org_code
        assert row["size"] == f.path.stat().st_size
    kinds = Counter(f.kind for f in m.files)
    status = c.ledger["status"].value_counts().to_dict()
    assert status["skipped"] == kinds["lock"]
    assert status["unreadable"] == kinds["unreadable"]
    dup = sum(n for k, n in kinds.items() if k.startswith("duplicate_"))
    assert status["superseded"] == dup
    assert status["used"] == len({f.org_code for f in m.files if f.org_code and f.kind not in ("lock", "unreadable")})


def test_duplicates_count_once_newest_wins_conflicts_flagged(run: tuple[Path, Manifest, Consolidation]) -> None:
    _root, m, c = run
    led = c.ledger.set_index("path")
    used = c.ledger[c.ledger["used"]]
    assert used["org_code"].is_unique
    for code, path in _winners(m).items():
        assert led.loc[str(path), "used"], (code, path.name)
    for f in m.files:
        if f.kind == "duplicate_newer":
            assert led.loc[str(f.path), "status"] == "used"
            assert led.loc[str(f.duplicate_of), "status"] == "superseded"
            assert led.loc[str(f.duplicate_of), "superseded_by"] == str(f.path)
            assert not led.loc[str(f.path), "conflict"]
        if f.kind == "duplicate_conflict":
            assert led.loc[str(f.path), "conflict"] and led.loc[str(f.duplicate_of), "conflict"]
        if f.kind == "duplicate_same":
            assert not led.loc[str(f.path), "conflict"]
    assert any(f.kind == "duplicate_newer" for f in m.files)
    assert any(f.kind == "duplicate_conflict" for f in m.files)


def test_roster_lists_who_did_not_submit(run: tuple[Path, Manifest, Consolidation]) -> None:
    _root, m, c = run
    missing = set(c.orgs.loc[c.orgs["status"] == "not_submitted", "org_code"])
    # an organisation whose only file is unreadable is known by the file's name: it sent something, to resend
    readable = {f.org_code for f in m.files if f.org_code and f.kind not in ("lock", "unreadable")}
    broken = {f.sender_code: f.path for f in m.files if f.kind == "unreadable" and f.sender_code not in readable}
    assert broken, "the generated set has organisations whose only file is unreadable"
    assert missing == {o.code for o in m.not_submitted}
    resend = c.orgs[c.orgs["status"] == "sent_unreadable"].set_index("org_code")
    assert set(resend.index) == set(broken)
    for code, path in broken.items():
        assert resend.loc[code, "path"] == str(path)
        assert resend.loc[code, "verdict"] == "unreadable"
    assert len(c.orgs) == len(m.roster)


def test_totals_equal_the_exported_plans_of_the_used_files(run: tuple[Path, Manifest, Consolidation]) -> None:
    """Independent of the consolidation code: each used file exported with `xlplan export`, summed here."""
    root, _m, c = run
    used = c.ledger.loc[c.ledger["used"], "path"]
    per_year: Counter[str] = Counter()
    items = 0
    for path in used:
        res = runner.invoke(app, ["export", path, "--format", "json"])
        assert res.exit_code == 0, res.output
        data = json.loads(res.stdout)
        items += len(data["items"])
        for it in data["items"]:
            for y, v in it["budget"].items():
                per_year[y] += v
    years = c.years
    assert len(c.items) == items
    for y in years:
        assert c.items[f"budget_{y}"].sum() == pytest.approx(per_year[str(y)])
        assert c.overview[f"budget_{y}"].sum() == pytest.approx(per_year[str(y)])
    out = write_summary(c, root / "summary.xlsx")
    ws = openpyxl.load_workbook(out, data_only=True, read_only=True)[SHEET["overview"]]
    rows = list(ws.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "รวมทั้งสิ้น")
    header = next(r for r in rows if r[0] == "จังหวัด")
    for y in years:
        assert total[header.index(f"งบประมาณ ปี {y} (บาท)")] == pytest.approx(per_year[str(y)])
    assert total[header.index("ได้รับ")] == len(used)


def test_data_files_keep_the_schema(run: tuple[Path, Manifest, Consolidation]) -> None:
    root, _m, c = run
    out = root / "data"
    written = write_data_files(c, out)
    assert len(written) == 16
    cols = schema(c.years)
    for name, df in c.tables().items():
        assert list(df.columns) == cols[name], name
        back = pd.read_parquet(out / f"{name}.parquet")
        assert list(back.columns) == cols[name]
        assert len(back) == len(df)
        csv = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype=str)
        assert list(csv.columns) == cols[name]
        assert len(csv) == len(df)


def test_cli_refuses_an_input_as_output_and_skips_its_own_outputs(
    run: tuple[Path, Manifest, Consolidation], tmp_path: Path
) -> None:
    root, m, _c = run
    victim = next(f.path for f in m.files if f.kind == "clean")
    before = victim.read_bytes()
    res = runner.invoke(app, ["consolidate", str(root / "inbox"), "-o", str(victim), "-q"])
    assert res.exit_code == 2
    assert "output path is one of the inputs" in res.output
    assert victim.read_bytes() == before

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in [f for f in m.files if f.kind == "clean"][:3]:
        (inbox / f.path.name).write_bytes(f.path.read_bytes())
    out = inbox / "summary.xlsx"
    res = runner.invoke(app, ["consolidate", str(inbox), "-o", str(out), "-q", "--data-dir", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    assert "3 used" in res.output
    res = runner.invoke(app, ["consolidate", str(inbox), "-o", str(tmp_path / "again.xlsx"), "-q"])
    assert res.exit_code == 0
    assert "3 used" in res.output and "1 skipped" in res.output


def test_data_files_escape_formula_like_text_in_csv_only(
    run: tuple[Path, Manifest, Consolidation], tmp_path: Path
) -> None:
    _root, _m, c = run
    items = c.items.copy()
    items.loc[0, "name"] = '=HYPERLINK("http://x")'
    items.loc[1, "name"] = "-ลดการทุจริต"
    items.loc[2, "responsible"] = "@กองคลัง"
    tables = Consolidation(**{**vars(c), "items": items})
    write_data_files(tables, tmp_path)
    csv = pd.read_csv(tmp_path / "items.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv.loc[0, "name"] == '\'=HYPERLINK("http://x")'
    assert csv.loc[1, "name"] == "'-ลดการทุจริต"
    assert csv.loc[2, "responsible"] == "'@กองคลัง"
    assert csv.loc[3, "name"] == items.loc[3, "name"]  # other text as it is
    assert (tmp_path / "items.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    back = pd.read_parquet(tmp_path / "items.parquet")
    assert back.loc[0, "name"] == '=HYPERLINK("http://x")'  # Parquet keeps the value
    assert back["total"].sum() == pytest.approx(items["total"].sum())
    assert float(csv["total"].astype(float).sum()) == pytest.approx(items["total"].sum())


def test_plans_of_other_years_sum_by_year() -> None:
    """A plan for 2567-2571 beside one for 2566-2570: each amount lands in its own year's column."""
    from xlplan.consolidate import Outcome, _build

    def plan(code: str, years: tuple[int, ...], amounts: tuple[float, ...]) -> Outcome:
        o = Outcome(f"/in/{code}.xlsx", verdict="ok", readable=True, years=years, revision="2565-07-01")
        o.org = {"code": code, "name": f"อบต.{code}", "province": "ลำปาง", "district": "เมือง"}
        o.items = [(1, 1, "1.1", "1.1.1", "โครงการ", "อบรม", amounts, "สำนักปลัด")]
        return o

    c = _build(
        [
            plan("1", (2566, 2567, 2568, 2569, 2570), (100.0, 200.0, 300.0, 400.0, 500.0)),
            plan("2", (2567, 2568, 2569, 2570, 2571), (10.0, 20.0, 30.0, 40.0, 50.0)),
        ],
        None,
        0.0,
    )
    assert c.years == (2566, 2567, 2568, 2569, 2570, 2571)
    rows = c.items.set_index("org_code")
    assert [rows.loc["1", f"budget_{y}"] for y in c.years] == [100.0, 200.0, 300.0, 400.0, 500.0, 0.0]
    assert [rows.loc["2", f"budget_{y}"] for y in c.years] == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
    assert rows.loc["2", "total"] == 150.0
    orgs = c.orgs.set_index("org_code")
    assert orgs.loc["2", "budget_2567"] == 10.0 and orgs.loc["2", "budget_total"] == 150.0
    assert c.overview.loc[0, "budget_2567"] == 210.0 and c.overview.loc[0, "expected"] is None


def test_unreadable_files_are_matched_to_the_roster_by_their_names() -> None:
    from types import SimpleNamespace

    from xlplan.consolidate import Outcome, _senders
    from xlplan.framework import load

    def org(code: str, name: str, district: str, province: str = "ลำปาง") -> SimpleNamespace:
        return SimpleNamespace(org=SimpleNamespace(code=code, name=name, district=district, province=province))

    roster = [
        org("6520101", "องค์การบริหารส่วนตำบลบางม่วง", "เมือง"),
        org("6520102", "องค์การบริหารส่วนตำบลบางม่วงใต้", "เมือง"),
        org("4520301", "เทศบาลตำบลบ้านใหม่", "เกาะคา"),
        org("4520401", "เทศบาลตำบลบ้านใหม่", "แจ้ห่ม"),
        org("4520501", "เทศบาลตำบลนาแก้ว", "งาว"),
        org("6520601", "องค์การบริหารส่วนตำบลทุ่งผึ้ง", "แจ้ห่ม"),
    ]
    files = {
        "/in/ลำปาง/เมือง/แผน อบต.บางม่วงใต้ (แก้ไข).xlsx": "6520102",  # the longer name, abbreviated
        "/in/ลำปาง/อำเภอแจ้ห่ม/แผนป้องกันการทุจริต_เทศบาลตำบลบ้านใหม่.xlsx": "4520401",  # told apart by folder
        "/in/ส่งทางไลน์/เทศบาลตำบลบ้านใหม่.xlsx": None,  # two of that name, no folder to tell: nobody
        "/in/๔๕๒๐๕๐๑ แผน.xls": "4520501",  # the code, in Thai digits
        "/in/scan0001.pdf.xlsx": None,  # names nobody
        "/in/ลำปาง/แจ้ห่ม/อบต.ทุ่งผึ้งเหนือ (ฉบับเก่า).xlsx": None,  # a bad copy from ทุ่งผึ้งเหนือ, which sent its plan
    }
    roster.append(org("6520602", "องค์การบริหารส่วนตำบลทุ่งผึ้งเหนือ", "แจ้ห่ม"))  # received: not missing
    broken = [(i, Outcome(path, verdict="unreadable")) for i, path in enumerate(files)]
    missing = {r.org.code for r in roster} - {"6520602"}
    found = _senders(roster, missing, broken, load())
    assert {code: o.path for code, (_i, o) in found.items()} == {
        code: path for path, code in files.items() if code is not None
    }


def test_file_names_not_in_utf8_are_shown_readable(tmp_path: Path) -> None:
    """A Thai name in Windows' encoding (as a zip made on Windows gives it) and one of stray bytes: consolidate and
    check --format json used to stop at them with an internal error (lone surrogates cannot be written)."""
    good = ROOT / "examples" / "maehoi.xlsx"
    folder = tmp_path / "inbox"
    folder.mkdir()
    thai = "แผน อบต.แม่ฮ่องสอน.xlsx"
    os.link(good, os.fsencode(folder) + b"/" + thai.encode("cp874"))
    os.link(good, os.fsencode(folder) + b"/plan-\xff\xfe.xlsx")
    c = consolidate([folder], jobs=1)
    assert sorted(c.ledger["path"]) == sorted([str(folder / thai), str(folder / "plan-\ufffd\ufffd.xlsx")])
    assert sorted(c.ledger["status"]) == ["superseded", "used"]  # the same plan twice
    r = runner.invoke(app, ["consolidate", str(folder), "-o", str(tmp_path / "sum.xlsx"), "--data-dir",
                            str(tmp_path / "data")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert str(folder / thai) in (tmp_path / "data" / "ledger.csv").read_text(encoding="utf-8-sig")
    r = runner.invoke(app, ["check", str(folder), "--format", "json", "-o", str(tmp_path / "report.json")])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert sorted(f["file"] for f in report) == sorted(c.ledger["path"])


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"/in/plan.xlsx", "/in/plan.xlsx"),
        ("/ใน/แผน.xlsx".encode(), "/ใน/แผน.xlsx"),  # UTF-8: as it is
        ("/ใน/".encode() + "แผนป้องกันการทุจริต.xlsx".encode("cp874"), "/ใน/แผนป้องกันการทุจริต.xlsx"),  # a folder at a time
        ("/อำเภอเมือง/".encode("cp874") + "แผน.xlsx".encode(), "/อำเภอเมือง/แผน.xlsx"),
        (b"/in/\xff\xc3(.xlsx", "/in/\ufffd\ufffd(.xlsx"),  # neither
    ],
)
def test_shown_paths(raw: bytes, text: str) -> None:
    from xlplan.paths import shown

    assert shown(os.fsdecode(raw)) == text
    assert shown(Path(os.fsdecode(raw))) == text


def test_an_excluded_path_is_found_through_links_and_linked_folders(tmp_path: Path) -> None:
    """consolidate(exclude=...) leaves out the output wherever the inputs name it: as itself, through a link to
    it, or in a folder reached through a link (only such files are resolved; all others are passed quickly)."""
    from xlplan.consolidate import _excluded

    real = tmp_path / "real"
    real.mkdir()
    out = real / "summary.xlsx"
    out.write_bytes(b"x")
    (real / "plan.xlsx").write_bytes(b"x")
    (tmp_path / "via").symlink_to(real, target_is_directory=True)
    (tmp_path / "other-name.xlsx").symlink_to(out)
    excluded = {out.resolve()}
    assert _excluded(out, excluded)
    assert _excluded(tmp_path / "via" / "summary.xlsx", excluded)
    assert _excluded(tmp_path / "other-name.xlsx", excluded)
    assert not _excluded(real / "plan.xlsx", excluded)
    assert not _excluded(tmp_path / "via" / "plan.xlsx", excluded)
    assert not _excluded(out, set())
    # folders are walked without following links; the link to the output is left out with the output
    found = consolidate([tmp_path], exclude=[out], jobs=1).ledger["path"].tolist()
    assert found == [str(real / "plan.xlsx")]


@pytest.mark.parametrize(
    "values",
    [
        [1, 2],
        [1.0, 2.5],
        [1, 2.5],
        [True, False],
        [True, None],
        [1, None],
        [1.5, None],
        ["ก", None],
        [None, None],
        ["ก", 1],
        ["ก", float("nan")],
        ["", "ข"],
        [2**63, 1],
        [],
    ],
)
def test_a_table_of_columns_is_typed_as_one_of_rows(values: list) -> None:
    """Tables are gathered a column at a time: each column gets the type pandas gives it in a frame of rows."""
    from xlplan.consolidate import _frame

    rows = [[v, "x", i] for i, v in enumerate(values)]
    want = pd.DataFrame(rows, columns=["v", "text", "n"])
    pd.testing.assert_frame_equal(_frame(rows, ["v", "text", "n"]), want, check_exact=True)
    by_column = {"v": list(values), "text": ["x"] * len(values), "n": list(range(len(values)))}
    pd.testing.assert_frame_equal(_frame(by_column, ["v", "text", "n"]), want, check_exact=True)


def test_outputs_written_together_are_those_written_apart(
    run: tuple[Path, Manifest, Consolidation], tmp_path: Path
) -> None:
    import zipfile

    from xlplan.consolidate import write_outputs

    _root, _m, c = run
    write_summary(c, tmp_path / "apart.xlsx")
    write_data_files(c, tmp_path / "apart")
    write_outputs(c, tmp_path / "together.xlsx", tmp_path / "together")
    for name in sorted(p.name for p in (tmp_path / "apart").iterdir()):
        assert (tmp_path / "together" / name).read_bytes() == (tmp_path / "apart" / name).read_bytes(), name
    with zipfile.ZipFile(tmp_path / "apart.xlsx") as a, zipfile.ZipFile(tmp_path / "together.xlsx") as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":  # the time it was made
                assert a.read(name) == b.read(name), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apart", "apart.xlsx", "together", "together.xlsx"]


@pytest.mark.parametrize("failing", ["summary", "data"])
def test_an_output_that_fails_replaces_none(
    run: tuple[Path, Manifest, Consolidation], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """The summary and the data files are put in place together: when one fails, the others stay as they were, and
    no temporary file is left."""
    from xlplan import consolidate as lib
    from xlplan import summary

    root, _m, c = run
    out, data = tmp_path / "summary.xlsx", tmp_path / "data"
    data.mkdir()
    out.write_bytes(b"before")
    (data / "items.csv").write_bytes(b"before")

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path))

    if failing == "summary":
        monkeypatch.setattr(summary, "_render", fail)
    else:
        monkeypatch.setattr(lib, "_write_csv", fail)
    with pytest.raises(OSError, match="No space left"):
        lib.write_outputs(c, out, data)
    assert out.read_bytes() == b"before"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data", "items.csv", "summary.xlsx"]
    assert (data / "items.csv").read_bytes() == b"before"

    res = runner.invoke(app, ["consolidate", str(root / "inbox"), "-o", str(out), "-q", "--data-dir", str(data)])
    assert res.exit_code == 2, res.output
    assert "cannot write: No space left on device" in res.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data", "items.csv", "summary.xlsx"]


def test_outputs_get_the_permissions_of_a_new_file_or_of_the_file_they_replace(tmp_path: Path) -> None:
    """Temporary files are private (0600); an output renamed from one must not be: colleagues sharing the folder
    open the summary. A new file gets 0666 less the umask, a replaced one keeps its own permissions."""
    import os
    import stat

    from xlplan.paths import write_atomic

    old = os.umask(0o022)
    try:
        new = write_atomic(tmp_path / "new.xlsx", b"x")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        kept = tmp_path / "kept.xlsx"
        kept.write_bytes(b"old")
        kept.chmod(0o640)
        write_atomic(kept, b"x")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
        c = consolidate([ROOT / "examples" / "district"], jobs=1)
        write_outputs(c, tmp_path / "summary.xlsx", tmp_path / "data")
        for p in [tmp_path / "summary.xlsx", *sorted((tmp_path / "data").iterdir())]:
            assert stat.S_IMODE(p.stat().st_mode) == 0o644, p
    finally:
        os.umask(old)


# ------------------------------------------------------------------------------------------------ packed tables
# Items and risks cross from the worker packed a column at a time (consolidate.pack); the parent joins the plans'
# pieces (consolidate._unpacked). Each column must come out as pandas makes it of the rows' values.


@pytest.mark.parametrize(
    "pieces",
    [
        [[1, 2], [3], [4, 5, 6]],
        [[1, None], [3]],  # integers with None: floats, NaN for None
        [[1, 2], [None]],  # the None in a plan of its own ("q" and "n" pieces)
        [[None], [None, None]],  # objects, None
        [[1.5, float("nan")], [2.0], [-0.0]],
        [[1.5], [2]],  # floats and ints: floats
        [[True], [1]],  # a bool among ints: objects
        [[True, False], [False]],
        [[2**63], [1]],  # beyond int64: pandas' choice
        [["ก", ""], ["", "ข\u0e01"], ["x"]],
        [[""], [""], ["a"]],  # a plan whose only text is empty: its piece is b""
        [["ก"], [None]],  # text and None
        [["a\0b"], ["c"]],  # text holding NUL (kept as objects: the pieces are NUL-joined)
        [["ก"], [1]],
        [[], [1], [], [2, 3]],  # plans without rows
        [[], []],
    ],
)
def test_packed_columns_are_typed_as_rows(pieces: list[list]) -> None:
    from xlplan.consolidate import _frame, _unpacked, pack

    values = [v for piece in pieces for v in piece]
    texts = [f"t{k}" for k in range(len(values))]
    parts, at = [], 0
    for piece in pieces:
        if piece:
            parts.append(pack([piece, texts[at : at + len(piece)], list(range(at, at + len(piece)))]))
            at += len(piece)
    columns = dict(zip(["v", "text", "n"], _unpacked(parts, [(0, 1, 2)] * len(parts), 3), strict=True))
    want = pd.DataFrame(
        [[v, t, k] for k, (v, t) in enumerate(zip(values, texts, strict=True))], columns=["v", "text", "n"]
    )
    got = _frame(columns, ["v", "text", "n"])
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)
    if values and isinstance(got["v"].dtype, np.dtype) and got["v"].dtype.kind == "f":  # -0.0 stays -0.0
        assert np.array_equal(np.signbit(got["v"].to_numpy()), np.signbit(want["v"].to_numpy()))


def test_packed_columns_hold_each_plans_values_in_place() -> None:
    """Every value names its plan and row: a piece taken one place off (a start, a length, a rank) shows."""
    from xlplan.consolidate import _unpacked, pack

    parts, want = [], []
    for p, n in enumerate([3, 1, 4, 1, 5, 2]):
        rows = [(p * 100 + r, f"p{p}r{r}", f"ข{p}.{r}", p + r / 10, p * 1000 + r) for r in range(n)]
        parts.append(pack([list(c) for c in zip(*rows, strict=True)]))
        want += rows
    columns = _unpacked(parts, [(0, 1, 2, 3, 4)] * len(parts), 5)
    got = list(zip(*[list(c) for c in columns], strict=True))
    assert got == want
    # a second layout (columns picked in another order, one missing: zeros) alongside the first
    columns = _unpacked(parts, [(4, 2, None, 3)] * 3 + [(0, 1, 3, None)] * 3, 4)
    assert list(columns[0]) == [r[4] for r in want[:8]] + [r[0] for r in want[8:]]
    assert list(columns[1]) == [r[2] for r in want[:8]] + [r[1] for r in want[8:]]
    assert list(columns[2]) == [0.0] * 8 + [r[3] for r in want[8:]]
    assert list(columns[3]) == [r[3] for r in want[:8]] + [0.0] * len(want[8:])


def _outcome(code: str, years: tuple[int, ...], items: list[tuple], risks: list[tuple]) -> Any:
    from xlplan.consolidate import Outcome

    o = Outcome(f"/in/{code}.xlsx", verdict="ok", readable=True, years=years, revision="2565-07-01")
    o.org = {"code": code, "name": f"อบต.{code}", "province": "ลำปาง", "district": f"อำเภอ{code}"}
    o.items, o.risks = items, risks
    return o


def _rows_frames(outs: list[Any], years: tuple[int, ...]) -> dict[str, pd.DataFrame]:
    """The items and risks tables as pandas makes them of rows (as consolidation did before the packing)."""
    cols = schema(years)
    items, risks = [], []
    for o in sorted(outs, key=lambda o: (o.org["province"], o.org["district"], o.org["code"])):
        base = [o.org["code"], o.org["name"], o.org["province"], o.org["district"], o.verdict]
        for number, dim, mission, ind, kind, name, amounts, responsible in o.items:
            by_year = dict(zip(o.years, amounts, strict=True))
            per_year = [by_year.get(y, 0.0) for y in years]
            items.append([*base, number, dim, mission, ind, kind, name, *per_year, sum(amounts), responsible])
        risks += [[*base, *r] for r in o.risks]
    return {
        "items": pd.DataFrame(items, columns=cols["items"]) if items else pd.DataFrame([], columns=cols["items"]),
        "risks": pd.DataFrame(risks, columns=cols["risks"]) if risks else pd.DataFrame([], columns=cols["risks"]),
    }


def test_tables_of_packed_outcomes_are_those_of_rows() -> None:
    """Outcomes with rows (as tests give them) and the same packed (as workers send them) make the same tables,
    and their items and risks are what pandas makes of the rows: other years, None, empty plans, text that
    cannot be UTF-8 (a lone surrogate: U+FFFD in its place, where the table used to fail)."""
    import dataclasses

    from xlplan.consolidate import _build, pack_items, pack_risks

    five, later = (2566, 2567, 2568, 2569, 2570), (2567, 2568, 2569, 2570, 2571)
    outs = [
        _outcome("1", five, [(1, 1, "1.1", "1.1.1", "โครงการ", "อบรม", (1.5, 2.0, 0.0, 0.0, 3.25), "สำนักปลัด"),
                             (2, 2, "2.1", "2.1.1", "มาตรการ", "", (0.0,) * 5, "")],
                 [(1, "การจัดซื้อ", "ฮั้ว", 4, 5, 20, "สูงมาก", "1, 2", "กองคลัง")]),
        _outcome("2", later, [(1, 3, "3.1", "3.1.2", "กิจกรรม", "ประชุม", (10.0, 20.0, 30.0, 40.0, 50.0), "กองช่าง")],
                 [(1, "การเงิน", "", None, 3, None, "", "", ""), (2, "บุคคล", "เส้นสาย", 2, 2, 4, "ต่ำ", "1", "")]),
        _outcome("3", five, [], []),
        _outcome("4", five, [(7, 1, "1.2", "1.2.1", "โครงการ", "ป้ายประกาศ", (5.0,) * 5, "กองการศึกษา")], []),
    ]  # fmt: skip
    years = (2566, 2567, 2568, 2569, 2570, 2571)
    from_rows = _build(outs, None, 0.0)
    packed = [dataclasses.replace(o, items=pack_items(o.items), risks=pack_risks(o.risks)) for o in outs]
    from_packed = _build(packed, None, 0.0)
    assert from_rows.years == from_packed.years == years
    for name, df in from_rows.tables().items():
        pd.testing.assert_frame_equal(from_packed.tables()[name], df, check_exact=True)
    want = _rows_frames(outs, years)
    for name in ("items", "risks"):
        pd.testing.assert_frame_equal(getattr(from_packed, name), want[name], check_exact=True)
    assert str(from_packed.risks["likelihood"].dtype) == "float64" and from_packed.risks["likelihood"].isna().sum() == 1
    assert from_packed.risks["number"].dtype == np.int64
    orgs = from_packed.orgs.set_index("org_code")
    assert orgs.loc["2", "high_risks"] == 0 and orgs.loc["1", "high_risks"] == 1
    assert orgs.loc["1", "budget_2570"] == 3.25 and orgs.loc["2", "budget_2571"] == 50.0
    assert orgs.loc["3", "items"] == 0 and orgs.loc["4", "risks"] == 0

    # a lone surrogate (no XML text holds one) in an item's name, an org's name: U+FFFD, not a failure
    odd = _outcome("5", five, [(1, 1, "1.1", "1.1.1", "โครงการ", "อบ\ud800รม", (1.0,) * 5, "")], [])
    odd.org["name"] = "อบต.\udcff"
    for o in (odd, dataclasses.replace(odd, items=pack_items(odd.items))):
        c = _build([o], None, 0.0)
        assert c.items.loc[0, "name"] == "อบ\ufffdรม" and c.items.loc[0, "org_name"] == "อบต.\ufffd"
        assert c.orgs.loc[0, "org_name"] == "อบต.\ufffd"


def test_packed_tables_without_arrow_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """With pandas 2 (text as objects) the packed text columns are lists of str, as rows made them."""
    from xlplan import consolidate

    monkeypatch.setattr(consolidate, "_text_dtype", lambda: np.dtype(object))
    parts = [consolidate.pack([["ก", ""], [1, 2]]), consolidate.pack([["ข"], [3]])]
    text, ints = consolidate._unpacked(parts, [(0, 1)] * 2, 2)
    assert text == ["ก", "", "ข"] and all(type(v) is str for v in text)
    assert ints.tolist() == [1, 2, 3]


def test_the_worker_packs_a_plan_as_its_rows_would_be(run: tuple[Path, Manifest, Consolidation]) -> None:
    """_fill_rows packs each plan's items and risks (checked a group of columns at a time) as pack_items and
    pack_risks pack the rows consolidation used to send (each column's kind found from its values)."""
    from xlplan.check import check
    from xlplan.consolidate import Outcome, _fill_rows, pack_items, pack_risks
    from xlplan.framework import load

    fw = load()
    _root, m, _c = run
    seen = 0
    for f in m.files:
        if f.kind in ("lock", "unreadable"):
            continue
        plan = check(f.path).plan
        if plan is None:
            continue
        out = Outcome(str(f.path))
        _fill_rows(out, plan)
        items = [
            (
                it.number,
                it.dimension,
                it.mission,
                it.indicator,
                it.kind,
                it.name,
                tuple(float(it.budget.get(y, 0)) for y in plan.years),
                it.responsible,
            )
            for it in plan.items
        ]
        risks = [(r.number, r.area, r.issue, r.likelihood, r.impact, r.score,
                  fw.level_for(r.score).th if r.score else "", ", ".join(str(x) for x in r.measures), r.owner)
                 for r in plan.risks]  # fmt: skip
        assert out.items == pack_items(items), f.path.name
        assert out.risks == pack_risks(risks), f.path.name
        seen += 1
    assert seen > 20


@pytest.mark.parametrize(
    ("columns", "kinds"),
    [
        ([[1, 2], ["a", "b"], [1.5, 2.5]], "qsd"),
        ([[1, True], ["a", "b"], [1.5, 2.5]], "qsd"),  # a bool: not an int to pandas
        ([[1, 2**70], ["a", "b"], [1.5, 2.5]], "qsd"),  # beyond int64
        ([[1, None], ["a", None], [1.5, None]], "qsd"),
        ([[1, 2], ["a\0", "b"], [1.5, 2.5]], "qsd"),
    ],
)
def test_pack_told_the_kinds_packs_as_it_finds_them(columns: list[list], kinds: str) -> None:
    """The worker tells pack what its columns hold (to check them a group at a time); values that are not so
    are packed as pack finds them."""
    from xlplan.consolidate import pack

    assert pack(columns, kinds) == pack(columns)


def test_a_roster_that_cannot_be_read_stops_the_run(tmp_path: Path) -> None:
    from xlplan.orgs import OrgListError

    bad = tmp_path / "roster.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(OrgListError, match="the header row lacks code"):
        consolidate([ROOT / "examples" / "district"], roster=bad, jobs=1)
    r = runner.invoke(app, ["consolidate", str(ROOT / "examples" / "district"), "-o", str(tmp_path / "s.xlsx"),
                            "--roster", str(bad)])  # fmt: skip
    assert r.exit_code == 2 and "the header row lacks code" in r.output
    assert not (tmp_path / "s.xlsx").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(OrgListError):  # no file to read: the list is still read
        consolidate([tmp_path / "empty"], roster=bad, jobs=1)
