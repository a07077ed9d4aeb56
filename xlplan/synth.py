"""Synthetic organisation workbooks: a country's worth of plan files as provincial offices receive them.

Used by tests and by the consolidation benchmark (all 7,850 LAOs). :func:`generate` writes clean plans, plans with
one typical fault each, unreadable files, lock files and duplicate submissions into nested province/district
folders, and returns a :class:`Manifest` saying what every file is and what ``xlplan check`` must say about it.

Speed: rendering a filled workbook takes 50-200 ms, far too slow for thousands of files. A few dozen *variants*
(plans written with placeholder organisation texts, faults included) are rendered once; each organisation's file is
a variant with its texts put in. The placeholders cut every XML part into constant pieces, which are deflated once
(each ending on a byte boundary, ``Z_SYNC_FLUSH``); an organisation's texts go between them as stored deflate
blocks, so a file costs a CRC and a join rather than a compression (under a millisecond).

Everything is deterministic for a seed: plans, names, file bytes and file times.
"""

from __future__ import annotations

import copy
import csv
import math
import os
import random
import re
import struct
import zlib
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from xlplan.framework import Framework
from xlplan.framework import load as load_framework
from xlplan.layout import SPARE_ROWS, layout_for
from xlplan.model import (
    DEFAULT_YEARS,
    Announcement,
    Details,
    Item,
    Measure,
    Org,
    Plan,
    Progress,
    Risk,
    Targets,
)
from xlplan.rules import RULES, Severity
from xlplan.writer import Override, render

KINDS = ("clean", "fault", "unreadable", "lock", "duplicate_same", "duplicate_newer", "duplicate_conflict")
VERDICT_OF_SEVERITY = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "ok"}

# One typical fault per faulty file, by the rule it triggers. P703 (a small plan that leaves framework indicators
# uncovered) is how the 5-15 item plans of small organisations come out; the others are typing mistakes.
FAULTS: tuple[str, ...] = (
    "A501",  # a row total typed over its formula, wrong
    "A503",  # the grand total typed over its formula, wrong
    "X401",  # a row total typed over its formula, right (only the formula is lost)
    "V302",  # likelihood 7 on a 1-5 scale
    "V303",  # a negative budget
    "V308",  # two items with one number
    "V314",  # an amount typed as text ("19,800")
    "N353",  # "xxx" for no budget (read as 0: information only)
    "C601",  # a control measure naming an item the plan does not have
    "C603",  # the organisation's short name typed over a sheet title
    "C606",  # the item named differently on the details sheet
    "P701",  # a dimension with no item
    "P702",  # a high risk with no control measure
    "P703",  # a small plan: framework indicators without items
)
VARIANTS_PER_FAULT = 3
CLEAN_VARIANTS = 48
DUPLICATE_BASES = 6  # clean variants that duplicates are made of (each also rendered as a revised plan)
CREATED = datetime(2001, 2, 3, 4, 5, 6)  # docProps date of every variant, replaced per file
_CREATED_TOKEN = b"2001-02-03T04:05:06Z"

# ------------------------------------------------------------------------------------------------ places

# Province, its code (TIS 1099, as in real LAO codes) and its approximate number of districts (a size weight).
PROVINCES: tuple[tuple[str, int, int], ...] = (
    ("กรุงเทพมหานคร", 10, 50), ("สมุทรปราการ", 11, 6), ("นนทบุรี", 12, 6), ("ปทุมธานี", 13, 7),
    ("พระนครศรีอยุธยา", 14, 16), ("อ่างทอง", 15, 7), ("ลพบุรี", 16, 11), ("สิงห์บุรี", 17, 6), ("ชัยนาท", 18, 8),
    ("สระบุรี", 19, 13), ("ชลบุรี", 20, 11), ("ระยอง", 21, 8), ("จันทบุรี", 22, 10), ("ตราด", 23, 7),
    ("ฉะเชิงเทรา", 24, 11), ("ปราจีนบุรี", 25, 7), ("นครนายก", 26, 4), ("สระแก้ว", 27, 9), ("นครราชสีมา", 30, 32),
    ("บุรีรัมย์", 31, 23), ("สุรินทร์", 32, 17), ("ศรีสะเกษ", 33, 22), ("อุบลราชธานี", 34, 25), ("ยโสธร", 35, 9),
    ("ชัยภูมิ", 36, 16), ("อำนาจเจริญ", 37, 7), ("บึงกาฬ", 38, 8), ("หนองบัวลำภู", 39, 6), ("ขอนแก่น", 40, 26),
    ("อุดรธานี", 41, 20), ("เลย", 42, 14), ("หนองคาย", 43, 9), ("มหาสารคาม", 44, 13), ("ร้อยเอ็ด", 45, 20),
    ("กาฬสินธุ์", 46, 18), ("สกลนคร", 47, 18), ("นครพนม", 48, 12), ("มุกดาหาร", 49, 7), ("เชียงใหม่", 50, 25),
    ("ลำพูน", 51, 8), ("ลำปาง", 52, 13), ("อุตรดิตถ์", 53, 9), ("แพร่", 54, 8), ("น่าน", 55, 15), ("พะเยา", 56, 9),
    ("เชียงราย", 57, 18), ("แม่ฮ่องสอน", 58, 7), ("นครสวรรค์", 60, 15), ("อุทัยธานี", 61, 8), ("กำแพงเพชร", 62, 11),
    ("ตาก", 63, 9), ("สุโขทัย", 64, 9), ("พิษณุโลก", 65, 9), ("พิจิตร", 66, 12), ("เพชรบูรณ์", 67, 11),
    ("ราชบุรี", 70, 10), ("กาญจนบุรี", 71, 13), ("สุพรรณบุรี", 72, 10), ("นครปฐม", 73, 7), ("สมุทรสาคร", 74, 3),
    ("สมุทรสงคราม", 75, 3), ("เพชรบุรี", 76, 8), ("ประจวบคีรีขันธ์", 77, 8), ("นครศรีธรรมราช", 80, 23),
    ("กระบี่", 81, 8), ("พังงา", 82, 8), ("ภูเก็ต", 83, 3), ("สุราษฎร์ธานี", 84, 19), ("ระนอง", 85, 5),
    ("ชุมพร", 86, 8), ("สงขลา", 90, 16), ("สตูล", 91, 7), ("ตรัง", 92, 10), ("พัทลุง", 93, 11), ("ปัตตานี", 94, 12),
    ("ยะลา", 95, 8), ("นราธิวาส", 96, 13),
)  # fmt: skip
BANGKOK = PROVINCES[0][0]
ORGS_PER_DISTRICT = 12

_PLACE_HEAD = (
    "บ้าน", "หนอง", "โนน", "ดอน", "ห้วย", "นา", "แม่", "ป่า", "ท่า", "บึง", "โคก", "วัง", "ทุ่ง", "เขา", "บาง",
    "คลอง", "สระ", "ศรี", "ไผ่", "หัว", "ลำ", "เวียง", "ปาก", "โพน", "กุด", "ดง", "สัน", "เมือง", "ทับ", "หาด",
)  # fmt: skip
_PLACE_TAIL = (
    "ใหม่", "เก่า", "แดง", "ขาม", "ยาง", "สูง", "งาม", "หลวง", "ทอง", "เหนือ", "ใต้", "กลาง", "ดู่", "ม่วง", "โพธิ์",
    "ไทร", "บัว", "หว้า", "แก", "ผือ", "จิก", "ตูม", "คำ", "หิน", "ทราย", "ตาล", "สะอาด", "เจริญ", "สมบูรณ์", "พัฒนา",
    "กุง", "เต่า", "ช้าง", "ปลา", "ขวาง", "น้อย", "ใหญ่", "ฮ่อง", "ฮ้อย", "ค้อ", "เสือ", "เดื่อ", "ขาว", "เขียว",
    "อ้อ", "แสง", "ชัย", "ดี", "กอก", "ยาว", "คู", "นาค", "หงส์", "พระ", "มะขาม", "มะนาว", "ตะเคียน", "สะแก", "ประดู่",
)  # fmt: skip
_PLACE_THIRD = ("", "", "", "", "", "ทอง", "ใหม่", "ใหญ่", "น้อย", "งาม", "เหนือ", "ใต้", "พัฒนา", "ศรี", "แดง", "ทอง")

