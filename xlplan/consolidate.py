"""``xlplan consolidate``: many LAO plan files into one set of checked tables, every input accounted for.

The library call :func:`consolidate` returns the tables as pandas DataFrames (:class:`Consolidation`); the CLI
writes them as a summary workbook (:mod:`xlplan.summary`) and as data files (:func:`write_data_files`).

Rules, documented for the offices that rely on them:

- Every file found is one row of the ledger. Lock and temporary files (``~$…``, ``.~lock.…#``) are listed as
  skipped; xlplan's own outputs found among the inputs (summary workbooks, annotated copies) are skipped too.
- A file is *readable* when ``xlplan check`` could read a plan from it, whatever its errors. Each organisation
  (by government code) is counted once: among its readable files the newest plan revision (the announcement
  date) wins, then the newest file modification time, then the file with fewer errors, then the first path in
  sorted order. The others are *superseded*. Copies of the winning revision whose plans differ are flagged as
  *conflicting*, so the office can ask which is right (an older revision that differs is just superseded).
- With a roster, organisations expected but not received are listed as *not submitted*, and organisations
  received but not on the roster are flagged.
- Sums count every used plan once; the verdict columns (ok / warnings / errors) let the office filter.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import gc
import io
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from xlplan import runner
from xlplan.check import check_sniffed, expand
from xlplan.framework import load as load_framework
from xlplan.model import Plan
from xlplan.orgs import read_orgs
from xlplan.paths import StagedFiles, shown
from xlplan.sniff import Sniffed, sniff

# markers in the document properties of xlplan's own outputs, so a second run over the same folder skips them
OUTPUT_MARKER = "xlplan-output"

LOCK_PREFIXES = ("~$", ".~lock.")


def _years_cols(prefix: str, years: Iterable[int]) -> list[str]:
    return [f"{prefix}{y}" for y in years]


def schema(years: tuple[int, ...]) -> dict[str, list[str]]:
    """The column order of every table: the data files' schema (docs/data-files.md), held to by tests."""
    fw = load_framework()
    dims = [d.code for d in fw.dimensions]
    return {
        "ledger": [
            "file_id",
            "path",
            "size",
            "sha256",
            "modified",
            "kind",
            "org_code",
            "org_name",
            "template",
            "revision",
            "verdict",
            "errors",
            "warnings",
            "infos",
            "used",
            "status",
            "superseded_by",
            "conflict",
            "reason",
            "seconds",
        ],
        "orgs": [
            "org_code",
            "org_name",
            "org_type",
            "province",
            "district",
            "subdistrict",
            "status",
            "verdict",
            "on_roster",
            "file_id",
            "path",
            "errors",
            "warnings",
            "items",
            "risks",
            "high_risks",
            "indicators_covered",
            *_years_cols("budget_", years),
            "budget_total",
        ],
        "items": [
            "org_code",
            "org_name",
            "province",
            "district",
            "verdict",
            "number",
            "dimension",
            "mission",
            "indicator",
            "kind",
            "name",
            *_years_cols("budget_", years),
            "total",
            "responsible",
        ],
        "risks": [
            "org_code",
            "org_name",
            "province",
            "district",
            "verdict",
            "number",
            "area",
            "issue",
            "likelihood",
            "impact",
            "score",
            "level",
            "measures",
            "owner",
        ],
        "coverage": ["org_code", "org_name", "province", "district", "verdict", *[i.code for i in fw.indicators]],
        "progress": [
            "org_code",
            "org_name",
            "province",
            "district",
            "verdict",
            "year",
            "measures",
            "reported_6",
            "reported_12",
            "done_12",
            "implementation_rate",
            "spent_12",
            "budget",
        ],
        "findings": [
            "file_id",
            "path",
            "org_code",
            "org_name",
            "verdict",
            "code",
            "severity",
            "sheet",
            "cell",
            "column",
            "message_th",
            "message_en",
            "hint_th",
            "hint_en",
        ],
        "overview": [
            "province",
            "district",
            "expected",
            "received",
            "valid",
            "with_errors",
            *[f"items_dim{d}" for d in dims],
            *_years_cols("budget_", years),
            "budget_total",
            *[f"budget_dim{d}" for d in dims],
        ],
    }


