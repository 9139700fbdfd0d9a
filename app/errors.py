"""Errors ClientFile raises; every message is Chinese and names what went wrong."""
from __future__ import annotations


class AppError(Exception):
    """Base of every error shown to the user as a clear message."""


class ValidationError(AppError):
    """Bad input for one field; `field` is the Chinese field label."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}：{message}")
        self.field = field
        self.message = message


class ArchiveError(AppError):
    """Something is wrong with the archive file itself."""


class ArchiveNotFound(ArchiveError):
    """The archive file does not exist (it is never created silently)."""


class ArchiveExists(ArchiveError):
    """Creating an archive where a file already exists."""


class WrongPassword(ArchiveError):
    """The password does not open the archive."""


class ArchiveDamaged(ArchiveError):
    """The archive fails its integrity checks; `details` says where."""

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = details


class ArchiveLocked(ArchiveError):
    """Another ClientFile process has this archive open."""


class NotFound(AppError):
    """A customer, contact or record that does not exist (or was purged)."""
