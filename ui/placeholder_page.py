"""Pages whose features are still being built: each says plainly what will be there."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ui.context import AppContext


class ComingPage(QWidget):
    """A calm page that names what is coming, instead of an empty frame."""

    TITLE = ""
    LINES: tuple[str, ...] = ()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._build_widgets()
        self._build_layout()

    def _build_widgets(self) -> None:
        self.title_label = QLabel(self.tr(self.TITLE))
        self.title_label.setProperty("role", "title")
        self.intro_label = QLabel(self.tr("这一页正在制作中，完成后会在这里看到："))
        self.intro_label.setProperty("role", "hint")
        self.lines_label = QLabel("\n".join("•  " + self.tr(line) for line in self.LINES))
        self.lines_label.setWordWrap(True)
        self.lines_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _build_layout(self) -> None:
        card = QFrame()
        card.setProperty("role", "card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(10)
        inner.addWidget(self.title_label)
        inner.addWidget(self.intro_label)
        inner.addWidget(self.lines_label)
        card.setMaximumWidth(640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)

    def clear(self) -> None:
        """Nothing from the archive is shown here."""

    def reload(self) -> None:
        """Nothing to fetch."""


class AgendaComingPage(ComingPage):
    """待办 until the agenda page lands."""

    TITLE = "待办"
    LINES = (
        "今天、明天和本周要联系的客户，按紧急程度排好",
        "生日、结婚纪念日、保单周年和续期、续保日的提醒，农历日期自动换算",
        "按等级设定的联系周期：太久没见的客户会被提出来",
        "约好的下次拜访（时间、地点、要谈的事）",
        "做完一项就勾掉，同时记一笔服务记录",
    )


class CalendarComingPage(ComingPage):
    """日历 until the calendar page lands."""

    TITLE = "日历"
    LINES = (
        "按月查看客户的生日（公历和农历）、纪念日、保单周年和约见",
        "元旦、春节、元宵、端午、中秋、重阳等节日，以及问候对象",
        "一键生成节日问候名单和贺卡地址标签",
        "导出到手机日历（.ics）",
    )


class StatsComingPage(ComingPage):
    """统计 until the statistics page lands."""

    TITLE = "统计"
    LINES = (
        "客户总数，按等级、资产层级和营销阶段的分布",
        "哪一类客户最多，谁贡献的业务和转介绍最多",
        "拜访和服务的次数与趋势，长期未联系的客户",
        "等级升降（C→B→A）的变化",
    )
