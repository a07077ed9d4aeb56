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
import struct
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate
from operator import getitem, itemgetter
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from xlplan import runner
from xlplan.check import check_sniffed, expand
from xlplan.framework import load as load_framework
from xlplan.model import Plan
from xlplan.orgs import read_orgs
from xlplan.paths import StagedFiles, shown
from xlplan.reader import NO_BAHT
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


# A table packed a column at a time (by pack): the tuple (rows, kinds, texts, ints, nulls, floats, objects).
# - kinds: a letter per column: "s" text; "q" integers; "n" integers some of which are None; "d" floats; "o"
#   anything else (an integer beyond int64, a bool, text holding NUL, a mix), kept as its values
# - texts: per "s" column, its values joined by NUL (which none holds) and UTF-8 encoded
# - ints: the "q" and "n" columns' values, one column after the other, as int64 (None as 0)
# - nulls: the "n" columns', a byte per value, 1 for None
# - floats: the "d" columns' values, one column after the other, as float64
# - objects: per "o" column, its values
# A plan's items and risks cross from the worker to the parent so. As rows of Python objects they took ~48 us of
# the ~72 us the parent spent unpickling each outcome (0.39 s for the country's 8,084 files, taken from the
# workers' two cores while they read; packed: ~5 us), and once all were read, ~0.9 s more of the parent's serial
# work to gather their columns a value at a time (zip, extend, a type scan of every value, the Thai text encoded
# again for Arrow): packed, each column is the plans' pieces joined and made at once (_unpacked). A plain tuple:
# pickle takes a NamedTuple (any tuple subclass) through copyreg, ~5 us more a table to send, ~3 us to receive.
Packed = tuple
_ROWS, _KINDS, _TEXTS, _INTS, _NULLS, _FLOATS, _OBJECTS = range(7)
_NO_ROWS: Packed = (0, "", (), b"", b"", b"", ())
_SURROGATES = re.compile("[\ud800-\udfff]")


class _NotOfKinds(Exception):
    """Values that are not of the kinds they were expected to be."""


def _no_surrogates(text: str) -> str:
    """A text read from XML holds no lone surrogate, which UTF-8 cannot encode (nor Arrow hold): one that does
    anyway is kept with U+FFFD in its place instead of stopping the run."""
    return _SURROGATES.sub("\ufffd", text)