# ------------------------------------------------------------------------------------------------ one file


@dataclass
class Outcome:
    """What reading one file gave: compact and picklable (it crosses from a worker to the parent)."""

    path: str
    size: int = 0
    sha256: str = ""
    mtime: float = 0.0
    kind: str = ""
    verdict: str = "failed"
    counts: dict[str, int] = field(default_factory=dict)
    org: dict[str, str] = field(default_factory=dict)
    template: str = ""
    revision: str = ""
    readable: bool = False  # a plan could be read from the file
    years: tuple[int, ...] = ()
    fingerprint: str = ""  # of what the plan says, to tell copies that disagree
    # (number, dimension, mission, indicator, kind, name, baht for each of `years`, responsible)
    items: list[tuple] = field(default_factory=list)
    # (number, area, issue, likelihood, impact, score, level, measures, owner)
    risks: list[tuple] = field(default_factory=list)
    indicators: dict[str, int] = field(default_factory=dict)  # framework indicator code -> items naming it
    # year -> (measures, reported_6, reported_12, done_12, spent_12)
    progress: dict[int, tuple] = field(default_factory=dict)
    # (code, severity, sheet, cell, column, message_th, message_en, hint_th, hint_en)
    findings: list[tuple] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0
    skipped: str = ""  # why a file was not read at all


def _fill_rows(out: Outcome, p: Plan) -> None:
    """The plan's contribution to every table, computed in the worker: the parent only concatenates, and holds
    no plan texts (rationale, method ...) it does not need."""
    fw = load_framework()
    out.readable = True
    out.org = {k: str(v) for k, v in vars(p.org).items()}
    out.revision = p.announcement.date
    out.years = tuple(p.years)
    for it in p.items:
        out.items.append(
            (
                it.number,
                it.dimension,
                it.mission,
                it.indicator,
                it.kind,
                it.name,
                tuple(float(it.budget.get(y, 0)) for y in p.years),  # in the order of out.years
                it.responsible,
            )
        )
        out.indicators[it.indicator] = out.indicators.get(it.indicator, 0) + 1
    for r in p.risks:
        score = r.score
        level = fw.level_for(score).th if score else ""
        out.risks.append(
            (
                r.number,
                r.area,
                r.issue,
                r.likelihood,
                r.impact,
                score,
                level,
                ", ".join(str(m) for m in r.measures),
                r.owner,
            )
        )
    done_status = next(st["th"] for st in fw.raw["statuses"] if st["code"] == "done")
    measures = [m for it in p.items for m in it.measures]
    for y in p.years:
        rep6 = rep12 = done12 = 0
        spent = 0.0
        for m in measures:
            for pr in m.progress:
                if pr.year != y:
                    continue
                if pr.round == 6:
                    rep6 += 1
                elif pr.round == 12:
                    rep12 += 1
                    done12 += pr.status == done_status
                    spent += float(pr.spent or 0)
        out.progress[y] = (len(measures), rep6, rep12, done12, spent)


def is_lock_file(path: Path) -> bool:
    return path.name.startswith(LOCK_PREFIXES)


def is_own_output(path: Path, sniffed: Sniffed | None = None) -> bool:
    """xlplan's summary workbooks and annotated copies carry a marker in their document properties (looked up in
    the parts sniff kept, when it has them)."""
    if path.suffix.lower() != ".xlsx":
        return False
    if sniffed is not None and sniffed.parts:
        core = sniffed.parts.get("docProps/core.xml")
        if core is not None:
            return OUTPUT_MARKER.encode() in core[:20_000]
        if sniffed.parts_complete:
            return False  # a workbook without document properties
    import zipfile

    try:
        with zipfile.ZipFile(path) as z, z.open("docProps/core.xml") as f:
            return OUTPUT_MARKER.encode() in f.read(20_000)
    except Exception:
        return False


