"""邮寄标签: address labels on common A4 label sheets, e.g. all A and B customers before 春节.

Sheets (all mm, portrait A4 210 × 297, labels butt-joined vertically, centred on the sheet):
- 2x7 — 14 labels of 99.1 × 38.1, left margin 4.65, top 15.15, pitch 101.6 across × 38.1 down
  (Avery L7163 / J8163 and the many 14-up sheets sold as “A4 14格”).
- 3x8 — 24 labels of 63.5 × 33.9, left margin 7.25, top 12.9, pitch 66.0 across × 33.9 down
  (Avery L7159 / J8159, “A4 24格”).
Each label: 邮编, 地址, then the name with its 称呼 and 收 (a company: its name and the business contact).
Text shrinks to fit; nothing is ever cut off.  Customers without an address (or whose address is too long
for the label even in small type) get no label and are listed on a page of their own — and returned.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate, Paragraph

from app.errors import AppError, ValidationError
from app.progress import ProgressFn, step
from app.reports import fontmix
from app.reports.blocks import data_table, heading, para
from app.reports.common import (
    FRAME_H,
    FRAME_W,
    MARGIN_BOTTOM,
    MARGIN_X,
    PAGE_H,
    DocInfo,
    Output,
    Section,
    SectionStart,
    build_pdf,
)
from app.reports.style import INK, esc, styles
from app.reports.texts import attention_of, honorific
from app.rows import CustomerCard

PAD_X, PAD_Y = 4 * mm, 3 * mm
SCALES = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66)  # the smallest keeps the address at about 6 pt


@dataclass(frozen=True)
class LabelLayout:
    """One label sheet: grid, label size and where the first label sits (mm)."""

    key: str
    name: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float

    @property
    def per_page(self) -> int:
        """Labels per sheet."""
        return self.columns * self.rows

    def frames(self) -> list[Frame]:
        """One frame per label, row by row from the top left."""
        out = []
        for r in range(self.rows):
            for c in range(self.columns):
                x = (self.left + c * self.pitch_x) * mm
                y = PAGE_H - (self.top + r * self.pitch_y + self.height) * mm
                out.append(Frame(x, y, self.width * mm, self.height * mm, leftPadding=0, rightPadding=0,
                                 topPadding=0, bottomPadding=0, id=f"label{r}_{c}"))
        return out


LAYOUTS: dict[str, LabelLayout] = {
    "2x7": LabelLayout("2x7", "A4 14 格（2×7，99.1×38.1 mm，如 Avery L7163）", 2, 7, 99.1, 38.1, 4.65, 15.15,
                       101.6, 38.1),
    "3x8": LabelLayout("3x8", "A4 24 格（3×8，63.5×33.9 mm，如 Avery L7159）", 3, 8, 63.5, 33.9, 7.25, 12.9,
                       66.0, 33.9),
}


@dataclass(frozen=True)
class LabelMiss:
    """A customer who got no label (or a label without 邮编), and why."""

    customer_id: int
    card_no: str
    name: str
    mobile: str
    reason: str


@dataclass(frozen=True)
class LabelResult:
    """What was printed: labels, sheets, who is missing (no label) and who has no 邮编 (label printed)."""

    printed: int
    sheets: int
    missing: tuple[LabelMiss, ...]
    no_postcode: tuple[LabelMiss, ...]


def render_labels(svc: object, customer_ids: Sequence[int], out: Output, layout: str = "3x8", *, skip: int = 0,
                  progress: ProgressFn | None = None) -> LabelResult:
    """Address labels for the customers into out; `skip` labels already used on the first sheet stay blank."""
    sheet = layout_of(layout)
    if not 0 <= skip < sheet.per_page:
        raise ValidationError("跳过的标签数", f"应在 0 到 {sheet.per_page - 1} 之间")
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        raise AppError("没有要打印标签的客户。")
    labels, missing, no_postcode = [], [], []
    for index, customer_id in enumerate(ids):
        if progress is not None:
            step(progress, index, len(ids) + 1, "正在准备标签…")
        card = svc.customers.get(customer_id)  # type: ignore[attr-defined]
        label = AddressLabel.fit(card, sheet) if card.data.address.strip() else None
        if label is None:
            reason = "地址太长，标签上放不下" if card.data.address.strip() else "没有地址"
            missing.append(_miss(card, reason))
            continue
        labels.append(label)
        if not card.data.postcode.strip():
            no_postcode.append(_miss(card, "没有邮编（标签已打印，请手写补上）"))
    if progress is not None:
        step(progress, len(ids), len(ids) + 1, "正在排版…")
    story = _story(labels, missing, no_postcode, skip)
    info = DocInfo(title="邮寄标签", profile=svc.settings.profile(),  # type: ignore[attr-defined]
                   printed_on=svc.settings.clock().date())  # type: ignore[attr-defined]
    body = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_W, FRAME_H, id="body", leftPadding=0, rightPadding=0,
                 topPadding=0, bottomPadding=0)
    templates = [PageTemplate(id="labels", frames=sheet.frames()), PageTemplate(id="page", frames=[body])]
    if not labels:
        templates.reverse()
    build_pdf(out, story, info, templates=templates)
    sheets = -(-(len(labels) + skip) // sheet.per_page) if labels else 0
    return LabelResult(len(labels), sheets, tuple(missing), tuple(no_postcode))


def layout_of(key: str) -> LabelLayout:
    """The sheet for '2x7' or '3x8' (ValidationError otherwise)."""
    sheet = LAYOUTS.get(key.strip().lower().replace("×", "x"))
    if sheet is None:
        raise ValidationError("标签规格", f"只支持 {'、'.join(LAYOUTS)}，不是“{key}”")
    return sheet


def _miss(card: CustomerCard, reason: str) -> LabelMiss:
    return LabelMiss(card.id, card.card_no, card.name, card.data.mobile, reason)


def _story(labels: list[AddressLabel], missing: list[LabelMiss], no_postcode: list[LabelMiss],
           skip: int) -> list[Flowable]:
    story: list[Flowable] = []
    if labels:
        story += [SectionStart(Section("labels", "", bare=True)), *[BlankLabel() for _ in range(skip)], *labels]
    if missing or no_postcode:
        if labels:
            story += [NextPageTemplate("page"), PageBreak()]
        story += [SectionStart(Section("missing", "需要补充地址的客户")), *_missing_page(missing, no_postcode)]
    return story


def _missing_page(missing: list[LabelMiss], no_postcode: list[LabelMiss]) -> list[Flowable]:
    out: list[Flowable] = []
    for title, rows in ((f"未打印标签的客户（{len(missing)} 位）", missing),
                        (f"标签缺少邮编的客户（{len(no_postcode)} 位）", no_postcode)):
        if rows:
            out += [*heading(title), data_table(("客户编号", "姓名", "手机", "原因"),
                                                [(m.card_no, m.name, m.mobile, m.reason) for m in rows],
                                                (0.16, 0.26, 0.2, 0.38))]
    out.append(para("请在客户卡中补全地址和邮编后重新打印。", "muted"))
    return out


class BlankLabel(Flowable):
    """A label left empty (already used on a partly used sheet)."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, availHeight

    def draw(self) -> None:
        pass


