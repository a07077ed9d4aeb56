"""Reference pages generated from the code: the rule catalogue (docs/rules.md).

python -m xlplan.docs            # rewrite docs/rules.md
python -m xlplan.docs --check    # exit 1 when it is stale (a test runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from xlplan.rules import CATEGORIES, RULES

SEVERITY_TH = {"error": "ข้อผิดพลาด", "warning": "คำเตือน", "info": "ข้อมูล"}


def rules_markdown() -> str:
    lines = [
        "# Rules of `xlplan check` (กฎการตรวจแฟ้มแผน)",
        "",
        "Generated from `xlplan/rules.py` by `python -m xlplan.docs`; do not edit by hand.",
        "Each finding carries its rule code, severity, sheet, cell and column; messages are in Thai and English.",
        "Severity: **error** fails the check (exit 1), **warning** passes unless `--strict`, **info** reports a",
        "normalisation or a harmless fact. Select or ignore rules with `--select` / `--ignore` (codes or prefixes).",
        "",
    ]
    for cat, (th, en) in CATEGORIES.items():
        rules = [r for r in RULES.values() if r.category == cat]
        if not rules:
            continue
        lines += [
            f"## {en} ({th})",
            "",
            "| code | severity | rule | message (Thai / English) | how to fix |",
            "|---|---|---|---|---|",
        ]
        for r in rules:

            def cell(text: str) -> str:
                return text.replace("|", "\\|").replace("\n", " ")

            lines.append(
                f"| `{r.code}` | {r.severity.value} ({SEVERITY_TH[r.severity.value]}) | {cell(r.title_en)} / "
                f"{cell(r.title_th)} | {cell(r.message_th)}<br>{cell(r.message_en)} | {cell(r.hint_th)}<br>"
                f"{cell(r.hint_en)} |"
            )
        lines.append("")
    return "\n".join(lines)


TABLES = {
    "overview": "One row per province and district: organisations expected (with a roster), received, valid "
    "(verdict ok or warnings), with errors; items per dimension; budget per year and per dimension.",
    "orgs": "One row per organisation: the file used for it, its verdict and counts. Organisations on the roster "
    "without a readable plan: status sent_unreadable when an unreadable file names them (a roster code or, the "
    "longest, a roster name in the file name; the file in file_id/path), else not_submitted.",
    "items": "One row per item (project/activity/measure) of every used plan, with its budget for each year.",
    "risks": "One row per risk of every used plan, with its score and level.",
    "coverage": "One row per organisation, one column per framework indicator: the number of items naming it.",
    "progress": "One row per organisation and year: measurable indicators, rounds reported, done at 12 months, "
    "implementation rate (done / indicators), spending reported at 12 months, budget.",
    "findings": "One row per finding of every file (the findings of xlplan check).",
    "ledger": "One row per file found: path, size, SHA-256, organisation, verdict, whether it was used, and why "
    "not (superseded, unreadable, skipped, failed).",
}


def data_files_markdown() -> str:
    from xlplan.consolidate import schema
    from xlplan.model import DEFAULT_YEARS
    from xlplan.summary import SHEET, _label

    lines = [
        "# Data files of `xlplan consolidate --data-dir` (แฟ้มข้อมูลผลการรวม)",
        "",
        "Generated from `xlplan/consolidate.py` by `python -m xlplan.docs`; do not edit by hand.",
        "Each table is written as `NAME.parquet` and `NAME.csv` (UTF-8 with BOM, so Excel opens Thai correctly;",
        "text is quoted, and text starting with = + - @ (or a tab or carriage return) is prefixed with an",
        "apostrophe; yes/no columns read true/false, empty cells are empty; Parquet keeps every value as it is).",
        "Columns come in this order and keep these names; the year columns follow the plan years (here",
        "2566-2570). The summary workbook holds the same tables, with Thai headers.",
        "",
    ]
    for name, cols in schema(DEFAULT_YEARS).items():
        lines += [f"## `{name}` (sheet {SHEET[name]})", "", TABLES[name], "", "| column | Thai header |", "|---|---|"]
        lines += [f"| `{c}` | {_label('kind_item' if name == 'items' and c == 'kind' else c)} |" for c in cols]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent / "docs"
    pages = {root / "rules.md": rules_markdown(), root / "data-files.md": data_files_markdown()}
    if "--check" in argv:
        stale = [p for p, text in pages.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"stale: {p} (run: python -m xlplan.docs)")
        return 1 if stale else 0
    for path, text in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
