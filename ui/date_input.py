"""Date inputs that take 公历 or 农历 (with the leap-month choice) and show the other calendar beside them.

`BirthdayInput` → app.rows.Birthday (the year may be unknown); `DateInput` → datetime.date (a full
date, typed in either calendar, stored as 公历). Every conversion is a call into app.calendar.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.calendar.lunar import LunarDate, day_name, format_lunar, lunar_to_solar, month_name, solar_to_lunar
from app.calendar.rules import check_solar_md, lunar_occurrence, solar_yearly_dates
from app.errors import ValidationError
from app.rows import Birthday
from app.services.checks import check_birthday
from app.validate import make_date
from ui.card_form import set_role

SOLAR, LUNAR = "solar", "lunar"


def birthday_text(b: Birthday | None) -> str:
    """'1985-03-08', '3月8日', '农历 闰四月十五', '农历 1985年三月初八'."""
    if b is None:
        return ""
    if b.is_lunar:
        text = format_lunar(LunarDate(b.year, b.month, b.day, b.leap), with_year=True)
        return QCoreApplication.translate("DateInput", "农历 {0}").format(text)
    if b.year:
        return date(b.year, b.month, b.day).isoformat()
    return f"{b.month}月{b.day}日"


class _CalendarFields(QWidget):
    """公历/农历 switch, year, 闰, month and day, and a label that shows the date in the other calendar."""

    changed = Signal()

    def __init__(self, label: str, *, year_required: bool, today: Callable[[], date] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self._year_required = year_required
        self._today = today or date.today
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self._fill_names()
        self._refresh()

    def _build_widgets(self) -> None:
        self.calendar_combo = QComboBox(self)  # combos born in place: moving them later is costly
        self.calendar_combo.addItem(self.tr("公历"), SOLAR)
        self.calendar_combo.addItem(self.tr("农历"), LUNAR)
        self.year_edit = QLineEdit()
        self.year_edit.setValidator(QIntValidator(1, 9999, self))
        self.year_edit.setMaxLength(4)
        self.year_edit.setFixedWidth(self.fontMetrics().horizontalAdvance("0000") + 16)
        self.year_edit.setPlaceholderText(self.tr("年份") if self._year_required else self.tr("年(可空)"))
        self.leap_check = QCheckBox(self.tr("闰"))
        self.leap_check.setToolTip(self.tr("闰月：这一年多出的那个同名月份"))
        self.month_combo = QComboBox(self)
        self.day_combo = QComboBox(self)
        self.month_combo.setMaxVisibleItems(13)
        self.day_combo.setMaxVisibleItems(16)
        self.other_label = QLabel()
        self.other_label.setWordWrap(True)  # wraps instead of widening the form when space is short

    def _build_layout(self) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.calendar_combo)
        row.addWidget(self.year_edit)
        row.addWidget(QLabel(self.tr("年")))
        row.addWidget(self.leap_check)
        row.addWidget(self.month_combo)
        row.addWidget(self.day_combo)
        row.addSpacing(8)
        row.addWidget(self.other_label, 1)

    def _connect_signals(self) -> None:
        self.calendar_combo.currentIndexChanged.connect(self._on_calendar)
        for signal in (self.year_edit.textChanged, self.month_combo.currentIndexChanged,
                       self.day_combo.currentIndexChanged, self.leap_check.toggled):
            signal.connect(self._on_edit)

    # ----- state ------------------------------------------------------------------------
    @property
    def is_lunar(self) -> bool:
        """True when the date is given in 农历."""
        return self.calendar_combo.currentData() == LUNAR

    def _parts(self) -> tuple[int | None, int, int]:
        year_text = self.year_edit.text().strip()
        return (int(year_text) if year_text else None, self.month_combo.currentIndex(),
                self.day_combo.currentIndex())

    def is_blank(self) -> bool:
        """Nothing entered."""
        year, month, day = self._parts()
        return year is None and not month and not day

    def state(self) -> object:
        """Raw state, for the unsaved-change check."""
        return (self.calendar_combo.currentIndex(), self.year_edit.text(), self.month_combo.currentIndex(),
                self.day_combo.currentIndex(), self.leap_check.isChecked())

    def set_state(self, state: object) -> None:
        """Put back a raw state."""
        cal, year, month, day, leap = state  # type: ignore[misc]
        self._set_parts(LUNAR if cal == 1 else SOLAR, int(year) if year else None, month, day, leap)

    def clear(self) -> None:
        """Empty the date."""
        self._set_parts(SOLAR, None, 0, 0, False)

    def _set_parts(self, calendar: str, year: int | None, month: int, day: int, leap: bool) -> None:
        self.blockSignals(True)
        try:
            self.calendar_combo.setCurrentIndex(1 if calendar == LUNAR else 0)
            self._fill_names()
            self.year_edit.setText(str(year) if year else "")
            self.month_combo.setCurrentIndex(month)
            self.day_combo.setCurrentIndex(day)
            self.leap_check.setChecked(leap and calendar == LUNAR)
        finally:
            self.blockSignals(False)
        self._refresh()
        self.changed.emit()

    # ----- reading ----------------------------------------------------------------------
    def _checked_parts(self) -> tuple[int | None, int, int] | None:
        """(year, month, day), None when blank; ValidationError naming this field when incomplete."""
        if self.is_blank():
            return None
        year, month, day = self._parts()
        if not month or not day:
            raise ValidationError(self.label, self.tr("请选择月和日"))
        if year is None and self._year_required:
            raise ValidationError(self.label, self.tr("请填写年份"))
        if year is not None and not 1900 <= year <= self._today().year + 100:
            raise ValidationError(self.label, self.tr("年份 {0} 不合理").format(year))
        return year, month, day

    def _as_field(self, fn: Callable[[], object]) -> object:
        """Run a core check; its error is re-labelled as this field's."""
        try:
            return fn()
        except ValidationError as err:
            raise ValidationError(self.label, err.message) from None

    # ----- the other calendar -------------------------------------------------------------
    def _refresh(self) -> None:
        self.leap_check.setVisible(self.is_lunar)
        try:
            text, ok = self.describe(), True
        except ValidationError as err:
            text, ok = err.message, False
        self.other_label.setText(text)
        set_role(self.other_label, "hint" if ok else "error")

    def describe(self) -> str:
        """The date in the other calendar, e.g. '→ 公历 2026年5月31日'; raises when it does not exist."""
        parts = self._checked_parts()
        if parts is None:
            return ""
        year, month, day = parts
        if year is not None:
            return self._describe_full(year, month, day)
        return self._describe_yearless(month, day)

    def _describe_full(self, year: int, month: int, day: int) -> str:
        if self.is_lunar:
            d = self._as_field(lambda: lunar_to_solar(year, month, day, self.leap_check.isChecked()))
            return self.tr("公历 {0}").format(d.isoformat())  # type: ignore[attr-defined]
        d = self._as_field(lambda: make_date(year, month, day, self.label))
        return self.tr("农历 {0}").format(format_lunar(solar_to_lunar(d), with_year=True))  # type: ignore[arg-type]

    def _describe_yearless(self, month: int, day: int) -> str:
        """For a birthday without a year: this year's date in the other calendar."""
        today = self._today()
        if self.is_lunar:
            lunar_year = solar_to_lunar(today).year or today.year
            ordinal, _, _ = lunar_occurrence(lunar_year, month, day, self.leap_check.isChecked())
            d = date.fromordinal(ordinal)
            return self.tr("今年在公历 {0}").format(d.isoformat())
        self._as_field(lambda: check_solar_md(month, day))
        (d,) = solar_yearly_dates(month, day, date(today.year, 1, 1), date(today.year, 12, 31))
        return self.tr("今年是农历 {0}").format(format_lunar(solar_to_lunar(d)))

    # ----- events -----------------------------------------------------------------------
    def _on_calendar(self) -> None:
        self._fill_names()
        if not self.is_lunar:
            self.leap_check.setChecked(False)
        self._on_edit()

    def _on_edit(self) -> None:
        self._refresh()
        self.changed.emit()

    def _fill_names(self) -> None:
        """Month and day names of the chosen calendar (正月…腊月, 初一…三十 for 农历)."""
        lunar = self.is_lunar
        months = [month_name(m) if lunar else self.tr("{0}月").format(m) for m in range(1, 13)]
        days = [day_name(d) if lunar else self.tr("{0}日").format(d) for d in range(1, 31 if lunar else 32)]
        for combo, names, blank in ((self.month_combo, months, self.tr("月")),
                                    (self.day_combo, days, self.tr("日"))):
            keep = combo.currentIndex()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(blank)
            combo.addItems(names)
            combo.setCurrentIndex(min(max(keep, 0), combo.count() - 1))
            combo.blockSignals(False)


