"""LibreOffice (headless) as the tests' referee: recalculate, edit like a user, re-save and render workbooks.

The UNO bridge only exists for the system interpreter (``/usr/bin/python3``), not for the project's venv, so every
job runs ``tests/lo_uno_job.py`` as a subprocess under that interpreter. The job starts its own soffice with a
throwaway profile (so parallel runs never collide), does the work, terminates soffice and prints a JSON result.
One job = one soffice start (about 1-3 s on a warm machine; the first start after boot can take 10-20 s).

Typical use::

    from libreoffice import available, carried_values, recalculated_values, run_job

    res = run_job(book, edits=[{"op": "insert_rows", "sheet": "Data", "row": 2, "count": 1}],
                  read=[("Data", "A5")], save_xlsx=tmp_path / "out.xlsx")
    res["values"]["Data!A5"], res["formulas"]["Data!A5"]

Environment overrides: ``XLPLAN_SOFFICE`` (soffice executable), ``XLPLAN_UNO_PYTHON`` (interpreter with ``uno``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "LibreOfficeError",
    "available",
    "carried_values",
    "recalculated_values",
    "run_job",
]

JOB_SCRIPT = Path(__file__).resolve().with_name("lo_uno_job.py")
DEFAULT_UNO_PYTHON = "/usr/bin/python3"
EDIT_OPS = {
    "insert_rows": ("sheet", "row"),
    "delete_rows": ("sheet", "row"),
    "set": ("sheet", "cell", "value"),
    "unprotect": ("sheet",),
    "protect": ("sheet",),
}
_TAIL_CHARS = 3000


class LibreOfficeError(RuntimeError):
    """A LibreOffice job failed or timed out. The message carries the job's error and soffice's output tail."""


def _soffice() -> str | None:
    override = os.environ.get("XLPLAN_SOFFICE")
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    return shutil.which("soffice") or shutil.which("libreoffice")


def _uno_python() -> str:
    return os.environ.get("XLPLAN_UNO_PYTHON", DEFAULT_UNO_PYTHON)


def _child_env() -> dict[str, str]:
    """The environment for the system interpreter: nothing of the venv may leak into it."""
    env = dict(os.environ)
    for var in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"):
        env.pop(var, None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """True if soffice is on PATH and the system interpreter can ``import uno`` (cached for the process)."""
    if _soffice() is None or not JOB_SCRIPT.is_file():
        return False
    python = _uno_python()
    if not Path(python).is_file():
        return False
    try:
        probe = subprocess.run(
            [python, "-c", "import uno"], env=_child_env(), capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def _tail(text: str, limit: int = _TAIL_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _read_tail(path: Path) -> str:
    try:
        return _tail(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _validate_edits(edits: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for edit in edits:
        op = edit.get("op")
        if op not in EDIT_OPS:
            raise ValueError(f"unknown edit op {op!r} in {dict(edit)!r}; expected one of {sorted(EDIT_OPS)}")
        missing = [key for key in EDIT_OPS[op] if key not in edit]
        if missing:
            raise ValueError(f"edit {dict(edit)!r} lacks {missing}")
        if edit.get("syntax", "calc") not in ("calc", "excel"):
            raise ValueError(f"edit {dict(edit)!r}: syntax must be 'calc' or 'excel'")
        out.append(dict(edit))
    return out


def run_job(
    src: Path,
    *,
    edits: Sequence[Mapping[str, Any]] = (),
    recalc: bool = True,
    read: Sequence[tuple[str, str]] = (),
    save_xlsx: Path | None = None,
    save_pdf: Path | None = None,
    timeout: float = 180,
) -> dict[str, Any]:
    """Open ``src`` in a private headless LibreOffice, apply ``edits``, read cells, optionally save; return results.

    Args:
        src: workbook to load (xlsx, ods, ...). It is never modified.
        edits: applied in order, like a user would:
            ``{"op": "insert_rows", "sheet": S, "row": R, "count": N}`` inserts N whole rows before 1-based row R
            (ranges spanning R expand, references below shift); ``{"op": "delete_rows", ...}`` likewise (count
            defaults to 1); ``{"op": "set", "sheet": S, "cell": "F12", "value": V}`` with V a number (setValue),
            a string starting with "=" (a formula), any other string (setString), or None (clear the cell).
            Formulas go through ``setFormula`` which speaks LibreOffice's API syntax: ';' between arguments
            (``=IF(A1>0;1;2)``; a ',' gives Err:508!) and ``$'Sheet'.A1`` for other sheets. Add
            ``"syntax": "excel"`` to the edit to write Excel syntax instead (``=IF(A1>0,1,2)``, ``'Sheet'!A1``),
            parsed by LibreOffice's OOXML formula parser.
        recalc: if True, ``calculateAll()`` (hard recalc) after loading and again after the edits. If False, the
            values are the ones cached in the file (LibreOffice never recalculates on load in these jobs); cells
            depending on an edited cell are still updated by LibreOffice's normal AutoCalculate.
        read: (sheet, A1-cell) pairs to read after edits and recalculation.
        save_xlsx: write the resulting document there as "Calc MS Excel 2007 XML" (temp name, then rename).
        save_pdf: export the resulting document there with "calc_pdf_Export" (temp name, then rename).
        timeout: seconds for the whole job, soffice start included; on expiry everything is killed.

    Returns:
        ``{"values": {...}, "formulas": {...}, "formulas_excel": {...}, "timings": {...}, "seconds": float,
        "soffice_exited_cleanly": bool}``, each mapping keyed ``"Sheet!A1"`` exactly as given in ``read``.
        A value is a float (numbers, numeric formula results), a str (text, text results, and errors as
        LibreOffice shows them: "#REF!", "#DIV/0!", "#NAME?", "Err:502"), or None for an empty cell. A formula
        is ``cell.getFormula()`` in LibreOffice syntax (``=SUM(A1;A2)``, ``=$'Sheet'.A1``); ``formulas_excel``
        is the same formula in Excel syntax (``=SUM(A1,A2)``, ``='Sheet'!A1``, as openpyxl shows it). For
        non-formula cells both hold the content as text ("" when empty). ``formulas_excel`` is None where
        LibreOffice cannot print the formula faithfully (references to deleted cells).

    Raises:
        LibreOfficeError: soffice or the job failed, or the timeout expired (message includes soffice's output).
        ValueError: a malformed edit.
    """
    soffice = _soffice()
    if soffice is None:
        raise LibreOfficeError("soffice not found on PATH (set XLPLAN_SOFFICE)")
    src = Path(src)
    if not src.is_file():
        raise LibreOfficeError(f"source workbook {src} does not exist")
    job_edits = _validate_edits(edits)
    workdir = Path(tempfile.mkdtemp(prefix="xlplan-lo-"))
    pipe = f"xlplan_lo_{os.getpid()}_{uuid.uuid4().hex}"
    started = time.monotonic()
    try:
        # LibreOffice works on a private copy: it puts a ".~lock.NAME#" file beside the document it opens, and a
        # stale one (soffice killed) makes every later headless load of that document fail; concurrent jobs on one
        # source would trip over each other's lock files too.
        work_src = workdir / "input" / src.name
        work_src.parent.mkdir()
        shutil.copyfile(src, work_src)
        job = {
            "soffice": soffice,
            "workdir": str(workdir),
            "pipe": pipe,
            "src": str(work_src),
            "edits": job_edits,
            "recalc": bool(recalc),
            "read": [[str(sheet), str(cell)] for sheet, cell in read],
            "save_xlsx": str(Path(save_xlsx).resolve()) if save_xlsx is not None else None,
            "save_pdf": str(Path(save_pdf).resolve()) if save_pdf is not None else None,
            "connect_timeout": timeout + 5,  # a safety net only: the overall timeout below governs
        }
        job_file = workdir / "job.json"
        job_file.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.Popen(
            [_uno_python(), str(JOB_SCRIPT), str(job_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_child_env(),
            start_new_session=True,
        )
        try:
            stdout_b, stderr_b = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            _kill_soffice(workdir)
            stdout_b, stderr_b = proc.communicate()
            raise LibreOfficeError(
                f"LibreOffice job on {src.name} timed out after {timeout:g} s and was killed\n"
                + _diagnostics(workdir, stderr_b.decode("utf-8", "replace"))
            ) from None
        except BaseException:  # KeyboardInterrupt, pytest-timeout, ...: leave nothing running
            _kill_group(proc.pid)
            _kill_soffice(workdir)
            raise
        stdout = stdout_b.decode("utf-8", "replace")
        stderr = stderr_b.decode("utf-8", "replace")
        result = _parse_result(stdout)
        if proc.returncode != 0 or result is None or not result.get("ok"):
            _kill_soffice(workdir)  # the job normally cleans up; make sure
            reason = (result or {}).get("error") or f"job exited with status {proc.returncode} and no result"
            detail = (result or {}).get("traceback", "")
            raise LibreOfficeError(
                f"LibreOffice job on {src.name} failed: {reason}\n"
                + (f"--- job traceback ---\n{_tail(detail)}\n" if detail else "")
                + (f"--- job stdout ---\n{_tail(stdout)}\n" if result is None and stdout.strip() else "")
                + _diagnostics(workdir, stderr)
            )
        result.pop("ok", None)
        result["seconds"] = round(time.monotonic() - started, 3)
        return result
    finally:
        _remove_ipc_sockets(workdir, pipe)
        shutil.rmtree(workdir, ignore_errors=True)


def _parse_result(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError:
                return None
            return parsed if isinstance(parsed, dict) else None
    return None


def _kill_soffice(workdir: Path) -> None:
    """Kill the soffice process group a job recorded (used when the job itself died or hung)."""
    try:
        pgid = int((workdir / "soffice.pgid").read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return
    _kill_group(pgid)


def _remove_ipc_sockets(workdir: Path, pipe: str) -> None:
    """Remove the socket files a killed soffice leaves in /tmp (osl hard-codes that directory).

    They are ``/tmp/OSL_PIPE_<uid>_<accept pipe>`` and ``/tmp/OSL_PIPE_<uid>_SingleOfficeIPC_<hash>`` where the hash
    is LibreOffice's MD5 of the UTF-16 profile URL, printed as hex without zero padding. A soffice that exits
    normally removes both itself; by the time this runs the job's soffice group is gone either way.
    """
    profile_url = (workdir / "profile").as_uri()
    digest = hashlib.md5(profile_url.encode("utf-16-le"), usedforsecurity=False).digest()
    ipc_hash = "".join(format(byte, "x") for byte in digest)
    uid = os.getuid()
    for name in (f"OSL_PIPE_{uid}_{pipe}", f"OSL_PIPE_{uid}_SingleOfficeIPC_{ipc_hash}"):
        path = Path("/tmp") / name
        if path.is_socket():
            path.unlink(missing_ok=True)


def _diagnostics(workdir: Path, job_stderr: str) -> str:
    parts = []
    log = _read_tail(workdir / "soffice.log")
    parts.append(f"--- soffice output (tail) ---\n{log or '(empty)'}")
    if job_stderr.strip():
        parts.append(f"--- job stderr (tail) ---\n{_tail(job_stderr)}")
    return "\n".join(parts)


def recalculated_values(src: Path, read: Sequence[tuple[str, str]]) -> dict[str, float | str | None]:
    """Values of ``read`` cells after LibreOffice recalculates everything (``calculateAll``)."""
    return run_job(src, recalc=True, read=read)["values"]


def carried_values(src: Path, read: Sequence[tuple[str, str]]) -> dict[str, float | str | None]:
    """Values of ``read`` cells as the file carries them (cached results; no recalculation on opening)."""
    return run_job(src, recalc=False, read=read)["values"]
