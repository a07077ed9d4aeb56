#!/usr/bin/env bash
# Install everything the tests need, then run the whole test suite.
#   - system packages: LibreOffice Calc (the referee), python3-uno, Thai fonts, poppler (PDF text)
#   - a virtual environment .venv with xlplan and its test extras
# Needs root or sudo for the system packages the first time; later runs skip what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=0
command -v soffice >/dev/null 2>&1 || need_apt=1
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need_apt=1
command -v pdftotext >/dev/null 2>&1 || need_apt=1
fc-list 2>/dev/null | grep -qi laksaman || need_apt=1
if [ "$need_apt" = 1 ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends \
        libreoffice-calc-nogui python3-uno fonts-thai-tlwg poppler-utils >/dev/null
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

export XLPLAN_REQUIRE_LIBREOFFICE=1
export XLPLAN_REQUIRE_ACCEL=1  # the compiled reader (xlplan._xlscan) must have built: tests fail, not skip, without it
.venv/bin/ruff check xlplan tests scripts benchmarks
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$rc"
