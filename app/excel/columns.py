"""The fields a customer sheet can carry, their Chinese/English header synonyms, and automatic mapping.

A header row is found by scoring the first rows of a sheet (titles above it, merged or blank header
cells are common); each column is then mapped to a field by exact synonym, then by the synonym with
the bracketed remark removed ('手机号码（必填）'), then by the longest synonym it contains ('客户姓名').
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from app.enums import Channel, DealStatus, Kind, Source, Stage
from app.excel import values as v
from app.grading import FACTOR_CHOICES
from app.rows import CUSTOMER_LABELS

Parser = Callable[[object, str], Any]
HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class Field:
    """One importable field: its key, the header we write, how a cell is read, and header synonyms."""

    key: str
    label: str
    parse: Parser
    synonyms: tuple[str, ...] = ()


def _choice(allowed: Sequence[str], aliases: dict[str, str] | None = None) -> Parser:
    return partial(v.parse_choice, allowed=tuple(allowed), aliases=aliases or {})


def _words(enum: type) -> tuple[str, ...]:
    return tuple(m.value for m in enum)  # type: ignore[attr-defined]


_GENDER = {"男性": "男", "女性": "女", "m": "男", "f": "女", "male": "男", "female": "女", "先生": "男",
           "女士": "女", "小姐": "女"}
_KIND = {"单位客户": "单位", "企业": "单位", "公司": "单位", "团体": "单位", "机构": "单位", "个人客户": "个人",
         "个体": "个人", "person": "个人", "company": "单位", "org": "单位"}
_DEAL = {"已成交": "成交", "成交客户": "成交", "是": "成交", "老客户": "成交", "未成交客户": "未成交", "否": "未成交",
         "准客户": "未成交", "潜在客户": "未成交", "意向客户": "未成交"}
_STAGE = {"识别": "顾客识别", "接近": "主动接近", "挖掘": "需求挖掘", "介绍": "业务介绍", "现场试用": "业务介绍",
          "业务介绍/现场试用": "业务介绍", "意向判断/促成": "意向判断", "促成": "意向判断", "已成交": "成交",
          "已流失": "流失"}
_CHANNEL = {"邮箱": "邮件", "email": "邮件", "拜访": "上门", "面谈": "上门", "手机": "电话", "sms": "短信",
            "wechat": "微信"}
_SOURCE = {"介绍": "转介绍", "朋友介绍": "转介绍", "客户介绍": "转介绍", "陌拜": "陌生拜访", "缘故": "缘故关系",
           "亲友": "缘故关系", "线上": "网络", "互联网": "网络", "自来": "上门咨询", "来访": "上门咨询"}
_GRADE = {f"{g}{s}".lower(): g for g in "ABCD" for s in ("类", "级", "类客户", "级客户", "档")}
_FACTOR_ALIASES = {"较好": "好", "很好": "好", "富裕": "好", "较强": "强", "很强": "强", "较广": "广", "很广": "广",
                   "普通": "一般", "较差": "一般", "差": "一般", "弱": "一般", "窄": "一般"}


def _text(value: object, label: str) -> str:
    return v.text(value)


def _line(value: object, label: str) -> str:
    return v.single_line(value)


def _name(value: object, label: str) -> str:
    return v.single_line(value)


def _numbers(value: object, label: str) -> list[tuple[str, str]]:
    return v.phone_numbers(value, label)


def _grade(value: object, label: str) -> str:
    return v.parse_choice(value, label, ("A", "B", "C", "D"), _GRADE)


L = CUSTOMER_LABELS
CUSTOMER_FIELDS: tuple[Field, ...] = (
    Field("card_no", L["card_no"], v.parse_card_no,
          ("客户编号", "编号", "卡号", "客户卡号", "档案编号", "统一编号", "顾客资料卡统一编号", "客户代码", "客户号",
           "no", "no.", "id", "customer id", "card no")),
    Field("name", L["name"], _name,
          ("姓名/名称", "姓名", "客户名称", "名称", "客户姓名", "客户", "客户名", "名字", "顾客名称", "顾客姓名",
           "顾客名称或姓名", "户名", "name", "full name", "fullname", "customer", "customer name")),
    Field("kind", L["kind"], _choice(_words(Kind), _KIND),
          ("客户类型", "类型", "客户类别", "个人/单位", "type", "kind")),
    Field("gender", L["gender"], _choice(("男", "女"), _GENDER), ("性别", "sex", "gender")),
    Field("birthday", L["birthday"], v.parse_birthday,
          ("生日", "出生日期", "出生年月", "出生年月日", "公历生日", "阳历生日", "出生", "birthday", "birth date",
           "date of birth", "dob", "bday")),
    Field("lunar_birthday", "农历生日", v.parse_lunar_birthday,
          ("农历生日", "阴历生日", "农历出生日期", "旧历生日", "lunar birthday")),
    Field("mobile", L["mobile"], _numbers,
          ("手机", "手机号", "手机号码", "移动电话", "电话", "联系电话", "联系方式", "电话号码", "手机/电话", "mobile",
           "mobile phone", "cell", "cellphone", "phone", "tel", "telephone")),
    Field("phone", L["phone"], _numbers,
          ("电话", "联系电话", "联系方式", "电话号码", "固定电话", "座机", "固话", "办公电话", "家庭电话", "单位电话",
           "电话2", "其他电话", "landline", "office phone", "home phone", "work phone", "phone 2")),
    Field("wechat", L["wechat"], _line, ("微信", "微信号", "wechat", "weixin", "wx")),
    Field("email", L["email"], v.parse_email, ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail", "邮件")),
    Field("address", L["address"], _line,
          ("地址", "住址", "家庭住址", "联系地址", "通讯地址", "单位地址", "详细地址", "家庭地址", "居住地址", "所在地",
           "address", "addr")),
    Field("postcode", L["postcode"], v.parse_postcode, ("邮编", "邮政编码", "postcode", "zip", "zip code", "postal code")),
    Field("preferred_channel", L["preferred_channel"], _choice(_words(Channel), _CHANNEL),
          ("首选联系方式", "联系偏好", "偏好联系方式", "preferred channel")),
    Field("company", L["company"], _line,
          ("单位", "公司", "工作单位", "单位名称", "公司名称", "任职单位", "所在单位", "企业", "就职单位", "company",
           "organization", "organisation", "employer", "org")),
    Field("title", L["title"], _line, ("职务", "职位", "头衔", "title", "position", "job title")),
    Field("occupation", L["occupation"], _line, ("职业", "从事行业", "occupation", "profession", "job")),
    Field("org_nature", L["org_nature"], _line, ("企业性质", "单位性质", "公司性质")),
    Field("business_scope", L["business_scope"], _text, ("经营范围", "主营业务", "业务范围")),
    Field("has_branches", L["has_branches"], v.parse_bool, ("有分支机构", "是否有分支机构", "分支机构")),
    Field("parent_org", L["parent_org"], _line, ("上级主管部门", "主管部门", "上级单位")),
    Field("employee_count", L["employee_count"], v.parse_count, ("员工数量", "员工人数", "职工人数", "人数", "employees")),
    Field("related_parties", L["related_parties"], _text, ("关联上下游客户", "上下游客户", "关联客户")),
    Field("main_needs", L["main_needs"], _text, ("主要需求",)),
    Field("current_spend", L["current_spend"], _text, ("目前消费", "当前消费", "现有消费", "年消费")),
    Field("needs", L["needs"], _text, ("需求状况", "需求", "needs")),
    Field("finance", L["finance"], _text, ("财务状况", "财务")),
    Field("operations", L["operations"], _text, ("经营状况",)),
    Field("purchasing", L["purchasing"], _text, ("采购状况",)),
    Field("credit", L["credit"], _text, ("信用状况", "信用")),
    Field("relations", L["relations"], _text, ("对外关系状况", "对外关系")),
    Field("hobbies", L["hobbies"], _text, ("爱好", "兴趣爱好", "兴趣", "个人爱好", "hobbies", "hobby")),
    Field("personality", L["personality"], _text, ("性格习惯", "性格", "习惯", "性格特点", "行事风格", "personality")),
    Field("wedding_date", L["wedding_date"], v.parse_date,
          ("结婚纪念日", "结婚日期", "结婚日", "结婚纪念", "wedding", "anniversary")),
    Field("grade", L["grade"], _grade,
          ("等级", "客户等级", "级别", "客户级别", "分级", "顾客等级", "grade", "level")),
    Field("grade_manual", L["grade_manual"], v.parse_bool, ("手动定级",)),
    Field("economy", L["economy"], _choice(FACTOR_CHOICES["economy"], _FACTOR_ALIASES), ("经济条件",)),
    Field("awareness", L["awareness"], _choice(FACTOR_CHOICES["awareness"], _FACTOR_ALIASES),
          ("需求意识", "保险意识", "意识")),
    Field("influence", L["influence"], _choice(FACTOR_CHOICES["influence"], _FACTOR_ALIASES), ("影响力",)),
    Field("deal_status", L["deal_status"], _choice(_words(DealStatus), _DEAL),
          ("成交状态", "是否成交", "成交", "客户状态", "status")),
    Field("stage", L["stage"], _choice(_words(Stage), _STAGE), ("阶段", "销售阶段", "跟进阶段", "进度", "stage")),
    Field("loss_reason", L["loss_reason"], _line, ("流失原因", "未成交原因")),
    Field("asset_wan", L["asset_wan"], v.parse_wan,
          ("资产规模(万元)", "资产", "资产规模", "资产(万元)", "金融资产", "总资产", "资金量", "assets")),
    Field("source", L["source"], _choice(_words(Source), _SOURCE), ("来源", "客户来源", "渠道", "source")),
    Field("referrer_card_no", "介绍人编号", v.parse_card_no, ("介绍人编号", "推荐人编号")),
    Field("referrer_name", L["referrer_id"], _name, ("介绍人", "推荐人", "转介绍人", "referrer", "referred by")),
    Field("influence_center", L["influence_center"], v.parse_bool, ("影响力中心", "是否影响力中心")),
    Field("competitor", L["competitor"], _line, ("竞争对手", "竞品", "现服务商")),
    Field("competitor_end", L["competitor_end"], v.parse_date, ("竞争对手合同到期", "合同到期日", "竞品到期")),
    Field("remarks", L["remarks"], _text,
          ("备注", "说明", "附注", "其他", "备注说明", "notes", "note", "remark", "remarks", "comment", "memo")),
    Field("created_by", L["created_by"], _line, ("建卡人",)),
    Field("created_on", L["created_on"], v.parse_date, ("建卡日期", "建档日期", "录入日期", "创建日期")),
    Field("tags", L["tags"], v.parse_tags, ("标签", "分组", "客户分组", "群组", "tags", "tag", "group", "groups")),
)
FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in CUSTOMER_FIELDS}
# Headers we write ourselves for information only, and headers that must never map by containment.
IGNORED_HEADERS = frozenset({"资产层级", "上次联系", "下次约见", "联系人", "联系人姓名", "序号", "行号", "原行号"})
# Words too common to map a header that merely contains them ('客户经理' is not the customer's name).
_TOO_GENERIC = frozenset({"客户", "名称", "类型", "编号", "成交", "其他", "说明", "出生", "人数", "信用", "财务",
                          "需求", "意识", "阶段", "进度", "渠道", "来源", "单位", "公司", "企业", "分组", "标签",
                          "状态", "信息", "日期", "级别", "等级"})


def normalise_header(value: object) -> str:
    """Lower-case, half-width, without spaces, stars or colons: '手机号码 *' → '手机号码'."""
    s = unicodedata.normalize("NFKC", v.text(value)).lower()
    return re.sub(r"[\s*:：]+", "", s)


def _without_remark(s: str) -> str:
    return re.sub(r"[(\[【].*?[)\]】]", "", s)


def _build_index(fields: Sequence[Field]) -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for f in fields:
        for word in (f.label, *f.synonyms):
            key = normalise_header(word)
            if f.key not in index.get(key, ()):
                index[key] = (*index.get(key, ()), f.key)
    return index


@dataclass(frozen=True)
class Vocabulary:
    """The fields of one kind of sheet and their synonym index."""

    fields: tuple[Field, ...]
    index: dict[str, tuple[str, ...]]
    ignored: frozenset[str] = frozenset()
    _seen: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, fields: Sequence[Field], ignored: frozenset[str] = frozenset()) -> Vocabulary:
        """Build the synonym index of a field list."""
        return cls(tuple(fields), _build_index(fields), ignored)

    def candidates(self, header: object) -> tuple[str, ...]:
        """Field keys a header may mean, best first ('' headers and ignored ones mean nothing)."""
        s = normalise_header(header)
        if s not in self._seen:
            self._seen[s] = self._candidates(s) if len(s) <= 40 else ()  # a long text is never a header
        return self._seen[s]

    def _candidates(self, s: str) -> tuple[str, ...]:
        if not s or s in self.ignored:
            return ()
        for key in (s, _without_remark(s)):
            if key in self.index:
                return self.index[key]
        bare = _without_remark(s)
        if bare in self.ignored:
            return ()
        found = [w for w in self.index
                 if len(w) >= 2 and not w.isascii() and w not in _TOO_GENERIC and w in bare]
        if not found:
            return ()
        return self.index[max(found, key=len)]


CUSTOMER_VOCABULARY = Vocabulary.of(CUSTOMER_FIELDS, IGNORED_HEADERS)


@dataclass(frozen=True)
class Header:
    """The detected header row (0-based) and the label of every column ('' when blank)."""

    row: int
    labels: tuple[str, ...]


def header_labels(rows: Sequence[Sequence[object]], row: int,
                  merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
                  width: int | None = None) -> tuple[str, ...]:
    """The labels of one row; a header cell merged across columns labels each column it covers."""
    if width is None:
        width = max((len(r) for r in rows), default=0)
    cells = list(rows[row]) + [""] * (width - len(rows[row])) if row < len(rows) else [""] * width
    labels = [" ".join(v.text(c).split()) for c in cells]
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1:
            top = " ".join(v.text(rows[r0][c0]).split()) if c0 < len(rows[r0]) else ""
            for c in range(c0, min(c1 + 1, width)):
                labels[c] = labels[c] or top
    return tuple(labels)


def detect_header(rows: Sequence[Sequence[object]], vocabulary: Vocabulary = CUSTOMER_VOCABULARY,
                  merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()) -> Header | None:
    """The row among the first ones whose cells best match known headers, or None if none does."""
    best: tuple[int, int] | None = None
    width = max((len(r) for r in rows), default=0)
    for index in range(min(len(rows), HEADER_SCAN_ROWS)):
        labels = header_labels(rows, index, merged, width)
        score = len({c for label in labels for c in vocabulary.candidates(label)[:1]})
        if score and (best is None or score > best[1]):
            best = (index, score)
    if best is None:
        return None
    return Header(best[0], header_labels(rows, best[0], merged, width))


def auto_map(labels: Sequence[str], vocabulary: Vocabulary = CUSTOMER_VOCABULARY) -> tuple[str, ...]:
    """A field key per column ('' = not imported); each field is used once, left to right."""
    candidates = [vocabulary.candidates(label) for label in labels]
    mapping = [""] * len(labels)
    taken: set[str] = set()
    # Unambiguous headers first, so '电话' before '手机' still leaves 手机 its own column.
    for index, keys in enumerate(candidates):
        if len(keys) == 1 and keys[0] not in taken:
            mapping[index] = keys[0]
            taken.add(keys[0])
    for index, keys in enumerate(candidates):
        if len(keys) > 1:
            mapping[index] = next((k for k in keys if k not in taken), "")
            taken.add(mapping[index])
    return tuple(mapping)


def signature(labels: Sequence[str]) -> str:
    """A short fingerprint of a header row, to remember the mapping chosen for files shaped like it."""
    joined = "\x1f".join(normalise_header(label) for label in labels)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:24]


def column_name(index: int) -> str:
    """Excel's column letters: 0 → 'A', 27 → 'AB'."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
