"""Run one LibreOffice job over UNO and print a JSON result.

This script is NOT imported by pytest: it runs under the system interpreter (``/usr/bin/python3``), the only one
with the ``uno`` bridge. ``tests/libreoffice.py`` starts it as::

    /usr/bin/python3 tests/lo_uno_job.py JOB.json

``JOB.json`` (UTF-8) holds::

    {
      "soffice": "/usr/bin/soffice",       # executable to start
      "workdir": "/tmp/xlplan-lo-XXXX",      # private dir: profile, soffice.log, soffice.pgid live here
      "src": "/abs/path/book.xlsx",          # document to load
      "edits": [{"op": "insert_rows", ...}], # see apply_edit() and run_job() in libreoffice.py
      "recalc": true,                        # calculateAll() after loading and after the edits
      "read": [["Sheet1", "A1"], ...],
      "save_xlsx": "/abs/out.xlsx" | null,
      "save_pdf": "/abs/out.pdf" | null,
      "connect_timeout": 120,
      "pipe": "xlplan_lo_..."                # optional UNO pipe name (the caller uses it to clean up after a kill)
    }

The script starts its own headless soffice with a throwaway user profile inside ``workdir`` (never the user's
default profile), listening on a uniquely named pipe, so parallel jobs never share an office process. It loads the
document with load-time recalculation switched OFF (so values are exactly what the file carries), applies the
job, closes the document, terminates soffice (killing its process group if it does not exit) and prints exactly one
JSON line on stdout: ``{"ok": true, "values": {...}, "formulas": {...}, "formulas_excel": {...}, "timings": {...}}`` or
``{"ok": false, "error": "...", "traceback": "..."}`` (exit status 1).

soffice runs in its own session; its process-group id is written to ``workdir/soffice.pgid`` so that the caller
can kill it even if this script is killed while blocked inside a UNO call. soffice's scratch files go to
``workdir/tmp`` (TMPDIR); only its IPC sockets (``/tmp/OSL_PIPE_*``, a fixed location) live outside ``workdir``
and disappear when soffice exits normally.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]  # only present for /usr/bin/python3
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from com.sun.star.lang import DisposedException  # type: ignore[import-not-found]
from com.sun.star.uno import RuntimeException  # type: ignore[import-not-found]

# com.sun.star.sheet.FormulaResult constants
FORMULA_RESULT_VALUE = 1
FORMULA_RESULT_STRING = 2
FORMULA_RESULT_ERROR = 4
# com.sun.star.sheet.CellFlags: everything a user's "Delete contents" removes
CLEAR_ALL_CONTENT = 1 | 2 | 4 | 16 | 32 | 128 | 256  # VALUE DATETIME STRING FORMULA HARDATTR OBJECTS EDITATTR

XLSX_FILTER = "Calc MS Excel 2007 XML"
PDF_FILTER = "calc_pdf_Export"


class JobError(Exception):
    """A problem with the job itself (bad sheet name, bad edit, ...)."""


def props(**kwargs: Any) -> tuple[Any, ...]:
    out = []
    for name, value in kwargs.items():
        p = PropertyValue()
        p.Name = name
        p.Value = value
        out.append(p)
    return tuple(out)


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class Office:
    """A private headless soffice process plus a UNO connection to it."""

    def __init__(self, soffice: str, workdir: Path, connect_timeout: float, pipe: str | None = None) -> None:
        self.workdir = workdir
        self.pipe = pipe or f"xlplan_lo_{os.getpid()}_{uuid.uuid4().hex}"
        profile = workdir / "profile"
        profile.mkdir(parents=True, exist_ok=True)
        tmpdir = workdir / "tmp"  # soffice's lu*.tmp scratch dirs land here, not in /tmp
        tmpdir.mkdir(exist_ok=True)
        self.log_path = workdir / "soffice.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        args = [
            soffice,
            "--headless",
            "--invisible",
            "--nocrashreport",
            "--nodefault",
            "--nofirststartwizard",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
        ]
        env = dict(os.environ)
        for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            env.pop(var, None)
        env["TMPDIR"] = str(tmpdir)
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        self.pgid = self.proc.pid  # session leader => pgid == pid
        (workdir / "soffice.pgid").write_text(str(self.pgid), encoding="ascii")
        self.desktop: Any = None
        try:
            self.ctx = self._connect(connect_timeout)
            smgr = self.ctx.ServiceManager
            self.desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        except BaseException:
            self.close()  # kills the group: nothing may outlive a failed start
            raise

    def _connect(self, timeout: float) -> Any:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + timeout
        while True:
            try:
                return resolver.resolve(url)
            except NoConnectException:
                pass
            code = self.proc.poll()
            if code is not None:
                raise RuntimeError(f"soffice exited with status {code} before accepting a connection")
            if time.monotonic() > deadline:
                raise TimeoutError(f"soffice did not accept a UNO connection within {timeout:.0f} s")
            time.sleep(0.1)

    def set_config(self, node: str, values: dict[str, Any]) -> None:
        provider = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx
        )
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess", props(nodepath=node)
        )
        for key, value in values.items():
            access.setPropertyValue(key, value)
        access.commitChanges()

    def close(self) -> bool:
        """Terminate soffice; return True if it exited by itself, False if it had to be killed."""
        clean = False
        try:
            # The bridge goes away while terminating (DisposedException/RuntimeException); and we are cleaning up:
            # never fail here, the process-group kill below is the real guarantee.
            if self.desktop is not None:
                with contextlib.suppress(DisposedException, RuntimeException, Exception):
                    self.desktop.terminate()
                try:
                    self.proc.wait(timeout=30)
                    clean = True
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if not clean:
                kill_group(self.pgid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=5)
            # Whatever happened, leave no process of the group behind (e.g. soffice.bin if only oosplash exited).
            kill_group(self.pgid, signal.SIGKILL)
            if self.proc.poll() is None:
                self.proc.wait(timeout=10)
            self.log.close()
        return clean


# ---------------------------------------------------------------------------------------------------------------------
# Document operations


def get_sheet(doc: Any, name: str) -> Any:
    sheets = doc.getSheets()
    if not sheets.hasByName(name):
        raise JobError(f"no sheet named {name!r}; sheets are {list(sheets.getElementNames())!r}")
    return sheets.getByName(name)


def get_cell(doc: Any, sheet_name: str, ref: str) -> Any:
    sheet = get_sheet(doc, sheet_name)
    try:
        rng = sheet.getCellRangeByName(ref)
    except Exception as exc:  # UNO raises a RuntimeException for bad names
        raise JobError(f"bad cell reference {ref!r} on sheet {sheet_name!r}: {exc}") from exc
    addr = rng.getRangeAddress()
    if addr.StartColumn != addr.EndColumn or addr.StartRow != addr.EndRow:
        raise JobError(f"{ref!r} on sheet {sheet_name!r} is a range, expected a single cell")
    return sheet.getCellByPosition(addr.StartColumn, addr.StartRow)


def positive_int(edit: dict[str, Any], key: str) -> int:
    value = edit.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise JobError(f"edit {edit!r}: {key!r} must be an integer >= 1")
    return value


_PARSERS: dict[int, Any] = {}


def excel_parser(doc: Any) -> Any:
    """A com.sun.star.sheet.FormulaParser speaking Excel's (OOXML) formula syntax: ',' separators, 'Sheet'!A1,
    _xlfn. prefixes. Used for ``"syntax": "excel"`` edits and for ``formulas_excel`` in the result."""
    key = id(doc)
    if key not in _PARSERS:
        mapper = doc.createInstance("com.sun.star.sheet.FormulaOpCodeMapper")
        ooxml = uno.getConstantByName("com.sun.star.sheet.FormulaLanguage.OOXML")
        special = uno.getConstantByName("com.sun.star.sheet.FormulaMapGroup.SPECIAL")
        others = uno.getConstantByName("com.sun.star.sheet.FormulaMapGroup.ALL_EXCEPT_SPECIAL")
        parser = doc.createInstance("com.sun.star.sheet.FormulaParser")
        parser.FormulaConvention = uno.getConstantByName("com.sun.star.sheet.AddressConvention.XL_OOX")
        parser.OpCodeMap = tuple(mapper.getAvailableMappings(ooxml, special)) + tuple(
            mapper.getAvailableMappings(ooxml, others)
        )
        parser.CompileEnglish = True
        _PARSERS[key] = parser
    return _PARSERS[key]


def excel_formula(doc: Any, cell: Any) -> str | None:
    """The cell's formula in Excel syntax ("=SUM(A1,A2)"); the plain content for non-formula cells; None when
    LibreOffice cannot render it faithfully."""
    if cell.getType().value != "FORMULA":
        return cell.getFormula()
    try:
        text = "=" + excel_parser(doc).printFormula(cell.getTokens(), cell.getCellAddress())
    except Exception:  # an auxiliary view; never fail the job over it
        return None
    # LibreOffice 7.4's printFormula silently drops references to deleted cells ("=A3+1" after deleting row 3
    # prints "=+1", while getFormula says "=A#REF!+1"): better no answer than a wrong one.
    if text.count("#REF!") != cell.getFormula().count("#REF!"):
        return None
    return text


def apply_edit(doc: Any, edit: dict[str, Any]) -> None:
    op = edit.get("op")
    if "sheet" not in edit:
        raise JobError(f"edit {edit!r} has no 'sheet'")
    sheet = get_sheet(doc, edit["sheet"])
    if op in ("insert_rows", "delete_rows"):
        row = positive_int(edit, "row")
        count = positive_int(edit, "count") if "count" in edit else 1
        rows = sheet.getRows()
        # XTableRows.insertByIndex / removeByIndex is the same code path as the UI's Insert/Delete Rows: references
        # to ranges spanning the row expand/shrink, references below shift.
        if op == "insert_rows":
            rows.insertByIndex(row - 1, count)
        else:
            rows.removeByIndex(row - 1, count)
    elif op in ("unprotect", "protect"):
        # the sheet protection the template uses has no password; deleting rows that hold locked (formula)
        # cells needs it lifted, in LibreOffice as in Excel (the workbook's instructions say so)
        if op == "unprotect":
            sheet.unprotect(edit.get("password", ""))
        else:
            sheet.protect(edit.get("password", ""))
    elif op == "set":
        if "cell" not in edit or "value" not in edit:
            raise JobError(f"edit {edit!r} needs 'cell' and 'value'")
        cell = get_cell(doc, edit["sheet"], edit["cell"])
        value = edit["value"]
        if isinstance(value, bool):
            raise JobError(f"edit {edit!r}: booleans are ambiguous, pass 1/0 or '=TRUE()'")
        if value is None:
            cell.clearContents(CLEAR_ALL_CONTENT)
        elif isinstance(value, (int, float)):
            cell.setValue(float(value))
        elif isinstance(value, str) and value.startswith("="):
            syntax = edit.get("syntax", "calc")
            if syntax == "calc":
                cell.setFormula(value)
            elif syntax == "excel":
                cell.setTokens(excel_parser(doc).parseFormula(value[1:], cell.getCellAddress()))
            else:
                raise JobError(f"edit {edit!r}: syntax must be 'calc' or 'excel'")
        elif isinstance(value, str):
            cell.setString(value)
        else:
            raise JobError(f"edit {edit!r}: value must be a number, a string or null")
    else:
        raise JobError(f"unknown edit op {op!r} in {edit!r}; expected insert_rows, delete_rows or set")


def cell_value(cell: Any) -> float | str | None:
    """Number -> float, text -> str, error -> its display text ("#REF!", "Err:502"), empty -> None."""
    kind = cell.getType().value  # com.sun.star.table.CellContentType: EMPTY VALUE TEXT FORMULA
    if kind == "EMPTY":
        return None
    if kind == "VALUE":
        return float(cell.getValue())
    if kind == "TEXT":
        return cell.getString()
    if cell.getError() != 0:
        return cell.getString()
    result_type = cell.FormulaResultType2
    if result_type == FORMULA_RESULT_VALUE:
        return float(cell.getValue())
    if result_type == FORMULA_RESULT_ERROR:
        return cell.getString()
    return cell.getString()


def store(doc: Any, target: str, filter_name: str) -> None:
    """storeToURL to a temporary name beside ``target`` and rename it into place (atomic on one filesystem)."""
    dest = Path(target)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{uuid.uuid4().hex[:12]}.tmp{dest.suffix}")
    try:
        doc.storeToURL(tmp.as_uri(), props(FilterName=filter_name, Overwrite=True))
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise JobError(f"LibreOffice produced no output for filter {filter_name!r}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def run(job: dict[str, Any]) -> dict[str, Any]:
    t0 = time.monotonic()
    timings: dict[str, float] = {}
    src = Path(job["src"])
    if not src.is_file():
        raise JobError(f"source document {str(src)!r} does not exist")
    office = Office(job["soffice"], Path(job["workdir"]), float(job.get("connect_timeout", 120)), job.get("pipe"))
    timings["start"] = time.monotonic() - t0
    result: dict[str, Any] = {}
    try:
        # Never let the import filter decide: values on load are exactly those the file carries (0 = always,
        # 1 = never, 2 = prompt). Recalculation is done explicitly below when asked for.
        office.set_config("/org.openoffice.Office.Calc/Formula/Load", {"OOXMLRecalcMode": 1, "ODFRecalcMode": 1})
        # No ".~lock.NAME#" files: a stale one (from a killed soffice) makes later headless loads return None.
        office.set_config("/org.openoffice.Office.Common/Misc", {"UseLocking": False})
        t = time.monotonic()
        doc = office.desktop.loadComponentFromURL(src.resolve().as_uri(), "_blank", 0, props(Hidden=True))
        if doc is None or not hasattr(doc, "getSheets"):
            raise JobError(
                f"LibreOffice could not load {str(src)!r} as a spreadsheet (corrupt file? a '.~lock.{src.name}#'"
                " file beside it?)"
            )
        timings["load"] = time.monotonic() - t
        try:
            t = time.monotonic()
            recalc = bool(job.get("recalc", True))
            if recalc:
                doc.calculateAll()
            edits = job.get("edits") or []
            for edit in edits:
                apply_edit(doc, edit)
            if recalc and edits:
                doc.calculateAll()
            values: dict[str, Any] = {}
            formulas: dict[str, str] = {}
            formulas_excel: dict[str, str | None] = {}
            for sheet_name, ref in job.get("read") or []:
                cell = get_cell(doc, sheet_name, ref)
                key = f"{sheet_name}!{ref}"
                values[key] = cell_value(cell)
                formulas[key] = cell.getFormula()
                formulas_excel[key] = excel_formula(doc, cell)
            timings["edit_read"] = time.monotonic() - t
            t = time.monotonic()
            if job.get("save_xlsx"):
                store(doc, job["save_xlsx"], XLSX_FILTER)
            if job.get("save_pdf"):
                store(doc, job["save_pdf"], PDF_FILTER)
            timings["save"] = time.monotonic() - t
            result = {"ok": True, "values": values, "formulas": formulas, "formulas_excel": formulas_excel}
        finally:
            with contextlib.suppress(Exception):  # closing must not hide the real error
                doc.close(True)
    finally:
        t = time.monotonic()
        clean = office.close()
        timings["shutdown"] = time.monotonic() - t
    result["soffice_exited_cleanly"] = clean
    timings["total"] = time.monotonic() - t0
    result["timings"] = {k: round(v, 3) for k, v in timings.items()}
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(json.dumps({"ok": False, "error": "usage: lo_uno_job.py JOB.json"}), flush=True)
        return 2
    # The caller may SIGTERM us on timeout: turn that into SystemExit so the finally blocks kill soffice.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    try:
        job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        out = run(job)
        code = 0
    except Exception as exc:  # everything is reported as JSON
        out = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        code = 1
    # ensure_ascii keeps stdout plain ASCII whatever the locale; Thai survives as \\u escapes.
    sys.stdout.write(json.dumps(out, ensure_ascii=True) + "\n")
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    # os._exit: skip interpreter teardown, where the Python-UNO bridge has been known to hang or crash after the
    # remote office went away.
    os._exit(main(sys.argv))