class AddressLabel(Flowable):
    """One address label; built by fit() at the largest type size at which everything fits."""

    def __init__(self, postcode: str, address: Paragraph, names: list[Paragraph], size: float) -> None:
        super().__init__()
        self.postcode, self.address, self.names, self.size = postcode, address, names, size

    @classmethod
    def fit(cls, card: CustomerCard, sheet: LabelLayout) -> AddressLabel | None:
        """The label for a card, or None when the address cannot fit even in the smallest type."""
        width, height = sheet.width * mm - 2 * PAD_X, sheet.height * mm - 2 * PAD_Y
        d = card.data
        if d.kind == "单位":
            contact = attention_of(card)
            lines = [d.name, f"{contact} 收" if contact else "收"]
        else:
            word = honorific(d.name, d.gender, d.title)
            lines = [" ".join(x for x in (d.name, word, "收") if x)]
        base = 9.5 if sheet.columns == 3 else 10.5
        for scale in SCALES:
            size = base * scale
            address = Paragraph(esc(d.address.strip()), _style(size))
            names = [Paragraph(esc(line), _style(size * (1.2 if i == 0 else 1.0), center=True))
                     for i, line in enumerate(lines)]
            used = size * 1.5 + sum(p.wrap(width, height)[1] for p in (address, *names)) + size * 0.6
            if used <= height:
                return cls(d.postcode.strip(), address, names, size)
        return None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, availHeight
        return availWidth, availHeight

    def draw(self) -> None:
        c = self.canv
        width = self.width - 2 * PAD_X
        top = self.height - PAD_Y
        c.setFillColor(INK)
        if self.postcode:
            fontmix.draw(c, PAD_X, top - self.size * 1.1, " ".join(self.postcode), self.size * 1.1)
        y = top - self.size * 1.5
        _, h = self.address.wrap(width, y)
        self.address.drawOn(c, PAD_X, y - h)
        y = PAD_Y
        for p in reversed(self.names):  # the name sits at the foot of the label, as on an envelope
            _, h = p.wrap(width, self.height)
            p.drawOn(c, PAD_X, y)
            y += h


def _style(size: float, center: bool = False) -> ParagraphStyle:
    return ParagraphStyle(f"label{size:.2f}{center}", parent=styles().body, fontSize=size, leading=size * 1.3,
                          alignment=TA_CENTER if center else 0)
