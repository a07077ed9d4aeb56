"""Plan files: the model as human-editable YAML or JSON, and back.

``to_dict`` is also the JSON export format (``xlplan export``). Amounts become ints where whole, so a plan file
reads ``19800``, not ``19800.00``; years are Buddhist-era ints; ``years`` is written ``2566-2570``.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from xlplan.errors import XlplanError
from xlplan.model import Announcement, Details, Item, Measure, Org, Plan, Progress, Risk, Targets

FORMAT = "xlplan-plan/1"


class PlanFileError(XlplanError, ValueError):
    """A plan file that cannot be turned into a plan; the message names the file and the entry."""


# ---------------------------------------------------------------- model -> dict


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _years_text(years: tuple[int, ...]) -> str:
    return f"{years[0]}-{years[-1]}"


def to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as plain data (the plan-file and JSON-export format)."""
    out: dict[str, Any] = {"format": FORMAT, "framework": plan.framework}
    out["org"] = vars(plan.org).copy()
    out["years"] = _years_text(plan.years)
    out["announcement"] = vars(plan.announcement).copy()
    out["targets"] = {
        "case_reduction": {y: _num(v) for y, v in plan.targets.case_reduction.items()},
        "ita_score": {y: _num(v) for y, v in plan.targets.ita_score.items()},
    }
    out["risks"] = [
        {
            "number": r.number,
            "area": r.area,
            "issue": r.issue,
            "likelihood": r.likelihood,
            "impact": r.impact,
            "measures": list(r.measures),
            "owner": r.owner,
        }
        for r in plan.risks
    ]
    out["items"] = [_item_dict(it) for it in plan.items]
    return out


def _item_dict(it: Item) -> dict[str, Any]:
    details = {k: v for k, v in vars(it.details).items() if k != "name"}
    if it.details.name is not None:
        details["name"] = it.details.name
    measures = []
    for m in it.measures:
        md: dict[str, Any] = {
            "type": m.type,
            "description": m.description,
            "comparison": m.comparison,
            "target": _num(m.target),
            "unit": m.unit,
        }
        if m.progress:
            md["progress"] = [
                {"year": p.year, "round": p.round, "status": p.status, "spent": _num(p.spent), "actual": _num(p.actual)}
                for p in m.progress
            ]
        measures.append(md)
    return {
        "number": it.number,
        "dimension": it.dimension,
        "mission": it.mission,
        "indicator": it.indicator,
        "kind": it.kind,
        "name": it.name,
        "budget": {y: _num(v) for y, v in it.budget.items()},
        "responsible": it.responsible,
        "note": it.note,
        "details": details,
        "measures": measures,
    }


# ---------------------------------------------------------------- dict -> model