def read_one(path_text: str) -> Outcome:
    """Check one file (runs in a worker process)."""
    t0 = time.perf_counter()
    path = Path(path_text)
    out = Outcome(shown(path_text))
    if is_lock_file(path):
        try:
            st = path.stat()
            out.size, out.mtime = st.st_size, st.st_mtime
        except OSError:
            pass
        out.verdict, out.kind, out.skipped = "skipped", "lock", "lock or temporary file of Excel/LibreOffice"
        return out
    sn = sniff(path, keep_parts=True)
    if is_own_output(path, sn):
        out.verdict, out.kind, out.skipped = "skipped", "xlplan-output", "an output of xlplan (summary or annotated)"
        out.size, out.mtime = sn.size, sn.mtime
        return out
    rep = check_sniffed(path, sn)
    out.size = rep.meta.get("size", 0)
    out.sha256 = rep.meta.get("sha256", "")
    out.mtime = rep.meta.get("mtime", 0.0)
    out.kind = rep.meta.get("kind", "")
    out.verdict = rep.verdict
    out.counts = rep.counts()
    out.findings = [
        (
            f.code,
            f.severity.value,
            f.sheet,
            f.cell,
            f.column_th,
            f.message("th"),
            f.message("en"),
            f.hint("th"),
            f.hint("en"),
        )
        for f in rep.sorted()
    ]
    if rep.plan is not None:
        out.template = str(rep.meta.get("template", ""))
        out.fingerprint = str(rep.meta.get("content", ""))
        _fill_rows(out, rep.plan)
    out.seconds = time.perf_counter() - t0
    return out


# ------------------------------------------------------------------------------------------------ all files


@dataclass
class Consolidation:
    ledger: pd.DataFrame
    orgs: pd.DataFrame
    items: pd.DataFrame
    risks: pd.DataFrame
    coverage: pd.DataFrame
    progress: pd.DataFrame
    findings: pd.DataFrame
    overview: pd.DataFrame
    years: tuple[int, ...]
    seconds: float = 0.0

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "overview": self.overview,
            "orgs": self.orgs,
            "items": self.items,
            "risks": self.risks,
            "coverage": self.coverage,
            "progress": self.progress,
            "findings": self.findings,
            "ledger": self.ledger,
        }


def _num(v: Any) -> float:
    if v is None or v == "":
        return 0.0
    return float(v)


def consolidate(
    inputs: Iterable[str | Path],
    *,
    roster: str | Path | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    exclude: Iterable[str | Path] = (),
    timeout: float = runner.DEFAULT_TIMEOUT,
    memory: int | None = runner.DEFAULT_MEMORY,
    reader: Callable[[str], Outcome] = read_one,
) -> Consolidation:
    """Read every file of ``inputs`` (files and folders, recursively) in parallel and build the tables.

    ``reader`` (a module-level function: it runs in the worker processes) is for tests that need a file to
    crash, hang or exhaust memory while being read.
    """
    t0 = time.perf_counter()
    excluded = {Path(p).resolve() for p in exclude}
    files = [p for p in expand(inputs, suffixes=None) if not _excluded(p, excluded)]
    outcomes: list[Outcome | None] = [None] * len(files)
    with _gc_paused():  # the outcomes gathered (and the tables built) hold no cycles
        for done, (index, result) in enumerate(
            runner.run(reader, [str(f) for f in files], jobs=jobs, timeout=timeout, memory=memory), start=1
        ):
            if isinstance(result, runner.Failure):
                o = Outcome(shown(files[index]), verdict="failed", reason=result.reason)
                try:
                    st = files[index].stat()
                    o.size, o.mtime = st.st_size, st.st_mtime
                except OSError:
                    pass
                result = o
            outcomes[index] = result
            if progress is not None:
                progress(done, len(files))
        outs = [o for o in outcomes if o is not None]
        expected = read_orgs(roster)[0] if roster is not None else None
        return _build(outs, expected, time.perf_counter() - t0)


