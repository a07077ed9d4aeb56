"""Findings (one problem at one place) and the report of one file: collected in full, then rendered."""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from xlplan.cells import a1
from xlplan.rules import RULES, Rule, Severity

VERDICTS = ("ok", "warnings", "errors", "unreadable")


class _Lenient(dict):
    """Template parameters: a missing one renders as empty rather than failing the whole report."""

    def __missing__(self, key: str) -> str:
        return ""


def _fmt(template: str, params: dict[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Lenient(params))


@dataclass
class Finding:
    code: str
    file: str = ""
    sheet: str = ""
    row: int | None = None  # 0-based
    col: int | None = None  # 0-based
    column_th: str = ""  # the column's Thai label as staff see it
    column_en: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> Rule:
        return RULES[self.code]

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def cell(self) -> str:
        if self.row is None or self.col is None:
            return ""
        return a1(self.row, self.col)

    def _params(self) -> dict[str, Any]:
        p = {"column": self.column_th, "column_en": self.column_en or self.column_th, "sheet": self.sheet}
        p.update(self.params)
        return p

    def message(self, lang: str = "th") -> str:
        r = self.rule
        return _fmt(r.message_th if lang == "th" else r.message_en, self._params())

    def hint(self, lang: str = "th") -> str:
        r = self.rule
        return _fmt(r.hint_th if lang == "th" else r.hint_en, self._params())

    def to_dict(self, lang: str = "th") -> dict[str, Any]:
        other = "en" if lang == "th" else "th"
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": None if self.row is None else self.row + 1,
            "column": self.column_th,
            "title": self.rule.title_th if lang == "th" else self.rule.title_en,
            "message": self.message(lang),
            "hint": self.hint(lang),
            f"message_{other}": self.message(other),
            f"hint_{other}": self.hint(other),
        }


@dataclass
class FileReport:
    """Everything found in one file, its verdict, and what could be read of it."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    unreadable: bool = False
    plan: Any = None  # xlplan.model.Plan when the file could be read
    meta: dict[str, Any] = field(default_factory=dict)

    def add(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            f.file = f.file or self.path
            self.findings.append(f)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out

    @property
    def verdict(self) -> str:
        if self.unreadable:
            return "unreadable"
        c = self.counts()
        return "errors" if c["error"] else "warnings" if c["warning"] else "ok"

    def select(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> FileReport:
        """A copy keeping the findings whose code starts with one of ``select`` (all if none) and none of ``ignore``."""
        sel, ign = tuple(select), tuple(ignore)
        kept = [f for f in self.findings if (not sel or f.code.startswith(sel)) and not f.code.startswith(ign)]
        return FileReport(self.path, kept, self.unreadable, self.plan, dict(self.meta))

    def sorted(self) -> Iterator[Finding]:
        order = {s: i for i, s in enumerate(("", *[s for s in self.meta.get("sheet_order", [])]))}
        return iter(
            sorted(
                self.findings,
                key=lambda f: (order.get(f.sheet, 99), f.row if f.row is not None else -1, f.col or 0, f.code),
            )
        )

    def to_dict(self, lang: str = "th") -> dict[str, Any]:
        return {
            "file": self.path,
            "verdict": self.verdict,
            "counts": self.counts(),
            "org_code": self.meta.get("org_code", ""),
            "org_name": self.meta.get("org_name", ""),
            "template": self.meta.get("template", ""),
            "findings": [f.to_dict(lang) for f in self.sorted()],
        }