_MEN = (
    "สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุรชัย", "บุญมี", "ธีระพงษ์", "อนุชา", "มานพ", "ชาญชัย", "ณรงค์",
    "สุริยา", "ไพโรจน์", "ทองใบ", "บุญเลิศ", "วีระ", "สมบัติ", "ประยูร", "อุดม", "เกรียงไกร", "ศักดิ์ชัย", "ปรีชา",
)  # fmt: skip
_WOMEN = (
    "สมศรี", "มาลี", "สุภาพร", "วันเพ็ญ", "กัญญา", "รัตนา", "พรทิพย์", "อรุณี", "จันทร์เพ็ญ", "นงลักษณ์", "ศิริพร",
    "บุษบา", "ลำดวน", "ปราณี", "สุนันทา", "ดวงใจ",
)  # fmt: skip
_SURNAME_HEAD = ("ศรี", "บุญ", "ทอง", "แก้ว", "สุข", "ใจ", "จันทร์", "คำ", "พรหม", "ชัย", "วงศ์", "อินทร์", "แสง", "มั่น")
_SURNAME_TAIL = ("สุข", "ดี", "มณี", "มา", "คำ", "สวัสดิ์", "ใหญ่", "แก้ว", "หอม", "แสน", "งาม", "มงคล", "เรือง", "ทอง")

_USERS = ("Admin", "USER", "acer", "somchai", "plan01", "finance", "HP", "Lenovo", "palad", "kongklang")

# Org types: the framework's type name, its abbreviation, the first digit of the code, the chief's title.
_TYPES = {
    "pao": ("องค์การบริหารส่วนจังหวัด", "อบจ.", "1", "นายกองค์การบริหารส่วนจังหวัด"),
    "city": ("เทศบาลนคร", "ทน.", "2", "นายกเทศมนตรีนคร"),
    "town": ("เทศบาลเมือง", "ทม.", "3", "นายกเทศมนตรีเมือง"),
    "subdistrict_muni": ("เทศบาลตำบล", "ทต.", "4", "นายกเทศมนตรีตำบล"),
    "sao": ("องค์การบริหารส่วนตำบล", "อบต.", "6", "นายกองค์การบริหารส่วนตำบล"),
}

# ------------------------------------------------------------------------------------------------ plan texts

# Placeholders written into variants and replaced per organisation (ASCII: they survive XML escaping as they are).
TOKENS = ("NAME", "TYPE", "CODE", "SUB", "DIST", "PROV", "SHORT", "DATE", "SIGNER", "POS")


def _tok(key: str) -> str:
    return f"QZQ{key}QZQ"


NAME, SHORT, SUB = _tok("NAME"), _tok("SHORT"), _tok("SUB")
_TOKEN_RE = re.compile(rb"QZQ(" + b"|".join(t.encode() for t in TOKENS) + rb")QZQ|" + re.escape(_CREATED_TOKEN))

# Item names by framework indicator: those of the example plan (อบต.แม่ฮ้อย) and others seen in LAO plans.
ITEM_NAMES: dict[str, tuple[str, ...]] = {
    "1.1.1": (
        "โครงการพัฒนาความรู้ด้านกฎหมายและระเบียบที่เกี่ยวข้องกับการปฏิบัติงาน สำหรับบุคลากรองค์กรปกครองส่วนท้องถิ่น ผู้บริหารและสมาชิกสภาท้องถิ่น",
        f"มาตรการ “ส่งเสริมการปฏิบัติงานตามประมวลจริยธรรมของ{NAME}”",
        f"โครงการอบรมเพิ่มประสิทธิภาพผู้บริหาร สมาชิกสภา และพนักงานของ{NAME}",
        f"กิจกรรมประกาศเจตจำนงสุจริตของผู้บริหาร{SHORT}",
        "กิจกรรมให้ความรู้เรื่องประมวลจริยธรรมแก่พนักงานส่วนท้องถิ่นและพนักงานจ้าง",
    ),
    "1.1.2": (
        "โครงการฝึกอบรมการส่งเสริมคุณธรรมจริยธรรมบุคลากรองค์กรปกครองส่วนท้องถิ่นเพื่อเสริมสร้างวัฒนธรรมองค์กรสุจริต",
        "โครงการเสริมสร้างองค์ความรู้ด้านการต่อต้านการทุจริต “โครงการฝึกอบรมคนไทยไม่โกง”",
        "โครงการบุคลากรต้นแบบ ด้าน “บริการเป็นเลิศ”",
        "กิจกรรมการป้องกันผลประโยชน์ทับซ้อนในการปฏิบัติงาน",
        "โครงการศึกษาดูงานองค์กรต้นแบบด้านคุณธรรมและความโปร่งใส",
        "มาตรการ “สร้างจิตสำนึกต่อต้านการรับสินบน”",
    ),
    "1.2.1": (
        "โครงการส่งเสริมการดำเนินชีวิตตามหลักปรัชญาของเศรษฐกิจพอเพียง",
        f"โครงการปลูกผักสวนครัวรั้วกินได้ ตามแนวเศรษฐกิจพอเพียง ตำบล{SUB}",
        "กิจกรรมส่งเสริมการจัดทำบัญชีครัวเรือน",
        "โครงการฝึกอบรมอาชีพเสริมตามหลักเศรษฐกิจพอเพียง",
    ),
    "1.2.2": (
        "โครงการเสริมสร้างค่านิยมต่อต้านการทุจริต “โครงการฝึกอบรมและประชุมเชิงปฏิบัติการเพื่อต่อต้านการทุจริตในองค์กร”",
        "โครงการยกย่องเชิดชูเกียรติหน่วยงานและบุคคลที่ประพฤติปฏิบัติตนให้เป็นที่ประจักษ์",
        "กิจกรรมการมอบประกาศเกียรติคุณแก่คณะกรรมการชุมชน",
        f"กิจกรรมยกย่องและเชิดชูเกียรติแก่บุคคล หน่วยงาน องค์กรดีเด่น ผู้ทำคุณประโยชน์หรือเข้าร่วมในกิจกรรมของ{NAME}",
        f"โครงการชุมชนคุณธรรม ต่อต้านการทุจริต ตำบล{SUB}",
    ),
    "1.3.1": (
        f"โครงการสร้างภูมิคุ้มกันทางสังคมให้เด็กและเยาวชน{NAME} “โครงการป้องกันและแก้ไขปัญหาความรุนแรงต่อเด็ก สตรี ในตำบล{SUB}”",
        "โครงการโตไปไม่โกง",
        "โครงการค่ายเยาวชนคุณธรรม ต่อต้านการทุจริต",
        f"กิจกรรมส่งเสริมสภาเด็กและเยาวชนตำบล{SUB} ด้านความซื่อสัตย์สุจริต",
        "โครงการเด็กและเยาวชนรู้เท่าทันการทุจริต",
    ),
    "2.1.1": (
        "โครงการเสริมสร้างความโปร่งใสในการบริหารงบประมาณ",
        "กิจกรรมเผยแพร่ข้อมูลการจัดซื้อจัดจ้างและรายงานผลการใช้จ่ายงบประมาณ",
        "มาตรการเปิดเผยข้อมูลการบริหารงบประมาณประจำปีต่อสาธารณะ",
        f"กิจกรรมปรับปรุงข้อมูลบนเว็บไซต์ของ{NAME}ให้เป็นปัจจุบัน",
    ),
    "2.2.1": (
        "มาตรการ NO Gift Policy",
        f"มาตรการส่งเสริมคุณธรรมและความโปร่งใสของ{NAME}",
        "กิจกรรม “สร้างความโปร่งใสในการพิจารณาเลื่อนขั้นเงินเดือน”",
        "กิจกรรม “ควบคุมการเบิกจ่ายเงินตามข้อบัญญัติงบประมาณรายจ่ายประจำปี”",
        f"มาตรการป้องกันผลประโยชน์ทับซ้อนของ{NAME}",
        "โครงการเสริมสร้างความโปร่งใสในการใช้ทรัพย์สินของทางราชการ",
        f"โครงการประเมินความพึงพอใจของประชาชนที่มีต่อการให้บริการของ{NAME}",
        "โครงการพัฒนาระบบการให้บริการประชาชนผ่านระบบอิเล็กทรอนิกส์ (E-Service)",
    ),
    "2.2.3": (
        "มาตรการจัดทำแผนปฏิบัติการป้องกันการทุจริตเพื่อยกระดับคุณธรรมและความโปร่งใส",
        "กิจกรรมติดตามและรายงานผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต",
    ),
    "2.3.1": (
        "โครงการจัดทำคู่มือสำหรับประชาชนผ่านสื่ออิเล็กทรอนิกส์",
        "กิจกรรมจัดทำแผนภูมิขั้นตอนและระยะเวลาการให้บริการประชาชน",
        "มาตรการลดขั้นตอนและระยะเวลาการปฏิบัติราชการ",
    ),
    "2.3.2": (
        f"มาตรการออกคำสั่งมอบหมายของ{NAME}",
        f"มาตรการมอบอำนาจอนุมัติ อนุญาต สั่งการ ของผู้บริหาร{SHORT}",
        "กิจกรรมการกระจายอำนาจการตัดสินใจให้หัวหน้าส่วนราชการ",
    ),
    "3.1.1": (
        "โครงการจัดเวทีประชาคม “โครงการออกหน่วยเคลื่อนที่ให้บริการประชาชน”",
        "โครงการจัดประชุมประชาคมหมู่บ้านและประชาคมตำบลเพื่อจัดทำแผนพัฒนาท้องถิ่น",
        "กิจกรรมแต่งตั้งตัวแทนประชาคมร่วมเป็นคณะกรรมการตรวจรับพัสดุ",
        "มาตรการส่งเสริมให้ประชาชนมีส่วนร่วมในการจัดทำงบประมาณ",
    ),
    "3.2.1": (
        f"มาตรการจัดการเรื่องร้องทุกข์/ร้องเรียนของ{NAME}",
        "กิจกรรมรายงานผลการดำเนินการเรื่องร้องเรียนให้ผู้ร้องทราบเป็นลายลักษณ์อักษร",
        f"โครงการศูนย์รับเรื่องราวร้องทุกข์{SHORT}",
    ),
    "4.1.1": (
        "โครงการจัดทำแผนการตรวจสอบภายในประจำปี",
        "กิจกรรมการจัดทำรายงานผลการตรวจสอบภายในเสนอผู้บริหาร",
    ),
    "4.1.2": (
        "กิจกรรมติดตามประเมินผลการควบคุมภายใน",
        "โครงการจัดทำรายงานการควบคุมภายในตามหลักเกณฑ์กระทรวงการคลัง",
    ),
    "4.1.3": (
        f"มาตรการบริหารจัดการความเสี่ยงการทุจริตของ{NAME}",
        "กิจกรรมประเมินความเสี่ยงการทุจริตประจำปี",
    ),
    "4.2.1": (
        f"มาตรการจัดให้มีระบบและช่องทางการรับเรื่องร้องเรียนเกี่ยวกับการทุจริตของเจ้าหน้าที่{NAME}",
        "กิจกรรมประชาสัมพันธ์ช่องทางการแจ้งเบาะแสการทุจริต",
        "โครงการพัฒนาช่องทางร้องเรียนการทุจริตออนไลน์",
    ),
}

