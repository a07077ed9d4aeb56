"""Synthetic organisation workbooks: the manifest says truly what each file is and what ``xlplan check`` finds."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from xlplan.check import check
from xlplan.model import Plan
from xlplan.orgs import read_orgs
from xlplan.synth import FAULTS, KINDS, UNREADABLE, Manifest, SynthFile, expected_of, generate

TYPE_PREFIXES = ("องค์การบริหารส่วนตำบล", "เทศบาลตำบล", "เทศบาลเมือง", "เทศบาลนคร", "องค์การบริหารส่วนจังหวัด")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("synth") / "inbox"
    return out, generate(out, 60, seed=1)


def _on_disk(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _digest(root: Path) -> dict[str, tuple[str, float]]:
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
        for p in _on_disk(root)
    }


def _budgets(plan: Plan) -> list[tuple[int, dict[int, object]]]:
    return [(it.number, dict(it.budget)) for it in plan.items]


def _assert_honest(f: SynthFile) -> None:
    """What the checker says of the file is what the manifest says; a readable file holds the manifest's plan."""
    report = check(f.path)
    codes = Counter(x.code for x in report.findings)
    assert expected_of(report.verdict, codes) == f.expected_verdict, (f.path.name, f.kind, f.fault, codes)
    if f.kind == "fault":
        assert codes[f.fault] >= 1, (f.path.name, f.fault, codes)
    if f.kind == "lock":
        assert set(codes) == {"F107"}
    plan = f.plan
    if plan is None:
        assert f.kind in ("unreadable", "lock")
        return
    assert report.plan.org == plan.org
    assert report.plan.announcement == plan.announcement
    assert _budgets(report.plan) == _budgets(plan)
    assert [r.measures for r in report.plan.risks] == [r.measures for r in plan.risks]
    assert "QZQ" not in repr(plan)


def test_manifest_lists_exactly_the_files_written(generated: tuple[Path, Manifest]) -> None:
    out, m = generated
    paths = [f.path for f in m.files]
    assert len(paths) == len(set(paths))
    assert sorted(paths) == _on_disk(out)
    kinds = Counter(f.kind for f in m.files)
    assert set(kinds) <= set(KINDS)
    assert kinds["clean"] >= 35 and kinds["fault"] >= 5 and kinds["unreadable"] >= 1 and kinds["lock"] == 2
    assert sum(n for k, n in kinds.items() if k.startswith("duplicate_")) >= 1
    # nested by province and district, as an office saves e-mail attachments
    assert all(len(p.relative_to(out).parts) >= 3 for p in paths)


def test_organisations_and_roster(generated: tuple[Path, Manifest], tmp_path: Path) -> None:
    _out, m = generated
    first = [f for f in m.files if f.kind in ("clean", "fault")]
    codes = [f.org_code for f in first]
    assert len(codes) == len(set(codes))
    assert all(c is not None and re.fullmatch(r"[0-9]{7}", c) for c in codes)
    assert all(f.org_name and f.org_name.startswith(TYPE_PREFIXES) for f in first)
    for f in m.files:
        if f.kind.startswith("duplicate_"):
            original = next(g for g in m.files if g.path == f.duplicate_of)
            assert (original.org_code, original.kind) == (f.org_code, "clean")
            assert f.path.stat().st_mtime > original.path.stat().st_mtime  # sent again later

    rows, bad = read_orgs(m.write_roster_csv(tmp_path / "orgs.csv"))
    assert bad == []
    assert [r.org for r in rows] == m.roster
    roster = {o.code for o in m.roster}
    assert len(roster) == len(m.roster) == 60
    senders = set(codes) | {f.sender_code for f in m.files if f.kind == "unreadable"}
    assert senders | {o.code for o in m.not_submitted} == roster
    assert len(m.not_submitted) == 3 and not senders & {o.code for o in m.not_submitted}


def test_expected_verdicts_are_what_the_checker_says(generated: tuple[Path, Manifest]) -> None:
    _out, m = generated
    for f in m.files:
        _assert_honest(f)


