#!/usr/bin/env bash
# Install xlplan in .venv and run the main job on the bundled example data; results go to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q .
X=.venv/bin/xlplan
mkdir -p out

echo "== xlplan new: the example plan's workbook, an empty one, one per organisation of a list"
$X new --from examples/maehoi.plan.yaml -o out/maehoi.xlsx
$X new -o out/blank.xlsx --org "องค์การบริหารส่วนตำบลตัวอย่าง" --code 6501999 \
    --subdistrict ตัวอย่าง --district ดอยสะเก็ด --province เชียงใหม่
$X new --orgs examples/orgs.csv --out-dir out/new-district

echo "== xlplan check: the clean example (no problem) and the seed plan as it was really written"
$X check out/maehoi.xlsx
rc=0
$X check examples/maehoi-as-written.xlsx --annotate out/maehoi-as-written-checked.xlsx \
    -o out/maehoi-as-written-report.txt || rc=$?
echo "as written: exit code $rc (1 = errors found, as expected); report in out/maehoi-as-written-report.txt,"
echo "marked-up copy in out/maehoi-as-written-checked.xlsx"
$X export out/maehoi.xlsx --format json -o out/maehoi.json

echo "== xlplan consolidate: a district's files (faults, a broken file, one sent twice) into one summary"
$X consolidate examples/district -o out/district-summary.xlsx --roster examples/district-roster.csv \
    --data-dir out/district-data
echo "done: see out/"
