#!/usr/bin/env bash
# Install xlplan in .venv and run the main job on the bundled example data; results go to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q .
mkdir -p out
.venv/bin/xlplan new --from examples/maehoi.plan.yaml -o out/maehoi.xlsx
.venv/bin/xlplan new -o out/blank.xlsx --org "องค์การบริหารส่วนตำบลตัวอย่าง" --code 6501999 \
    --subdistrict ตัวอย่าง --district ดอยสะเก็ด --province เชียงใหม่
.venv/bin/xlplan new --orgs examples/orgs.csv --out-dir out/district
echo "done: see out/"
