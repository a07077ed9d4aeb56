"""All checks of a read workbook; each module yields findings, and all of them run in one pass."""

from __future__ import annotations

from xlplan.checks import cross, formulas, plan, structure, values
from xlplan.findings import Finding
from xlplan.reader import ReadResult

MODULES = (structure, values, formulas, cross, plan)


def run_all(rr: ReadResult) -> list[Finding]:
    """Every module's findings. A module that fails on a workbook nobody foresaw reports that (F115) instead of
    taking the whole check down: the other modules' findings still come, and a consolidation goes on."""
    out: list[Finding] = []
    for module in MODULES:
        try:
            out.extend(module.check(rr))
        except Exception as exc:  # a bug: reported, never a traceback for the user
            name = module.__name__.rsplit(".", 1)[-1]
            out.append(Finding("F115", params={"detail": f"check '{name}' failed: {type(exc).__name__}: {exc}"[:200]}))
    return out
