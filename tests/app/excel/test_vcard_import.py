"""vCards as phones export them (iPhone 3.0, Android/Huawei/Xiaomi 2.1 with QUOTED-PRINTABLE, 4.0),
through the same duplicate handling; a broken card is named by its number and line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.errors import AppError
from app.excel import source
from app.rows import Birthday, CustomerInput
from app.vcard import read_vcards
from tests.app.excel._excel_support import full_digest

IPHONE = """BEGIN:VCARD\r
VERSION:3.0\r
PRODID:-//Apple Inc.//iPhone OS 17.4//EN\r
N:张;三;;;\r
FN:张三\r
ORG:华为技术有限公司;\r
TITLE:销售总监\r
item1.EMAIL;type=INTERNET;type=pref:zhangsan@example.com\r
TEL;type=CELL;type=VOICE;type=pref:+86 138 1234 5678\r
TEL;type=WORK;type=VOICE:0755-8888 6666\r
item2.ADR;type=HOME;type=pref:;;南山区科技园路 1 号;深圳市;广东省;518000;中国\r
item2.X-ABADR:cn\r
BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-08\r
NOTE:老客户\\n喜欢喝茶\r
CATEGORIES:VIP,老客户\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
N:;;;;\r
FN:深圳某某贸易有限公司\r
ORG:深圳某某贸易有限公司;\r
TEL;type=MAIN:400-800-1234\r
END:VCARD\r
"""

# Android's contacts app: vCard 2.1, names as QUOTED-PRINTABLE UTF-8 with '=' soft line breaks.
ANDROID = """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E;=E5=9B=9B;;;
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E=E5=9B=9B
TEL;CELL:139-0000-1111
TEL;HOME:010-12345678
EMAIL;HOME:lisi@example.com
NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E8=BF=99=E6=98=AF=E4=B8=80=E6=AE=B5=E5=BE=88=E9=95=BF=E7=9A=84=
=E5=A4=87=E6=B3=A8=EF=BC=8C=E8=B7=A8=E4=BA=86=E4=B8=A4=E8=A1=8C
ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;=E6=9C=9D=E9=98=B3=E5=8C=BA=E5=BB=BA=E5=9B=BD=E8=B7=AF=
 1=E5=8F=B7;=E5=8C=97=E4=BA=AC=E5=B8=82;;100020;
BDAY:1990-12-01
END:VCARD
"""

# Huawei / Xiaomi backups: 2.1, QP names, custom X- lines, a photo, and a service number.
HUAWEI = """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B;=E4=BA=94;;;
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B=E4=BA=94
X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Wang;1;;;;;;;;;;;;;
TEL;CELL;PREF:+8613700002222
TEL;WORK:10086
ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E4=B8=AD=E5=85=B4
PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a
 HBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAA

