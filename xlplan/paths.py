"""Writing outputs safely: never over an input, never half a file. Light on imports (the CLI starts fast)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from xlplan.errors import UsageError


def shown(path: str | os.PathLike[str]) -> str:
    """A path as people can read it, in reports, messages and tables. A name that is not UTF-8 (Python keeps its
    bytes as lone surrogates, which no UTF-8 file, JSON or Arrow table can hold) is decoded a folder at a time:
    as Thai Windows' encoding (TIS-620/cp874: Thai names from a zip made on Windows), else with U+FFFD for what
    is not text. A name that is UTF-8 is given back as it is."""
    text = os.fspath(path)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    parts = []
    for raw in os.fsencode(text).split(b"/"):
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                parts.append(raw.decode("cp874"))
            except UnicodeDecodeError:
                parts.append(raw.decode("utf-8", "replace"))
    return "/".join(parts)


class Inputs:
    """The files a command reads, known by device and inode: each looked at once (a stat), however many outputs
    are checked against them (``check --annotate`` writes one copy per input)."""

    def __init__(self, paths: Iterable[str | Path]) -> None:
        self._paths = list(paths)
        self._keys: frozenset[tuple[int, int]] | None = None

    def identities(self) -> frozenset[tuple[int, int]]:
        if self._keys is None:
            keys = set()
            for p in self._paths:
                try:
                    st = os.stat(p)
                except (OSError, ValueError):
                    continue  # not there (reported elsewhere): nothing to overwrite
                keys.add((st.st_dev, st.st_ino))
            self._keys = frozenset(keys)
        return self._keys


def refuse_overwrite_input(out: str | Path, inputs: Inputs | Iterable[str | Path]) -> None:
    """Outputs never replace an input file: not by its own path, nor by another spelling of it (a/../plan.xlsx,
    another case on a case-insensitive disk), a link to it, or a hard link (refused too, to be safe).

    The output is compared by device and inode: a path where nothing is yet cannot be an input (every input is
    there), and a file that is there is one of the inputs exactly when it is the same file. Resolving every input
    path instead took ~0.8 s for the country's 8,084 files, and a time per input for every annotated copy.
    """
    out = Path(out)
    try:
        st = out.stat()
    except (OSError, ValueError):
        return
    if not isinstance(inputs, Inputs):
        inputs = Inputs(inputs)
    if (st.st_dev, st.st_ino) in inputs.identities():
        raise UsageError(f"{out}: ไฟล์ผลลัพธ์ต้องไม่ใช่ไฟล์ต้นฉบับ / the output path is one of the inputs; choose another name")


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it (os.umask can only be read by setting it,
    which for an instant would change it for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _staging_file(path: Path) -> tuple[int, str]:
    """A temporary file beside ``path``, to be renamed into place once written: (descriptor, name). It gets the
    permissions ``path`` should have: those of the file it replaces, else a new file's (0666 less the umask).
    mkstemp's own are 0600: colleagues sharing the folder could not open a summary or a checked copy."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    if hasattr(os, "fchmod"):  # POSIX (on Windows the bits mean nothing here)
        try:
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
            os.fchmod(fd, mode)
        except OSError:
            pass  # mkstemp's: readable by its owner
    return fd, tmp


class StagedFiles:
    """Files written under temporary names beside where they go, renamed into place together when all are complete.

    Nobody sees half a file; if anything fails before the end, none of them replaces what was there, and their
    temporary files are removed. ``open`` may be called from several threads.
    """

    def __init__(self) -> None:
        self._files = contextlib.ExitStack()
        self._renames: list[tuple[Path, Path]] = []  # temporary file -> its final name
        self._lock = threading.Lock()

    def open(self, path: str | Path) -> IO[bytes]:
        """A file for ``path`` to write into (closed by the :class:`StagedFiles`)."""
        path = Path(path)
        if path.is_char_device():  # /dev/null, a terminal: nothing to rename into place
            return self._files.enter_context(path.open("wb"))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _staging_file(path)
        with self._lock:
            self._renames.append((Path(tmp), path))
            return self._files.enter_context(os.fdopen(fd, "wb"))

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        try:
            self._files.close()
            if kind is None:
                for tmp, path in self._renames:
                    os.replace(tmp, path)
        finally:
            for tmp, _path in self._renames:
                tmp.unlink(missing_ok=True)  # after an error: the files not renamed


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write a file so that nobody ever sees half of it: a temporary file in the same folder, then a rename."""
    with StagedFiles() as files:
        files.open(path).write(data)
    return Path(path)
