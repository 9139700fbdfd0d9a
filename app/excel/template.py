"""`clientfile template OUT.xlsx`: an import template whose headers the importer recognises, with an
example row and a 说明 sheet that says what each column takes."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import xlsxwriter

from app.enums import Channel, DealStatus, Kind, Source, Stage
from app.excel.columns import FIELD_BY_KEY
from app.excel.sheets_spec import CUSTOMER_COLUMNS, CUSTOMER_SHEET
from app.fileutil import atomic_replace, temp_path_beside
from app.grading import FACTOR_CHOICES

NOTES_SHEET = "填写说明"
_INFO_ONLY = ("asset_tier", "last_contact_at", "next_appointment_at")
TEMPLATE_COLUMNS = tuple(c for c in CUSTOMER_COLUMNS if c.key not in _INFO_ONLY)

EXAMPLE: dict[str, object] = {
    "card_no": "", "name": "张三", "kind": "个人", "gender": "男", "birthday": "农历三月初八",
    "mobile": "138 1234 5678", "phone": "0755-12345678", "wechat": "zhangsan_88", "email": "zhangsan@example.com",
    "address": "广东省深圳市南山区科技园路 1 号", "postcode": "518000", "preferred_channel": "微信",
    "company": "深圳某某科技有限公司", "title": "财务经理", "occupation": "会计", "wedding_date": date(2012, 10, 1),
    "grade": "", "economy": "好", "awareness": "强", "influence": "一般", "deal_status": "未成交",
    "stage": "需求挖掘", "asset_wan": 80, "source": "转介绍", "referrer_name": "", "hobbies": "羽毛球、茶",
    "remarks": "孩子明年上小学，关注教育金", "tags": "老乡会、重点跟进",
}


def _words(enum: type) -> str:
    return "、".join(m.value for m in enum)  # type: ignore[attr-defined]


NOTES: dict[str, str] = {
    "card_no": "可不填：留空时自动编号（KH000123）。填写时不能与已有客户重复。",
    "name": "必填。个人写姓名，单位客户写单位全称。",
    "kind": f"可选：{_words(Kind)}；不填为个人。",
    "gender": "男 或 女。",
    "birthday": "公历写 1985-03-08、1985/3/8、1985年3月8日、85.3.8 或 3月8日（不知年份）；"
                "农历写 农历三月初八、闰四月十五、农历1985年三月初八。",
    "mobile": "11 位手机号；空格、横线、+86 都可以。一格写了多个号码时，第一个手机号进“手机”，其余进“电话”或备注。",
    "phone": "固定电话，例：010-12345678、0755 1234 5678 转 123、400-123-4567。",
    "postcode": "6 位数字。",
    "preferred_channel": f"可选：{_words(Channel)}。",
    "has_branches": "是 或 否。",
    "employee_count": "整数，例：120。",
    "wedding_date": "日期，写法同生日（要有年份）。",
    "grade": "A、B、C、D；不填时按经济条件、需求意识、影响力三项自动建议。",
    "grade_manual": "是：等级以你填写的为准，不再自动建议。",
    "economy": f"可选：{'、'.join(FACTOR_CHOICES['economy'])}。",
    "awareness": f"可选：{'、'.join(FACTOR_CHOICES['awareness'])}。",
    "influence": f"可选：{'、'.join(FACTOR_CHOICES['influence'])}。",
    "deal_status": f"可选：{_words(DealStatus)}。",
    "stage": f"可选：{_words(Stage)}；写“流失”时请同时填写流失原因。",
    "asset_wan": "以万元计：80、80万、1.2亿、300000元 都可以。",
    "source": f"可选：{_words(Source)}。",
    "referrer_card_no": "介绍人的客户编号（档案中或本表中的）。",
    "referrer_name": "介绍人姓名；有重名时请改填介绍人编号。",
    "influence_center": "是 或 否。",
    "competitor_end": "日期。",
    "created_on": "日期；不填为导入当天。",
    "tags": "多个标签用顿号、逗号或分号隔开。",
}


def write_template(out: Path) -> Path:
    """Write the template atomically; returns its path."""
    out = Path(out)
    tmp = temp_path_beside(out)
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False})
    try:
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        must = book.add_format({"bold": True, "bg_color": "#FFE699", "border": 1})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        ws = book.add_worksheet(CUSTOMER_SHEET)
        ws.freeze_panes(1, 1)
        for col, column in enumerate(TEMPLATE_COLUMNS):
            ws.set_column(col, col, column.width)
            ws.write_string(0, col, column.label, must if column.key == "name" else head)
            value = EXAMPLE.get(column.key, "")
            if isinstance(value, date):
                ws.write_datetime(1, col, value, day)
            elif isinstance(value, (int, float)):
                ws.write_number(1, col, value)
            elif value:
                ws.write_string(1, col, str(value))
        _notes(book, head)
        book.close()
        atomic_replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _notes(book: xlsxwriter.Workbook, head: object) -> None:
    ws = book.add_worksheet(NOTES_SHEET)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 80, wrap)
    ws.write_string(0, 0, "列名", head)
    ws.write_string(0, 1, "怎么填", head)
    ws.write_string(1, 0, "总说明")
    ws.write_string(1, 1, f"在“{CUSTOMER_SHEET}”工作表中每行填一位客户（第 2 行是示例，导入前请删除或改成真实客户）。"
                          "除“姓名/名称”外都可以不填；列的顺序可以调整，不需要的列可以删除。"
                          "导入时会先预览，每个有问题的格子都会说明原因，确认后才写入档案，且可以撤销。")
    for row, column in enumerate(TEMPLATE_COLUMNS, start=2):
        ws.write_string(row, 0, column.label)
        ws.write_string(row, 1, NOTES.get(column.key, _default_note(column.key)))


def _default_note(key: str) -> str:
    field = FIELD_BY_KEY.get(key)
    return "文字，原样导入。" if field is None else f"文字，原样导入（也认：{'、'.join(field.synonyms[:4])}）。"