BDAY:19880808
END:VCARD
BEGIN:VCARD
VERSION:2.1
N;CHARSET=GB2312;ENCODING=QUOTED-PRINTABLE:=D5=D4;=C1=F9;;;
TEL;CELL:13600003333
END:VCARD
"""

V4 = """BEGIN:VCARD
VERSION:4.0
FN:钱七
N:钱;七;;;
ORG:某某银行
TEL;VALUE=uri;TYPE="voice,cell":tel:+86-135-0000-4444
EMAIL;TYPE=work:qianqi@example.com
BDAY:--0415
END:VCARD
"""


def _file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_iphone_export(svc: Any, tmp_path: Path, import_file: Any) -> None:
    _, result = import_file(_file(tmp_path, "iPhone.vcf", IPHONE))
    assert (result.created, result.rejected) == (2, 0)
    zhang = svc.customers.get(1).data
    assert (zhang.name, zhang.mobile, zhang.phone, zhang.email) == (
        "张三", "13812345678", "0755-88886666", "zhangsan@example.com")
    assert (zhang.company, zhang.title, zhang.postcode) == ("华为技术有限公司", "销售总监", "518000")
    assert zhang.address == "广东省深圳市南山区科技园路 1 号"
    assert zhang.birthday == Birthday("solar", 3, 8, None)  # 1604 = year not given
    assert (zhang.remarks, zhang.tags) == ("老客户\n喜欢喝茶", ("VIP", "老客户"))
    org = svc.customers.get(2).data
    assert (org.name, org.phone) == ("深圳某某贸易有限公司", "400-800-1234")


def test_android_quoted_printable(svc: Any, tmp_path: Path, import_file: Any) -> None:
    _, result = import_file(_file(tmp_path, "contacts.vcf", ANDROID))
    assert result.created == 1
    li = svc.customers.get(1).data
    assert (li.name, li.mobile, li.phone, li.email) == ("李四", "13900001111", "010-12345678", "lisi@example.com")
    assert li.remarks == "这是一段很长的备注，跨了两行"
    assert (li.address, li.postcode) == ("北京市朝阳区建国路1号", "100020")
    assert li.birthday == Birthday("solar", 12, 1, 1990)


def test_huawei_and_xiaomi_backup(svc: Any, tmp_path: Path, import_file: Any) -> None:
    _, result = import_file(_file(tmp_path, "00001.vcf", HUAWEI))
    assert result.created == 2
    wang = svc.customers.get(1).data
    assert (wang.name, wang.mobile, wang.company) == ("王五", "13700002222", "中兴")
    assert wang.remarks == "其他号码：10086"  # a service number is kept, not a reason to drop the card
    assert wang.birthday == Birthday("solar", 8, 8, 1988)
    assert svc.customers.get(2).data.name == "赵六"  # GB2312 quoted-printable


def test_vcard_4(svc: Any, tmp_path: Path, import_file: Any) -> None:
    _, result = import_file(_file(tmp_path, "v4.vcf", V4))
    assert result.created == 1
    qian = svc.customers.get(1).data
    assert (qian.name, qian.mobile, qian.company, qian.email) == ("钱七", "13500004444", "某某银行",
                                                                 "qianqi@example.com")
    assert qian.birthday == Birthday("solar", 4, 15, None)


def test_gbk_encoded_file(svc: Any, tmp_path: Path, import_file: Any) -> None:
    _, result = import_file(_file(tmp_path, "old.vcf", V4.replace("4.0", "3.0"), "gbk"))
    assert result.created == 1
    assert svc.customers.get(1).data.name == "钱七"


def test_vcards_use_the_same_duplicate_handling(svc: Any, tmp_path: Path, import_file: Any) -> None:
    existing = svc.customers.create(CustomerInput(name="李老师", mobile="13900001111"))
    _, result = import_file(_file(tmp_path, "contacts.vcf", ANDROID), "fill")
    assert (result.created, result.updated) == (0, 1)
    card = svc.customers.get(existing).data
    assert (card.name, card.email, card.phone) == ("李老师", "lisi@example.com", "010-12345678")
    (note,) = result.notes
    assert note.row == 1 and "电话相同" in note.reason


@pytest.mark.parametrize("text, expected", [
    (IPHONE + "BEGIN:VCARD\nVERSION:3.0\nFN:半张\n", "第 3 张名片（第 24 行起）缺少 END:VCARD"),
    (V4 + "随便写的一行\n" + V4, "第 10 行不在任何名片"),
    (V4 + "BEGIN:VCARD\nVERSION:3.0\nFN:坏\n这一行没有冒号\nEND:VCARD\n", "第 2 张名片（第 10 行起）格式有误"),
    ("END:VCARD\n", "第 1 行有 END:VCARD，但前面没有对应的 BEGIN:VCARD"),
    ("hello world\n", "第 1 行不在任何名片"),
    ("", "是空的"),
])
def test_broken_vcards_name_the_card(svc: Any, archive: Any, tmp_path: Path, text: str, expected: str) -> None:
    before = full_digest(archive)
    path = _file(tmp_path, "broken.vcf", text)
    with pytest.raises(AppError) as err:
        svc.imports.run(source.plan_file(path))
    assert expected in str(err.value) and "broken.vcf" in str(err.value)
    assert full_digest(archive) == before


def test_a_card_table_numbers_rows_by_card(tmp_path: Path) -> None:
    table = read_vcards(_file(tmp_path, "a.vcf", ANDROID + V4))
    assert (table.where(1), table.where(2)) == ("第 1 张名片", "第 2 张名片")
