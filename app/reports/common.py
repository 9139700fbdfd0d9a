"""The A4 frame every printout shares: font, styles, header and footer, page numbers, atomic output.

Header and footer are drawn when the document is saved (the canvas keeps each page until then), so
every page can say 第 N 页 / 共 M 页.  A document may hold several sections — one per customer in a
batch of visit sheets — and pages are numbered within their section; the header names the section.
"""
from __future__ import annotations

import logging
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from app.errors import AppError
from app.fileutil import atomic_replace
from app.progress import ProgressFn, step
from app.reports import fontmix
from app.reports.style import ACCENT, MUTED, RULE
from app.services.settings import SalesProfile

logger = logging.getLogger(__name__)

# Binary (not ASCII85) streams: a quarter smaller and faster to write; every PDF viewer reads them.
rl_config.useA85 = 0

PAGE_W, PAGE_H = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 18 * mm
FRAME_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

Output = str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True)
class DocInfo:
    """What the frame prints around the content: title, the salesperson, the print date."""

    title: str
    profile: SalesProfile
    printed_on: date
    confidential: bool = True  # internal papers say so in the footer; the plan goes to the customer


@dataclass(frozen=True)
class Section:
    """A run of pages numbered together (one customer); label goes into the header; bare: no header/footer."""

    key: str
    label: str
    bare: bool = False  # label sheets: nothing may be printed outside the labels


class SectionStart(Flowable):
    """Zero-size marker: pages from here on belong to `section` (cover=True: no header on this page)."""

    def __init__(self, section: Section, *, cover: bool = False) -> None:
        super().__init__()
        self.section = section
        self.cover = cover

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        starter = getattr(self.canv, "start_section", None)
        if starter is not None:
            starter(self.section, self.cover)