class BirthdayInput(_CalendarFields):
    """A birthday as the customer states it: 公历 or 农历, 闰月 if so, the year optional."""

    def __init__(self, label: str = "生日", today: Callable[[], date] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(label, year_required=False, today=today, parent=parent)

    def value(self) -> Birthday | None:
        """The birthday, None when blank; ValidationError (this field) when it does not exist."""
        parts = self._checked_parts()
        if parts is None:
            return None
        year, month, day = parts
        b = Birthday(calendar=LUNAR if self.is_lunar else SOLAR, month=month, day=day, year=year,
                     leap=self.is_lunar and self.leap_check.isChecked())
        return self._as_field(lambda: check_birthday(b, self.label))  # type: ignore[return-value]

    def set_value(self, value: Birthday | None) -> None:
        """Show a stored birthday (None clears)."""
        if value is None:
            self.clear()
        else:
            self._set_parts(value.calendar, value.year, value.month, value.day, value.leap)


class DateInput(_CalendarFields):
    """A full date typed in 公历 or 农历; the value is always the 公历 date."""

    def __init__(self, label: str, today: Callable[[], date] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(label, year_required=True, today=today, parent=parent)

    def value(self) -> date | None:
        """The 公历 date, None when blank; ValidationError (this field) when it does not exist."""
        parts = self._checked_parts()
        if parts is None:
            return None
        year, month, day = parts
        assert year is not None  # year_required
        if self.is_lunar:
            leap = self.leap_check.isChecked()
            return self._as_field(lambda: lunar_to_solar(year, month, day, leap))  # type: ignore[return-value]
        return self._as_field(lambda: make_date(year, month, day, self.label))  # type: ignore[return-value]

    def set_value(self, value: date | None) -> None:
        """Show a stored date in 公历 (None clears)."""
        if value is None:
            self.clear()
        else:
            self._set_parts(SOLAR, value.year, value.month, value.day, False)