def test_duplicates_newer_and_conflicting(tmp_path: Path) -> None:
    m = generate(tmp_path, 12, seed=3, fault_share=0, unreadable_share=0, duplicate_share=0.3, lock_files=0)
    by_path = {f.path: f for f in m.files}
    dups = [f for f in m.files if f.kind.startswith("duplicate_")]
    assert {f.kind for f in dups} == {"duplicate_same", "duplicate_newer", "duplicate_conflict"}
    for f in dups:
        assert f.duplicate_of is not None
        orig = by_path[f.duplicate_of]
        assert f.plan is not None and orig.plan is not None
        newer_mtime = f.path.stat().st_mtime > orig.path.stat().st_mtime
        if f.kind == "duplicate_same":
            assert f.path.read_bytes() == orig.path.read_bytes()
        elif f.kind == "duplicate_newer":
            assert f.plan.announcement.date > orig.plan.announcement.date and newer_mtime
            assert _budgets(f.plan) != _budgets(orig.plan)  # the revision that should win
        else:
            assert f.plan.announcement.date == orig.plan.announcement.date and newer_mtime
            assert _budgets(f.plan) != _budgets(orig.plan)
        _assert_honest(f)


def test_every_fault_and_every_unreadable_file(tmp_path: Path) -> None:
    m = generate(
        tmp_path, 20, seed=5, fault_share=0.75, unreadable_share=0.2, duplicate_share=0.05, lock_files=2,
        not_submitted=0, nested=False,
    )  # fmt: skip
    assert {f.fault for f in m.files if f.kind == "fault"} == set(FAULTS)
    assert len(m.by_kind("unreadable")) == len(UNREADABLE)
    assert {p.parent for p in _on_disk(tmp_path)} == {tmp_path}  # flat
    for f in m.files:
        _assert_honest(f)


def test_same_seed_same_bytes_other_seed_other_files(generated: tuple[Path, Manifest], tmp_path: Path) -> None:
    out, m = generated
    again = generate(tmp_path / "again", 60, seed=1)
    assert _digest(tmp_path / "again") == _digest(out)
    assert [(f.kind, f.fault, f.expected_verdict, f.org_code) for f in again.files] == [
        (f.kind, f.fault, f.expected_verdict, f.org_code) for f in m.files
    ]
    other = generate(tmp_path / "other", 60, seed=2)

    def plans(man: Manifest) -> set[str]:  # junk (empty files, lock files) may well be the same bytes
        return {hashlib.sha256(f.path.read_bytes()).hexdigest() for f in man.files if f.org_code}

    assert not plans(other) & plans(m)
    assert {o.code for o in other.roster} != {o.code for o in m.roster}


def test_roster_without_a_type_column_takes_the_type_from_the_name(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_text(
        "รหัส,ชื่อ,ตำบล,อำเภอ,จังหวัด,ประเภท\n"
        "6580101,องค์การบริหารส่วนตำบลแม่ฮ้อย,แม่ฮ้อย,เมือง,ลำพูน,\n"
        "5580102,อบต.บ้านกลาง,บ้านกลาง,เมือง,ลำพูน,\n"
        "3580103,เทศบาลเมืองลำพูน,ในเมือง,เมือง,ลำพูน,\n"
        "4580104,ทต.ริมปิง,ริมปิง,เมือง,ลำพูน,\n"
        "2580105,อบจ.ลำพูน,ในเมือง,เมือง,ลำพูน,\n"
        "4580106,ชุมชนบ้านใหม่,บ้านใหม่,เมือง,ลำพูน,\n"
        "4580107,บ้านใหม่,บ้านใหม่,เมือง,ลำพูน,ทน.\n",
        encoding="utf-8",
    )
    rows, bad = read_orgs(path)
    assert bad == []
    assert [r.org.type for r in rows] == [
        "องค์การบริหารส่วนตำบล",
        "องค์การบริหารส่วนตำบล",
        "เทศบาลเมือง",
        "เทศบาลตำบล",
        "องค์การบริหารส่วนจังหวัด",
        "",  # no type in the name: left empty
        "เทศบาลนคร",  # as the column says, written out
    ]