# What each indicator's items are for ("เพื่อ…"), for rationales and objectives.
PURPOSES: dict[str, str] = {
    "1.1.1": "ส่งเสริมให้บุคลากรปฏิบัติหน้าที่ตามอำนาจหน้าที่ กฎหมาย ระเบียบ และประมวลจริยธรรมอย่างเคร่งครัด",
    "1.1.2": "ปลูกฝังค่านิยมความซื่อสัตย์สุจริตและการต่อต้านการทุจริตให้แก่บุคลากรทุกระดับ",
    "1.2.1": "ส่งเสริมให้ประชาชนดำเนินชีวิตตามหลักปรัชญาของเศรษฐกิจพอเพียง",
    "1.2.2": "สร้างจิตสำนึกและความตระหนักในความซื่อสัตย์สุจริตแก่ประชาชนในท้องถิ่น",
    "1.3.1": "ปลูกฝังความซื่อสัตย์สุจริตและการต่อต้านการทุจริตแก่เด็กและเยาวชน",
    "2.1.1": "เปิดเผยข้อมูลการบริหารงบประมาณให้ประชาชนตรวจสอบได้",
    "2.2.1": "ส่งเสริมคุณธรรมและความโปร่งใสในการปฏิบัติงานของหน่วยงาน",
    "2.2.3": "ให้มีแผนปฏิบัติการป้องกันการทุจริตที่นำไปปฏิบัติและติดตามผลได้จริง",
    "2.3.1": "ลดการใช้ดุลพินิจ โดยเปิดเผยขั้นตอนและระยะเวลาการให้บริการประชาชน",
    "2.3.2": "กระจายอำนาจการตัดสินใจ ให้การบริการประชาชนรวดเร็วและเป็นธรรม",
    "3.1.1": "ให้ประชาชนมีส่วนร่วมในการจัดทำแผนพัฒนาท้องถิ่นและงบประมาณ",
    "3.2.1": "ให้ผู้ร้องเรียนได้รับแจ้งผลการดำเนินการเรื่องร้องเรียนอย่างเป็นลายลักษณ์อักษร",
    "4.1.1": "ให้มีการตรวจสอบภายในที่เป็นอิสระและมีประสิทธิภาพ",
    "4.1.2": "ให้ระบบการควบคุมภายในลดความเสี่ยงอยู่ในระดับที่ยอมรับได้",
    "4.1.3": "บริหารจัดการความเสี่ยงการทุจริตไม่ให้เกิดขึ้นในองค์กร",
    "4.2.1": "ให้มีช่องทางร้องเรียนการทุจริตที่สะดวก รวดเร็ว และปลอดภัยสำหรับผู้ร้องเรียน",
}
RATIONALE_OPENINGS = (
    "ปัญหาการทุจริตคอร์รัปชันในประเทศไทยถือเป็นปัญหาเรื้อรังที่นับวันยิ่งทวีความรุนแรงและสลับซับซ้อนมากยิ่งขึ้น "
    "และส่งผลกระทบต่อการพัฒนาประเทศทั้งในด้านเศรษฐกิจ สังคม และการเมือง",
    "แผนแม่บทภายใต้ยุทธศาสตร์ชาติ ประเด็นการต่อต้านการทุจริตและประพฤติมิชอบ กำหนดเป้าหมายให้ประเทศไทยปลอดการทุจริต"
    "และประพฤติมิชอบ และให้หน่วยงานภาครัฐผ่านการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน (ITA)",
    "การบริหารจัดการขององค์กรปกครองส่วนท้องถิ่นมีกฎหมาย ระเบียบ ประกาศ และหลักเกณฑ์ต่างๆ ที่บุคลากร ผู้บริหาร "
    "และสมาชิกสภาท้องถิ่นต้องรู้และยึดเป็นแนวทางการปฏิบัติหน้าที่อย่างเคร่งครัด",
    "หลักธรรมาภิบาลเป็นหลักสำคัญในการบริหารราชการ ประกอบด้วยหลักนิติธรรม หลักคุณธรรม หลักความโปร่งใส "
    "หลักการมีส่วนร่วม หลักความรับผิดชอบ และหลักความคุ้มค่า",
    "องค์กรปกครองส่วนท้องถิ่นเป็นหน่วยงานที่ใกล้ชิดประชาชนที่สุด การบริหารงานที่โปร่งใส ตรวจสอบได้ "
    "จึงเป็นรากฐานของความเชื่อมั่นของประชาชนต่อการปกครองส่วนท้องถิ่น",
)
OBJECTIVES_MORE = (
    "เพื่อให้การปฏิบัติงานเป็นไปอย่างโปร่งใส ตรวจสอบได้",
    "เพื่อป้องกันการทุจริตและประพฤติมิชอบในองค์กร",
    "เพื่อยกระดับผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงาน (ITA)",
    "เพื่อสร้างความเชื่อมั่นแก่ประชาชนผู้รับบริการ",
)
METHOD_STEPS = (
    "จัดทำโครงการ/กิจกรรมเพื่อขออนุมัติจากผู้บริหารท้องถิ่น",
    "ประสานบุคคลและหน่วยงานที่เกี่ยวข้องเพื่อเตรียมการดำเนินงาน",
    "แต่งตั้งคณะทำงานและมอบหมายผู้รับผิดชอบ",
    "ดำเนินการตามแผนที่กำหนด",
    "ประชาสัมพันธ์ให้บุคลากรและประชาชนทราบ",
    "เผยแพร่ผลการดำเนินงานบนเว็บไซต์ของหน่วยงาน",
    "ประเมินผลและสรุปผลการดำเนินการ",
    "รายงานผลการดำเนินการให้ผู้บริหารทราบ",
)
TARGET_GROUPS: dict[str, str] = {
    "1.1": f"ผู้บริหาร สมาชิกสภาท้องถิ่น และพนักงานของ{NAME}",
    "1.2": f"ประชาชนในเขตตำบล{SUB}",
    "1.3": f"เด็กและเยาวชนในเขตตำบล{SUB}",
    "2": f"บุคลากรและหน่วยงานภายในของ{NAME}",
    "3": f"ประชาชนและผู้มีส่วนได้ส่วนเสียในเขต{NAME}",
    "4": f"หน่วยงานภายในของ{NAME}ทุกหน่วยงาน",
}
# (type, description, comparison, target range, unit)
MEASURE_POOL: tuple[tuple[str, str, str, tuple[int, int], str], ...] = (
    ("output", "จำนวนครั้งที่ดำเนินกิจกรรม", "อย่างน้อย", (1, 4), "ครั้งต่อปี"),
    ("output", "ผู้เข้าร่วมโครงการ", "ไม่น้อยกว่า", (30, 200), "คน"),
    ("output", "มีการเผยแพร่ข้อมูลต่อสาธารณะ", "อย่างน้อย", (1, 3), "ช่องทาง"),
    ("output", "มีรายงานผลการดำเนินงาน", "เท่ากับ", (1, 1), "ฉบับ"),
    ("output", "หน่วยงานภายในที่ดำเนินการตามมาตรการ", "ไม่น้อยกว่า", (80, 100), "ร้อยละ"),
    ("output", "จำนวนเรื่องที่ได้รับการปรับปรุง", "อย่างน้อย", (1, 5), "เรื่อง"),
    ("outcome", "ผู้เข้าร่วมมีความรู้ความเข้าใจเพิ่มขึ้น", "ไม่น้อยกว่า", (70, 90), "ร้อยละ"),
    ("outcome", "ความพึงพอใจของผู้รับบริการ", "ไม่น้อยกว่า", (80, 90), "ร้อยละ"),
    ("outcome", "เรื่องร้องเรียนการทุจริตของเจ้าหน้าที่", "ไม่เกิน", (0, 1), "เรื่อง"),
    ("outcome", "กิจกรรมดำเนินการแล้วเสร็จตามระยะเวลาที่กำหนด", "ไม่น้อยกว่า", (80, 100), "ร้อยละ"),
)
RISK_ISSUES: tuple[tuple[str, ...], ...] = (  # by process area, in the framework's order
    (
        "ผู้บริหารดำเนินการตามนโยบายของตนเอง แทรกแซงการปฏิบัติงานของเจ้าหน้าที่ ซึ่งอาจขัดต่อกฎระเบียบที่เกี่ยวข้อง",
        "บุคลากรของหน่วยงานปฏิบัติตามนโยบายของผู้บริหาร โดยไม่มีกฎระเบียบรองรับ",
        "บุคลากรของหน่วยงานไม่ให้ความสำคัญกับการปฏิบัติงาน เอางานส่วนตัวมาทำที่ทำงาน ขาดความรับผิดชอบต่อการปฏิบัติงาน",
        "การใช้ดุลพินิจของผู้มีอำนาจโดยไม่มีหลักเกณฑ์ที่ชัดเจน เปิดโอกาสให้เกิดผลประโยชน์ทับซ้อน",
    ),
    (
        "การบรรจุแต่งตั้ง โยกย้าย โอน เลื่อนตำแหน่ง/เงินเดือน และการมอบหมายงาน ไม่เป็นธรรม เอาแต่พวกพ้อง",
        "การประเมินผลการปฏิบัติงานไม่เป็นไปตามหลักเกณฑ์ ขาดความโปร่งใส",
        "การเบิกค่าตอบแทนการปฏิบัติงานนอกเวลาราชการโดยไม่ได้ปฏิบัติงานจริง",
    ),
    (
        "การบริหารการเงิน งบประมาณ การจัดซื้อจัดจ้าง การจัดหาพัสดุ ไม่เป็นไปตามระเบียบที่เกี่ยวข้อง",
        "นำทรัพย์สินของทางราชการไปใช้ประโยชน์ส่วนตน",
        "การกำหนดคุณลักษณะเฉพาะของพัสดุเอื้อประโยชน์ต่อผู้เสนอราคารายใดรายหนึ่ง",
        "การตรวจรับงานจ้างก่อสร้างไม่เป็นไปตามแบบรูปรายการ",
        "การเบิกจ่ายเงินโดยไม่มีหลักฐานหรือหลักฐานไม่ครบถ้วน",
    ),
    (
        "ไม่ให้บริการแก่ประชาชนตามลำดับ อันเนื่องมาจากความสัมพันธ์ส่วนตัว หรือการให้สิทธิพิเศษแก่คนบางกลุ่ม",
        "มีการเรียกรับเงินพิเศษจากผู้ขอรับบริการ นอกเหนือจากค่าธรรมเนียมปกติ เพื่อแลกกับการให้บริการ",
        "ให้บริการไม่เป็นไปตามมาตรฐาน เช่น ใช้เวลาให้บริการนานกว่าที่กำหนดไว้",
        "การจัดเก็บภาษีและค่าธรรมเนียมไม่เป็นไปตามระเบียบ เอื้อประโยชน์แก่ผู้ใกล้ชิด",
        "การออกใบอนุญาตก่อสร้างอาคารโดยไม่ตรวจสอบตามหลักเกณฑ์",
    ),
)
AMOUNTS = (5000, 7500, 8000, 10000, 12000, 15000, 18000, 19800, 20000, 25000, 25020, 30000, 40000, 50000, 80000,
           100000, 150000, 200000, 300000, 500000)  # fmt: skip
