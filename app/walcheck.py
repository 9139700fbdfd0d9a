"""Reading an archive's write-ahead log (-wal) before SQLite does, without writing anything.

After a crash, commits that were not yet copied into the archive file live only in its -wal. SQLite
replays the log up to the first frame whose checksum fails and silently drops the rest — and the next
clean close deletes the log. So a damaged log would lose saved work without a word. We read the log
first (format: https://sqlite.org/fileformat2.html#walformat): if a committed frame that is intact
follows a broken one, committed work would be lost, and the archive is reported as damaged instead.
A broken or short tail with no intact commit after it is an unfinished transaction: SQLite's own
recovery drops it, as it should.

The checksums are computed in Python (~0.3 ms per 4 KiB frame), only over the frames written since the
last checkpoint — a log reused after a checkpoint starts over with new salts, and older frames end the walk.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.errors import ArchiveDamaged

WAL_HEADER = struct.Struct(">8I")  # magic, version, page size, checkpoint seq, salt-1, salt-2, checksum-1, -2
FRAME_HEADER = struct.Struct(">6I")  # page number, db size after commit (0: not a commit), salt-1, salt-2, cks
WAL_MAGIC = (0x377F0682, 0x377F0683)  # low bit: checksums over big-endian words
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class Frame:
    """One frame header of the current log generation."""

    index: int
    offset: int
    page: int
    commit: int
    checksum: tuple[int, int]


def wal_path(path: Path) -> Path:
    """The write-ahead log beside an archive."""
    return path.with_name(path.name + "-wal")


def checksum(data: bytes, big_endian: bool, s1: int = 0, s2: int = 0) -> tuple[int, int]:
    """SQLite's WAL checksum of data (a multiple of 8 bytes), continuing from (s1, s2)."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & _MASK
        s2 = (s2 + words[i + 1] + s1) & _MASK
    return s1, s2


@dataclass(frozen=True)
class _Header:
    big_endian: bool
    page_size: int
    salts: tuple[int, int]
    checksum: tuple[int, int]
    valid: bool


def _header(raw: bytes) -> _Header:
    magic, _version, page_size, _seq, salt1, salt2, c1, c2 = WAL_HEADER.unpack(raw)
    big = bool(magic & 1)
    valid = (magic in WAL_MAGIC and 512 <= page_size <= 65536 and not page_size & (page_size - 1)
             and checksum(raw[:24], big) == (c1, c2))
    return _Header(big, page_size, (salt1, salt2), (c1, c2), valid)


def _frames(fh: BinaryIO, head: _Header, size: int) -> Iterator[Frame]:
    """Frames of the current generation: complete, carrying the header's salts, in order."""
    step = FRAME_HEADER.size + head.page_size
    index, offset = 0, WAL_HEADER.size
    while offset + step <= size:
        fh.seek(offset)
        page, commit, salt1, salt2, c1, c2 = FRAME_HEADER.unpack(fh.read(FRAME_HEADER.size))
        if (salt1, salt2) != head.salts or page == 0:
            return  # a frame of an earlier generation: the log ends here
        yield Frame(index, offset, page, commit, (c1, c2))
        index, offset = index + 1, offset + step


def _summed(fh: BinaryIO, head: _Header, frame: Frame, start: tuple[int, int]) -> tuple[int, int]:
    """The checksum SQLite computes for a frame: its first 8 header bytes and its page, from start."""
    fh.seek(frame.offset)
    raw = fh.read(FRAME_HEADER.size + head.page_size)
    return checksum(raw[:8] + raw[FRAME_HEADER.size:], head.big_endian, *start)


def check_wal(path: Path) -> None:
    """Raise ArchiveDamaged when replaying the archive's -wal would silently drop committed work."""
    wal = wal_path(Path(path))
    try:
        size = wal.stat().st_size
    except FileNotFoundError:
        return
    if size < WAL_HEADER.size:
        return  # SQLite ignores a log without a complete header
    with open(wal, "rb") as fh:
        head = _header(fh.read(WAL_HEADER.size))
        if not head.valid:
            if size >= WAL_HEADER.size + FRAME_HEADER.size + 512:
                raise _damaged(wal, "日志文件开头（文件头）已损坏，其中的帧都无法使用")
            return
        frames = list(_frames(fh, head, size))
        commits = [f for f in frames if f.commit]
        if not commits:
            return  # only an unfinished transaction: dropping it is right
        running = head.checksum
        for frame in frames[: commits[-1].index + 1]:
            running = _summed(fh, head, frame, running)
            if running != frame.checksum:
                _check_after_break(fh, head, frames, frame, wal)
                return


def _check_after_break(fh: BinaryIO, head: _Header, frames: list[Frame], broken: Frame, wal: Path) -> None:
    """A frame failed: an intact commit frame after it means committed work would be dropped."""
    for frame in frames[broken.index + 1:]:
        if frame.commit and _summed(fh, head, frame, frames[frame.index - 1].checksum) == frame.checksum:
            raise _damaged(wal, f"日志第 {broken.index + 1} 帧校验失败，其后第 {frame.index + 1} 帧是完好的已保存改动")


def _damaged(wal: Path, detail: str) -> ArchiveDamaged:
    return ArchiveDamaged(
        f"档案的日志文件“{wal.name}”已损坏：其中已经保存的改动无法读出。程序没有修改任何文件。", (detail,)
    )


def wal_pages(path: Path) -> set[int]:
    """Page numbers held by the current generation of the archive's -wal (cheap: frame headers only)."""
    wal = wal_path(Path(path))
    try:
        size = wal.stat().st_size
        if size < WAL_HEADER.size:
            return set()
        with open(wal, "rb") as fh:
            head = _header(fh.read(WAL_HEADER.size))
            return {f.page for f in _frames(fh, head, size)} if head.valid else set()
    except FileNotFoundError:
        return set()


def missing_pages(path: Path, pages: int, page_size: int = 4096) -> int:
    """How many of a database's `pages` are neither in the file nor in its -wal (truncation)."""
    held = wal_pages(path)  # read first: a checkpoint moves pages from the log into the file, never back
    file_pages = Path(path).stat().st_size // page_size
    return sum(1 for p in range(file_pages + 1, pages + 1) if p not in held)
