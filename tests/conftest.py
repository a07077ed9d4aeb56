from __future__ import annotations

from pathlib import Path

import pytest

from xlplan import planfile
from xlplan.model import Plan
from xlplan.writer import FIXED_CREATED, write_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PLAN = ROOT / "examples" / "maehoi.plan.yaml"


@pytest.fixture(scope="session")
def example_plan() -> Plan:
    return planfile.load(EXAMPLE_PLAN)


@pytest.fixture(scope="session")
def example_xlsx(tmp_path_factory: pytest.TempPathFactory, example_plan: Plan) -> Path:
    """The example workbook, freshly generated (never the committed copy, which tests compare against)."""
    out = tmp_path_factory.mktemp("example") / "maehoi.xlsx"
    return write_workbook(example_plan, out, created=FIXED_CREATED)


def pytest_configure(config: pytest.Config) -> None:
    """CI sets XLPLAN_REQUIRE_LIBREOFFICE=1: then a missing LibreOffice fails the run instead of skipping tests."""
    import os

    from libreoffice import available

    if os.environ.get("XLPLAN_REQUIRE_LIBREOFFICE") == "1" and not available():
        raise pytest.UsageError("XLPLAN_REQUIRE_LIBREOFFICE=1 but soffice or /usr/bin/python3 with uno is missing")
