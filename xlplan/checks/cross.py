"""Checks across sheets: measures and rows that refer to items, indicator codes against the framework."""

from __future__ import annotations

from collections.abc import Iterator

from xlplan.findings import Finding
from xlplan.reader import ReadResult


def check(rr: ReadResult) -> Iterator[Finding]:
    fw = rr.fw
    items = {it.number for it in rr.plan.items if it.number}
    budget = rr.tables.get("budget")

    # risk measures: item numbers of the plan
    risks = rr.tables.get("risks")
    if risks is not None and "measures" in risks.cols:
        c = risks.cols["measures"]
        for row in risks.rows:
            value = rr.parsed.get((risks.sheet, row, c))
            for ref in value if isinstance(value, list) else []:
                if ref not in items:
                    yield risks.finding("C601", row, "measures", value=ref)
        for text, row in rr.meta_unmatched_measures:
            yield risks.finding("C601", row, "measures", value=text)

    # rows of other sheets that name an item number
    for key in ("measures", "details"):
        loc = rr.tables.get(key)
        if loc is None or "number" not in loc.cols or budget is None:
            continue
        c = loc.cols["number"]
        for row in loc.rows:
            v = rr.parsed.get((loc.sheet, row, c))
            if isinstance(v, int) and v not in items:
                yield loc.finding("C607", row, "number", value=v)

    # every item has its details row
    details = rr.tables.get("details")
    if details is not None and budget is not None and "number" in details.cols:
        have = {rr.parsed.get((details.sheet, r, details.cols["number"])) for r in details.rows}
        for number in sorted(items - have):
            yield budget.finding("C602", rr.item_rows.get(number), "number", value=number)

    # indicator codes against the framework, and the item's dimension and mission
    if budget is None:
        return
    kinds = fw.lists["item_kinds"]
    for it, row in zip(rr.plan.items, budget.rows, strict=False):
        if it.indicator:
            ind = fw.indicator(it.indicator)
            if ind is None:
                yield budget.finding("C604", row, "indicator", value=it.indicator)
            elif it.mission and it.mission != ind.mission and fw.mission(it.mission) is not None:
                yield budget.finding("C605", row, "mission", value=it.indicator, expected=ind.mission, found=it.mission)
            elif it.dimension and str(it.dimension) != ind.dimension:
                yield budget.finding(
                    "C605",
                    row,
                    "dimension",
                    value=it.indicator,
                    expected=f"มิติ {ind.dimension}",
                    found=f"มิติ {it.dimension}",
                )
        if it.mission and it.dimension:
            m = fw.mission(it.mission)
            if m is not None and m.dimension != str(it.dimension) and not it.indicator:
                yield budget.finding(
                    "C605", row, "dimension", value=it.mission, expected=f"มิติ {m.dimension}", found=f"มิติ {it.dimension}"
                )
        if it.kind in kinds and it.name:
            starts = next((k for k in kinds if it.name.startswith(k)), None)
            if starts is not None and starts != it.kind:
                yield budget.finding("C608", row, "kind", found=it.kind, expected=starts)
