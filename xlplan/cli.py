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


def run() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("xlplan: หยุดแล้ว / interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    run()
