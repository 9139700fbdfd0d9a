"""The touchpoint calendar: 农历 conversion, holidays, occurrence rules and the agenda engine (pure Python)."""
