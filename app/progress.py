"""How long-running core work reports progress and learns it was cancelled (no Qt here)."""
from __future__ import annotations

from collections.abc import Callable

from app.errors import AppError


class Cancelled(AppError):
    """The user cancelled; the work rolled back what it had not committed."""

    def __init__(self, message: str = "已取消。") -> None:
        super().__init__(message)


# progress(done, total, text) -> True to go on, False to cancel.
ProgressFn = Callable[[int, int, str], bool]


def no_progress(done: int, total: int, text: str) -> bool:
    """A progress callback that ignores everything (command line, tests)."""
    return True


def step(progress: ProgressFn, done: int, total: int, text: str = "") -> None:
    """Report progress and raise Cancelled if the user asked to stop."""
    if not progress(done, total, text):
        raise Cancelled()
