"""All checks of a read workbook; each module yields findings, and all of them run in one pass."""

from __future__ import annotations

from xlplan.checks import cross, formulas, plan, structure, values
from xlplan.findings import Finding
from xlplan.reader import ReadResult

MODULES = (structure, values, formulas, cross, plan)


def run_all(rr: ReadResult) -> list[Finding]:
    out: list[Finding] = []
    for module in MODULES:
        out.extend(module.check(rr))
    return out
