"""The ``xlplan`` command: options in, one library call, messages and exit codes out. Nothing else lives here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from xlplan import __version__
from xlplan.errors import XlplanError
from xlplan.model import DEFAULT_YEARS, Org

app = typer.Typer(
    name="xlplan",
    help=(
        "แผนปฏิบัติการป้องกันการทุจริตของ อปท. ในแฟ้ม Excel: สร้าง ตรวจ และรวมผล\n\n"
        "Thai LAO anti-corruption action plans (B.E. 2566-2570) kept in Excel/LibreOffice workbooks: "
        "generate the workbooks staff fill in, check filled ones, consolidate many."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"xlplan: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xlplan {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """xlplan."""


def _years(text: str) -> tuple[int, ...]:
    from xlplan.planfile import parse_years
    from xlplan.thai import arabic_digits

    try:
        return parse_years(arabic_digits(text))
    except ValueError:
        _fail(f"--years ต้องเป็นช่วงปี พ.ศ. เช่น 2566-2570 / --years must be a B.E. range like 2566-2570, got {text!r}")


@app.command("new")
def new(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="The workbook to write (.xlsx).")] = None,
    from_: Annotated[
        Path | None, typer.Option("--from", help="A plan file (YAML or JSON): write the filled workbook.")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation name, e.g. องค์การบริหารส่วนตำบลแม่ฮ้อย.")] = None,
    code: Annotated[str | None, typer.Option("--code", help="Government code of the organisation (รหัส อปท.).")] = None,
    subdistrict: Annotated[str | None, typer.Option("--subdistrict", help="Sub-district (ตำบล).")] = None,
    district: Annotated[str | None, typer.Option("--district", help="District (อำเภอ).")] = None,
    province: Annotated[str | None, typer.Option("--province", help="Province (จังหวัด).")] = None,
    org_type: Annotated[
        str | None, typer.Option("--type", help="Organisation type (อบต., เทศบาลตำบล, ...); guessed from the name.")
    ] = None,
    years: Annotated[str, typer.Option("--years", help="Plan years, Buddhist era.")] = "2566-2570",
    orgs: Annotated[
        Path | None,
        typer.Option(
            "--orgs",
            help="CSV list of organisations (code,name,subdistrict,district,province): one pre-filled workbook each.",
        ),
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="Folder for the --orgs workbooks.")] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", help="Parallel processes for --orgs (default: all cores).")
    ] = None,
) -> None:
    """Write the workbook LAO staff fill in (สร้างแฟ้มแผนสำหรับกรอก).

    \b
    Three ways:
      xlplan new --from examples/maehoi.plan.yaml -o plan.xlsx       the filled workbook of a plan file
      xlplan new -o plan.xlsx --org NAME --code CODE --subdistrict S --district D --province P
                                                                   an empty workbook for one organisation
      xlplan new --orgs ORGS.csv --out-dir DIR                     one pre-filled workbook per organisation
    """
    from xlplan import new as lib
    from xlplan.orgs import guess_type

    try:
        if orgs is not None:
            if out_dir is None:
                _fail("--orgs ต้องใช้คู่กับ --out-dir / --orgs needs --out-dir")
            result = lib.new_from_orgs(orgs, out_dir, _years(years), jobs=jobs)
            for bad in result.bad_rows:
                typer.echo(f"{orgs}: {bad}", err=True)
            typer.echo(
                f"เขียน {len(result.written)} แฟ้มใน {out_dir} / wrote {len(result.written)} workbooks to {out_dir}"
            )
            if not result.ok:
                _fail(
                    f"{len(result.bad_rows)} แถวในรายชื่อมีปัญหา (ดูด้านบน) / {len(result.bad_rows)} bad rows "
                    "in the list (see above)",
                    code=1,
                )
            return
        if out is None:
            _fail("ต้องระบุ -o ไฟล์ผลลัพธ์.xlsx / -o OUT.xlsx is required")
        if out.suffix.lower() != ".xlsx":
            _fail(f"{out}: ไฟล์ผลลัพธ์ต้องเป็น .xlsx / the output must be an .xlsx file")
        if from_ is not None:
            path = lib.new_from_plan(from_, out)
        else:
            given = {
                "--org": org,
                "--code": code,
                "--subdistrict": subdistrict,
                "--district": district,
                "--province": province,
            }
            missing = [k for k, v in given.items() if not v]
            if missing:
                _fail(f"ต้องระบุ --from หรือ {' '.join(missing)} / give --from PLAN, or {' '.join(missing)}")
            assert org is not None
            org_full = Org(
                name=org,
                type=org_type or guess_type(org),
                code=code or "",
                subdistrict=subdistrict or "",
                district=district or "",
                province=province or "",
            )
            path = lib.new_blank(org_full, out, _years(years) if years else DEFAULT_YEARS)
        typer.echo(f"เขียนแฟ้ม {path} แล้ว / wrote {path}")
    except XlplanError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror}")


def _codes(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [c.strip().upper() for c in v.split(",") if c.strip()]
    return out


@app.command("check")
def check_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks and folders (searched recursively).")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lang: Annotated[str, typer.Option("--lang", help="th (Thai) or en (English).")] = "th",
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            help="Write a copy of the workbook with the problems marked (one file: OUT.xlsx; several: a folder).",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings also fail (exit 1).")] = False,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these rule codes or prefixes (e.g. V,X402).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Leave out these rule codes or prefixes.")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report to a file.")] = None,
) -> None:
    """Check filled workbooks and report every problem with its sheet and cell (ตรวจแฟ้มแผน).

    \b
    Exit code: 0 no error (warnings allowed, unless --strict), 1 errors found,
    2 a file could not be read or the command was misused.
    \b
    Examples:
      xlplan check plan.xlsx
      xlplan check submissions/ --format json -o report.json
      xlplan check plan.xlsx --annotate plan-checked.xlsx
      xlplan check plan.xlsx --lang en --ignore P703
    """
    from xlplan import check as lib
    from xlplan.paths import Inputs, refuse_overwrite_input
    from xlplan.report import render_json, render_text

    if fmt not in ("text", "json"):
        _fail("--format ต้องเป็น text หรือ json / --format must be text or json")
    if lang not in ("th", "en"):
        _fail("--lang ต้องเป็น th หรือ en / --lang must be th or en")
    files = list(lib.expand(paths))
    missing = [p for p in paths if not p.exists()]
    if not files and not missing:
        _fail("ไม่พบไฟล์แผนในที่ระบุ / no plan files found in the given paths")
    try:
        inputs = Inputs(files)
        if output is not None:
            refuse_overwrite_input(output, inputs)
        if annotate is not None and len(files) == 1:
            refuse_overwrite_input(annotate, inputs)
        reports = [lib.check(f).select(_codes(select), _codes(ignore)) for f in files]
        if annotate is not None:
            from xlplan.annotate import annotate as write_annotated

            for f, rep in zip(files, reports, strict=True):
                target = annotate if len(files) == 1 else annotate / f"{f.stem}.checked.xlsx"
                refuse_overwrite_input(target, inputs)
                write_annotated(f, rep, target, lang=lang)
        text = (
            render_json(reports, lang)
            if fmt == "json"
            else render_text(reports, lang, color=output is None and sys.stdout.isatty())
        )
        if output is not None:
            from xlplan.paths import write_atomic

            write_atomic(output, text.encode("utf-8"))
        else:
            typer.echo(text.rstrip("\n"))
    except XlplanError as exc:
        _fail(str(exc))
    if any(r.verdict == "unreadable" for r in reports):
        raise typer.Exit(2)
    if any(r.verdict == "errors" for r in reports) or (strict and any(r.verdict == "warnings" for r in reports)):
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    path: Annotated[Path, typer.Argument(help="A filled workbook.")],
    fmt: Annotated[str, typer.Option("--format", help="json or csv (one row per item).")] = "json",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Output file (default: standard output).")] = None,
) -> None:
    """Export the plan in a workbook as JSON or CSV, for other systems (ส่งออกข้อมูลแผน)."""
    from xlplan import check as lib
    from xlplan import export as ex
    from xlplan.paths import refuse_overwrite_input, write_atomic

    if fmt not in ("json", "csv"):
        _fail("--format ต้องเป็น json หรือ csv / --format must be json or csv")
    try:
        if out is not None:
            refuse_overwrite_input(out, [path])
        rep = lib.check(path)
        if rep.plan is None:
            for f in rep.findings:
                typer.echo(f"{path}: [{f.code}] {f.message('th')} / {f.message('en')}", err=True)
            _fail(f"{path}: อ่านแผนไม่ได้ / the plan could not be read")
        if rep.verdict == "errors":
            typer.echo(
                f"{path}: คำเตือน แผนมีข้อผิดพลาด {rep.counts()['error']} รายการ (xlplan check) / warning: "
                f"the plan has {rep.counts()['error']} errors (see xlplan check)",
                err=True,
            )
        text = ex.to_json(rep.plan) if fmt == "json" else ex.to_csv(rep.plan)
        if out is None:
            typer.echo(text.rstrip("\n"))
        else:
            write_atomic(out, text.encode("utf-8-sig" if fmt == "csv" else "utf-8"))
            typer.echo(f"เขียน {out} แล้ว / wrote {out}", err=True)
    except XlplanError as exc:
        _fail(str(exc))


@app.command("consolidate")
def consolidate_cmd(
    inputs: Annotated[list[Path], typer.Argument(help="Plan files and folders (searched recursively).")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The summary workbook to write (.xlsx).")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Also write every table as Parquet and CSV into this folder.")
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="CSV of the organisations expected (code,name,subdistrict,district,province)."),
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", help="Parallel reading processes (default: all cores).")] = None,
    title: Annotated[str, typer.Option("--title", help="Title of the summary workbook.")] = "",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Consolidate many plan files into one checked summary (รวมแผนหลายไฟล์เป็นสรุปเดียว).

    \b
    Every file found is listed in the ledger (used, superseded duplicate, unreadable, skipped, failed);
    each organisation (government code) is counted once: the newest plan revision wins, then the newest file.
    \b
    Examples:
      xlplan consolidate inbox/ -o district-summary.xlsx --roster orgs.csv
      xlplan consolidate province/ -o summary.xlsx --data-dir data/ --jobs 2
    """
    from xlplan import consolidate as lib
    from xlplan.paths import refuse_overwrite_input

    if out.suffix.lower() != ".xlsx":
        _fail(f"{out}: ไฟล์สรุปต้องเป็น .xlsx / the summary must be an .xlsx file")
    missing = [p for p in inputs if not p.exists()]
    if missing:
        _fail(f"{missing[0]}: ไม่พบไฟล์หรือโฟลเดอร์ / no such file or folder")
    try:
        from xlplan.check import expand

        files = list(expand(inputs, suffixes=None))
        refuse_overwrite_input(out, files)
        if roster is not None:
            refuse_overwrite_input(out, [roster])
        bar = None
        if not quiet and files:
            bar = typer.progressbar(length=len(files), label="อ่านไฟล์ / reading", file=sys.stderr)
            bar.__enter__()
        last = [0]

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(done - last[0])
                last[0] = done

        try:
            # the files found above (a second walk of the folders took ~0.1 s for the country)
            result = lib.consolidate(files, roster=roster, jobs=jobs, progress=progress, exclude=[out])
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        try:  # the summary and the data files, made at the same time and put in place when all are complete
            lib.write_outputs(result, out, data_dir, title)
        except OSError as exc:  # a folder not writable, a full disk: none of the outputs is replaced
            _fail(f"{exc.filename or out}: เขียนไม่ได้ / cannot write: {exc.strerror or exc}")
    except XlplanError as exc:
        _fail(str(exc))
    led = result.ledger
    counts = led["status"].value_counts().to_dict()
    typer.echo(
        f"ไฟล์ {len(led)}: ใช้ {counts.get('used', 0)}, ซ้ำ {counts.get('superseded', 0)}, "
        f"อ่านไม่ได้ {counts.get('unreadable', 0) + counts.get('failed', 0)}, ข้าม {counts.get('skipped', 0)} / "
        f"{len(led)} files: {counts.get('used', 0)} used, {counts.get('superseded', 0)} superseded, "
        f"{counts.get('unreadable', 0) + counts.get('failed', 0)} unreadable, {counts.get('skipped', 0)} skipped "
        f"({result.seconds:.1f} s)"
    )
    not_sub = int((result.orgs["status"] == "not_submitted").sum())
    if not_sub:
        typer.echo(f"ยังไม่ส่ง {not_sub} อปท. / {not_sub} organisations have not submitted")
    resend = int((result.orgs["status"] == "sent_unreadable").sum())
    if resend:
        typer.echo(
            f"ส่งไฟล์ที่อ่านไม่ได้ {resend} อปท. (ต้องส่งใหม่) / {resend} organisations sent only unreadable files (to resend)"
        )
    typer.echo(f"เขียน {out} แล้ว / wrote {out}")


def run() -> None:
    """Console entry point: a bug shows as one clear line (XLPLAN_DEBUG=1 shows the traceback)."""
    import os

    try:
        app(standalone_mode=True)
    except KeyboardInterrupt:
        typer.echo("xlplan: หยุดแล้ว / interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if os.environ.get("XLPLAN_DEBUG"):
            raise
        typer.echo(
            f"xlplan: ข้อผิดพลาดภายในโปรแกรม / internal error: {type(exc).__name__}: {exc}\n"
            "โปรดแจ้งผู้ดูแลระบบพร้อมไฟล์ที่ใช้ / please report it with the files used (XLPLAN_DEBUG=1 shows details)",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":
    run()
