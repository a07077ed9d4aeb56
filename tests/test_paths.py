"""Outputs never replace an input: by its path, another spelling of it, or a link to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xlplan.errors import UsageError
from xlplan.paths import Inputs, refuse_overwrite_input


def test_an_output_is_refused_when_it_is_an_input_however_it_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    plan = folder / "plan.xlsx"
    plan.write_bytes(b"PK")
    other = folder / "other.xlsx"
    other.write_bytes(b"PK")
    (tmp_path / "link.xlsx").symlink_to(plan)
    os.link(plan, tmp_path / "hard.xlsx")
    inputs = Inputs([plan, other, tmp_path / "missing.xlsx"])
    for out in (plan, folder / ".." / "inbox" / "plan.xlsx", tmp_path / "link.xlsx", tmp_path / "hard.xlsx"):
        with pytest.raises(UsageError, match="the output path is one of the inputs"):
            refuse_overwrite_input(out, inputs)
        with pytest.raises(UsageError):
            refuse_overwrite_input(out, [plan])  # a plain list of paths, too
    for out in (tmp_path / "summary.xlsx", folder / "new" / "x.xlsx"):  # nothing there yet
        refuse_overwrite_input(out, inputs)
    (tmp_path / "summary.xlsx").write_bytes(b"old summary")  # there, but not an input
    refuse_overwrite_input(tmp_path / "summary.xlsx", inputs)
    assert inputs.identities() == {(plan.stat().st_dev, plan.stat().st_ino), (other.stat().st_dev, other.stat().st_ino)}