class _Reader:
    """Typed access to plan-file data that names the place of every problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, msg: str) -> PlanFileError:
        return PlanFileError(f"{self.source}: {where}: {msg}")

    def mapping(self, data: Any, where: str) -> dict:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise self.fail(where, "ต้องเป็นชุดข้อมูล (key: value) / must be a mapping")
        return data

    def text(self, data: dict, key: str, where: str, required: bool = False) -> str:
        """Text as a workbook cell gives it back (xlplan.normalize.parse_text), so that plan file -> workbook ->
        plan is the identity: no trailing newline, no doubled or invisible spaces."""
        from xlplan.normalize import parse_text

        value = data.get(key)
        if isinstance(value, bool) or (value is not None and not isinstance(value, str | int | float)):
            raise self.fail(f"{where}.{key}", "ต้องเป็นข้อความ / must be text")
        text = parse_text(value).value if value is not None else None
        if not text:
            if required:
                raise self.fail(f"{where}.{key}", "ไม่มีข้อมูล / is required")
            return ""
        return str(text)

    def integer(self, data: dict, key: str, where: str, required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(f"{where}.{key}", "ไม่มีข้อมูล / is required")
            return None
        try:
            if isinstance(value, bool) or int(value) != Decimal(str(value)):
                raise ValueError
            return int(value)
        except (ValueError, InvalidOperation):
            raise self.fail(f"{where}.{key}", f"ต้องเป็นจำนวนเต็ม / must be a whole number, got {value!r}") from None

    def amount(self, value: Any, where: str) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self.fail(where, f"ต้องเป็นตัวเลข / must be a number, got {value!r}")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise self.fail(where, f"ต้องเป็นตัวเลข / must be a number, got {value!r}") from None

    def by_year(self, data: Any, where: str) -> dict[int, Decimal]:
        out: dict[int, Decimal] = {}
        for year, value in self.mapping(data, where).items():
            try:
                y = int(year)
            except (TypeError, ValueError):
                raise self.fail(where, f"ปีต้องเป็น พ.ศ. / year must be a B.E. year, got {year!r}") from None
            amount = self.amount(value, f"{where}.{year}")
            out[y] = amount if amount is not None else Decimal(0)
        return out


def parse_years(text: str | int | list | tuple) -> tuple[int, ...]:
    """``2566-2570`` (or a list of years) -> (2566, ..., 2570). Raises ValueError on anything else."""
    if isinstance(text, list | tuple):
        years = tuple(int(y) for y in text)
    else:
        parts = str(text).replace("–", "-").split("-")
        if len(parts) != 2:
            raise ValueError(f"years must look like 2566-2570, got {text!r}")
        y0, y1 = (int(p.strip()) for p in parts)
        years = tuple(range(y0, y1 + 1))
    if not years or any(y < 2400 or y > 2700 for y in years) or list(years) != sorted(set(years)):
        raise ValueError(f"years must be Buddhist-era years such as 2566-2570, got {text!r}")
    return years


def from_dict(data: Any, source: str = "<plan>") -> Plan:
    r = _Reader(source)
    data = r.mapping(data, "plan")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise r.fail("format", f"รูปแบบไฟล์ไม่รู้จัก / unknown plan-file format {fmt!r} (expected {FORMAT})")
    org_d = r.mapping(data.get("org"), "org")
    org = Org(**{k: r.text(org_d, k, "org") for k in vars(Org())})
    try:
        years = parse_years(data.get("years", "2566-2570"))
    except ValueError as exc:
        raise r.fail("years", str(exc)) from None
    ann_d = r.mapping(data.get("announcement"), "announcement")
    ann = Announcement(**{k: r.text(ann_d, k, "announcement") for k in vars(Announcement())})
    tg = r.mapping(data.get("targets"), "targets")
    targets = Targets(
        case_reduction=r.by_year(tg.get("case_reduction"), "targets.case_reduction"),
        ita_score=r.by_year(tg.get("ita_score"), "targets.ita_score"),
    )
    risks = []
    for i, rd in enumerate(data.get("risks") or [], start=1):
        where = f"risks[{i}]"
        rd = r.mapping(rd, where)
        measures = rd.get("measures") or []
        if not isinstance(measures, list):
            raise r.fail(f"{where}.measures", "ต้องเป็นรายการเลขที่โครงการ / must be a list of item numbers")
        risks.append(
            Risk(
                number=r.integer(rd, "number", where) or 0,
                area=r.text(rd, "area", where),
                issue=r.text(rd, "issue", where),
                likelihood=r.integer(rd, "likelihood", where, required=False),
                impact=r.integer(rd, "impact", where, required=False),
                measures=[r.integer({"m": m}, "m", f"{where}.measures") or 0 for m in measures],
                owner=r.text(rd, "owner", where),
            )
        )
    items = [_item(r, d, f"items[{i}]") for i, d in enumerate(data.get("items") or [], start=1)]
    return Plan(
        org=org,
        years=years,
        announcement=ann,
        targets=targets,
        risks=risks,
        items=items,
        framework=r.text(data, "framework", "plan"),
    )


def _item(r: _Reader, d: Any, where: str) -> Item:
    d = r.mapping(d, where)
    dd = r.mapping(d.get("details"), f"{where}.details")
    details = Details(**{k: r.text(dd, k, f"{where}.details") for k in vars(Details()) if k != "name"})
    if dd.get("name") is not None:
        details.name = r.text(dd, "name", f"{where}.details")
    measures = []
    for j, md in enumerate(d.get("measures") or [], start=1):
        mw = f"{where}.measures[{j}]"
        md = r.mapping(md, mw)
        mtype = r.text(md, "type", mw, required=True)
        if mtype not in ("output", "outcome"):
            raise r.fail(f"{mw}.type", f"ต้องเป็น output หรือ outcome / must be output or outcome, got {mtype!r}")
        progress = []
        for k, pd in enumerate(md.get("progress") or [], start=1):
            pw = f"{mw}.progress[{k}]"
            pd = r.mapping(pd, pw)
            progress.append(
                Progress(
                    year=r.integer(pd, "year", pw) or 0,
                    round=r.integer(pd, "round", pw) or 0,
                    status=r.text(pd, "status", pw),
                    spent=r.amount(pd.get("spent"), f"{pw}.spent"),
                    actual=r.amount(pd.get("actual"), f"{pw}.actual"),
                )
            )
        measures.append(
            Measure(
                type=mtype,
                description=r.text(md, "description", mw),
                comparison=r.text(md, "comparison", mw),
                target=r.amount(md.get("target"), f"{mw}.target"),
                unit=r.text(md, "unit", mw),
                progress=progress,
            )
        )
    return Item(
        number=r.integer(d, "number", where) or 0,
        dimension=r.integer(d, "dimension", where) or 0,
        mission=r.text(d, "mission", where),
        indicator=r.text(d, "indicator", where),
        kind=r.text(d, "kind", where),
        name=r.text(d, "name", where, required=True),
        budget=r.by_year(d.get("budget"), f"{where}.budget"),
        responsible=r.text(d, "responsible", where),
        note=r.text(d, "note", where),
        details=details,
        measures=measures,
    )


# ---------------------------------------------------------------- files


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as ``|`` blocks, Thai left as Thai."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list_presenter(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    flow = all(isinstance(v, int | float) for v in value)  # item numbers: [1, 2, 21]
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _dict_presenter(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    flow = bool(value) and all(isinstance(k, int) for k in value)  # by year: {2566: 19800, 2567: 19800}
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_representer(list, _list_presenter)
_Dumper.add_representer(dict, _dict_presenter)


def dumps(plan: Plan, fmt: str = "yaml") -> str:
    data = to_dict(plan)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def loads(text: str, source: str = "<plan>") -> Plan:
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise PlanFileError(f"{source}: อ่านไฟล์ไม่ได้ / not valid YAML or JSON: {exc}") from None
    return from_dict(data, source)


def load(path: str | Path) -> Plan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanFileError(f"{path}: เปิดไฟล์ไม่ได้ / cannot open: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PlanFileError(f"{path}: ไม่ใช่ข้อความ UTF-8 / not UTF-8 text") from None
    return loads(text, str(path))