def _excluded(path: Path, excluded: set[Path]) -> bool:
    """Whether ``path`` is one of the (resolved) ``excluded`` paths. Resolving costs a system call per folder of
    the path (~1.2 s for the country's 8,084 files, before any is read), so only a file that can be one is
    resolved: one named like an excluded path (in any case: a case-insensitive disk resolves to its own), or a
    link. A file that is neither resolves to its own name in a resolved folder, which no excluded path has."""
    if not excluded:
        return False
    names = {e.name.casefold() for e in excluded}
    if path.name.casefold() not in names and not path.is_symlink():
        return False
    return path.resolve() in excluded


def _reorder(have: tuple[int, ...], amounts: tuple[float, ...], years: tuple[int, ...]) -> tuple[float, ...]:
    """A plan's amounts by year, in the order of ``years`` (0 for a year the plan does not have)."""
    budget = dict(zip(have, amounts, strict=True))
    return tuple(budget.get(y, 0.0) for y in years)


_CODE_RUN = re.compile(r"[0-9]{4,10}")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_NAME_GAPS = re.compile(r"[\s_.\-]+")


def _squash(text: str, shorts: Iterable[tuple[str, str]] = ()) -> str:
    """Text compared for names: Thai digits as ASCII, abbreviations of organisation types written out
    (อบต. -> องค์การบริหารส่วนตำบล), no spaces, underscores or dots left, lower case."""
    text = text.translate(_THAI_DIGITS)
    for short, full in shorts:
        text = text.replace(short, full)
    return _NAME_GAPS.sub("", text).lower()


def _senders(
    roster: list, missing: set[str], broken: list[tuple[int, Outcome]], fw: Any
) -> dict[str, tuple[int, Outcome]]:
    """Organisations of the roster with no readable plan (codes in ``missing``) whose unreadable file is
    recognisable by its name: org code -> (index, outcome) of that file. An unreadable file carries no code
    inside, so its name says who sent it: a roster code in it (6460305_แผน.xlsx), else the longest roster name in
    it (แผน อบต.บางม่วงใต้.xlsx is บางม่วงใต้, not บางม่วง: names are matched against the whole roster, so a
    bad copy from an organisation that did send a plan names that one), the same name in two districts told apart
    by the folders. A file that names nobody, or two organisations alike, is matched to no one (it stays in the
    ledger)."""
    if not missing or not broken:
        return {}
    shorts = sorted(((str(t["short"]), str(t["th"])) for t in fw.raw["org_types"]), key=lambda x: -len(x[0]))
    by_code = {r.org.code: r for r in roster if r.org.code}
    by_name: dict[str, list] = {}
    for r in roster:
        name = _squash(r.org.name, shorts)
        if name:
            by_name.setdefault(name, []).append(r)
    out: dict[str, tuple[int, Outcome]] = {}
    for i, o in broken:
        path = Path(o.path)
        stem = path.stem.translate(_THAI_DIGITS)
        cands = list({by_code[c].org.code: by_code[c] for c in _CODE_RUN.findall(stem) if c in by_code}.values())
        if not cands:
            squashed = _squash(stem, shorts)
            hits = [n for n in by_name if n in squashed]
            if hits:
                longest = max(len(n) for n in hits)
                cands = [r for n in hits if len(n) == longest for r in by_name[n]]
        if len(cands) > 1:  # the same name in several districts: the folders the file was found in tell
            folders = _squash(str(path.parent), shorts)
            cands = [r for r in cands if _squash(r.org.district) in folders and _squash(r.org.province) in folders]
        if len(cands) == 1 and cands[0].org.code in missing and cands[0].org.code not in out:
            out[cands[0].org.code] = (i, o)
    return out


def _winner_key(o: Outcome) -> tuple:
    return (o.revision or "", o.mtime, -o.counts.get("error", 0))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collection paused, as it was after. Gathering the outcomes and building the tables
    make millions of objects (in no cycles: freed by reference counting), and every so many a collection of the
    oldest objects walked all the outcomes' again: country-wide ~0.8 s of the parent's CPU while the workers read,
    and a fifth of building the tables. Workers turn it on for themselves (runner)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_gc_paused()
