"""Writing outputs safely: never over an input, never half a file. Light on imports (the CLI starts fast)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from xlplan.errors import UsageError


def refuse_overwrite_input(out: str | Path, inputs: Iterable[str | Path]) -> None:
    """Outputs never replace an input file (also through another spelling of its path or a link)."""
    out = Path(out)
    o = out.resolve()
    for p in inputs:
        p = Path(p)
        if p.exists() and (p.resolve() == o or (out.exists() and os.path.samefile(p, out))):
            raise UsageError(
                f"{out}: ไฟล์ผลลัพธ์ต้องไม่ใช่ไฟล์ต้นฉบับ / the output path is one of the inputs; choose another name"
            )


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write a file so that nobody ever sees half of it: a temporary file in the same folder, then a rename."""
    path = Path(path)
    if path.is_char_device():  # /dev/null, a terminal: nothing to rename into place
        with path.open("wb") as f:
            f.write(data)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
