"""Default greeting texts and how they are filled in.

Placeholders: {称呼} {姓名} {节日} {销售姓名} {公司}.  `render_greeting` rules (the README quotes them):
1. A known placeholder with a value is replaced by it.
2. A known placeholder with no value (missing or blank) becomes empty, and the punctuation or space it
   leaves dangling at the very start of the text is dropped ('{称呼}，新年好' → '新年好').
3. An empty signature ('——' at the end, no 销售姓名) is dropped.
4. An unknown placeholder (a typo such as {称乎}) is left exactly as typed, so the salesperson sees it
   before sending; nothing ever raises.
The texts are short, warm and signed by the salesperson, to read like a personal note, not a mass text.
"""
from __future__ import annotations

import re
from types import MappingProxyType

PLACEHOLDERS = ("称呼", "姓名", "节日", "销售姓名", "公司")

_SIGN = "——{销售姓名}"
DEFAULT_TEMPLATES = MappingProxyType({
    "birthday": "{称呼}，生日快乐！又长一岁，愿您身体健康、事事顺心。平时多蒙您照顾，今天特别想跟您说声谢谢。" + _SIGN,
    "wedding": "{称呼}，结婚纪念日快乐！祝您和家人和和美美、幸福长久。" + _SIGN,
    "life_event": "{称呼}，听说您家有喜事，真替您高兴！送上一份祝福，有需要我帮忙的地方尽管开口。" + _SIGN,
    "yuandan": "{称呼}，新年好！感谢您过去一年的信任和支持，新的一年祝您平安顺遂、万事如意。" + _SIGN,
    "chuxi": "{称呼}，除夕快乐！一年辛苦了，今晚好好和家人团圆，祝您阖家幸福。" + _SIGN,
    "chunjie": "{称呼}，给您拜年了！感谢您一直以来的信任，祝您和家人新春快乐、身体健康、万事兴旺。" + _SIGN,
    "yuanxiao": "{称呼}，元宵节快乐！记得吃碗汤圆，祝您一家团团圆圆。" + _SIGN,
    "funv": "{称呼}，妇女节快乐！工作家庭两头忙，今天也给自己放个假。" + _SIGN,
    "laodong": "{称呼}，劳动节快乐！假期好好休息，出行注意安全。" + _SIGN,
    "muqin": "{称呼}，母亲节快乐！替我向家里的妈妈问声好，祝她健康长寿。" + _SIGN,
    "duanwu": "{称呼}，端午安康！记得吃个粽子，祝您和家人平安健康。" + _SIGN,
    "ertong": "{称呼}，儿童节快乐！祝家里的小朋友快乐成长，也祝您永远保持一颗童心。" + _SIGN,
    "fuqin": "{称呼}，父亲节快乐！您为家里撑起一片天，今天也要好好歇一歇。" + _SIGN,
    "qixi": "{称呼}，七夕快乐！祝您和爱人甜甜蜜蜜、携手长久。" + _SIGN,
    "jiaoshi": "{称呼}，教师节快乐！您辛苦了，谢谢您的教导和付出。" + _SIGN,
    "zhongqiu": "{称呼}，中秋快乐！月圆人团圆，感谢您一直以来的支持，祝您和家人幸福安康。" + _SIGN,
    "guoqing": "{称呼}，国庆快乐！假期出行注意安全，好好享受和家人在一起的时光。" + _SIGN,
    "chongyang": "{称呼}，重阳节快乐！祝家里的老人健康长寿，您也多保重身体。" + _SIGN,
    "dongzhi": "{称呼}，冬至到了，记得吃饺子暖暖身子，天冷多添衣。" + _SIGN,
    "laba": "{称呼}，腊八节快乐！喝碗腊八粥，年味就近了，祝您全家安康。" + _SIGN,
    "shengdan": "{称呼}，圣诞快乐！祝您节日愉快，新的一年更加顺利。" + _SIGN,
})
# 清明 (key 'qingming') has no template on purpose: it is a day of remembrance, not of greetings.

_FIELD = re.compile(r"\{([^{}\s]{1,10})\}")
_LEADING = re.compile(r"^[\s，,、：:！!。.]+")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                      "司徒", "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "轩辕", "呼延")
_MALE = {"男", "m", "male", "先生"}
_FEMALE = {"女", "f", "female", "女士"}
_BOSS_TITLES = ("总", "董事长", "老板")


def render_greeting(template: str, **values: str) -> str:
    """Fill {称呼} {姓名} {节日} {销售姓名} {公司} in a template; never raises (see the module rules)."""
    blank_at_start = False

    def fill(m: re.Match[str]) -> str:
        nonlocal blank_at_start
        name = m.group(1)
        if name not in PLACEHOLDERS:
            return m.group(0)
        value = str(values.get(name) or "").strip()
        if not value and m.start() == 0:
            blank_at_start = True
        return value

    text = _FIELD.sub(fill, template)
    if blank_at_start:
        text = _LEADING.sub("", text)
    if text.endswith("——"):  # no 销售姓名: drop the empty signature dash
        text = text[:-2].rstrip()
    return text


def surname(name: str) -> str:
    """The family name: a known two-character surname (欧阳, 司马 …) or else the first character."""
    name = name.strip()
    for compound in _COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > 2:
            return compound
    return name[:1]


def salutation(name: str, gender: str = "", is_org: bool = False, title: str = "") -> str:
    """How to address someone: '王先生', '李女士', '张总'; the full name when gender is unknown.

    '总' (surname + 总) only when `title` says the person is a boss (总经理、总监、董事长、老板 …);
    is_org only means the person is a contact of an organisation customer, which changes nothing else.
    """
    name = name.strip()
    if not name:
        return ""
    if any(word in title for word in _BOSS_TITLES):
        return surname(name) + "总"
    sex = gender.strip().lower()
    if sex in _MALE:
        return surname(name) + "先生"
    if sex in _FEMALE:
        return surname(name) + "女士"
    return name
