"""What the workbook's formulas compute, computed in Python from the plan.

The writer stores these as the formulas' cached values (LibreOffice, pandas, calamine and file previews show
cached values without recalculating); the checker compares a file's cached values with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xlplan.framework import Framework
from xlplan.model import Item, Plan
from xlplan.thai import bahttext

ZERO = Decimal(0)


@dataclass(frozen=True)
class DimensionTotal:
    dimension: str
    count: int
    by_year: dict[int, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), ZERO)


@dataclass(frozen=True)
class BudgetSummary:
    dimensions: tuple[DimensionTotal, ...]
    count: int
    by_year: dict[int, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), ZERO)

    @property
    def words(self) -> str:
        return f"({bahttext(self.total)})"


def budget_summary(plan: Plan, fw: Framework) -> BudgetSummary:
    dims = []
    for d in fw.dimensions:
        items = [it for it in plan.items if str(it.dimension) == d.code]
        dims.append(
            DimensionTotal(
                d.code, len(items), {y: sum((it.budget.get(y, ZERO) for it in items), ZERO) for y in plan.years}
            )
        )
    return BudgetSummary(
        tuple(dims), len([it for it in plan.items if it.name]), {y: plan.year_total(y) for y in plan.years}
    )


def risk_level(score: int | None, fw: Framework) -> str:
    return "" if score is None else fw.level_for(score).th


def heat_counts(plan: Plan) -> dict[tuple[int, int], int]:
    """(likelihood, impact) -> number of risks in that cell."""
    out: dict[tuple[int, int], int] = {}
    for r in plan.risks:
        if r.likelihood is not None and r.impact is not None:
            out[(r.likelihood, r.impact)] = out.get((r.likelihood, r.impact), 0) + 1
    return out


def coverage(plan: Plan, fw: Framework) -> dict[str, int]:
    """Framework indicator code -> number of items that name it."""
    return {i.code: sum(1 for it in plan.items if it.indicator == i.code) for i in fw.indicators}


def item_by_number(plan: Plan, number: int | None) -> Item | None:
    """The first item with that number, as MATCH(…, 0) finds it."""
    return None if number is None else plan.item(number)