def _build(outs: list[Outcome], roster: list | None, seconds: float) -> Consolidation:
    fw = load_framework()
    years = tuple(sorted({y for o in outs for y in o.years})) or (2566, 2567, 2568, 2569, 2570)
    cols = schema(years)

    # ---------------------------------------------------------------- choose one file per organisation
    by_org: dict[str, list[int]] = {}
    for i, o in enumerate(outs):
        code = o.org.get("code", "") if o.readable else ""
        if code:
            by_org.setdefault(code, []).append(i)
    used: set[int] = set()
    superseded_by: dict[int, int] = {}
    conflict: set[int] = set()
    for idxs in by_org.values():
        ordered = sorted(idxs, key=lambda i: outs[i].path)
        best = max(ordered, key=lambda i: (_winner_key(outs[i]), -ordered.index(i)))
        used.add(best)
        for i in idxs:
            if i != best:
                superseded_by[i] = best
        # copies of the winning revision that say different things: the office must ask which is right
        same_revision = [i for i in idxs if (outs[i].revision or "") == (outs[best].revision or "")]
        if len({outs[i].fingerprint for i in same_revision}) > 1:
            conflict.update(same_revision)

    # ---------------------------------------------------------------- ledger
    ledger_rows = []
    for i, o in enumerate(outs):
        if o.verdict == "skipped":
            status = "skipped"
        elif o.verdict == "failed":
            status = "failed"
        elif not o.readable:
            status = "unreadable"
        elif not o.org.get("code"):
            status = "no_org_code"
        elif i in used:
            status = "used"
        else:
            status = "superseded"
        reason = o.reason or o.skipped
        if not reason and o.verdict == "unreadable" and o.findings:
            reason = f"{o.findings[0][0]}: {o.findings[0][6]}"
        ledger_rows.append(
            [
                i + 1, o.path, o.size, o.sha256,
                datetime.fromtimestamp(o.mtime).isoformat(timespec="seconds") if o.mtime else "",
                o.kind, o.org.get("code", ""), o.org.get("name", ""), o.template, o.revision, o.verdict,
                o.counts.get("error", 0), o.counts.get("warning", 0), o.counts.get("info", 0), i in used, status,
                outs[superseded_by[i]].path if i in superseded_by else "", i in conflict, reason,
                round(o.seconds, 4),
            ]
        )  # fmt: skip
    ledger = _frame(ledger_rows, cols["ledger"])

    # ---------------------------------------------------------------- the used plans' tables
    # items and risks, the long ones (country-wide 200,000 and 40,000 rows), are gathered a column at a time: each
    # plan's rows are extended onto each column at once, and pandas makes a frame of columns without the transpose
    # and the per-cell type checks a frame of rows costs; whose they are (the first columns) is repeated at the end
    items: dict[str, Any] = {col: [] for col in cols["items"]}
    risks: dict[str, Any] = {col: [] for col in cols["risks"]}
    bases, item_counts, risk_counts = [], [], []  # for each used plan
    item_fields = cols["items"][len(_BASE) : len(_BASE) + 6]  # number ... name
    year_cols = _years_cols("budget_", years)
    risk_fields = cols["risks"][len(_BASE) :]
    cov_rows, prog_rows, org_rows, find_rows = [], [], [], []
    roster_codes = {r.org.code for r in roster} if roster is not None else None
    ind_codes = [i.code for i in fw.indicators]
    high = next(lv for lv in fw.risk_levels if lv.code == "high").min_score
    order = sorted(used, key=lambda i: (outs[i].org.get("province", ""), outs[i].org.get("district", ""),
                                        outs[i].org.get("code", "")))  # fmt: skip
    for i in order:
        o = outs[i]
        org = o.org
        base = (org.get("code", ""), org.get("name", ""), org.get("province", ""), org.get("district", ""), o.verdict)
        bases.append(base)
        item_counts.append(len(o.items))
        risk_counts.append(len(o.risks))
        if o.items:
            number, dim, mission, ind, kind, name, amounts, responsible = zip(*o.items, strict=True)
            # amounts already in the order of the consolidation's years (the usual case), else put in it
            by_year = amounts if o.years == years else tuple(_reorder(o.years, a, years) for a in amounts)
            per_year = list(zip(*by_year, strict=True))  # each year's amounts
            _extend(items, item_fields, (number, dim, mission, ind, kind, name))
            _extend(items, year_cols, per_year)
            items["total"].extend(map(sum, amounts))
            items["responsible"].extend(responsible)
            totals = [sum(col, 0.0) for col in per_year]
        else:
            totals = [0.0] * len(years)
        budget_by_year = dict(zip(years, totals, strict=True))
        if o.risks:
            _extend(risks, risk_fields, zip(*o.risks, strict=True))
        n_high = sum(1 for r in o.risks if r[5] and r[5] >= high)
        cov_rows.append([*base, *[o.indicators.get(c, 0) for c in ind_codes]])
        for y in years:
            measures, rep6, rep12, done12, spent = o.progress.get(y, (0, 0, 0, 0, 0.0))
            rate = round(done12 / measures, 4) if measures else None
            prog_rows.append([*base, y, measures, rep6, rep12, done12, rate, spent, budget_by_year[y]])
        org_rows.append(
            [org.get("code", ""), org.get("name", ""), org.get("type", ""), org.get("province", ""),
             org.get("district", ""), org.get("subdistrict", ""), "received", o.verdict,
             None if roster_codes is None else org.get("code", "") in roster_codes, i + 1, o.path,
             o.counts.get("error", 0), o.counts.get("warning", 0), len(o.items), len(o.risks), n_high,
             sum(1 for c in ind_codes if o.indicators.get(c)), *[budget_by_year[y] for y in years],
             sum(budget_by_year.values())]
        )  # fmt: skip
    if roster is not None:
        received = {outs[i].org.get("code") for i in used}
        missing = [r for r in roster if r.org.code not in received]
        broken = [(i, o) for i, o in enumerate(outs) if o.verdict in ("unreadable", "failed") and not o.readable]
        sent = _senders(roster, {r.org.code for r in missing}, broken, fw)
        for r in missing:
            if r.org.code in sent:  # sent a file that could not be read: to be sent again, not chased as missing
                i, o = sent[r.org.code]
                status = ["sent_unreadable", o.verdict, True, i + 1, o.path, o.counts.get("error", 0)]
            else:
                status = ["not_submitted", "", True, None, "", 0]
            org_rows.append(
                [r.org.code, r.org.name, r.org.type, r.org.province, r.org.district, r.org.subdistrict,
                 *status, 0, 0, 0, 0, 0, *[0.0 for _ in years], 0.0]
            )  # fmt: skip
    for i, o in enumerate(outs):
        for f in o.findings:
            find_rows.append([i + 1, o.path, o.org.get("code", ""), o.org.get("name", ""), o.verdict, *f])
        if o.verdict == "failed":
            find_rows.append(
                [i + 1, o.path, "", "", "failed", "F115", "error", "", "", "", f"อ่านไฟล์ไม่สำเร็จ: {o.reason}",
                 f"Reading the file failed: {o.reason}", "ส่งไฟล์ใหม่ หรือเปิดและบันทึกใหม่ใน Excel/LibreOffice",
                 "Resend the file, or re-save it in Excel or LibreOffice."]
            )  # fmt: skip
    base_values = dict(zip(_BASE, map(list, zip(*bases, strict=True)), strict=True)) if bases else {}
    items.update(_repeated(base_values, item_counts))
    risks.update(_repeated(base_values, risk_counts))
    orgs = _frame(org_rows, cols["orgs"])
    item_frame = _frame(items, cols["items"])
    return Consolidation(
        ledger=ledger,
        orgs=orgs,
        items=item_frame,
        risks=_frame(risks, cols["risks"]),
        coverage=_frame(cov_rows, cols["coverage"]),
        progress=_frame(prog_rows, cols["progress"]),
        findings=_frame(find_rows, cols["findings"]),
        overview=_overview(orgs, item_frame, years, cols["overview"], [d.code for d in fw.dimensions]),
        years=years,
        seconds=seconds,
    )