AMOUNT_WEIGHTS = (6, 4, 4, 9, 6, 7, 4, 3, 9, 5, 2, 6, 4, 5, 2, 3, 2, 1, 1, 1)
TARGET_CHOICES = (
    ((10, 20, 30, 40, 50), (85, 90, 95, 100, 100)),
    ((10, 20, 30, 40, 50), (85, 87, 90, 92, 95)),
    ((5, 10, 15, 20, 25), (85, 90, 95, 100, 100)),
    ((10, 15, 20, 25, 30), (90, 92, 94, 96, 98)),
)


# ------------------------------------------------------------------------------------------------ manifest


@dataclass
class SynthFile:
    """One file written, what it is, and what ``xlplan check`` must say about it.

    An organisation that sent twice has its first file (kind "clean") and a second one: ``duplicate_same`` the
    same bytes under another name; ``duplicate_newer`` a revision with a later announcement date and mtime, which
    should win; ``duplicate_conflict`` a copy with another budget, the same announcement date and a later mtime.
    "skipped" (lock files) is what ``xlplan check`` reports as unreadable with F107 only (:func:`expected_of`).
    """

    path: Path
    org_code: str | None  # None for unreadable/junk files
    org_name: str | None
    province: str | None
    district: str | None
    kind: str  # one of KINDS
    fault: str | None  # for kind "fault": the rule code the fault triggers
    expected_verdict: str  # "ok" | "warnings" | "errors" | "unreadable" | "skipped" (lock files)
    duplicate_of: Path | None = None  # duplicate_*: the organisation's first file
    sender_code: str | None = None  # who sent it, also where the bytes cannot tell (unreadable and lock files)
    stamp: _Stamp | None = field(default=None, repr=False, compare=False)

    @property
    def plan(self) -> Plan | None:
        """The plan model written (built on demand: thousands of plans together would not fit in memory).

        For faults typed over cells (totals, "xxx", a title) it is the plan as meant; the file has the typing."""
        return self.stamp.plan() if self.stamp is not None else None


