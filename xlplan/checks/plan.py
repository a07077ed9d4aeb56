"""Checks of the plan as a whole: every dimension served, high risks controlled, targets and progress sensible."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from xlplan.findings import Finding
from xlplan.layout import STATUS_FIELDS, TARGET_COLS, progress_key
from xlplan.reader import ReadResult, coverage_block, targets_block


def check(rr: ReadResult) -> Iterator[Finding]:
    fw, plan = rr.fw, rr.plan
    budget = rr.tables.get("budget")
    if budget is not None:
        sh = rr.book.sheets[budget.sheet]
        present = {str(it.dimension) for it in plan.items}
        for d in fw.dimensions:
            if d.code not in present:
                yield Finding(
                    "P701",
                    sheet=sh.name,
                    row=budget.header_row,
                    col=budget.cols.get("dimension"),
                    column_th="มิติ",
                    column_en="Dimension",
                    params={"value": d.code},
                )

    risks = rr.tables.get("risks")
    if risks is not None:
        sh = rr.book.sheets[risks.sheet]
        if not plan.risks:  # at the first input cell of the empty table
            first_input = next((c for c in risks.table.columns if c.input and c.key in risks.cols), None)
            yield Finding(
                "P707",
                sheet=sh.name,
                row=risks.first,
                col=risks.cols[first_input.key] if first_input else 0,
                column_th=first_input.th.replace("\n", " ") if first_input else "",
                column_en=first_input.en if first_input else "",
            )
        high = next(lv for lv in fw.risk_levels if lv.code == "high").min_score
        c = risks.cols.get("measures")
        for r, row in zip(plan.risks, risks.rows, strict=False):
            if r.score is not None and r.score >= high and not r.measures:
                lv = fw.level_for(r.score)
                yield Finding(
                    "P702",
                    sheet=sh.name,
                    row=row,
                    col=c,
                    column_th="มาตรการควบคุม",
                    column_en="Control measures",
                    params={"value": lv.th, "value_en": lv.en.lower()},
                )

    measures = rr.tables.get("measures")
    if measures is None:
        return
    msh = rr.book.sheets[measures.sheet]
    if budget is not None:
        used = {it.indicator for it in plan.items}
        rows = coverage_block(msh, measures, fw)
        for ind in fw.indicators:
            if ind.code not in used:
                yield Finding(
                    "P703",
                    sheet=msh.name,
                    row=rows.get(ind.code),
                    col=0 if ind.code in rows else None,
                    column_th="ตัวชี้วัดตามกรอบ",
                    column_en="Framework indicator",
                    params={"value": ind.code},
                )

    found = targets_block(msh, measures)
    if found is not None:
        _head, trows = found
        previous: tuple[int, Decimal] | None = None
        for year in plan.years:
            v = plan.targets.case_reduction.get(year)
            if v is None:
                continue
            if previous is not None and v < previous[1]:
                yield Finding(
                    "P704",
                    sheet=msh.name,
                    row=trows.get(year),
                    col=1,
                    column_th=TARGET_COLS[1][1],
                    column_en=TARGET_COLS[1][2],
                    params={"value": year, "found": v, "expected": previous[1]},
                )
            previous = (year, v)

    # progress entries: done without a result; spending above the item's budget of the year
    done = next(s["th"] for s in fw.raw["statuses"] if s["code"] == "done")
    spent: dict[tuple[int, int, int], Decimal] = {}
    first_row: dict[tuple[int, int, int], int] = {}
    rounds = [
        (y, rnd, *(measures.cols.get(progress_key(y, rnd, f)) for f in ("status", "actual", "spent")))
        for y in plan.years
        for rnd in (6, 12)
    ]
    follow = frozenset(c for _y, _rnd, *cols in rounds for c in cols if c is not None)
    for row in measures.rows:
        present = msh.row(row)  # the row's cells: a round without any has no parsed value either
        if follow.isdisjoint(present):
            continue  # nothing followed up in the row (most rows): no round to look at
        num = rr.parsed.get((msh.name, row, measures.cols.get("number", -1)))
        for y, rnd, sc, ac, pc in rounds:
            if sc not in present and ac not in present and pc not in present:  # None is never a column
                continue
            status = rr.parsed.get((msh.name, row, sc)) if sc is not None else None
            actual = rr.parsed.get((msh.name, row, ac)) if ac is not None else None
            if status == done and actual is None and ac is not None:
                yield Finding(
                    "P705",
                    sheet=msh.name,
                    row=row,
                    col=ac,
                    column_th=f"ปี {y} รอบ {rnd} เดือน {STATUS_FIELDS[2][1]}",
                    column_en=f"{y} {rnd}-month actual value",
                )
            amount = rr.parsed.get((msh.name, row, pc)) if pc is not None else None
            if isinstance(num, int) and isinstance(amount, Decimal):
                spent[(num, y, rnd)] = spent.get((num, y, rnd), Decimal(0)) + amount
                first_row.setdefault((num, y, rnd), row)
    for (number, y, rnd), total in spent.items():
        item = plan.item(number)
        if item is None:
            continue
        budget_y = item.budget.get(y, Decimal(0))
        if total > budget_y:
            yield Finding(
                "P706",
                sheet=msh.name,
                row=first_row[(number, y, rnd)],
                col=measures.cols.get(progress_key(y, rnd, "spent")),
                column_th=f"ปี {y} รอบ {rnd} เดือน ใช้จ่ายจริง",
                column_en=f"{y} {rnd}-month spending",
                params={"value": y, "found": f"{total:,.2f}", "expected": f"{budget_y:,.2f}"},
            )