# the first columns of the tables of the used plans' contents (items, risks, coverage, progress): whose they are
_BASE = ["org_code", "org_name", "province", "district", "verdict"]


def _extend(table: dict[str, list], names: Iterable[str], columns: Iterable[Iterable[Any]]) -> None:
    """Extend each named column of ``table`` with its values (one iterable per name)."""
    for name, values in zip(names, columns, strict=True):
        table[name].extend(values)


def _repeated(columns: dict[str, list], counts: list[int]) -> dict[str, Any]:
    """Columns of ``counts[k]`` times each ``k``-th value (each plan's code, name, place... on each of its items)."""
    at = np.repeat(np.arange(len(counts)), counts)
    out = {}
    for name, values in columns.items():
        typed = _typed(values)
        out[name] = [values[k] for k in at.tolist()] if isinstance(typed, list) else typed.take(at)
    return out


def _frame(data: list[list[Any]] | dict[str, Any], columns: list[str]) -> pd.DataFrame:
    """A table from its rows or its columns, each column typed as pandas types a column of those values.

    A frame built from columns is the same as from rows (pandas infers each column's type from its values alike),
    except when there are none: an empty table has columns of objects, as a frame of no rows has.
    """
    if isinstance(data, list):
        if not data:
            return pd.DataFrame([], columns=columns)
        data = dict(zip(columns, zip(*data, strict=True), strict=True))
    elif not len(data[columns[0]]):
        return pd.DataFrame([], columns=columns)
    return pd.DataFrame({col: _typed(data[col]) for col in columns}, columns=columns)


