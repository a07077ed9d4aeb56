"""The plan model: what one LAO's anti-corruption action plan says, independent of any file format.

The same model is written by ``xlplan new --from``, read back from a filled workbook, exported as JSON/CSV and
consolidated. Plan files (YAML/JSON) are a direct serialisation of it (see :mod:`xlplan.planfile`).

Amounts are :class:`decimal.Decimal` so that 19,800.10 + 0.20 is exactly 19,800.30, as Excel shows it.
Years are Buddhist-era fiscal years (CE = BE - 543).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

DEFAULT_YEARS: tuple[int, ...] = (2566, 2567, 2568, 2569, 2570)
ROUNDS: tuple[int, ...] = (6, 12)  # the 6-month and 12-month progress rounds of each fiscal year


@dataclass
class Org:
    name: str = ""
    type: str = ""  # อบต. / เทศบาลตำบล / … (framework list "org_types")
    code: str = ""  # รหัส อปท.
    subdistrict: str = ""
    district: str = ""
    province: str = ""


@dataclass
class Announcement:
    date: str = ""  # Buddhist-era ISO date, e.g. "2565-08-23"
    signer: str = ""
    position: str = ""


@dataclass
class Progress:
    """One follow-up entry of one measurable indicator: fiscal year, round (6 or 12 months)."""

    year: int
    round: int
    status: str = ""
    spent: Decimal | None = None
    actual: Decimal | None = None


@dataclass
class Measure:
    """A measurable output or outcome of an item ("ไม่น้อยกว่า ร้อยละ 80")."""

    type: str  # "output" (ผลผลิต) or "outcome" (ผลลัพธ์)
    description: str
    comparison: str = ""  # framework list "comparisons", e.g. ไม่น้อยกว่า
    target: Decimal | None = None
    unit: str = ""
    progress: list[Progress] = field(default_factory=list)


@dataclass
class Details:
    """Part 3 of the plan: the narrative of one item."""

    rationale: str = ""
    objectives: str = ""
    target_group: str = ""
    method: str = ""
    period: str = ""
    outputs: str = ""
    outcomes: str = ""
    # Only set when the details page names the item differently from the budget table (as real plans do);
    # normally the details sheet takes the name from the budget sheet by formula.
    name: str | None = None


@dataclass
class Item:
    """One project/activity/measure (โครงการ/กิจกรรม/มาตรการ) of Part 2."""

    number: int
    dimension: int
    mission: str  # "1.1"
    indicator: str  # "1.1.1"
    kind: str  # โครงการ / กิจกรรม / มาตรการ
    name: str
    budget: dict[int, Decimal] = field(default_factory=dict)  # year -> baht; 0 = no budget
    responsible: str = ""
    note: str = ""
    details: Details = field(default_factory=Details)
    measures: list[Measure] = field(default_factory=list)

    def total(self) -> Decimal:
        return sum(self.budget.values(), Decimal(0))


@dataclass
class Risk:
    """One row of the corruption-risk assessment (Part 1)."""

    number: int
    area: str  # process area, framework list "process_areas"
    issue: str
    likelihood: int | None = None  # 1-5
    impact: int | None = None  # 1-5
    measures: list[int] = field(default_factory=list)  # item numbers of the control measures
    owner: str = ""

    @property
    def score(self) -> int | None:
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact


@dataclass
class Targets:
    """The plan's yearly targets: corruption cases reduced (% from the 2565 base) and the ITA score."""

    case_reduction: dict[int, Decimal] = field(default_factory=dict)
    ita_score: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class Plan:
    org: Org = field(default_factory=Org)
    years: tuple[int, ...] = DEFAULT_YEARS
    announcement: Announcement = field(default_factory=Announcement)
    targets: Targets = field(default_factory=Targets)
    risks: list[Risk] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    framework: str = ""  # framework version id; "" means the packaged default

    def item(self, number: int) -> Item | None:
        return next((it for it in self.items if it.number == number), None)

    def year_total(self, year: int) -> Decimal:
        return sum((it.budget.get(year, Decimal(0)) for it in self.items), Decimal(0))
