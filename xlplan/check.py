"""``xlplan check``: read a workbook, run every check, return one report. The library call behind the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.parsers.expat import ExpatError

from xlplan.checks import run_all
from xlplan.findings import FileReport, Finding
from xlplan.framework import Framework
from xlplan.paths import shown
from xlplan.reader import fingerprint, read_plan
from xlplan.sniff import Sniffed, sniff
from xlplan.xlsx import XlsxError, read_book

# what a folder of submissions may hold that is meant as a plan (everything else in a folder is not looked at)
PLAN_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".csv"}


def check(path: str | Path, framework: Framework | None = None) -> FileReport:
    """Every finding of one file; never raises for a bad file (the report says unreadable)."""
    path = Path(path)
    return check_sniffed(path, sniff(path, keep_parts=True), framework)


def check_sniffed(path: Path, sn: Sniffed, framework: Framework | None = None) -> FileReport:
    """check() of a file already sniffed with keep_parts: read_book takes the parts sniff has decompressed and
    checked anyway."""
    report = FileReport(shown(path), meta={"size": sn.size, "sha256": sn.sha256, "kind": sn.kind, "mtime": sn.mtime})
    report.add(sn.findings)
    if not sn.readable:
        report.unreadable = True
        return report
    try:
        book = read_book(path, sn.parts, complete=sn.parts_complete)
    except (XlsxError, ValueError, KeyError, EOFError, OSError, SyntaxError, ExpatError) as exc:
        # SyntaxError covers xml.etree.ElementTree.ParseError
        report.add([Finding("F115", params={"detail": f"{type(exc).__name__}: {exc}"[:200]})])
        report.unreadable = True
        return report
    sn.parts = {}  # the bytes are in the book now
    rr = read_plan(book, framework)
    report.add(rr.findings)
    report.add(run_all(rr))
    report.plan = rr.plan
    report.meta.update(
        org_code=rr.plan.org.code,
        org_name=rr.plan.org.name,
        template=rr.template,
        sheet_order=book.order,
        revision=rr.plan.announcement.date,
        content=fingerprint(rr),
    )
    return report


def expand(paths: Iterable[str | Path], suffixes: set[str] | None = PLAN_SUFFIXES) -> Iterator[Path]:
    """Files named, and the files of folders (recursively, sorted), that may be plans (or lock files of them)."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                base = Path(root)  # once per folder: a path made per file took most of the time (8,084 files: 0.2 s)
                for name in sorted(files):
                    f = base / name
                    if suffixes is None or f.suffix.lower() in suffixes or name.startswith((".~lock.", "~$")):
                        yield f
        else:
            yield p


def check_paths(paths: Iterable[str | Path], framework: Framework | None = None) -> list[FileReport]:
    return [check(p, framework) for p in expand(paths)]