def _typed(values: Sequence[Any]) -> Any:
    """A column's values as the array pandas would make of them, made at once when they are all of one type.

    pandas looks at each value of a list to choose the column's type; values all of Python's str, int, float or
    bool (almost every column) give the type it would choose without that. Any other mix is left to pandas.
    """
    if not isinstance(values, list | tuple):
        return values  # an array already
    kinds = set(map(type, values))
    if kinds == {str}:
        text = _text_dtype()
        if isinstance(text, pd.StringDtype) and text.storage == "pyarrow":
            return pd.array(pa.array(values, pa.large_string()), dtype=text)
        return values
    if kinds == {float}:
        return np.array(values, dtype=np.float64)
    if kinds == {bool}:
        return np.array(values, dtype=np.bool_)
    if kinds == {int}:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:  # beyond int64: pandas' choice
            return values
    return values


@functools.cache
def _text_dtype() -> Any:
    """How pandas types text: "str" (Arrow strings) from pandas 3 on, objects before (asked once)."""
    return pd.Series(["x"]).dtype


def _overview(
    orgs: pd.DataFrame, items: pd.DataFrame, years: tuple[int, ...], columns: list[str], dims: list[str]
) -> pd.DataFrame:
    """Per province and district, computed by grouping (the whole country has ~900 districts)."""
    keys = ["province", "district"]
    if orgs.empty:
        return pd.DataFrame(columns=columns)
    # per group counts as sums of yes/no columns (one pass each, no Python per group)
    received_mask = orgs["status"] == "received"
    flags = pd.DataFrame(
        {
            "province": orgs["province"],
            "district": orgs["district"],
            "on_roster": orgs["on_roster"].eq(True).fillna(False).astype(bool),
            "known": orgs["on_roster"].notna(),
            "received": received_mask,
            "valid": received_mask & orgs["verdict"].isin(["ok", "warnings"]),
            "with_errors": received_mask & (orgs["verdict"] == "errors"),
        }
    )
    f = flags.groupby(keys, sort=True)
    out = pd.DataFrame(index=f.size().index)
    sums = f[["on_roster", "received", "valid", "with_errors"]].sum()
    # organisations expected (on the roster): none when no roster was given
    known = f["known"].any()
    expected = sums["on_roster"].astype("int64")
    out["expected"] = expected if known.all() else expected.astype(object).where(known, None)
    for col in ("received", "valid", "with_errors"):
        out[col] = sums[col]
    amounts = [f"budget_{y}" for y in years]
    sums = items.groupby(keys)[[*amounts, "total"]].sum()
    out[amounts] = sums[amounts]
    out["budget_total"] = sums["total"]
    # per dimension: one grouping by place and dimension, a column per dimension
    by_dim = items.groupby([*keys, items["dimension"].astype(str).rename("dim")])["total"]
    n_by_dim, total_by_dim = (x.unstack().reindex(columns=dims) for x in (by_dim.size(), by_dim.sum()))
    for d in dims:
        out[f"items_dim{d}"] = n_by_dim[d]
        out[f"budget_dim{d}"] = total_by_dim[d]
    counts = ["received", "valid", "with_errors", *[f"items_dim{d}" for d in dims]]
    out[counts] = out[counts].fillna(0).astype(int)
    money = [f"budget_{y}" for y in years] + ["budget_total"] + [f"budget_dim{d}" for d in dims]
    out[money] = out[money].fillna(0.0).astype(float)
    return out.reset_index()[columns]


