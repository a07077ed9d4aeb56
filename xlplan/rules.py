"""The rule catalogue: every problem ``xlplan check`` can report, with a stable code, severity and texts.

Codes never change meaning once released. Messages are templates filled from a finding's ``params`` at the end
(never scattered f-strings), in Thai (what staff read) and English. Tests assert codes and cells, not wording.

Code ranges: F file, S structure, V values, N normalisation (info), X formulas, A arithmetic, C across sheets,
P the plan as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    category: str
    title_en: str
    title_th: str
    message_th: str
    message_en: str
    hint_th: str
    hint_en: str


RULES: dict[str, Rule] = {}

CATEGORIES = {
    "file": ("ไฟล์", "File"),
    "structure": ("โครงสร้าง", "Structure"),
    "value": ("ค่าที่กรอก", "Values"),
    "normalisation": ("การปรับรูปแบบ", "Normalisation"),
    "formula": ("สูตร", "Formulas"),
    "arithmetic": ("การคำนวณ", "Arithmetic"),
    "cross": ("ความสอดคล้องระหว่างแผ่นงาน", "Across sheets"),
    "plan": ("สาระของแผน", "The plan"),
}

_CATEGORY_BY_LETTER = {
    "F": "file",
    "S": "structure",
    "V": "value",
    "N": "normalisation",
    "X": "formula",
    "A": "arithmetic",
    "C": "cross",
    "P": "plan",
}


def _rule(code: str, severity: str, title_en: str, title_th: str, th: str, en: str, hint_th: str, hint_en: str) -> Rule:
    r = Rule(code, Severity(severity), _CATEGORY_BY_LETTER[code[0]], title_en, title_th, th, en, hint_th, hint_en)
    if code in RULES:
        raise ValueError(f"duplicate rule code {code}")
    RULES[code] = r
    return r


E, W, INF = "error", "warning", "info"

# ------------------------------------------------------------------------------------------------ file
_rule(
    "F101",
    E,
    "Empty file",
    "ไฟล์ว่าง",
    "ไฟล์ว่างเปล่า (0 ไบต์)",
    "The file is empty (0 bytes).",
    "ส่งไฟล์แผนที่บันทึกจาก Excel หรือ LibreOffice ใหม่อีกครั้ง",
    "Send the plan file again, saved from Excel or LibreOffice.",
)
_rule(
    "F102",
    E,
    "Not a workbook",
    "ไม่ใช่ไฟล์ Excel",
    "ไฟล์นี้ไม่ใช่สมุดงาน Excel (.xlsx) แต่เป็น {kind}",
    "This is not an Excel workbook (.xlsx) but {kind}.",
    "เปิดแผนใน Excel หรือ LibreOffice แล้วบันทึกเป็น .xlsx (สมุดงาน Excel)",
    "Open the plan in Excel or LibreOffice and save it as .xlsx (Excel workbook).",
)
_rule(
    "F103",
    E,
    "Old .xls format",
    "ไฟล์รูปแบบเก่า .xls",
    "ไฟล์เป็นรูปแบบ Excel 97-2003 (.xls) ซึ่งโปรแกรมอ่านไม่ได้",
    "The file is in the old Excel 97-2003 format (.xls).",
    "เปิดไฟล์แล้วเลือก บันทึกเป็น > สมุดงาน Excel (.xlsx)",
    "Open it and use Save As > Excel Workbook (.xlsx).",
)
_rule(
    "F104",
    E,
    "OpenDocument spreadsheet",
    "ไฟล์ .ods",
    "ไฟล์เป็นรูปแบบ OpenDocument (.ods)",
    "The file is an OpenDocument spreadsheet (.ods).",
    "ใน LibreOffice เลือก ไฟล์ > บันทึกเป็น > Excel 2007-365 (.xlsx)",
    "In LibreOffice use File > Save As > Excel 2007-365 (.xlsx).",
)
_rule(
    "F105",
    E,
    "Password protected",
    "ไฟล์ติดรหัสผ่าน",
    "ไฟล์ถูกเข้ารหัสด้วยรหัสผ่าน จึงเปิดอ่านไม่ได้",
    "The file is encrypted with a password and cannot be read.",
    "เอารหัสผ่านเปิดไฟล์ออก (ไฟล์ > ข้อมูล > ป้องกันสมุดงาน > เข้ารหัสด้วยรหัสผ่าน: ลบรหัส) แล้วส่งใหม่",
    "Remove the opening password (File > Info > Protect Workbook > Encrypt with Password: clear it) and resend.",
)
_rule(
    "F106",
    E,
    "Corrupted file",
    "ไฟล์เสียหาย",
    "ไฟล์เสียหายหรือไม่ครบ ({detail})",
    "The file is corrupted or truncated ({detail}).",
    "ขอไฟล์ใหม่จากต้นทาง (ไฟล์อาจส่งมาไม่ครบ)",
    "Ask for the file again (it may have been cut off in transfer).",
)
_rule(
    "F107",
    E,
    "Lock file",
    "ไฟล์ล็อกชั่วคราว",
    "นี่คือไฟล์ล็อกชั่วคราวของ Excel/LibreOffice ไม่ใช่แผน",
    "This is an Excel/LibreOffice lock file, not a plan.",
    "ไม่ต้องส่งไฟล์ที่ขึ้นต้นด้วย ~$ หรือ .~lock ให้ส่งไฟล์แผนจริง",
    "Do not send files starting with ~$ or .~lock; send the plan itself.",
)
_rule(
    "F108",
    W,
    "Macros present",
    "มีมาโคร",
    "ไฟล์มีมาโคร (VBA) ซึ่งโปรแกรมไม่เรียกใช้",
    "The file contains macros (VBA); they were not run.",
    "บันทึกเป็น .xlsx (ไม่มีมาโคร) ก่อนส่ง",
    "Save as .xlsx (without macros) before sending.",
)
_rule(
    "F109",
    E,
    "Unsafe XML",
    "XML ไม่ปลอดภัย",
    "ไฟล์มีการประกาศ XML entity ({part}) ซึ่งไม่มีในไฟล์ Excel ปกติ จึงไม่อ่านต่อ",
    "The file declares XML entities ({part}), which normal Excel files never do; it was not read further.",
    "เปิดและบันทึกไฟล์ใหม่ใน Excel หรือ LibreOffice หรือขอไฟล์ใหม่",
    "Re-save the file in Excel or LibreOffice.",
)
_rule(
    "F110",
    E,
    "Too large when unpacked",
    "ไฟล์ใหญ่ผิดปกติ",
    "ไฟล์ขยายออกแล้วใหญ่ผิดปกติ ({size}) จึงไม่อ่าน",
    "The file unpacks to an abnormal size ({size}); not read.",
    "ลบข้อมูลหรือรูปภาพที่ไม่เกี่ยวข้องออก แล้วบันทึกใหม่",
    "Remove unrelated data or pictures and save again.",
)
_rule(
    "F111",
    E,
    "Data far outside the plan",
    "มีข้อมูลไกลเกินพื้นที่แผน",
    "แผ่นงานมีข้อมูลหรือการจัดรูปแบบไกลถึง {extent} โปรแกรมอ่านเฉพาะส่วนต้นของแผ่นงาน",
    "The sheet holds data or formatting as far as {extent}; only its beginning was read.",
    "ลบแถว/คอลัมน์ที่ไม่ใช้ท้ายแผ่นงานออก แล้วบันทึกใหม่",
    "Delete the unused rows/columns at the end and save.",
)
_rule(
    "F112",
    W,
    "External links",
    "มีลิงก์ไปไฟล์อื่น",
    "ไฟล์มีการเชื่อมโยงไปยังไฟล์อื่น ({target}) ซึ่งโปรแกรมไม่ติดตาม",
    "The workbook links to another file ({target}); the link was not followed.",
    "แทนที่สูตรที่อ้างไฟล์อื่นด้วยค่า (คัดลอก > วางแบบค่า)",
    "Replace formulas that refer to other files by values.",
)
_rule(
    "F113",
    E,
    "Strict Open XML",
    "รูปแบบ Strict Open XML",
    "ไฟล์บันทึกแบบ Strict Open XML ซึ่งอ่านไม่ได้",
    "The file is saved as Strict Open XML, which cannot be read.",
    "บันทึกเป็น สมุดงาน Excel (.xlsx) แบบปกติ",
    "Save as a normal Excel Workbook (.xlsx).",
)
_rule(
    "F114",
    E,
    "Cannot open",
    "เปิดไฟล์ไม่ได้",
    "เปิดไฟล์ไม่ได้: {detail}",
    "The file cannot be opened: {detail}.",
    "ตรวจว่าไฟล์มีอยู่และมีสิทธิ์อ่าน",
    "Check that the file exists and can be read.",
)
_rule(
    "F115",
    E,
    "Reading failed",
    "อ่านไฟล์ไม่สำเร็จ",
    "อ่านไฟล์ไม่สำเร็จ: {detail}",
    "Reading the file failed: {detail}.",
    "เปิดและบันทึกไฟล์ใหม่ใน Excel หรือ LibreOffice แล้วลองอีกครั้ง",
    "Re-save the file in Excel or LibreOffice and try again.",
)

# ------------------------------------------------------------------------------------------------ structure
_rule(
    "S201",
    E,
    "Missing sheet",
    "ไม่พบแผ่นงาน",
    'ไม่พบแผ่นงาน "{sheet}"',
    'Sheet "{sheet}" is missing.',
    "คัดลอกข้อมูลลงแม่แบบใหม่ (xlplan new) หรือเพิ่มแผ่นงานนี้กลับ โดยใช้ชื่อเดิม",
    "Copy the data into a fresh template (xlplan new), or restore the sheet under its name.",
)
_rule(
    "S202",
    W,
    "Sheet renamed",
    "แผ่นงานถูกเปลี่ยนชื่อ",
    'แผ่นงาน "{found}" น่าจะเป็น "{expected}" ที่ถูกเปลี่ยนชื่อ',
    'Sheet "{found}" seems to be "{expected}" renamed.',
    'เปลี่ยนชื่อแผ่นงานกลับเป็น "{expected}"',
    'Rename the sheet back to "{expected}".',
)
_rule(
    "S203",
    E,
    "Header not found",
    "ไม่พบหัวตาราง",
    'ไม่พบหัวคอลัมน์ "{column}" ในแผ่นงาน "{sheet}"',
    'Column header "{column}" not found on "{sheet}".',
    "ใส่หัวคอลัมน์กลับตามแม่แบบ (ข้อความต้องตรงกัน)",
    "Restore the header text exactly as in the template.",
)
_rule(
    "S204",
    W,
    "Column moved",
    "คอลัมน์ถูกย้าย",
    'คอลัมน์ "{column}" ถูกย้ายจาก {expected} ไป {found}',
    'Column "{column}" moved from {expected} to {found}.',
    "ย้ายคอลัมน์กลับที่เดิม เพื่อให้สูตรและการรวมผลทำงานถูกต้อง",
    "Move the column back to its place.",
)
_rule(
    "S205",
    E,
    "Not an xlplan workbook",
    "ไม่ใช่แฟ้มแผนตามแม่แบบ",
    'ไม่พบรุ่นแม่แบบในแผ่นงาน "{sheet}": ไฟล์นี้ไม่ได้สร้างจากแม่แบบ xlplan',
    'No template version on "{sheet}": the file was not made from the xlplan template.',
    "สร้างแม่แบบด้วย xlplan new แล้วคัดลอกข้อมูลลงไป",
    "Make a template with xlplan new and copy the data into it.",
)
_rule(
    "S206",
    E,
    "Other template version",
    "แม่แบบรุ่นอื่น",
    "ไฟล์ใช้แม่แบบรุ่น {found} แต่รุ่นปัจจุบันคือ {expected}",
    "The file uses template {found}; the current one is {expected}.",
    "สร้างแม่แบบรุ่นปัจจุบัน (xlplan new) แล้วคัดลอกข้อมูลแต่ละตารางลงไปแบบวางค่า (Paste Values)",
    "Make a current template (xlplan new) and paste each table's values into it (Paste Values).",
)
_rule(
    "S207",
    W,
    "Data outside the tables",
    "ข้อมูลนอกตาราง",
    'มีข้อมูล "{value}" นอกตาราง',
    'There is data ("{value}") outside the tables.',
    "ย้ายข้อมูลเข้าไปในตาราง (แทรกแถวเหนือแถวสิ้นสุดตาราง) หรือลบออก โปรแกรมไม่นับข้อมูลนอกตาราง",
    "Move it into the table (insert rows above the end-of-table row) or delete it; it is not counted.",
)
_rule(
    "S208",
    E,
    "Merged cells over inputs",
    "ผสานเซลล์ในช่องกรอก",
    "มีการผสานเซลล์ {range} ในพื้นที่กรอกข้อมูล",
    "Cells {range} are merged over an input area.",
    "ยกเลิกการผสานเซลล์ (หน้าแรก > ผสานและจัดกึ่งกลาง > ยกเลิกการผสาน)",
    "Unmerge the cells.",
)
_rule(
    "S209",
    W,
    "End-of-table row missing",
    "ไม่พบแถวสิ้นสุดตาราง",
    'ไม่พบแถวสิ้นสุดตารางในแผ่นงาน "{sheet}"',
    'The end-of-table row of "{sheet}" is missing.',
    "ใช้แม่แบบใหม่ หรือตรวจว่าสูตรรวมยังครอบคลุมทุกแถว",
    "Use a fresh template, or make sure totals cover every row.",
)
_rule(
    "S210",
    INF,
    "Extra column",
    "คอลัมน์ที่เพิ่มเข้ามา",
    'มีคอลัมน์เพิ่ม "{value}" ซึ่งโปรแกรมไม่อ่าน',
    'An added column ("{value}") is not read.',
    "ไม่ต้องแก้ไข หากเป็นข้อมูลสำคัญให้ใส่ในช่องหมายเหตุ",
    "Nothing to do; put important notes in the note column.",
)

# ------------------------------------------------------------------------------------------------ values
_rule(
    "V301",
    E,
    "Wrong type",
    "ชนิดข้อมูลไม่ถูกต้อง",
    '"{value}" ไม่ใช่{expected}',
    '"{value}" is not {expected_en}.',
    "พิมพ์เป็น{expected} เช่น {example}",
    "Type {expected_en}, for example {example}.",
)
_rule(
    "V302",
    E,
    "Out of range",
    "ค่าเกินช่วง",
    "{value} อยู่นอกช่วง {low}-{high}",
    "{value} is outside {low}-{high}.",
    "ใส่ค่าระหว่าง {low} ถึง {high}",
    "Enter a value from {low} to {high}.",
)
_rule(
    "V303",
    E,
    "Negative amount",
    "จำนวนเงินติดลบ",
    "จำนวนเงินติดลบ ({value})",
    "Negative amount ({value}).",
    "ใส่จำนวนเงินเป็นบวก ไม่ใช้งบประมาณใส่ 0",
    "Enter a positive amount; 0 for no budget.",
)
_rule(
    "V304",
    E,
    "Percentage out of range",
    "ร้อยละเกินช่วง",
    "{value} ไม่อยู่ในช่วง 0-100",
    "{value} is not between 0 and 100.",
    "ใส่ตัวเลขระหว่าง 0 ถึง 100",
    "Enter a number from 0 to 100.",
)
_rule(
    "V305",
    E,
    "Year outside the plan",
    "ปีไม่อยู่ในช่วงแผน",
    "ปี {value} ไม่อยู่ในช่วงแผน {low}-{high}",
    "Year {value} is outside the plan years {low}-{high}.",
    "ใช้ปี พ.ศ. ในช่วงแผน (ไฟล์ที่คัดลอกจากแผนเก่าต้องแก้ปีด้วย)",
    "Use Buddhist-era years of the plan (a copy of an old plan needs its years changed).",
)
_rule(
    "V306",
    E,
    "Not in the list",
    "ไม่อยู่ในรายการ",
    '"{value}" ไม่อยู่ในรายการของช่อง {column}',
    '"{value}" is not in the list of {column_en}.',
    "คลิกช่องแล้วเลือกจากรายการ (ลูกศรท้ายช่อง) เช่น {example}",
    "Pick from the cell's dropdown, e.g. {example}.",
)
_rule(
    "V307",
    E,
    "Required value missing",
    "ไม่ได้กรอกข้อมูลที่ต้องมี",
    "ไม่ได้กรอก {column}",
    "{column_en} is empty.",
    "กรอกข้อมูลในช่องนี้",
    "Fill in this cell.",
)
_rule(
    "V308",
    E,
    "Duplicate item number",
    "ลำดับซ้ำ",
    "ลำดับ {value} ซ้ำกับแถว {other}",
    "Number {value} repeats row {other}.",
    "ใช้ลำดับไม่ซ้ำกัน 1, 2, 3, …",
    "Give each item its own number 1, 2, 3, ….",
)
_rule(
    "V309",
    W,
    "Gap in numbering",
    "ลำดับขาดหาย",
    "ลำดับข้ามจาก {before} ไป {value} (ขาด {missing})",
    "Numbering jumps from {before} to {value} ({missing} missing).",
    "เรียงลำดับใหม่ให้ต่อเนื่อง",
    "Renumber the items without gaps.",
)
_rule(
    "V310",
    E,
    "Two values in one cell",
    "สองค่าในช่องเดียว",
    'ช่องเดียวมีหลายค่า "{value}"',
    'One cell holds several values: "{value}".',
    "แยกเป็นแถวละหนึ่งค่า (เช่น แยกความเสี่ยงแต่ละประเด็นเป็นคนละแถว)",
    "Split into one value per row (e.g. one risk per row).",
)
_rule(
    "V311",
    E,
    "Invalid government code",
    "รหัส อปท. ไม่ถูกต้อง",
    'รหัส อปท. "{value}" ต้องเป็นตัวเลข 4-10 หลัก',
    'Government code "{value}" must be 4-10 digits.',
    "ใส่รหัส อปท. เป็นตัวเลข (จัดรูปแบบช่องเป็นข้อความ เพื่อไม่ให้เลข 0 นำหน้าหาย)",
    "Enter the code as digits (format the cell as text to keep leading zeros).",
)
_rule(
    "V312",
    E,
    "Unreadable measure list",
    "อ่านรายการมาตรการไม่ได้",
    'อ่านลำดับโครงการในช่องมาตรการควบคุมไม่ได้: "{value}"',
    'Cannot read item numbers in "{value}".',
    "ใส่ลำดับโครงการในแผ่นงบประมาณ คั่นด้วยจุลภาค เช่น 1, 2, 21",
    "List item numbers separated by commas, e.g. 1, 2, 21.",
)
_rule(
    "V314",
    W,
    "Number stored as text",
    "ตัวเลขที่เก็บเป็นข้อความ",
    '"{value}" เป็นข้อความ สูตรของแฟ้มจึงไม่นับค่านี้ (xlplan อ่านเป็น {normalised})',
    '"{value}" is text, so the workbook\'s own formulas do not count it (xlplan reads {normalised}).',
    "พิมพ์ใหม่เป็นตัวเลขล้วน เช่น {normalised}",
    "Retype it as a plain number, e.g. {normalised}.",
)
_rule(
    "V313",
    E,
    "Invalid date",
    "วันที่ไม่ถูกต้อง",
    'อ่านวันที่ "{value}" ไม่ได้',
    'Cannot read the date "{value}".',
    "พิมพ์เป็น วัน/เดือน/ปี พ.ศ. เช่น 23/08/2565",
    "Type day/month/B.E. year, e.g. 23/08/2565.",
)

# ------------------------------------------------------------------------------------------------ normalisation
_rule(
    "N351",
    INF,
    "Thai digits",
    "เลขไทย",
    'อ่านเลขไทย "{value}" เป็น {normalised}',
    'Thai digits "{value}" read as {normalised}.',
    "ไม่ต้องแก้ไข (ใช้เลขอารบิกจะสะดวกกว่าในการคำนวณ)",
    "Nothing to do (Arabic digits calculate more easily).",
)
_rule(
    "N352",
    INF,
    "Number written as text",
    "ตัวเลขที่พิมพ์เป็นข้อความ",
    'อ่าน "{value}" เป็นตัวเลข {normalised}',
    '"{value}" read as the number {normalised}.',
    'พิมพ์เฉพาะตัวเลข ไม่ต้องมี "บาท" ".-" หรือช่องว่าง',
    "Type the number alone, without บาท, .- or spaces.",
)
_rule(
    "N353",
    INF,
    "No-budget marker",
    "เครื่องหมายไม่ใช้งบประมาณ",
    'อ่าน "{value}" เป็น 0 (ไม่ใช้งบประมาณ)',
    '"{value}" read as 0 (no budget).',
    "ใส่ 0 สำหรับโครงการที่ไม่ใช้งบประมาณ",
    "Enter 0 for items without budget.",
)
_rule(
    "N354",
    INF,
    "Stray spaces",
    "ช่องว่างเกิน",
    'ตัดช่องว่างหรืออักขระที่มองไม่เห็นออกจาก "{value}"',
    'Stray or invisible spaces removed from "{value}".',
    "ไม่ต้องแก้ไข",
    "Nothing to do.",
)
_rule(
    "N355",
    INF,
    "Year converted",
    "แปลงปี",
    "อ่านปี {value} เป็นปี พ.ศ. {normalised}",
    "Year {value} read as B.E. {normalised}.",
    "ใช้ปี พ.ศ.",
    "Use Buddhist-era years.",
)

# ------------------------------------------------------------------------------------------------ formulas
_rule(
    "X401",
    W,
    "Formula replaced by a value",
    "สูตรถูกแทนด้วยค่า",
    "สูตรถูกพิมพ์ทับด้วยค่า {value} (ค่ายังถูกต้อง แต่จะไม่คำนวณใหม่เมื่อข้อมูลเปลี่ยน)",
    "The formula was typed over with {value} (right for now, but it will not update).",
    "คัดลอกสูตรจากแถวข้างเคียงกลับมา หรือใช้แม่แบบใหม่",
    "Copy the formula back from a neighbouring row.",
)
_rule(
    "X402",
    E,
    "Formula altered",
    "สูตรถูกแก้ไข",
    "สูตรถูกแก้ไข: {found} (ควรเป็น {expected})",
    "The formula was altered: {found} (expected {expected}).",
    "แก้สูตรกลับเป็น {expected}",
    "Restore the formula {expected}.",
)
_rule(
    "X403",
    W,
    "Stale cached value",
    "ค่าที่แสดงไม่ตรงกับสูตร",
    "ค่าที่บันทึกไว้ {found} ไม่ตรงกับที่สูตรคำนวณได้ {expected}",
    "The saved value {found} differs from what the formula computes ({expected}).",
    "เปิดไฟล์แล้วกด Ctrl+Shift+F9 (คำนวณใหม่ทั้งหมด) และบันทึก",
    "Recalculate (Ctrl+Shift+F9) and save.",
)
_rule(
    "X404",
    E,
    "Error value",
    "ค่าผิดพลาด",
    "ช่องแสดงค่าผิดพลาด {value}",
    "The cell shows the error {value}.",
    "ตรวจข้อมูลที่สูตรอ้างถึง หรือคัดลอกสูตรจากแม่แบบกลับมา",
    "Check the cells the formula uses, or restore the formula.",
)
_rule(
    "X405",
    INF,
    "No cached value",
    "ไม่มีค่าที่คำนวณไว้",
    "สูตรไม่มีค่าที่คำนวณไว้ โปรแกรมคำนวณเอง",
    "The formula carries no saved value; xlplan computed it.",
    "ไม่ต้องแก้ไข (เปิดและบันทึกใน Excel หรือ LibreOffice จะเก็บค่าไว้)",
    "Nothing to do.",
)
_rule(
    "X406",
    W,
    "Formula missing",
    "ไม่มีสูตร",
    "ช่อง {column} ของแถวนี้ไม่มีสูตร (อาจเป็นแถวที่แทรกเพิ่ม)",
    "{column_en} of this row has no formula (an inserted row?).",
    "คัดลอกสูตรจากแถวข้างบนลงมา",
    "Copy the formula down from the row above.",
)

# ------------------------------------------------------------------------------------------------ arithmetic
_rule(
    "A501",
    E,
    "Row total wrong",
    "ยอดรวมแถวไม่ถูกต้อง",
    "ยอดรวม {found} ไม่เท่ากับผลรวมรายปี {expected}",
    "Total {found} is not the sum of the years, {expected}.",
    "ใช้สูตรรวม (ช่องสีเทา) แทนการพิมพ์ตัวเลข",
    "Use the total formula instead of a typed number.",
)
_rule(
    "A502",
    E,
    "Subtotal wrong",
    "ยอดรวมรายมิติไม่ถูกต้อง",
    "ยอดรวมมิติ {found} ไม่เท่ากับผลรวมรายการ {expected}",
    "Dimension subtotal {found} is not {expected}.",
    "ใช้สูตรรวม (ช่องสีเทา) แทนการพิมพ์ตัวเลข",
    "Use the subtotal formula instead of a typed number.",
)
_rule(
    "A503",
    E,
    "Grand total wrong",
    "ยอดรวมทั้งสิ้นไม่ถูกต้อง",
    "ยอดรวมทั้งสิ้น {found} ไม่เท่ากับผลรวมรายการ {expected}",
    "Grand total {found} is not {expected}.",
    "ใช้สูตรรวม (ช่องสีเทา) แทนการพิมพ์ตัวเลข",
    "Use the total formula instead of a typed number.",
)
_rule(
    "A504",
    E,
    "Count wrong",
    "จำนวนรายการไม่ถูกต้อง",
    "จำนวนรายการ {found} ไม่ตรงกับที่นับได้ {expected}",
    "Item count {found} is not the {expected} counted.",
    "ใช้สูตรนับ (ช่องสีเทา) แทนการพิมพ์ตัวเลข",
    "Use the count formula instead of a typed number.",
)
_rule(
    "A505",
    E,
    "Risk score or level wrong",
    "คะแนน/ระดับความเสี่ยงไม่ถูกต้อง",
    '{column} "{found}" ไม่ตรงกับโอกาส × ผลกระทบ ({expected})',
    '{column_en} "{found}" does not follow likelihood × impact ({expected}).',
    "ใช้สูตรในช่องคะแนนและระดับ (ช่องสีเทา) ให้คะแนนที่ช่องโอกาสและผลกระทบแทน",
    "Use the score and level formulas; change likelihood and impact instead.",
)
_rule(
    "A506",
    E,
    "Words wrong",
    "จำนวนเงินตัวอักษรไม่ตรง",
    'จำนวนเงินตัวอักษร "{found}" ไม่ตรงกับยอดรวม ({expected})',
    'The amount in words "{found}" is not {expected}.',
    "ใช้สูตร BAHTTEXT (ช่องสีเทา)",
    "Use the BAHTTEXT formula.",
)

# ------------------------------------------------------------------------------------------------ across sheets
_rule(
    "C601",
    E,
    "Measure is not an item",
    "มาตรการไม่ใช่โครงการในแผน",
    'มาตรการควบคุม "{value}" ไม่มีอยู่ในแผ่นงบประมาณ',
    'Control measure "{value}" is not an item of the plan.',
    "ใส่ลำดับโครงการที่มีในแผ่นงบประมาณ หรือเพิ่มมาตรการนั้นเป็นโครงการในแผน",
    "Refer to an item of the budget sheet, or add the measure to the plan as an item.",
)
_rule(
    "C602",
    W,
    "Item without details",
    "โครงการไม่มีรายละเอียด",
    "โครงการลำดับ {value} ไม่มีแถวในแผ่นงานรายละเอียดโครงการ",
    "Item {value} has no row on the details sheet.",
    "เพิ่มแถวรายละเอียดของโครงการนี้ (ส่วนที่ 3)",
    "Add the item's details row (Part 3).",
)
_rule(
    "C603",
    E,
    "Organisation name differs",
    "ชื่อ อปท. ไม่ตรงกัน",
    'ชื่อ อปท. "{found}" ไม่ตรงกับแผ่นงานข้อมูลทั่วไป "{expected}"',
    'Organisation name "{found}" differs from the general sheet\'s "{expected}".',
    "ใช้ชื่อเดียวกันทุกที่ (แก้ที่แผ่นงานข้อมูลทั่วไป แผ่นอื่นดึงไปเอง)",
    "Use one spelling; fix it on the general sheet, others follow.",
)
_rule(
    "C604",
    E,
    "Unknown indicator",
    "ไม่มีตัวชี้วัดนี้ในกรอบ",
    'ไม่มีตัวชี้วัด "{value}" ในกรอบ ป.ป.ช.',
    'Indicator "{value}" is not in the NACC framework.',
    "เลือกรหัสตัวชี้วัดจากรายการ เช่น 1.1.1",
    "Pick the indicator code from the dropdown, e.g. 1.1.1.",
)
_rule(
    "C605",
    E,
    "Indicator does not match",
    "ตัวชี้วัดไม่ตรงกับมิติ/ภารกิจ",
    "ตัวชี้วัด {value} อยู่ใต้ภารกิจ {expected} ไม่ใช่ {found}",
    "Indicator {value} belongs to {expected}, not {found}.",
    "แก้มิติ/ภารกิจให้ตรงกับตัวชี้วัด",
    "Make dimension and mission match the indicator.",
)
_rule(
    "C606",
    E,
    "Item name differs",
    "ชื่อโครงการไม่ตรงกัน",
    'ชื่อโครงการ "{found}" ไม่ตรงกับแผ่นงบประมาณ "{expected}"',
    'Item name "{found}" differs from the budget sheet\'s "{expected}".',
    "ใช้สูตรดึงชื่อจากแผ่นงบประมาณ (ช่องสีเทา) ชื่อโครงการควรเหมือนกันทุกที่",
    "Use the formula that takes the name from the budget sheet.",
)
_rule(
    "C607",
    E,
    "Unknown item number",
    "ไม่พบลำดับโครงการ",
    "ไม่มีโครงการลำดับ {value} ในแผ่นงบประมาณ",
    "There is no item {value} on the budget sheet.",
    "ใส่ลำดับโครงการที่มีในแผ่นงบประมาณ",
    "Use an item number of the budget sheet.",
)
_rule(
    "C608",
    W,
    "Kind does not match the name",
    "ประเภทไม่ตรงกับชื่อ",
    'ประเภท "{found}" แต่ชื่อขึ้นต้นด้วย "{expected}"',
    'Kind "{found}" but the name starts with "{expected}".',
    "เลือกประเภทให้ตรงกับชื่อ (โครงการ/กิจกรรม/มาตรการ)",
    "Make the kind match the name.",
)

# ------------------------------------------------------------------------------------------------ the plan
_rule(
    "P701",
    E,
    "Dimension without items",
    "มิติไม่มีโครงการ",
    "มิติที่ {value} ไม่มีโครงการ/กิจกรรม/มาตรการ",
    "Dimension {value} has no item.",
    "เพิ่มอย่างน้อยหนึ่งรายการในมิตินี้",
    "Add at least one item to this dimension.",
)
_rule(
    "P702",
    E,
    "High risk without measure",
    "ความเสี่ยงสูงไม่มีมาตรการ",
    "ความเสี่ยงระดับ{value}ไม่มีมาตรการควบคุม",
    "A {value_en} risk has no control measure.",
    "ใส่ลำดับโครงการที่ใช้ควบคุมความเสี่ยงนี้",
    "List the items that control this risk.",
)
_rule(
    "P703",
    W,
    "Indicator not covered",
    "ตัวชี้วัดที่แผนไม่ครอบคลุม",
    "ไม่มีรายการใดในแผนตอบตัวชี้วัด {value}",
    "No item of the plan addresses indicator {value}.",
    "พิจารณาเพิ่มโครงการ/มาตรการสำหรับตัวชี้วัดนี้",
    "Consider an item for this indicator.",
)
_rule(
    "P704",
    W,
    "Targets not rising",
    "ค่าเป้าหมายไม่เพิ่มขึ้น",
    "เป้าหมายปี {value} ({found}) ต่ำกว่าปีก่อน ({expected})",
    "The {value} target ({found}) is below the year before ({expected}).",
    "เป้าหมายการลดคดีทุจริตควรเพิ่มขึ้นทุกปี",
    "Case-reduction targets should rise every year.",
)
_rule(
    "P705",
    W,
    "Done without result",
    "ดำเนินการแล้วแต่ไม่มีผล",
    'สถานะ "ดำเนินการแล้ว" แต่ไม่ได้กรอกผลที่ได้',
    "Status is done but no actual value is given.",
    "กรอกผลที่ได้ของตัวชี้วัดนี้",
    "Enter the actual value.",
)
_rule(
    "P706",
    W,
    "Spending above budget",
    "ใช้จ่ายเกินงบประมาณ",
    "ใช้จ่ายจริงปี {value} รวม {found} บาท เกินงบประมาณ {expected} บาท",
    "Spending in {value}, {found} baht, exceeds the budget of {expected} baht.",
    "ตรวจค่าใช้จ่ายจริง หรือชี้แจงในหมายเหตุ",
    "Check the spending, or explain in the note.",
)
_rule(
    "P707",
    E,
    "No risks",
    "ไม่มีการประเมินความเสี่ยง",
    "ไม่มีความเสี่ยงในตารางประเมินความเสี่ยง",
    "The risk assessment is empty.",
    "กรอกความเสี่ยงการทุจริตอย่างน้อยหนึ่งประเด็น (ส่วนที่ 1)",
    "Enter at least one corruption risk (Part 1).",
)

del E, W, INF


def get(code: str) -> Rule:
    return RULES[code]