class ReportCanvas(Canvas):
    """A canvas that keeps every page until save(), then draws header, footer and page numbers."""

    def __init__(self, *args: Any, info: DocInfo, progress: ProgressFn | None = None,
                 sections_total: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.info = info
        self.section = Section("", "")
        self._cover = False
        self._pages: list[tuple[dict[str, Any], Section, bool]] = []
        self._progress = progress
        self._sections_done = 0
        self._sections_total = sections_total

    def start_section(self, section: Section, cover: bool) -> None:
        """Called by SectionStart when it is drawn; reports progress (and may raise Cancelled)."""
        self.section = section
        self._cover = cover
        if self._progress is not None and self._sections_total:
            step(self._progress, self._sections_total + self._sections_done, 2 * self._sections_total,
                 "正在排版…")
            self._sections_done += 1

    def showPage(self) -> None:
        self._pages.append((dict(self.__dict__), self.section, self._cover))
        self._cover = False
        self._startPage()

    def save(self) -> None:
        totals = Counter(section.key for _, section, _ in self._pages)
        numbers: Counter[str] = Counter()
        for state, section, cover in self._pages:
            self.__dict__.update(state)
            numbers[section.key] += 1
            if not section.bare:
                draw_decorations(self, self.info, section, (numbers[section.key], totals[section.key]), cover)
            Canvas.showPage(self)
        Canvas.save(self)


def draw_decorations(c: Canvas, info: DocInfo, section: Section, page: tuple[int, int], cover: bool) -> None:
    """Header (document, section, salesperson) and footer (print date, 第 N 页 / 共 M 页)."""
    c.saveState()
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    if not cover:
        y = PAGE_H - 13 * mm
        left = f"{info.title} · {section.label}" if section.label else info.title
        c.setFillColor(ACCENT)
        size = fit_size(left, FRAME_W * 0.5, 9, 6.5)
        fontmix.draw(c, MARGIN_X, y, ellipsize(left, FRAME_W * 0.5, size), size)
        right = profile_line(info.profile)
        c.setFillColor(MUTED)
        size = fit_size(right, FRAME_W * 0.48, 8.5, 6.5)
        fontmix.draw(c, PAGE_W - MARGIN_X, y, ellipsize(right, FRAME_W * 0.48, size), size, align="right")
        c.line(MARGIN_X, y - 2.6 * mm, PAGE_W - MARGIN_X, y - 2.6 * mm)
    y = 10 * mm
    c.line(MARGIN_X, y + 4 * mm, PAGE_W - MARGIN_X, y + 4 * mm)
    c.setFillColor(MUTED)
    note = "　内部资料，请妥善保管" if info.confidential else ""
    fontmix.draw(c, MARGIN_X, y, f"打印日期：{fmt_date_cn(info.printed_on)}{note}", 8)
    fontmix.draw(c, PAGE_W - MARGIN_X, y, f"第 {page[0]} 页 / 共 {page[1]} 页", 8, align="right")
    c.restoreState()


def profile_line(profile: SalesProfile) -> str:
    """The salesperson as one header line: name, title, company, phone, WeChat."""
    parts = [profile.name, profile.title, profile.company]
    if profile.phone:
        parts.append(f"电话 {profile.phone}")
    if profile.wechat:
        parts.append(f"微信 {profile.wechat}")
    return " · ".join(p for p in parts if p)


def fit_size(text: str, width: float, size: float, smallest: float) -> float:
    """The largest font size from `size` down to `smallest` at which text fits the width."""
    while size > smallest and fontmix.width(text, size) > width:
        size -= 0.5
    return size


def ellipsize(text: str, width: float, size: float) -> str:
    """Shorten a header line with … when even the smallest size does not fit (header only)."""
    if fontmix.width(text, size) <= width:
        return text
    while text and fontmix.width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def fmt_date(d: date | None) -> str:
    """2026-11-22, or '' for no date."""
    return d.isoformat() if d else ""


def fmt_date_cn(d: date | None) -> str:
    """2026年11月22日, or ''."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def build_pdf(out: Output, story: list[Flowable], info: DocInfo, *,
              templates: Sequence[PageTemplate] | None = None, progress: ProgressFn | None = None,
              sections: int = 0) -> None:
    """Lay out the story on A4 into `out` (a path, written atomically, or a binary file object)."""
    fontmix.fonts()

    def build(target: str | BinaryIO) -> None:
        doc = BaseDocTemplate(
            target, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM, title=info.title, author=info.profile.name,
            creator="ClientFile 客户档案", subject=info.title,
            initialFontName=fontmix.fonts()[1],  # else every page names Helvetica, a font not embedded
        )
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_W, FRAME_H, id="body", leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0)
        doc.addPageTemplates(list(templates) if templates else [PageTemplate(id="page", frames=[frame])])

        def make_canvas(*args: Any, **kwargs: Any) -> ReportCanvas:
            return ReportCanvas(*args, info=info, progress=progress, sections_total=sections, **kwargs)

        doc.build(story, canvasmaker=make_canvas)

    if isinstance(out, (str, os.PathLike)):
        with atomic_output(Path(out)) as tmp:
            build(str(tmp))
    else:
        build(out)


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A private temporary file beside target, renamed over it only when the block succeeds."""
    folder = target.parent
    if not folder.is_dir():
        raise AppError(f"保存位置不存在：{folder}")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise AppError(f"无法在“{folder}”中写入文件（{exc.strerror or exc}）。") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        atomic_replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise AppError(f"无法保存“{target.name}”（{exc.strerror or exc}）。") from None
    except BaseException:
        _discard(tmp)
        raise


def save_pdf_bytes(data: bytes, target: Path) -> None:
    """Write an already made PDF (a preview's bytes) to target atomically."""
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # the caller's error matters more; keep a note for support
        logger.warning("could not remove temporary PDF: %s", type(exc).__name__)


def run_sections[T](items: Sequence[T], progress: ProgressFn | None,
                 make: Callable[[int, T], list[Flowable]]) -> list[Flowable]:
    """One story from per-item parts, each after the first on a new page (the first half of the progress)."""
    story: list[Flowable] = []
    total = len(items)
    for index, item in enumerate(items):
        if progress is not None:
            step(progress, index, 2 * total, "正在准备…")
        if index:
            story.append(PageBreak())
        story += make(index, item)
    return story