# ------------------------------------------------------------------------------------------------ data files


def write_data_files(c: Consolidation, out_dir: str | Path, *, files: StagedFiles | None = None) -> list[Path]:
    """Each table as Parquet and as CSV (UTF-8 with BOM for Excel; formula-like text escaped).

    The files are renamed into place when all are written, or, given ``files``, when those are.
    """
    if files is None:
        with StagedFiles() as files:
            return write_data_files(c, out_dir, files=files)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in c.tables().items():
        _write_csv(df, files.open(out_dir / f"{name}.csv"))
        written.append(out_dir / f"{name}.csv")
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        files.open(out_dir / f"{name}.parquet").write(buf.getbuffer())
        written.append(out_dir / f"{name}.parquet")
    return written


def write_outputs(c: Consolidation, summary: str | Path, data_dir: str | Path | None = None, title: str = "") -> None:
    """The summary workbook and, given ``data_dir``, the data files, as the CLI writes them.

    The data files are written on a thread of their own while the summary is made (Arrow and zlib-ng work mostly
    without the GIL: on two cores the two take little longer than the summary alone). All the files are renamed
    into place together once all are complete: when one fails, none replaces what was there.
    """
    from xlplan.summary import write_summary  # the summary module imports this one

    with StagedFiles() as files, ThreadPoolExecutor(1, thread_name_prefix="xlplan-data") as pool:
        data = pool.submit(write_data_files, c, data_dir, files=files) if data_dir is not None else None
        try:
            write_summary(c, summary, title, files=files)
        except BaseException:
            if data is not None:
                data.cancel()  # if not started; otherwise the pool waits for it to end (its own error is dropped)
            raise
        if data is not None:
            data.result()


def _write_csv(df: pd.DataFrame, f: IO[bytes]) -> None:
    """A table as CSV: UTF-8 with a BOM, a header row, text quoted, text that a spreadsheet would take for a
    formula prefixed with an apostrophe (as :func:`xlplan.export.csv_safe`). Written by Arrow's CSV writer, which
    takes a country's 230,000 items in a fraction of a second (pandas' to_csv: ~6 s), straight to the file."""
    import pyarrow.csv as pa_csv

    from xlplan.export import FORMULA_START, csv_safe

    safe = {}
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.StringDtype):
            risky = s.str.startswith(FORMULA_START).fillna(False).astype(bool)
            if risky.any():
                s = s.mask(risky, "'" + s)
        elif s.dtype == object:
            s = s.map(csv_safe)
        safe[col] = s
    table = pa.Table.from_pandas(pd.DataFrame(safe, columns=df.columns), preserve_index=False)
    f.write(codecs.BOM_UTF8)
    pa_csv.write_csv(table, f, pa_csv.WriteOptions(quoting_style="needed"))


__all__ = [
    "Consolidation",
    "Outcome",
    "StagedFiles",
    "consolidate",
    "read_one",
    "schema",
    "write_data_files",
    "write_outputs",
]
