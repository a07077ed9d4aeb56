"""The compiled accelerator switched off or on for a while, as XLPLAN_PURE does (read at every use)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def pure(on: bool) -> Iterator[None]:
    """XLPLAN_PURE=1 (everything in Python) when ``on``, else 0, then as it was."""
    old = os.environ.get("XLPLAN_PURE")
    os.environ["XLPLAN_PURE"] = "1" if on else "0"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("XLPLAN_PURE", None)
        else:
            os.environ["XLPLAN_PURE"] = old