@dataclass
class Manifest:
    files: list[SynthFile]
    roster: list[Org]  # every organisation, also those whose files are all unreadable or who sent nothing
    not_submitted: list[Org] = field(default_factory=list)  # in the roster, no file at all

    def write_roster_csv(self, path: Path) -> Path:
        """The organisation list as offices keep it (``xlplan.orgs.read_orgs`` reads it)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(["code", "name", "subdistrict", "district", "province"])
            for o in self.roster:
                w.writerow([o.code, o.name, o.subdistrict, o.district, o.province])
        return path

    def by_kind(self, kind: str) -> list[SynthFile]:
        return [f for f in self.files if f.kind == kind]


# ------------------------------------------------------------------------------------------------ organisations


@dataclass
class _OrgInfo:
    org: Org
    short: str
    position: str
    signer: str


def _place_name(rng: random.Random, used: set[str]) -> str:
    for _ in range(200):
        name = rng.choice(_PLACE_HEAD) + rng.choice(_PLACE_TAIL) + rng.choice(_PLACE_THIRD)
        if name not in used:
            used.add(name)
            return name
    name = f"{rng.choice(_PLACE_HEAD)}{rng.choice(_PLACE_TAIL)}{len(used)}"  # never in practice
    used.add(name)
    return name


def _person(rng: random.Random) -> str:
    if rng.random() < 0.75:
        first, title = rng.choice(_MEN), "นาย"
    else:
        first, title = rng.choice(_WOMEN), rng.choice(("นาง", "นางสาว"))
    return f"{title}{first} {rng.choice(_SURNAME_HEAD)}{rng.choice(_SURNAME_TAIL)}"


def _allocate(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` (largest remainder), at least one each."""
    n = len(weights)
    base = [1] * n
    rest = total - n
    s = sum(weights)
    exact = [rest * w / s for w in weights]
    floors = [math.floor(x) for x in exact]
    left = rest - sum(floors)
    order = sorted(range(n), key=lambda i: (floors[i] - exact[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors, strict=True)]


def make_orgs(n_orgs: int, rng: random.Random) -> list[_OrgInfo]:
    """``n_orgs`` organisations spread over provinces (all 77 from about 2,000), about 12 to a district."""
    n_prov = min(len(PROVINCES), max(1, math.ceil(n_orgs / 25)))
    n_prov = min(n_prov, n_orgs)
    if n_prov == len(PROVINCES):
        chosen = list(PROVINCES)
    else:
        chosen = sorted(rng.sample(PROVINCES[1:], n_prov), key=lambda p: p[1])
    # Bangkok is one organisation; the others share the rest by size
    others = [p for p in chosen if p[0] != BANGKOK]
    shares = _allocate(n_orgs - (len(chosen) - len(others)), [p[2] for p in others])
    split = {p[0]: n for p, n in zip(others, shares, strict=True)}
    counts = [split.get(p[0], 1) for p in chosen]
    out: list[_OrgInfo] = []
    for (prov, pcode, _w), count in zip(chosen, counts, strict=True):
        if prov == BANGKOK:
            org = Org("กรุงเทพมหานคร", "กรุงเทพมหานคร", f"7{pcode}0101", "เสาชิงช้า", "พระนคร", prov)
            out.append(_OrgInfo(org, "กทม.", "ผู้ว่าราชการกรุงเทพมหานคร", _person(rng)))
            continue
        out.extend(_province_orgs(prov, pcode, count, rng))
    return out


def _province_orgs(prov: str, pcode: int, count: int, rng: random.Random) -> list[_OrgInfo]:
    n_dist = max(1, min(60, round(count / ORGS_PER_DISTRICT)))
    used_places: set[str] = {prov}
    districts = [f"เมือง{prov}"] + [_place_name(rng, used_places) for _ in range(n_dist - 1)]
    # types: one อบจ.; a เทศบาลนคร in big provinces; a few เทศบาลเมือง; about 3 in 10 of the rest เทศบาลตำบล
    types = ["pao"]
    if count >= 120:
        types.append("city")
    types += ["town"] * min(max(0, count - len(types) - 1), round(count * 0.02) + (1 if count >= 20 else 0))
    pattaya = prov == "ชลบุรี" and count >= 20
    rest = count - len(types) - (1 if pattaya else 0)
    types += ["subdistrict_muni" if rng.random() < 0.3 else "sao" for _ in range(max(0, rest))]
    types = types[:count]
    out: list[_OrgInfo] = []
    seq: dict[tuple[str, int], int] = {}
    used_subs: dict[int, set[str]] = {i: set() for i in range(n_dist)}
    for i, t in enumerate(types):
        d = 0 if t in ("pao", "city") or (t == "town" and i < 3) else rng.randrange(n_dist)
        digit = _TYPES[t][2]
        seq[(digit, d)] = seq.get((digit, d), 0) + 1
        code = f"{digit}{pcode:02d}{d + 1:02d}{seq[(digit, d)]:02d}"
        sub = _place_name(rng, used_subs[d])
        full, short, _digit, chief = _TYPES[t]
        place = prov if t in ("pao", "city") else sub
        if t == "town" and i == 1:  # without a เทศบาลนคร, the provincial town is named after the province
            place = prov
        name = full + place
        org = Org(name, full, code, sub, districts[d], prov)
        out.append(_OrgInfo(org, f"{short}{place}", chief + place, _person(rng)))
    if pattaya:
        d = min(1, n_dist - 1)
        org = Org("เมืองพัทยา", "เมืองพัทยา", f"7{pcode:02d}{d + 1:02d}01", "นาเกลือ", districts[d], prov)
        out.append(_OrgInfo(org, "พัทยา", "นายกเมืองพัทยา", _person(rng)))
    return out


# ------------------------------------------------------------------------------------------------ plans


def _kind_of(name: str, kinds: tuple[str, ...]) -> str:
    return next((k for k in kinds if name.startswith(k)), kinds[0])


def _budget(rng: random.Random, kind: str, years: tuple[int, ...]) -> dict[int, Decimal]:
    p_funded = {"โครงการ": 0.65, "กิจกรรม": 0.3, "มาตรการ": 0.08}.get(kind, 0.3)
    if rng.random() >= p_funded:
        return {y: Decimal(0) for y in years}
    base = rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0]
    pattern = rng.random()
    out: dict[int, Decimal] = {}
    for i, y in enumerate(years):
        if pattern < 0.6:
            amount = base
        elif pattern < 0.8:
            amount = min(500000, round(base * (1 + 0.05 * i) / 100) * 100)
        else:
            amount = base if rng.random() < 0.6 else 0
        out[y] = Decimal(amount)
    return out


def _measures(rng: random.Random) -> list[Measure]:
    picks = rng.sample(MEASURE_POOL, rng.choice((1, 2, 2, 3)))
    out = []
    for mtype, desc, cmp, (lo, hi), unit in picks:
        out.append(Measure(mtype, desc, cmp, Decimal(rng.randint(lo, hi)), unit))
    return out


def _details(rng: random.Random, item: Item, measures: list[Measure], years: tuple[int, ...]) -> Details:
    purpose = PURPOSES[item.indicator]
    group = TARGET_GROUPS.get(item.mission) or TARGET_GROUPS[str(item.dimension)]
    if item.mission == "1.1" and rng.random() < 0.6:
        group += f" จำนวน {rng.choice((20, 25, 30, 35, 40, 50))} คน"
    steps = sorted(rng.sample(range(len(METHOD_STEPS)), rng.randint(4, 6)))

    def lines(kind: str) -> str:
        ms = [m for m in measures if m.type == kind]
        return "\n".join(f"{i}) {m.description} {_target_text(m)}" for i, m in enumerate(ms, start=1))

    more = rng.sample(OBJECTIVES_MORE, rng.randint(1, 2))
    return Details(
        rationale=f"{rng.choice(RATIONALE_OPENINGS)}\n\nดังนั้น {NAME} จึงได้จัดทำ{item.name} เพื่อ{purpose}",
        objectives="\n".join(f"{i}) {t}" for i, t in enumerate([f"เพื่อ{purpose}", *more], start=1)),
        target_group=group,
        method="\n".join(f"{i}) {METHOD_STEPS[s]}" for i, s in enumerate(steps, start=1)),
        period=rng.choice((f"ปีงบประมาณ พ.ศ. {years[0]} - {years[-1]}", f"ตลอดปีงบประมาณ พ.ศ. {years[0]} - {years[-1]}")),
        outputs=lines("output"),
        outcomes=lines("outcome"),
    )


def _target_text(m: Measure) -> str:
    """A target as plans write it: "ไม่น้อยกว่า ร้อยละ 80", "อย่างน้อย 2 ครั้งต่อปี"."""
    if m.unit == "ร้อยละ":
        return f"{m.comparison} ร้อยละ {m.target}"
    return f"{m.comparison} {m.target} {m.unit}"


def _progress(rng: random.Random, item: Item, years: tuple[int, ...]) -> None:
    """Follow-up entries of the first year (and sometimes the 6-month round of the second): spending within the
    year's budget (on the item's first measure only, as P706 sums them), a result for everything done."""
    rounds = [(years[0], 6), (years[0], 12)] + ([(years[1], 6)] if rng.random() < 0.4 else [])
    for k, m in enumerate(item.measures):
        for y, rnd in rounds:
            budget = item.budget.get(y, Decimal(0))
            done = rnd == 12 or rng.random() < 0.3
            status = "ดำเนินการแล้ว" if done else rng.choice(("อยู่ระหว่างดำเนินการ", "ยังไม่ดำเนินการ"))
            spent = None
            if k == 0 and budget > 0 and status != "ยังไม่ดำเนินการ":
                share = Decimal(rng.randint(50, 100) if done else rng.randint(10, 50)) / 100
                spent = (budget * share).quantize(Decimal(10))
                spent = min(spent, budget)
            actual = None
            if done and m.target is not None:
                actual = m.target if m.comparison in ("ไม่เกิน", "เท่ากับ") else m.target + rng.randint(0, 5)
            m.progress.append(Progress(y, rnd, status, spent, actual))


def _pick_indicators(rng: random.Random, fw: Framework, n_items: int, dims: list[str], cover_all: bool) -> list[str]:
    """Indicator of each item, in framework order: every indicator once (cover_all) or one per dimension at least."""
    capacity = {code: len(names) for code, names in ITEM_NAMES.items()}
    pool = [i.code for i in fw.indicators if i.dimension in dims]
    per_dim = [rng.choice([c for c in pool if c.split(".")[0] == d]) for d in dims]
    chosen = list(pool) if cover_all else per_dim
    while len(chosen) < n_items:
        open_ = [c for c in pool if chosen.count(c) < capacity[c]]
        if not open_:
            break
        chosen.append(rng.choices(open_, [capacity[c] - chosen.count(c) for c in open_])[0])
    order = {i.code: k for k, i in enumerate(fw.indicators)}
    return sorted(chosen, key=lambda c: order[c])


