"""The one translation table: every UI text, Chinese first, English on the switch.

Strings are grouped by area in ``components/strings/*.py`` (each a ``TEXT`` dict of
``key -> (zh, en)``); this module merges them and looks keys up for the current language.
"""

from __future__ import annotations

import importlib
import pkgutil

import components.strings as _strings

LANGS = ("zh", "en")
TEXT: dict[str, tuple[str, str]] = {}
for _mod in pkgutil.iter_modules(_strings.__path__):
    for _key, _pair in importlib.import_module(f"components.strings.{_mod.name}").TEXT.items():
        if _key in TEXT and TEXT[_key] != _pair:
            raise ValueError(f"translation key {_key!r} defined twice differently")
        TEXT[_key] = _pair

_current = {"lang": "zh"}


def set_lang(lang: str) -> None:
    _current["lang"] = lang if lang in LANGS else "zh"


def get_lang() -> str:
    return _current["lang"]


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), formatted."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[LANGS.index(lang or _current["lang"])]
    return text.format(**fmt) if fmt else text


def fmt_int(value, lang: str | None = None) -> str:
    """Integers with thousands separators (both languages use 4,760)."""
    return f"{int(value):,}"


def fmt_pct(value, digits: int = 1) -> str:
    return f"{value:.{digits}f}%"


def fmt_date(value, lang: str | None = None) -> str:
    import pandas as pd

    ts = pd.Timestamp(value)
    if (lang or _current["lang"]) == "zh":
        return f"{ts.year}年{ts.month}月{ts.day}日"
    return ts.strftime("%Y-%m-%d")
