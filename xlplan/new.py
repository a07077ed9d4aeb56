"""``xlplan new``: make the workbooks staff fill in, from a plan file, from details given, or for an org list."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from xlplan import planfile
from xlplan.model import DEFAULT_YEARS, Org, Plan
from xlplan.orgs import BadRow, OrgRow, read_orgs
from xlplan.paths import refuse_overwrite_input
from xlplan.writer import render, write_atomic, write_workbook

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def blank_plan(org: Org, years: tuple[int, ...] = DEFAULT_YEARS) -> Plan:
    from xlplan.framework import load

    return Plan(org=org, years=years, framework=load().ref)


def new_from_plan(plan_path: str | Path, out: str | Path) -> Path:
    """The filled workbook of a plan file."""
    plan_path, out = Path(plan_path), Path(out)
    refuse_overwrite_input(out, [plan_path])
    plan = planfile.load(plan_path)
    return write_workbook(plan, out)


def new_blank(org: Org, out: str | Path, years: tuple[int, ...] = DEFAULT_YEARS) -> Path:
    return write_workbook(blank_plan(org, years), Path(out))


def file_name_for(org: Org) -> str:
    """``6501001_องค์การบริหารส่วนตำบลแม่ฮ้อย.xlsx``: sorts by code, readable in a file browser."""
    name = _UNSAFE.sub("_", org.name).strip(" ._") or "plan"
    return f"{org.code}_{name}.xlsx"


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad_rows


_ORG_FIELDS = ("name", "type", "code", "subdistrict", "district", "province")


class BlankStamp:
    """The blank workbook written once with placeholder texts, then stamped with each organisation's details.

    Pre-filled workbooks differ only in six texts, so replacing placeholders in the XML parts gives the same
    workbook as writing it anew, about ten times faster (tested part by part against write_workbook).
    """

    def __init__(self, years: tuple[int, ...]) -> None:
        import io
        import zipfile

        self.tokens = {f: f"XLPLAN_PLACEHOLDER_{f.upper()}_" for f in _ORG_FIELDS}
        data = render(blank_plan(Org(**self.tokens), years))
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.parts = [(info, z.read(info)) for info in z.infolist()]

    def write(self, org: Org, out: Path) -> Path:
        import io
        import zipfile
        from xml.sax.saxutils import escape

        values = {tok.encode(): escape(getattr(org, f)).encode() for f, tok in self.tokens.items()}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in self.parts:
                if b"XLPLAN_PLACEHOLDER_" in data:
                    for tok, value in values.items():
                        data = data.replace(tok, value)
                z.writestr(info, data)
        return write_atomic(out, buf.getvalue())


_STAMPS: dict[tuple[int, ...], BlankStamp] = {}


def _write_one(args: tuple[Org, tuple[int, ...], str]) -> str:
    org, years, out = args
    if not all(getattr(org, f) for f in _ORG_FIELDS) or "&" in org.name:
        # an empty field is a blank cell, not an empty text; "&" is a control code in page headers
        return str(new_blank(org, out, years))
    stamp = _STAMPS.get(years)
    if stamp is None:
        stamp = _STAMPS[years] = BlankStamp(years)
    return str(stamp.write(org, Path(out)))


def new_from_orgs(
    orgs_csv: str | Path, out_dir: str | Path, years: tuple[int, ...] = DEFAULT_YEARS, jobs: int | None = None
) -> BatchResult:
    """One pre-filled workbook per organisation of the list; bad rows are reported, good ones still written."""
    out_dir = Path(out_dir)
    rows: list[OrgRow]
    rows, bad = read_orgs(orgs_csv)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(r.org, years, str(out_dir / file_name_for(r.org))) for r in rows]
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if jobs <= 1 or len(tasks) < 8:
        written = [_write_one(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            written = list(pool.map(_write_one, tasks, chunksize=max(1, len(tasks) // (jobs * 8))))
    return BatchResult([Path(p) for p in written], bad)