def make_plan(rng: random.Random, *, n_items: int, dims: list[str] | None = None, cover_all: bool = True) -> Plan:
    """A plan with placeholder organisation texts: items over ``dims`` (all four by default), risks, targets."""
    fw = load_framework()
    years = DEFAULT_YEARS
    kinds = fw.lists["item_kinds"]
    units = fw.lists["responsible_units"][:-1]
    dims = dims or [d.code for d in fw.dimensions]
    items: list[Item] = []
    used: dict[str, list[str]] = {}
    for number, code in enumerate(_pick_indicators(rng, fw, n_items, dims, cover_all), start=1):
        ind = fw.indicator(code)
        assert ind is not None
        left = [n for n in ITEM_NAMES[code] if n not in used.setdefault(code, [])]
        name = rng.choice(left)
        used[code].append(name)
        kind = _kind_of(name, kinds)
        unit = "กองคลัง" if code == "2.1.1" else "หน่วยตรวจสอบภายใน" if code.startswith("4.1") else rng.choice(units)
        item = Item(number, int(ind.dimension), ind.mission, code, kind, name, _budget(rng, kind, years), unit)
        item.measures = _measures(rng)
        item.details = _details(rng, item, item.measures, years)
        items.append(item)
    if rng.random() < 0.4:
        for it in items:
            _progress(rng, it, years)
    risks = _risks(rng, fw, items)
    case, ita = rng.choice(TARGET_CHOICES)
    targets = Targets(
        {y: Decimal(v) for y, v in zip(years, case, strict=True)},
        {y: Decimal(v) for y, v in zip(years, ita, strict=True)},
    )
    org = Org(*(_tok(k) for k in ("NAME", "TYPE", "CODE", "SUB", "DIST", "PROV")))
    ann = Announcement(_tok("DATE"), _tok("SIGNER"), _tok("POS"))
    return Plan(org, years, ann, targets, risks, items, fw.ref)


def _risks(rng: random.Random, fw: Framework, items: list[Item]) -> list[Risk]:
    areas = fw.lists["process_areas"]
    n = rng.randint(2, 9)
    control = [it.number for it in items if it.dimension in (2, 4)] or [it.number for it in items]
    everyone = [it.number for it in items]
    risks = []
    for number in range(1, n + 1):
        a = rng.randrange(len(areas))
        likelihood = rng.choices((1, 2, 3, 4, 5), (1, 4, 4, 2, 1))[0]
        impact = rng.choices((1, 2, 3, 4, 5), (1, 4, 4, 2, 1))[0]
        pool = control if rng.random() < 0.8 else everyone
        measures = sorted(rng.sample(pool, min(len(pool), rng.randint(1, 4))))
        if likelihood * impact < 8 and rng.random() < 0.1:
            measures = []  # low and medium risks may go without (only high ones must have measures: P702)
        owner = "กองคลัง" if a == 2 else rng.choice(("สำนักปลัด", "สำนักปลัด", "กองช่าง", "กองการเจ้าหน้าที่"))
        risks.append(Risk(number, areas[a], rng.choice(RISK_ISSUES[a]), likelihood, impact, measures, owner))
    return risks


# ------------------------------------------------------------------------------------------------ variants


@dataclass(frozen=True)
class VariantSpec:
    """What one rendered base workbook is: a clean plan, a clean plan revised, or a plan with one fault."""

    seed: int
    kind: str  # "clean" | "revised" | "fault"
    index: int
    fault: str | None = None

    def build(self) -> tuple[Plan, list[Override], Plan]:
        """The plan to render, the cells typed over it, and the plan as meant (what the manifest holds)."""
        rng = random.Random(f"xlplan-synth/{self.seed}/{self.kind}/{self.fault}/{self.index}")
        if self.kind in ("clean", "revised"):
            rng = random.Random(f"xlplan-synth/{self.seed}/clean/None/{self.index}")
            plan = make_plan(rng, n_items=_clean_size(rng))
            if self.kind == "revised":
                _revise(plan, rng)
            return plan, [], plan
        assert self.fault is not None
        return _faulty(self.fault, rng)


def _clean_size(rng: random.Random) -> int:
    return rng.choice(range(16, 41)) if rng.random() < 0.5 else rng.randint(18, 32)


def _revise(plan: Plan, rng: random.Random) -> None:
    """A later revision: one item's budget changed for every year."""
    it = rng.choice(plan.items)
    extra = Decimal(rng.choice((5000, 10000, 20000)))
    it.budget = {y: v + extra for y, v in it.budget.items()}
    for m in it.measures:
        m.progress = []  # spending entered against the old budget is not carried over


def _funded(plan: Plan, rng: random.Random) -> Item:
    """An item with a budget in every year (given one if no item has)."""
    full = [it for it in plan.items if all(v > 0 for v in it.budget.values())]
    if full:
        return rng.choice(full)
    it = next((it for it in plan.items if it.kind == "โครงการ"), plan.items[0])
    it.budget = {y: Decimal(20000) for y in plan.years}
    return it


def _faulty(fault: str, rng: random.Random) -> tuple[Plan, list[Override], Plan]:
    """A plan with one typical fault, by model change or by a cell typed over (an override)."""
    fw = load_framework()
    if fault == "P703":
        plan = make_plan(rng, n_items=rng.randint(5, 15), cover_all=False)
        return plan, [], plan
    if fault == "P701":
        dims = [d.code for d in fw.dimensions]
        dims.remove(rng.choice(("3", "3", "4", "1")))
        plan = make_plan(rng, n_items=rng.randint(10, 30), dims=dims)
        return plan, [], plan
    plan = make_plan(rng, n_items=_clean_size(rng))
    meant = plan
    L = layout_for(plan.years)
    b = L.budget
    row_of = {i: b.first_row + i for i in range(len(plan.items))}
    overrides: list[Override] = []
    years = plan.years
    if fault in ("A501", "X401"):
        it = _funded(plan, rng)
        k = plan.items.index(it)
        total = it.total()
        typed = total if fault == "X401" else total + rng.choice((-1000, 1000, 9, 90000))
        overrides.append((b.sheet, row_of[k], b.col("total"), typed))
    elif fault == "A503":
        marker = b.first_row + len(plan.items) + SPARE_ROWS
        g = L.summary_row(marker, L.n_dimensions)
        if rng.random() < 0.5:
            col, right = b.col("total"), sum((plan.year_total(y) for y in years), Decimal(0))
        else:
            y = rng.choice(years)
            col, right = b.col(f"y{y}"), plan.year_total(y)
        overrides.append((b.sheet, g, col, right + rng.choice((1000, 20000, -500, 150))))
    elif fault == "V302":
        r = rng.choice(plan.risks)
        r.likelihood = 7
        r.measures = r.measures or [plan.items[0].number]
    elif fault == "V303":
        it = _funded(plan, rng)
        y = rng.choice(years)
        it.budget[y] = -it.budget[y]
        for m in it.measures:
            m.progress = []
    elif fault == "V308":
        k = rng.randrange(1, len(plan.items))
        plan.items[k].number = plan.items[k - 1].number
    elif fault == "V314":
        # the amount typed as text: spreadsheets leave it out of every SUM, so the saved totals lack it
        it = _funded(plan, rng)
        y = rng.choice(years)
        k = plan.items.index(it)
        overrides.append((b.sheet, row_of[k], b.col(f"y{y}"), f"{it.budget[y]:,.0f}"))
        meant = plan
        plan = copy.deepcopy(plan)
        plan.items[k].budget[y] = Decimal(0)
    elif fault == "N353":
        it = next((it for it in plan.items if it.total() == 0), plan.items[-1])
        it.budget = {y: Decimal(0) for y in years}
        for m in it.measures:
            for p in m.progress:
                p.spent = None
        k = plan.items.index(it)
        overrides += [(b.sheet, row_of[k], b.col(f"y{y}"), "xxx") for y in years]
    elif fault == "C601":
        r = rng.choice(plan.risks)
        r.measures = sorted({*r.measures, len(plan.items) + rng.randint(1, 6)})
    elif fault == "C603":
        sheet = rng.choice((L.risks.sheet, b.sheet, L.details.sheet))
        overrides.append((sheet, 1, 0, SHORT))
    elif fault == "C606":
        it = rng.choice(plan.items)
        it.details.name = _misnamed(it.name, rng)
    elif fault == "P702":
        r = rng.choice(plan.risks)
        r.likelihood, r.impact = rng.choice(((4, 3), (3, 4), (4, 4), (5, 3), (2, 5)))
        r.measures = []
    else:
        raise ValueError(f"unknown fault {fault}")
    return plan, overrides, meant


def _misnamed(name: str, rng: random.Random) -> str:
    """The same item as staff retype it on another page: quotes dropped, words added or shortened."""
    if "“" in name:
        return name.split("“")[0].strip() or name.replace("“", "").replace("”", "")
    return rng.choice((f"{name} ประจำปีงบประมาณ พ.ศ. 2566", name.replace("ของ", " ของ", 1) + " (ต่อเนื่อง)"))


