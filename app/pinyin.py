"""Names to pinyin for search and sorting, reading polyphonic surnames as surnames (单→shan, 曾→zeng).

pypinyin loads ~0.4 s of dictionaries at import, which searching and browsing never need (the index holds
the pinyin already): it is imported on the first conversion, and the desktop app warms it up in the
background once the main window is on screen (warm_up).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

# Surnames whose surname reading differs from pypinyin's most common reading. Compound surnames first.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
    "令狐": ("ling", "hu"), "澹台": ("tan", "tai"), "宇文": ("yu", "wen"), "司马": ("si", "ma"),
    "欧阳": ("ou", "yang"), "上官": ("shang", "guan"), "诸葛": ("zhu", "ge"), "东方": ("dong", "fang"),
    "皇甫": ("huang", "fu"), "公孙": ("gong", "sun"), "慕容": ("mu", "rong"), "夏侯": ("xia", "hou"),
}
SURNAMES: dict[str, str] = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "乐": "yue", "盖": "ge", "缪": "miao", "覃": "qin", "翟": "zhai", "召": "shao", "纪": "ji",
    "繁": "po", "员": "yun", "牟": "mou", "秘": "bi", "种": "chong", "句": "gou", "冼": "xian",
    "洗": "xian", "葛": "ge", "黑": "he", "能": "nai", "过": "guo", "隗": "wei", "蕃": "pi",
    "燕": "yan", "宁": "ning", "相": "xiang", "都": "du", "沈": "shen", "折": "she", "谌": "chen",
    "阚": "kan", "晟": "cheng", "啜": "chuai", "禚": "zhuo", "郇": "huan", "訾": "zi", "尉": "wei",
    "长": "chang", "重": "chong",
}


_convert: Callable[..., list[str]] | None = None
_loading = threading.Lock()


_REMEMBERED_SEGMENTS = 300_000  # distinct words; a name has two or three, 100k customers far fewer


def _lazy_pinyin() -> Callable[..., list[str]]:
    global _convert
    if _convert is None:
        with _loading:
            if _convert is None:
                # We never edit pypinyin's dictionaries, so its defensive copy of them is wasted time.
                os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
                _convert = _remembering_pinyin()
    return _convert


def _remembering_pinyin() -> Callable[..., list[str]]:
    """pypinyin's lazy_pinyin, remembering the reading of every word it segments a text into.

    Whole names rarely repeat but their words do (surnames, 建国, 丽娜): converting a word to toneless
    pinyin is most of pypinyin's time (2.2 s CPU for 100k imported names). The reading of a word does not
    depend on its neighbours once the text is segmented, so this is exactly lazy_pinyin's result: the
    same converter class with the same options, and the only caller passes the same style and errors.
    """
    from pypinyin import Style
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    class Remembering(UltimateConverter):  # what pypinyin.lazy_pinyin builds for each call
        def __init__(self) -> None:
            super().__init__()
            self.known: dict[str, list[list[str]]] = {}

        def convert(self, words: str, style: Any, heteronym: bool, errors: Any, strict: bool,
                    **kwargs: Any) -> list[list[str]]:
            known = self.known.get(words)
            if known is None:
                known = super().convert(words, style, heteronym, errors, strict, **kwargs)
                if len(self.known) < _REMEMBERED_SEGMENTS:
                    self.known[words] = known
            return list(known)  # the caller chains the inner lists, never changes them

    converter = Pinyin(Remembering())
    return lambda text: converter.lazy_pinyin(text, style=Style.NORMAL, errors=_no_pinyin)


def _no_pinyin(chars: str) -> list[str]:
    """Letters, digits and signs stand for themselves (lower-case)."""
    return list(chars.lower())


def warm_up() -> None:
    """Load the dictionaries now (from a background thread), so the first card saved does not wait."""
    _syllables("招商银行")


def warm_up_in_background() -> threading.Thread | None:
    """Start warm_up in a daemon thread unless the dictionaries are loaded or loading. The desktop app calls
    this when a card window or the import wizard opens: the name is typed before it is needed, and a
    session that only looks things up never spends the ~50 MB the dictionaries take."""
    global _warming
    if _convert is not None or _warming is not None:
        return None
    _warming = threading.Thread(target=warm_up, name="warm-up", daemon=True)
    _warming.start()
    return _warming


_warming: threading.Thread | None = None


def _syllables(text: str) -> list[str]:
    pieces = _lazy_pinyin()(text)
    return [s.lower() for s in pieces if s.strip()]


@lru_cache(maxsize=200_000)
def name_syllables(name: str, *, person: bool = True) -> tuple[str, ...]:
    """Pinyin syllables of a name; for a person the first one or two characters read as a surname."""
    name = name.strip()
    if not name:
        return ()
    if person:
        for compound, reading in COMPOUND_SURNAMES.items():
            if name.startswith(compound):
                return reading + tuple(_syllables(name[2:]))
        if name[0] in SURNAMES:
            return (SURNAMES[name[0]], *_syllables(name[1:]))
    return tuple(_syllables(name))


def full_pinyin(name: str, *, person: bool = True) -> str:
    """'张三丰' → 'zhangsanfeng' (used for search and for sorting names in pinyin order)."""
    return "".join(name_syllables(name, person=person)).replace(" ", "")


def initials(name: str, *, person: bool = True) -> str:
    """'张三丰' → 'zsf'."""
    return "".join(s[0] for s in name_syllables(name, person=person) if s and s[0].isalnum())


def sort_key(name: str, *, person: bool = True) -> str:
    """A key that sorts names in pinyin order, then by characters for equal readings."""
    return " ".join(name_syllables(name, person=person)) + "\x1f" + name