def _utf8(text: str) -> bytes:
    """Text UTF-8 encoded (see _no_surrogates)."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return _no_surrogates(text).encode()


def _joined_text(values: Sequence[Any]) -> str:
    """A column of text joined by NUL; _NotOfKinds when a value is not text, or holds NUL (XML cannot carry it,
    but a NUL-joined column must not hold one). One join and one encoding a column: encoding each text apart for
    its length cost the worker ~45 us more a plan; the parent's Arrow splits the joined columns instead
    (_text_column)."""
    try:
        joined = "\0".join(values)
    except TypeError:
        raise _NotOfKinds from None
    if joined.count("\0") != len(values) - 1:
        raise _NotOfKinds
    return joined


def _kind(values: Sequence[Any]) -> str:
    """The letter of a column (see Packed), from its values' Python types as :func:`_typed` looks at them:
    bool is an int, but pandas makes a column holding one objects, as it does for integers beyond int64."""
    if isinstance(values[0], str):
        try:
            _joined_text(values)
        except _NotOfKinds:
            return "o"
        return "s"
    kinds = set(map(type, values))
    if kinds == {float}:
        return "d"
    if kinds <= {int, type(None)}:
        try:
            array("q", [0 if v is None else v for v in values])
        except OverflowError:
            return "o"
        return "q" if type(None) not in kinds else "n"
    return "o"


def _of_kinds(rows: int, columns: Sequence[Sequence[Any]], kinds: str, checked: bool) -> Packed:
    """``columns`` packed as ``kinds`` say: see :func:`pack`."""
    texts: list[bytes] = []
    ints: list[Any] = []
    nulls: list[bool] = []
    floats: list[Any] = []
    objects: list[tuple] = []
    for values, kind in zip(columns, kinds, strict=True):
        if kind == "s":
            texts.append(_utf8(_joined_text(values)))
        elif kind == "q":
            ints += values
        elif kind == "d":
            floats += values
        elif kind == "n":
            ints += [0 if v is None else v for v in values]
            nulls += [v is None for v in values]
        else:
            objects.append(tuple(values))
    if not checked and ints and set(map(type, ints)) != {int}:
        raise _NotOfKinds
    try:  # struct packs a list of numbers in half the time array does
        int_bytes = struct.pack(f"{len(ints)}q", *ints)
        float_bytes = struct.pack(f"{len(floats)}d", *floats)
    except struct.error:  # an integer beyond int64, a float that is not a number
        raise _NotOfKinds from None
    return (rows, kinds, tuple(texts), int_bytes, bytes(nulls), float_bytes, tuple(objects))


def pack(columns: Sequence[Sequence[Any]], kinds: str = "") -> Packed:
    """A table given as its columns (sequences of the same length), packed to cross to the parent (see Packed).

    ``kinds``, when given, are the letters the columns were made to have ("q", "s" and "d" only): the integers
    are checked at once (a type scan of each column apart cost ~1.5 us), the texts by their join, the floats not
    at all (``struct`` packs an int or a bool as a float, where pandas would make a column of ints or objects:
    pass only what ``float()`` gave). Values not of those kinds are packed by what each column holds, as they
    are without ``kinds``: the worker pays ~20 us a plan for the packing (~25 items, ~5 risks), and saves some
    of it in pickling fewer objects.
    """
    rows = len(columns[0]) if columns else 0
    if not rows:
        return _NO_ROWS
    if kinds:
        try:
            return _of_kinds(rows, columns, kinds, checked=False)
        except _NotOfKinds:
            pass
    return _of_kinds(rows, columns, "".join(map(_kind, columns)), checked=True)


def pack_items(rows: Sequence[tuple]) -> Packed:
    """Items given as rows, (number, dimension, mission, indicator, kind, name, baht for each of the plan's years,
    responsible), packed as :func:`_fill_rows` packs a plan's, with the total after the years (for tests:
    :func:`_build` also takes the rows)."""
    if not rows:
        return _NO_ROWS
    number, dim, mission, ind, kind, name, amounts, responsible = zip(*rows, strict=True)
    per_year = list(zip(*amounts, strict=True))
    return pack([number, dim, mission, ind, kind, name, *per_year, list(map(sum, amounts)), responsible])


def pack_risks(rows: Sequence[tuple]) -> Packed:
    """Risks given as rows, (number, area, issue, likelihood, impact, score, level, measures, owner), packed."""
    return pack(list(zip(*rows, strict=True))) if rows else _NO_ROWS


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
    # packed (see Packed) columns: number, dimension, mission, indicator, kind, name, baht for each of `years`,
    # total, responsible; or (tests) a list of rows as pack_items takes them, which _build packs
    items: Packed | list[tuple] = field(default_factory=list)
    # packed columns, or a list of rows: (number, area, issue, likelihood, impact, score, level, measures, owner)
    risks: Packed | list[tuple] = field(default_factory=list)
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
    no plan texts (rationale, method ...) it does not need. Items and risks are packed a column at a time."""
    fw = load_framework()
    out.readable = True
    out.org = {k: str(v) for k, v in vars(p.org).items()}
    out.revision = p.announcement.date
    out.years = tuple(p.years)
    items = p.items
    budgets = [it.budget for it in items]
    # in the order of out.years; the reader gives each empty or zero amount as one Decimal(0) (~65% of them), which
    # need not be converted (float of a Decimal: ~0.4 us)
    amounts = [[0.0 if (b := bs.get(y, 0)) is NO_BAHT else float(b) for bs in budgets] for y in out.years]
    out.items = pack(
        [
            [it.number for it in items],
            [it.dimension for it in items],
            [it.mission for it in items],
            [it.indicator for it in items],
            [it.kind for it in items],
            [it.name for it in items],
            *amounts,
            list(map(sum, zip(*amounts, strict=True))) if amounts else [0] * len(items),  # the total
            [it.responsible for it in items],
        ],
        "qqssss" + "d" * (len(amounts) + 1) + "s" if amounts else "",
    )
    for it in items:
        out.indicators[it.indicator] = out.indicators.get(it.indicator, 0) + 1
    risks = p.risks
    scores = [r.score for r in risks]
    out.risks = pack(
        [
            [r.number for r in risks],
            [r.area for r in risks],
            [r.issue for r in risks],
            [r.likelihood for r in risks],
            [r.impact for r in risks],
            scores,
            [fw.level_for(score).th if score else "" for score in scores],
            [", ".join(map(str, r.measures)) for r in risks],
            [r.owner for r in risks],
        ],
        "qssqqqsss",
    )
    # each year's progress in one pass over the measures' reports (a pass per year took ~14 us more a plan)
    done_status = next(st["th"] for st in fw.raw["statuses"] if st["code"] == "done")
    by_year = {y: [0, 0, 0, 0.0] for y in out.years}  # reported_6, reported_12, done_12, spent_12
    measures = 0
    for it in items:
        measures += len(it.measures)
        for m in it.measures:
            for pr in m.progress:
                counts = by_year.get(pr.year)
                if counts is None:
                    continue
                if pr.round == 6:
                    counts[0] += 1
                elif pr.round == 12:
                    counts[1] += 1
                    counts[2] += pr.status == done_status
                    if pr.spent:  # adding 0.0 to the sum leaves it as it is
                        counts[3] += float(pr.spent)
    out.progress = {y: (measures, *counts) for y, counts in by_year.items()}


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
    expected = None
    with _gc_paused():  # the outcomes gathered (and the tables built) hold no cycles
        for done, (index, result) in enumerate(
            runner.run(reader, [str(f) for f in files], jobs=jobs, timeout=timeout, memory=memory), start=1
        ):
            if done == 1 and roster is not None:
                # read while the workers read (~0.14 s for the country's list, otherwise after the last file), and
                # a list that cannot be read stops the run at its first file, not after the last
                expected = read_orgs(roster)[0]
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
        if expected is None and roster is not None:  # no file to read
            expected = read_orgs(roster)[0]
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
    # the roster's name lengths, longest first: a file's name is cut into pieces of each length, and the first
    # length with a piece that is a name gives the longest names in it (testing each of the country's 7,850 names
    # for being in each file's name took ~0.25 s)
    lengths = sorted({len(n) for n in by_name}, reverse=True)
    out: dict[str, tuple[int, Outcome]] = {}
    for i, o in broken:
        path = Path(o.path)
        stem = path.stem.translate(_THAI_DIGITS)
        cands = list({by_code[c].org.code: by_code[c] for c in _CODE_RUN.findall(stem) if c in by_code}.values())
        if not cands:
            squashed = _squash(stem, shorts)
            for n in lengths:
                hits = {squashed[k : k + n] for k in range(len(squashed) - n + 1)} & by_name.keys()
                if hits:
                    cands = [r for name in sorted(hits) for r in by_name[name]]
                    break
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
    # items and risks, the long ones (country-wide 200,000 and 40,000 rows), come packed a column at a time (Packed):
    # each column is joined from the plans' pieces and made at once; whose they are (the first columns) is repeated
    bases, item_counts, risk_counts = [], [], []  # for each used plan
    item_parts: list[Packed] = []
    item_picks: list[tuple[int | None, ...]] = []
    risk_parts: list[Packed] = []
    cov_rows, prog_rows, org_rows, find_rows = [], [], [], []
    roster_codes = {r.org.code for r in roster} if roster is not None else None
    ind_codes = [i.code for i in fw.indicators]
    high = next(lv for lv in fw.risk_levels if lv.code == "high").min_score
    order = sorted(used, key=lambda i: (outs[i].org.get("province", ""), outs[i].org.get("district", ""),
                                        outs[i].org.get("code", "")))  # fmt: skip
    for i in order:
        o = outs[i]
        org = o.org
        bases.append((org.get("code", ""), org.get("name", ""), org.get("province", ""), org.get("district", ""),
                      o.verdict))  # fmt: skip
        its = _as_packed(o.items, pack_items)
        rks = _as_packed(o.risks, pack_risks)
        item_counts.append(its[_ROWS])
        risk_counts.append(rks[_ROWS])
        if its[_ROWS]:
            item_parts.append(its)
            item_picks.append(_item_picks(o.years, years, len(its[_KINDS])))
        if rks[_ROWS]:
            risk_parts.append(rks)
    item_names = cols["items"][len(_BASE) :]
    risk_names = cols["risks"][len(_BASE) :]
    items = dict(zip(item_names, _unpacked(item_parts, item_picks, len(item_names)), strict=True))
    risks = dict(zip(risk_names, _unpacked(risk_parts, [tuple(range(len(risk_names)))] * len(risk_parts),
                                           len(risk_names)), strict=True))  # fmt: skip
    # each plan's sums by year, as sum(values, 0.0) over its values as before (numpy adds in pairs, Python 3.12 with
    # compensation: either can differ in the last digit), and its risks of a high level
    item_ends = list(accumulate(item_counts))
    item_bounds = list(zip([e - n for e, n in zip(item_ends, item_counts, strict=True)], item_ends, strict=True))
    by_year = [_python_values(items[f"budget_{y}"]) for y in years]
    year_sums = [[sum(values[a:b], 0.0) for a, b in item_bounds] for values in by_year]
    scores = _python_values(risks["score"])
    risk_ends = list(accumulate(risk_counts))
    highs = [
        sum(1 for score in scores[e - n : e] if score and score >= high)
        for e, n in zip(risk_ends, risk_counts, strict=True)
    ]
    for i, base, n_items, n_risks, totals, n_high in zip(
        order, bases, item_counts, risk_counts, zip(*year_sums, strict=True), highs, strict=True
    ):
        o = outs[i]
        org = o.org
        budget_by_year = dict(zip(years, totals, strict=True))
        covered = [o.indicators.get(c, 0) for c in ind_codes]
        cov_rows.append([*base, *covered])
        for y in years:
            measures, rep6, rep12, done12, spent = o.progress.get(y, (0, 0, 0, 0, 0.0))
            rate = round(done12 / measures, 4) if measures else None
            prog_rows.append([*base, y, measures, rep6, rep12, done12, rate, spent, budget_by_year[y]])
        org_rows.append(
            [org.get("code", ""), org.get("name", ""), org.get("type", ""), org.get("province", ""),
             org.get("district", ""), org.get("subdistrict", ""), "received", o.verdict,
             None if roster_codes is None else org.get("code", "") in roster_codes, i + 1, o.path,
             o.counts.get("error", 0), o.counts.get("warning", 0), n_items, n_risks, n_high,
             len(covered) - covered.count(0), *[budget_by_year[y] for y in years],
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
    base_values = dict(zip(_BASE, map(list, zip(*bases, strict=True)) if bases else [[]] * len(_BASE), strict=True))
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


@functools.cache
def _item_picks(have: tuple[int, ...], years: tuple[int, ...], width: int) -> tuple[int | None, ...]:
    """Which of a plan's packed item columns (number ... name, an amount for each of ``have``, total,
    responsible) is each column of the items table: its amounts put in the order of the consolidation's ``years``
    (None: a year the plan does not have, 0.0 on each row); for a year named twice, the last."""
    at = {y: 6 + k for k, y in enumerate(have)}
    return (0, 1, 2, 3, 4, 5, *[at.get(y) for y in years], width - 2, width - 1)


@functools.cache
def _layout(kinds: str, picks: tuple[int | None, ...]) -> tuple[tuple[str, int, int], ...]:
    """For each picked column of a packed table of those ``kinds``: its letter ("z" for a pick of None), its
    place among the columns kept alike (the texts; the integers, "q" and "n"; the floats; the objects) and its
    place among the "n" columns (their nulls)."""
    group = {"s": "s", "q": "qn", "n": "qn", "d": "d", "o": "o"}
    out = []
    for pick in picks:
        if pick is None:
            out.append(("z", 0, 0))
            continue
        letter = kinds[pick]
        before = kinds[:pick]
        out.append((letter, sum(before.count(k) for k in group[letter]), before.count("n")))
    return tuple(out)


def _unpacked(parts: list[Packed], picks: list[tuple[int | None, ...]], width: int) -> list[Any]:
    """The plans' packed tables (each with rows) one after the other, as ``width`` columns: the ``j``-th holds,
    plan after plan, the plan's column ``picks[p][j]`` (None: 0.0 on each of its rows).

    Each column is made at once, of the type :func:`_typed` gives its values: text split by Arrow from the plans'
    joined pieces; numbers picked out of the plans' joined bytes by numpy. A column whose pieces differ in kind
    (say an integer column holding a bool in one plan) is made from its values, as before the packing.
    """
    if not parts:
        return [[] for _ in range(width)]
    rows = np.fromiter(map(itemgetter(_ROWS), parts), np.int64, len(parts))
    n = int(rows.sum())
    plan = np.repeat(np.arange(len(parts)), rows)  # each row's plan
    pos = np.arange(n) - (np.cumsum(rows) - rows)[plan]  # each row's place in its plan
    keys: dict[tuple[str, tuple[int | None, ...]], int] = {}  # the distinct layouts (country-wide: one or two)
    key = np.fromiter((keys.setdefault((t[_KINDS], pk), len(keys)) for t, pk in zip(parts, picks, strict=True)),
                      np.int64, len(parts))  # fmt: skip
    layouts = [_layout(kinds, pk) for kinds, pk in keys]

    def starts(letters: str) -> np.ndarray:
        """Where each plan's values of those letters start in their joined bytes (in values)."""
        per_plan = np.array([sum(kinds.count(k) for k in letters) for kinds, _ in keys], np.int64)[key] * rows
        return np.cumsum(per_plan) - per_plan

    # each group's bytes joined, plan after plan; one more null (none: for the rows of a "q" piece in a column of
    # "n" ones) and one more float (0.0: for a "z" piece)
    ints = np.frombuffer(b"".join(map(itemgetter(_INTS), parts)), np.int64)
    int_at = starts("qn")
    nulls = np.frombuffer(b"".join(map(itemgetter(_NULLS), parts)) + b"\0", np.bool_)
    null_at = starts("n")
    floats = np.frombuffer(b"".join(map(itemgetter(_FLOATS), parts)) + bytes(8), np.float64)
    float_at = starts("d")
    texts = list(map(itemgetter(_TEXTS), parts))
    out: list[Any] = []
    for j in range(width):
        letter = [layout[j][0] for layout in layouts]
        ranks = [layout[j][1] for layout in layouts]
        rank = np.array(ranks, np.int64)[key]  # for each plan
        letters = set(letter)
        if letters == {"s"}:
            pieces = (
                list(map(itemgetter(ranks[0]), texts))
                if len(set(ranks)) == 1
                else list(map(getitem, texts, rank.tolist()))
            )
            out.append(_text_column(pieces, n))
        elif letters <= {"d", "z"}:
            at = (float_at + rank * rows)[plan] + pos
            if "z" in letters:
                at[np.array([x == "z" for x in letter])[key][plan]] = len(floats) - 1
            out.append(floats[at])
        elif letters <= {"q", "n"}:
            values = ints[(int_at + rank * rows)[plan] + pos]
            if "n" in letters:
                null_rank = np.array([layout[j][2] for layout in layouts], np.int64)[key]
                at = (null_at + null_rank * rows)[plan] + pos
                at[np.array([x == "q" for x in letter])[key][plan]] = len(nulls) - 1
                none = nulls[at]
                if none.all():
                    values = [None] * n  # pandas: a column of objects
                elif none.any():
                    values = values.astype(np.float64)  # pandas: floats, NaN for None
                    values[none] = np.nan
            out.append(values)
        else:
            picked = [layout[j] for layout in layouts]
            out.append([v for t, k in zip(parts, key.tolist(), strict=True) for v in _plan_values(t, *picked[k])])
    return out


def _plan_values(t: Packed, letter: str, rank: int, null_rank: int) -> list[Any]:
    """The values of one column of one packed table, as Python values (the column's place as _layout gives it)."""
    r = t[_ROWS]
    if letter == "s":
        return t[_TEXTS][rank].decode().split("\0")
    if letter in "qn":
        values: list[Any] = array("q", t[_INTS])[rank * r : (rank + 1) * r].tolist()
        if letter == "n":
            nulls = t[_NULLS][null_rank * r : (null_rank + 1) * r]
            values = [None if none else v for v, none in zip(values, nulls, strict=True)]
        return values
    if letter == "d":
        return array("d", t[_FLOATS])[rank * r : (rank + 1) * r].tolist()
    if letter == "z":
        return [0.0] * r
    return list(t[_OBJECTS][rank])


def _as_packed(table: Packed | list[tuple], pack_rows: Callable[[list[tuple]], Packed]) -> Packed:
    """A table of an outcome packed: as it came from the worker, or packed from its rows (tests)."""
    if isinstance(table, tuple) and table and type(table[_ROWS]) is int:
        return table
    return pack_rows(list(table))


def _text_column(pieces: list[bytes], n: int) -> Any:
    """A column of ``n`` texts from the plans' pieces (each its texts joined by NUL), as :func:`_typed` makes a
    column of str: Arrow splits the joined pieces in one pass (country-wide ~0.14 s for the 1.2 million texts of
    items and risks, where _typed took ~0.24 s over their Python str, ~0.5 s the first time, after gathering
    them)."""
    joined = b"\0".join(pieces)
    whole = pa.LargeStringArray.from_buffers(1, pa.py_buffer(np.array([0, len(joined)], np.int64)),
                                             pa.py_buffer(joined))  # fmt: skip
    values = pc.split_pattern(whole, "\0").flatten()
    if len(values) != n:
        raise ValueError(f"packed texts: {len(values)} where {n} were packed")
    text = _text_dtype()
    if isinstance(text, pd.StringDtype) and text.storage == "pyarrow":
        return pd.array(values, dtype=text)
    return values.to_pylist()


def _python_values(column: Any) -> list[Any]:
    """A column made by :func:`_unpacked` as a list of Python values (to sum them as Python does)."""
    return column.tolist() if isinstance(column, np.ndarray) else list(column)


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
            try:
                return pd.array(pa.array(values, pa.large_string()), dtype=text)
            except UnicodeEncodeError:  # a lone surrogate
                return pd.array(pa.array(list(map(_no_surrogates, values)), pa.large_string()), dtype=text)
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