@dataclass
class _Part:
    """One zip member: constant pieces deflated once, each ending on a byte boundary, tokens between them."""

    name: bytes
    pieces: list[bytes]  # deflated constant pieces: len(tokens) + 1
    plain: list[bytes]  # the same pieces uncompressed (for the CRC)
    tokens: list[bytes]  # token names between the pieces


@dataclass
class _Variant:
    spec: VariantSpec
    parts: list[_Part]


def _deflate(data: bytes, last: bool) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _split(data: bytes) -> tuple[list[bytes], list[bytes]]:
    pieces: list[bytes] = []
    tokens: list[bytes] = []
    last = 0
    for m in _TOKEN_RE.finditer(data):
        pieces.append(data[last : m.start()])
        tokens.append(m.group(1) or b"CREATED")
        last = m.end()
    pieces.append(data[last:])
    return pieces, tokens


def render_variant(spec: VariantSpec) -> _Variant:
    """Render a variant and cut its parts at the placeholders."""
    import io
    import zipfile

    plan, overrides, _meant = spec.build()
    data = render(plan, created=CREATED, overrides=overrides)
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            plain, tokens = _split(z.read(info))
            pieces = [_deflate(p, i == len(plain) - 1) for i, p in enumerate(plain)]
            parts.append(_Part(info.filename.encode(), pieces, plain, tokens))
    return _Variant(spec, parts)


def _stored(data: bytes) -> bytes:
    """``data`` as stored (uncompressed) deflate blocks, none of them final."""
    out = []
    for i in range(0, len(data), 0xFFFF):
        chunk = data[i : i + 0xFFFF]
        out.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(out)


_DOS_DATE = 0x21  # 1980-01-01, as xlsxwriter dates its members


def stamp_bytes(variant: _Variant, values: dict[bytes, bytes]) -> bytes:
    """The variant's workbook with ``values`` (already XML-escaped, UTF-8) in place of its tokens."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for part in variant.parts:
        chunks: list[bytes] = []
        crc = 0
        size = 0
        for i, plain in enumerate(part.plain):
            if i:
                v = values[part.tokens[i - 1]]
                chunks.append(_stored(v))
                crc = zlib.crc32(v, crc)
                size += len(v)
            chunks.append(part.pieces[i])
            crc = zlib.crc32(plain, crc)
            size += len(plain)
        csize = sum(len(c) for c in chunks)
        n = len(part.name)
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, _DOS_DATE, crc, csize, size, n, 0)
        entry = struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, 8, 0, _DOS_DATE, crc, csize, size, n, 0, 0, 0, 0,
            0o600 << 16, offset,
        )  # fmt: skip
        central.append(entry + part.name)
        out.append(local + part.name)
        out.extend(chunks)
        offset += len(local) + n + csize
    cd = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(cd), offset, 0)
    return b"".join([*out, cd, end])


# ------------------------------------------------------------------------------------------------ stamping


@dataclass
class _Stamp:
    """An organisation's texts over a variant: its file's bytes, and the plan model written."""

    template: Plan
    texts: dict[str, str]  # token key -> text
    ann_iso: str  # the announcement date as the model keeps it (B.E. ISO)
    created: str  # docProps date, W3CDTF

    def values(self) -> dict[bytes, bytes]:
        out = {k.encode(): escape(v).encode() for k, v in self.texts.items()}
        out[b"CREATED"] = self.created.encode()
        return out

    def plan(self) -> Plan:
        subs = {_tok(k): v for k, v in self.texts.items()}
        pattern = re.compile("|".join(re.escape(t) for t in subs))

        def fix(obj: Any) -> Any:
            if isinstance(obj, str):
                return pattern.sub(lambda m: subs[m.group(0)], obj) if "QZQ" in obj else obj
            if isinstance(obj, list):
                return [fix(x) for x in obj]
            if isinstance(obj, dict):
                return {k: fix(v) for k, v in obj.items()}
            if is_dataclass(obj) and not isinstance(obj, type):
                return type(obj)(**{f.name: fix(getattr(obj, f.name)) for f in fields(obj)})
            return obj

        plan: Plan = fix(copy.deepcopy(self.template))
        plan.announcement.date = self.ann_iso
        return plan


def _texts(info: _OrgInfo, ann: datetime) -> tuple[dict[str, str], str]:
    o = info.org
    be = ann.year + 543
    texts = {
        "NAME": o.name,
        "TYPE": o.type,
        "CODE": o.code,
        "SUB": o.subdistrict,
        "DIST": o.district,
        "PROV": o.province,
        "SHORT": info.short,
        "DATE": f"{ann.day:02d}/{ann.month:02d}/{be}",
        "SIGNER": info.signer,
        "POS": info.position,
    }
    return texts, f"{be}-{ann.month:02d}-{ann.day:02d}"


# ------------------------------------------------------------------------------------------------ junk files


_BIFF8 = struct.pack("<HHHHHHLL", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0) + struct.pack("<HH", 0x000A, 0)


def _ole_xls() -> bytes:
    """A minimal Excel 97-2003 compound file (one "Workbook" stream), as old .xls files are."""
    free, end, fat_sect, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    data = _BIFF8.ljust(4096, b"\0")
    fat = [fat_sect, end, *range(3, 2 + len(data) // 512), end]
    fat_sector = struct.pack("<128L", *(fat + [free] * (128 - len(fat))))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBB3L16sL8s8sLLL", raw, len(raw), kind, 1, none, none, child, bytes(16), 0, bytes(8), bytes(8),
            start, size, 0,
        )  # fmt: skip

    directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, none, 2, len(_BIFF8))).ljust(512, b"\0")
    header = struct.pack(
        "<8s16sHHHHH6sLLLLLLLLL109L", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3, 0xFFFE, 9, 6,
        bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0, 0, *([free] * 108),
    )  # fmt: skip
    return header + fat_sector + directory + data


def _excel_owner(user: str) -> bytes:
    """Excel's ``~$`` owner file: the user name padded to 54 bytes, then in UTF-16; 165 bytes."""
    ansi = user.encode("cp1252")
    wide = user.encode("utf-16-le")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ") + struct.pack("<H", len(wide) // 2) + wide
    return (data + b" \x00" * 60)[:165]


def _lo_lock(user: str, when: datetime) -> bytes:
    return (
        f",{user},{user.upper()}-PC,{when:%d.%m.%Y %H:%M},file:///C:/Users/{user}/AppData/Roaming/LibreOffice/4;"
    ).encode()


UNREADABLE = ("random_bytes", "truncated", "empty", "ole_xls")


# ------------------------------------------------------------------------------------------------ generate


@dataclass
class _Job:
    info: _OrgInfo
    role: str  # clean | fault | unreadable | dup_same | dup_newer | dup_conflict
    variant: VariantSpec | None = None
    second: VariantSpec | None = None  # duplicates: the variant of the second file
    junk: str = ""


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def _file_name(rng: random.Random, info: _OrgInfo) -> str:
    o = info.org
    name = _UNSAFE.sub("_", o.name)
    short = _UNSAFE.sub("_", info.short)
    return rng.choices(
        (
            f"แผนป้องกันทุจริต_{name}.xlsx",
            f"แผนป้องกันการทุจริต {short}.xlsx",
            f"แผนปฏิบัติการป้องกันการทุจริต 2566-2570 {name}.xlsx",
            f"{o.code}_{name}.xlsx",
            f"แผนป้องกันทุจริต_{name} (1).xlsx",
        ),
        (40, 20, 15, 15, 10),
    )[0]


class _Writer:
    """Writes files and their manifest entries; unique names per folder, deterministic times."""

    def __init__(self, out_dir: Path, nested: bool) -> None:
        self.out_dir = out_dir
        self.nested = nested
        self.names: dict[Path, set[str]] = {}
        self.files: list[SynthFile] = []

    def folder(self, info: _OrgInfo, sub: str = "") -> Path:
        if not self.nested:
            return self.out_dir
        o = info.org
        district = o.district if o.province == BANGKOK else f"อำเภอ{o.district}"
        d = self.out_dir / o.province / district
        return d / sub if sub else d

    def path(self, folder: Path, name: str, code: str) -> Path:
        used = self.names.setdefault(folder, set())
        if name in used:
            stem, _dot, ext = name.rpartition(".")
            name = f"{stem}_{code}.{ext}"
            k = 2
            while name in used:
                name, k = f"{stem}_{code}_{k}.{ext}", k + 1
        used.add(name)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def write(self, path: Path, data: bytes, mtime: float) -> None:
        path.write_bytes(data)
        os.utime(path, (mtime, mtime))


def _expected(spec: VariantSpec | None) -> str:
    if spec is None or spec.fault is None:
        return "ok"
    return VERDICT_OF_SEVERITY[RULES[spec.fault].severity]


