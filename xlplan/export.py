"""``xlplan export``: the plan model for other systems, as JSON or CSV.

CSV text that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) is prefixed
with an apostrophe, the usual defence against CSV injection; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from xlplan.model import Plan
from xlplan.planfile import to_dict

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet takes for a formula


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _num(v: Decimal | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data: ``years`` a list, amounts numbers, budget keyed by year."""
    data = to_dict(plan)
    data["years"] = list(plan.years)
    for it, d in zip(plan.items, data["items"], strict=True):
        d["budget"] = {str(y): _num(v) for y, v in it.budget.items()}
        d["total"] = _num(it.total())
    data["targets"] = {k: {str(y): v for y, v in by_year.items()} for k, by_year in data["targets"].items()}
    return data


def to_json(plan: Plan) -> str:
    return json.dumps(plan_json(plan), ensure_ascii=False, indent=2) + "\n"


def item_rows(plan: Plan) -> tuple[list[str], list[list[Any]]]:
    header = ["org_code", "org_name", "number", "dimension", "mission", "indicator", "kind", "name"]
    header += [f"budget_{y}" for y in plan.years] + ["total", "responsible", "note"]
    rows = []
    for it in plan.items:
        rows.append(
            [plan.org.code, plan.org.name, it.number, it.dimension, it.mission, it.indicator, it.kind, it.name]
            + [_num(it.budget.get(y, Decimal(0))) for y in plan.years]
            + [_num(it.total()), it.responsible, it.note]
        )
    return header, rows


def to_csv(plan: Plan) -> str:
    header, rows = item_rows(plan)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([csv_safe(v) for v in row])
    return buf.getvalue()
