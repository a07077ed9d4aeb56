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
        sh = rr.book.sheets[risks.sheet]
        c = risks.cols["measures"]
        col = risks.table.column("measures")
        for row in risks.rows:
            value = rr.parsed.get((sh.name, row, c))
            for ref in value if isinstance(value, list) else []:
                if ref not in items:
                    yield Finding(
                        "C601",
                        sheet=sh.name,
                        row=row,
                        col=c,
                        column_th=col.th.replace("\n", " "),
                        column_en=col.en,
                        params={"value": ref},
                    )
        for text, row in rr.meta_unmatched_measures:
            yield Finding(
                "C601",
                sheet=sh.name,
                row=row,
                col=c,
                column_th=col.th.replace("\n", " "),
                column_en=col.en,
                params={"value": text},
            )

    # rows of other sheets that name an item number
    for key in ("measures", "details"):
        loc = rr.tables.get(key)
        if loc is None or "number" not in loc.cols or budget is None:
            continue
        sh = rr.book.sheets[loc.sheet]
        c = loc.cols["number"]
        col = loc.table.column("number")
        for row in loc.rows:
            v = rr.parsed.get((sh.name, row, c))
            if isinstance(v, int) and v not in items:
                yield Finding(
                    "C607",
                    sheet=sh.name,
                    row=row,
                    col=c,
                    column_th=col.th.replace("\n", " "),
                    column_en=col.en,
                    params={"value": v},
                )

    # every item has its details row
    details = rr.tables.get("details")
    if details is not None and budget is not None and "number" in details.cols:
        dsh = rr.book.sheets[details.sheet]
        have = {rr.parsed.get((dsh.name, r, details.cols["number"])) for r in details.rows}
        bsh = rr.book.sheets[budget.sheet]
        col = budget.table.column("number")
        for number in sorted(items - have):
            row = rr.item_rows.get(number)
            yield Finding(
                "C602",
                sheet=bsh.name,
                row=row,
                col=budget.cols.get("number"),
                column_th=col.th,
                column_en=col.en,
                params={"value": number},
            )

    # indicator codes against the framework, and the item's dimension and mission
    if budget is not None:
        sh = rr.book.sheets[budget.sheet]
        kinds = fw.lists["item_kinds"]
        for it, row in zip(rr.plan.items, budget.rows, strict=False):
            if it.indicator:
                ind = fw.indicator(it.indicator)
                c = budget.cols.get("indicator")
                col = budget.table.column("indicator")
                if ind is None:
                    yield Finding(
                        "C604",
                        sheet=sh.name,
                        row=row,
                        col=c,
                        column_th=col.th,
                        column_en=col.en,
                        params={"value": it.indicator},
                    )
                elif it.mission and it.mission != ind.mission and fw.mission(it.mission) is not None:
                    yield Finding(
                        "C605",
                        sheet=sh.name,
                        row=row,
                        col=budget.cols.get("mission"),
                        column_th="ภารกิจ",
                        column_en="Mission",
                        params={"value": it.indicator, "expected": ind.mission, "found": it.mission},
                    )
                elif it.dimension and str(it.dimension) != ind.dimension:
                    yield Finding(
                        "C605",
                        sheet=sh.name,
                        row=row,
                        col=budget.cols.get("dimension"),
                        column_th="มิติ",
                        column_en="Dimension",
                        params={
                            "value": it.indicator,
                            "expected": f"มิติ {ind.dimension}",
                            "found": f"มิติ {it.dimension}",
                        },
                    )
            if it.mission and it.dimension:
                m = fw.mission(it.mission)
                if m is not None and m.dimension != str(it.dimension) and not it.indicator:
                    yield Finding(
                        "C605",
                        sheet=sh.name,
                        row=row,
                        col=budget.cols.get("dimension"),
                        column_th="มิติ",
                        column_en="Dimension",
                        params={"value": it.mission, "expected": f"มิติ {m.dimension}", "found": f"มิติ {it.dimension}"},
                    )
            if it.kind in kinds and it.name:
                starts = next((k for k in kinds if it.name.startswith(k)), None)
                if starts is not None and starts != it.kind:
                    yield Finding(
                        "C608",
                        sheet=sh.name,
                        row=row,
                        col=budget.cols.get("kind"),
                        column_th="ประเภท",
                        column_en="Kind",
                        params={"found": it.kind, "expected": starts},
                    )