def _assign(
    rng: random.Random, seed: int, infos: list[_OrgInfo], fault_share: float, unreadable_share: float,
    duplicate_share: float, not_submitted: int, n_clean: int,
) -> tuple[list[_Job], list[_OrgInfo]]:  # fmt: skip
    """Who sends what: roles by share, a variant for each file."""
    order = list(range(len(infos)))
    rng.shuffle(order)
    n_missing = min(not_submitted, max(0, len(infos) - 1))
    missing = [infos[i] for i in order[:n_missing]]
    senders = order[n_missing:]
    n = len(senders)
    n_fault = round(fault_share * n)
    n_unread = round(unreadable_share * n)
    n_dup = round(duplicate_share * n)
    if n_fault + n_unread + n_dup > n:
        raise ValueError("fault_share + unreadable_share + duplicate_share must not exceed 1")
    roles = ["fault"] * n_fault + ["unreadable"] * n_unread + ["dup"] * n_dup
    roles += ["clean"] * (n - len(roles))
    faults = list(FAULTS)
    rng.shuffle(faults)
    dup_kinds = ["dup_same", "dup_newer", "dup_conflict"]
    rng.shuffle(dup_kinds)
    junk = list(UNREADABLE)
    counters = {"clean": 0, "fault": 0, "unreadable": 0, "dup": 0}
    jobs: list[_Job] = []
    for i, role in zip(senders, roles, strict=True):
        job = _Job(infos[i], role)
        if role == "clean":
            job.variant = VariantSpec(seed, "clean", rng.randrange(n_clean))
        elif role == "fault":
            fault = faults[counters["fault"] % len(faults)]
            job.variant = VariantSpec(seed, "fault", rng.randrange(VARIANTS_PER_FAULT), fault)
        elif role == "unreadable":
            job.junk = junk[counters["unreadable"] % len(junk)]
            job.variant = VariantSpec(seed, "clean", rng.randrange(n_clean))
        else:
            job.role = dup_kinds[counters["dup"] % len(dup_kinds)]
            base = rng.randrange(DUPLICATE_BASES)
            job.variant = VariantSpec(seed, "clean", base)
            job.second = job.variant if job.role == "dup_same" else VariantSpec(seed, "revised", base)
        counters["dup" if role.startswith("dup") else role] += 1
        jobs.append(job)
    jobs.sort(key=lambda j: j.info.org.code)
    return jobs, missing


def _render_all(specs: Iterable[VariantSpec], jobs: int | None = None) -> dict[VariantSpec, _Variant]:
    todo = sorted(set(specs), key=lambda s: (s.kind, s.fault or "", s.index))
    workers = jobs or min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(todo) < 6:
        return {s: render_variant(s) for s in todo}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(zip(todo, pool.map(render_variant, todo), strict=True))


EPOCH = datetime(2022, 8, 1, tzinfo=UTC)  # submissions arrive from August 2565 B.E. on


def generate(
    out_dir: Path,
    n_orgs: int,
    *,
    seed: int = 0,
    fault_share: float = 0.15,
    unreadable_share: float = 0.02,
    duplicate_share: float = 0.03,
    lock_files: int = 2,
    not_submitted: int = 3,
    nested: bool = True,
    jobs: int | None = None,
) -> Manifest:
    """Write the plan files of ``n_orgs`` synthetic organisations into ``out_dir``; say what each file is.

    The roster holds all ``n_orgs`` organisations; ``not_submitted`` of them send nothing. Of the others, the
    shares send a faulty plan, an unreadable file or their plan twice (identical, revised later, or a conflicting
    copy); ``lock_files`` lock files stand beside some workbooks. ``jobs`` processes render the variants.
    """
    if n_orgs < 1:
        raise ValueError("n_orgs must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"xlplan-synth/{seed}")
    infos = make_orgs(n_orgs, rng)
    n_clean = min(CLEAN_VARIANTS, max(DUPLICATE_BASES, n_orgs // 5))  # small runs (tests) render fewer
    job_list, missing = _assign(
        rng, seed, infos, fault_share, unreadable_share, duplicate_share, not_submitted, n_clean
    )
    needed = [s for j in job_list for s in (j.variant, j.second) if s is not None]
    variants = _render_all(needed, jobs)
    templates = {s: s.build()[2] for s in variants}
    w = _Writer(out_dir, nested)
    lock_candidates: list[SynthFile] = []

    for job in job_list:
        info, o = job.info, job.info.org
        assert job.variant is not None
        ann = datetime(2022, 6, 15) + timedelta(days=rng.randint(0, 100))
        sent = EPOCH + timedelta(days=rng.randint(0, 70), hours=rng.randint(8, 16), minutes=rng.randint(0, 59))
        created = (ann - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))).strftime("%Y-%m-%dT%H:%M:%SZ")
        texts, iso = _texts(info, ann)
        stamp = _Stamp(templates[job.variant], texts, iso, created)
        data = stamp_bytes(variants[job.variant], stamp.values())
        name = _file_name(rng, info)
        if job.junk == "ole_xls":
            name = name.rpartition(".")[0] + ".xls"
        path = w.path(w.folder(info), name, o.code)
        mtime = sent.timestamp()
        if job.role == "unreadable":
            data = _junk(job.junk, data, rng)
            w.write(path, data, mtime)
            w.files.append(
                SynthFile(path, None, None, None, None, "unreadable", None, "unreadable", sender_code=o.code)
            )
            continue
        kind = "fault" if job.role == "fault" else "clean"
        first = SynthFile(
            path, o.code, o.name, o.province, o.district, kind, job.variant.fault, _expected(job.variant), stamp=stamp
        )
        w.write(path, data, mtime)
        w.files.append(first)
        if job.role == "clean":
            lock_candidates.append(first)
        if job.second is None:
            continue
        # the second submission of the same organisation
        later = mtime + rng.randint(3600, 20 * 86400)
        if job.role == "dup_same":
            kind2, stamp2, data2 = "duplicate_same", stamp, data
            path2 = w.path(path.parent, name.rpartition(".")[0] + " (1).xlsx", o.code)
        else:
            ann2 = ann + timedelta(days=rng.randint(10, 60)) if job.role == "dup_newer" else ann
            texts2, iso2 = _texts(info, ann2)
            created2 = (ann2 - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            stamp2 = _Stamp(templates[job.second], texts2, iso2, created2)
            data2 = stamp_bytes(variants[job.second], stamp2.values())
            if job.role == "dup_newer":
                kind2 = "duplicate_newer"
                path2 = w.path(w.folder(info, "ฉบับแก้ไข"), name, o.code)
            else:
                kind2 = "duplicate_conflict"
                path2 = w.path(path.parent, name.rpartition(".")[0] + " (2).xlsx", o.code)
        w.write(path2, data2, later)
        w.files.append(
            SynthFile(path2, o.code, o.name, o.province, o.district, kind2, None, "ok", duplicate_of=path, stamp=stamp2)
        )

    for k, target in enumerate(rng.sample(lock_candidates, min(lock_files, len(lock_candidates)))):
        user = rng.choice(_USERS)
        when = datetime.fromtimestamp(target.path.stat().st_mtime, UTC)
        if k % 2 == 0:
            nm = target.path.name
            lock = target.path.with_name("~$" + (nm[2:] if len(nm) > 10 else nm))
            data = _excel_owner(user)
        else:
            lock = target.path.with_name(f".~lock.{target.path.name}#")
            data = _lo_lock(user, when)
        w.names.setdefault(lock.parent, set()).add(lock.name)
        w.write(lock, data, when.timestamp() + 60)
        w.files.append(SynthFile(lock, None, None, None, None, "lock", None, "skipped", sender_code=target.org_code))

    return Manifest(w.files, [i.org for i in infos], [i.org for i in missing])


def _junk(kind: str, data: bytes, rng: random.Random) -> bytes:
    if kind == "random_bytes":
        return b"\x00" + rng.randbytes(rng.randint(2000, 20000))
    if kind == "truncated":
        return data[: len(data) * rng.randint(3, 8) // 10]
    if kind == "empty":
        return b""
    if kind == "ole_xls":
        return _ole_xls()
    raise ValueError(kind)


def expected_of(report_verdict: str, codes: Iterable[str]) -> str:
    """The manifest verdict a check report stands for: lock files are unreadable F107 findings, i.e. skipped."""
    codes = list(codes)
    if report_verdict == "unreadable" and codes and all(c == "F107" for c in codes):
        return "skipped"
    return report_verdict


__all__ = [
    "FAULTS",
    "KINDS",
    "Manifest",
    "SynthFile",
    "VariantSpec",
    "expected_of",
    "generate",
    "make_orgs",
    "make_plan",
    "render_variant",
    "stamp_bytes",
]
