"""Thai conventions: Thai digits, Buddhist-era years, and amounts in words as Excel's BAHTTEXT writes them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
BE_OFFSET = 543  # CE = BE - 543


def arabic_digits(text: str) -> str:
    """'๒๕๖๖' -> '2566'; other characters unchanged."""
    return text.translate(_TO_ARABIC)


def be_to_ce(year: int) -> int:
    return year - BE_OFFSET


def ce_to_be(year: int) -> int:
    return year + BE_OFFSET


_WORDS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")


def _below_million(n: int, style: str) -> str:
    """Words for 0 < n < 1,000,000 (no 'ศูนย์')."""
    out = []
    digits = str(n)
    width = len(digits)
    for i, ch in enumerate(digits):
        d = int(ch)
        place = width - 1 - i
        if d == 0:
            continue
        if place == 1 and d == 1:
            out.append("สิบ")
        elif place == 1 and d == 2:
            out.append("ยี่สิบ")
        elif place == 0 and d == 1 and width > 1 and (style == "excel" or digits[-2] != "0"):
            out.append("เอ็ด")
        else:
            out.append(_WORDS[d] + _PLACES[place])
    return "".join(out)


def number_words(n: int, style: str = "libreoffice") -> str:
    """Thai words for a whole number >= 0, millions grouped as Thai does (หนึ่งล้านล้าน).

    Spreadsheets differ on a final 1: LibreOffice says เอ็ด only after a tens digit (101 = หนึ่งร้อยหนึ่ง),
    Excel after any higher digit (101 = หนึ่งร้อยเอ็ด). ``style`` picks one; LibreOffice is the default because it
    is the application the project checks its formulas against.
    """
    if n == 0:
        return _WORDS[0]
    groups = []
    while n:
        n, rest = divmod(n, 1_000_000)
        groups.append(rest)
    out = ""
    for i, g in enumerate(reversed(groups)):
        last = i == len(groups) - 1
        if g:
            out += _below_million(g, style)
        if not last:
            out += "ล้าน"
    return out


def bahttext(amount: Decimal | int | float, style: str = "libreoffice") -> str:
    """An amount in Thai words, as BAHTTEXT: 19800 -> หนึ่งหมื่นเก้าพันแปดร้อยบาทถ้วน (see number_words)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "ลบ" if value < 0 else ""
    value = abs(value)
    baht = int(value)
    satang = int((value - baht) * 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    text = sign
    if baht:
        text += number_words(baht, style) + "บาท"
    if satang:
        text += number_words(satang, style) + "สตางค์"
    else:
        text += "ถ้วน"
    return text
