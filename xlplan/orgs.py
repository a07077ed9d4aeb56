"""Organisation lists (ORGS.csv): one LAO per row, as provincial offices keep them.

Header ``code,name,subdistrict,district,province`` (optional ``type``), or the same in Thai. Files saved by
Excel on Thai Windows are often TIS-620/cp874 rather than UTF-8: both are read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from xlplan.errors import XlplanError
from xlplan.framework import load as load_framework
from xlplan.model import Org
from xlplan.thai import arabic_digits

HEADERS = {
    "code": ("code", "รหัส", "รหัส อปท.", "รหัสอปท", "รหัส อปท", "รหัสองค์กร"),
    "name": ("name", "ชื่อ", "ชื่อ อปท.", "ชื่อ อปท", "ชื่อองค์กร", "ชื่อองค์กรปกครองส่วนท้องถิ่น"),
    "subdistrict": ("subdistrict", "ตำบล"),
    "district": ("district", "อำเภอ"),
    "province": ("province", "จังหวัด"),
    "type": ("type", "ประเภท", "ประเภท อปท."),
}
REQUIRED = ("code", "name", "subdistrict", "district", "province")
_CODE = re.compile(r"^[0-9]{4,10}$")


class OrgListError(XlplanError, ValueError):
    """The list as a whole cannot be read (no file, no header, wrong encoding)."""


@dataclass(frozen=True)
class OrgRow:
    line: int
    org: Org


@dataclass(frozen=True)
class BadRow:
    line: int
    message_th: str
    message_en: str

    def __str__(self) -> str:
        return f"บรรทัด {self.line}: {self.message_th} / line {self.line}: {self.message_en}"


def _decode(data: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "cp874"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise OrgListError(f"{path}: อ่านตัวอักษรไม่ได้ (ไม่ใช่ UTF-8 หรือ TIS-620) / not UTF-8 or TIS-620 text")


def _norm_header(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().lower()


def guess_type(name: str) -> str:
    """The organisation type from its name: องค์การบริหารส่วนตำบลแม่ฮ้อย -> องค์การบริหารส่วนตำบล."""
    return _guess_type(name, _type_prefixes())


def _type_prefixes() -> list[tuple[str, str]]:
    """(full name, abbreviation) of each type, the longest full names first."""
    return [
        (str(t["th"]), str(t["short"])) for t in sorted(load_framework().raw["org_types"], key=lambda t: -len(t["th"]))
    ]


def _guess_type(name: str, prefixes: list[tuple[str, str]]) -> str:
    for full, short in prefixes:
        if name.startswith(full) or name.startswith(short):
            return full
    return ""


def read_orgs(path: str | Path) -> tuple[list[OrgRow], list[BadRow]]:
    """Good rows and bad rows (each naming its line in the file); raises OrgListError if nothing is readable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OrgListError(f"{path}: เปิดไฟล์ไม่ได้ / cannot open: {exc.strerror}") from None
    text = _decode(data, path)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise OrgListError(f"{path}: ไฟล์ว่าง / the file is empty")
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        nh = _norm_header(h)
        for key, names in HEADERS.items():
            if nh in {_norm_header(n) for n in names}:
                index.setdefault(key, i)
    missing = [k for k in REQUIRED if k not in index]
    if missing:
        raise OrgListError(
            f"{path}: บรรทัดหัวตารางต้องมีคอลัมน์ {', '.join(missing)} "
            f"(code,name,subdistrict,district,province หรือ รหัส,ชื่อ,ตำบล,อำเภอ,จังหวัด) / "
            f"the header row lacks {', '.join(missing)}"
        )
    good: list[OrgRow] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    # the framework's types looked at once for the list (a national roster has ~7,850 rows: per row, this took
    # most of the ~0.35 s reading it)
    fw = load_framework()
    prefixes = _type_prefixes()
    full_types: dict[str, str | None] = {}
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {k: (row[i].strip() if i < len(row) else "") for k, i in index.items()}
        empty = [k for k in REQUIRED if not values.get(k)]
        if empty:
            bad.append(BadRow(line_no, f"ไม่มีข้อมูล {', '.join(empty)}", f"missing {', '.join(empty)}"))
            continue
        code = arabic_digits(values["code"]).replace(" ", "")
        if not _CODE.match(code):
            bad.append(
                BadRow(
                    line_no,
                    f"รหัส อปท. '{values['code']}' ต้องเป็นตัวเลข",
                    f"government code {values['code']!r} must be digits",
                )
            )
            continue
        if code in seen:
            bad.append(BadRow(line_no, f"รหัส {code} ซ้ำกับบรรทัด {seen[code]}", f"code {code} repeats line {seen[code]}"))
            continue
        seen[code] = line_no
        org_type = values.get("type") or _guess_type(values["name"], prefixes)
        if org_type not in full_types:
            full_types[org_type] = fw.org_type_full(org_type) if org_type else None
        full = full_types[org_type]
        good.append(
            OrgRow(
                line_no,
                Org(
                    name=values["name"],
                    type=full or org_type,
                    code=code,
                    subdistrict=values["subdistrict"],
                    district=values["district"],
                    province=values["province"],
                ),
            )
        )
    return good, bad
