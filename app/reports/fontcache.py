"""The bundled CJK font's parsed tables, kept in the user's cache folder between runs.

reportlab reads a TrueType font's tables in Python: 0.25 s for the 4 MB CJK font, paid by the first
print of every session.  What it keeps is plain data (numbers, dicts and lists of numbers, names), so it
is stored with marshal — data only, never code — under a key of the font file's size and date, the
reportlab version and this module's format.  Anything unexpected (another reportlab, a damaged or
foreign file, a different set of attributes) falls back to parsing the font; the cache is only a shortcut.
It holds font metrics only, nothing about customers.
"""
from __future__ import annotations

import hashlib
import logging
import marshal
import os
from fnmatch import fnmatch
from pathlib import Path
from weakref import WeakKeyDictionary

import platformdirs
import reportlab
from reportlab import rl_config
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

from app import APP_NAME
from app.fileutil import atomic_write_bytes

logger = logging.getLogger(__name__)

FORMAT = 1
PROBE = "客户档案 ClientFile 2026"
_NOT_STORED = ("_ttf_data", "_pdfScale")


def load_ttfont(name: str, path: Path) -> TTFont:
    """The font, from the cache when it matches this file and reportlab, else parsed (and cached)."""
    cache = cache_file(path)
    try:
        font = _from_cache(name, path, cache.read_bytes())
        if font is not None:
            return font
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError) as exc:
        logger.info("font cache not used: %s", type(exc).__name__)
    font = TTFont(name, str(path))
    try:
        atomic_write_bytes(cache, _state_bytes(font))
    except OSError as exc:  # a read-only home only costs the next start the same 0.25 s
        logger.info("font cache not written: %s", type(exc).__name__)
    return font


def cache_file(path: Path) -> Path:
    """Where the parsed tables of this font file live (the key is in the name)."""
    stat = path.stat()
    key = f"{FORMAT}|{reportlab.Version}|{path.name}|{stat.st_size}|{int(stat.st_mtime)}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return _cache_dir() / f"{path.stem}-{digest}.metrics"


def _cache_dir() -> Path:
    override = os.environ.get("CLIENTFILE_HOME")
    if override:
        return Path(override) / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def _state_bytes(font: TTFont) -> bytes:
    face = vars(font.face)
    names = sorted(k for k, v in face.items() if isinstance(v, TTFNameBytes))
    state = {k: (v.ustr if k in names else v) for k, v in face.items() if k not in _NOT_STORED}
    check = {"font_attrs": sorted(vars(font)), "face_attrs": sorted(face), "names": names,
             "probe": font.stringWidth(PROBE, 10)}
    return marshal.dumps({"state": state, "check": check})


def _from_cache(name: str, path: Path, data: bytes) -> TTFont | None:
    stored = marshal.loads(data)
    state, check = dict(stored["state"]), stored["check"]
    for key in check["names"]:
        state[key] = TTFNameBytes(state[key].encode("utf8"))
    face = TTFontFace.__new__(TTFontFace)
    face.__dict__.update(state)
    face._ttf_data = path.read_bytes()
    per_em = face.unitsPerEm
    face._pdfScale = (lambda x: x) if per_em == 1000 else (lambda x, m=1000 / per_em: x * m)
    font = TTFont.__new__(TTFont)
    font.fontName, font.face, font.encoding, font.state = name, face, TTEncoding(), WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)
    if (sorted(vars(font)) != check["font_attrs"] or sorted(vars(face)) != check["face_attrs"]
            or font.stringWidth(PROBE, 10) != check["probe"]):
        logger.info("font cache does not match this reportlab; parsing the font")
        return None
    return font
