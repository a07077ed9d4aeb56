"""The NACC framework as data: loaded once from ``xlplan/data/framework.yaml``.

Nothing about the framework (codes, Thai texts, thresholds, dropdown lists) is written in code: a new edition of
the national manual is a new data file with a new ``version``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import yaml


@dataclass(frozen=True)
class Indicator:
    code: str
    th: str
    en: str
    mission: str
    dimension: str


@dataclass(frozen=True)
class Mission:
    code: str
    th: str
    en: str
    dimension: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Dimension:
    code: str
    th: str
    en: str
    missions: tuple[Mission, ...]


@dataclass(frozen=True)
class RiskLevel:
    code: str
    th: str
    en: str
    min_score: int
    color: str


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one loaded framework, cached layouts
class Framework:
    id: str
    version: int
    title_th: str
    title_en: str
    years: tuple[int, int]
    dimensions: tuple[Dimension, ...]
    risk_levels: tuple[RiskLevel, ...]
    lists: dict[str, tuple[str, ...]]  # dropdown lists by name (Thai texts staff choose from)
    raw: dict

    @property
    def ref(self) -> str:
        """``id/version``, as recorded in workbooks and plan files."""
        return f"{self.id}/{self.version}"

    # Derived once (the framework never changes once loaded): the checks look codes up for every item of every plan.
    @cached_property
    def missions(self) -> tuple[Mission, ...]:
        return tuple(m for d in self.dimensions for m in d.missions)

    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for m in self.missions for i in m.indicators)

    @cached_property
    def _by_code(self) -> dict[tuple[str, str], Indicator | Mission | Dimension]:
        """(kind, code) -> the first indicator, mission or dimension of that code."""
        out: dict[tuple[str, str], Indicator | Mission | Dimension] = {}
        for kind, things in (("i", self.indicators), ("m", self.missions), ("d", self.dimensions)):
            for t in things:
                out.setdefault((kind, t.code), t)
        return out

    def indicator(self, code: str) -> Indicator | None:
        return self._by_code.get(("i", code))  # type: ignore[return-value]

    def mission(self, code: str) -> Mission | None:
        return self._by_code.get(("m", code))  # type: ignore[return-value]

    def dimension(self, code: str) -> Dimension | None:
        return self._by_code.get(("d", code))  # type: ignore[return-value]

    def level_for(self, score: int) -> RiskLevel:
        """The risk level of a likelihood x impact score (levels ordered by min_score)."""
        found = self.risk_levels[0]
        for level in self.risk_levels:
            if score >= level.min_score:
                found = level
        return found

    def level_rank(self, th: str) -> int:
        """0 for the lowest level; -1 when ``th`` is not a level name."""
        return next((i for i, lv in enumerate(self.risk_levels) if lv.th == th), -1)

    def comparison_op(self, th: str) -> str | None:
        return next((c["op"] for c in self.raw["comparisons"] if c["th"] == th), None)

    def org_type_full(self, text: str) -> str | None:
        """The full Thai type name for either the full name or its abbreviation (อบต. -> องค์การบริหารส่วนตำบล)."""
        for t in self.raw["org_types"]:
            if text in (t["th"], t["short"]):
                return str(t["th"])
        return None


def _parse(raw: dict) -> Framework:
    dims = []
    for d in raw["dimensions"]:
        missions = []
        for m in d["missions"]:
            inds = tuple(Indicator(i["code"], i["th"], i["en"], m["code"], d["code"]) for i in m["indicators"])
            missions.append(Mission(m["code"], m["th"], m["en"], d["code"], inds))
        dims.append(Dimension(d["code"], d["th"], d["en"], tuple(missions)))
    levels = tuple(
        RiskLevel(lv["code"], lv["th"], lv["en"], int(lv["min_score"]), lv["color"])
        for lv in sorted(raw["risk_levels"], key=lambda lv: lv["min_score"])
    )
    lists = {
        "org_types": tuple(t["th"] for t in raw["org_types"]),
        "process_areas": tuple(a["th"] for a in raw["process_areas"]),
        "item_kinds": tuple(k["th"] for k in raw["item_kinds"]),
        "responsible_units": tuple(raw["responsible_units"]),
        "measure_types": tuple(t["th"] for t in raw["measure_types"]),
        "comparisons": tuple(c["th"] for c in raw["comparisons"]),
        "measure_units": tuple(raw["measure_units"]),
        "statuses": tuple(s["th"] for s in raw["statuses"]),
        "risk_levels": tuple(lv.th for lv in levels),
        "scale": ("1", "2", "3", "4", "5"),
        "dimensions": tuple(d.code for d in dims),
        "missions": tuple(m.code for d in dims for m in d.missions),
        "indicators": tuple(i.code for d in dims for m in d.missions for i in m.indicators),
    }
    y0, y1 = raw["years"]
    return Framework(
        id=raw["id"],
        version=int(raw["version"]),
        title_th=raw["title_th"],
        title_en=raw["title_en"],
        years=(int(y0), int(y1)),
        dimensions=tuple(dims),
        risk_levels=levels,
        lists=lists,
        raw=raw,
    )


@cache
def load(name: str = "framework.yaml") -> Framework:
    """The packaged framework (parsed once per process)."""
    text = resources.files("xlplan.data").joinpath(name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster at start-up
    return _parse(yaml.load(text, Loader=loader))
