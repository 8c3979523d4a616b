"""The one translation table: every UI text, Chinese first, English on the switch.

Strings are grouped by area in ``components/strings/*.py`` (each a ``TEXT`` dict of
``key -> (zh, en)``); this module merges them and looks keys up for the current language.

The current language belongs to one browser session, never to the process: inside a Streamlit
script run it is ``st.session_state[LANG_KEY]`` of that session; outside one (the command line,
tests, server start-up work) a :class:`contextvars.ContextVar` that defaults to Chinese.
"""

from __future__ import annotations

import contextvars
import importlib
import pkgutil

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import components.strings as _strings

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_KEY = "lang"  # st.session_state key of the session's language
TEXT: dict[str, tuple[str, str]] = {}
for _mod in pkgutil.iter_modules(_strings.__path__):
    for _key, _pair in importlib.import_module(f"components.strings.{_mod.name}").TEXT.items():
        if _key in TEXT and TEXT[_key] != _pair:
            raise ValueError(f"translation key {_key!r} defined twice differently")
        TEXT[_key] = _pair

_outside_script = contextvars.ContextVar("hongtu_lang", default=DEFAULT_LANG)


def _in_script_run() -> bool:
    return get_script_run_ctx(suppress_warning=True) is not None


def normalise(lang) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def set_lang(lang: str) -> None:
    """Set the language of this session (or of this context outside a script run)."""
    if _in_script_run():
        st.session_state[LANG_KEY] = normalise(lang)
    else:
        _outside_script.set(normalise(lang))


def get_lang() -> str:
    if _in_script_run():
        return normalise(st.session_state.get(LANG_KEY))
    return _outside_script.get()


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The text for ``key`` in ``lang`` (default: the current language), formatted."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[LANGS.index(normalise(lang or get_lang()))]
    return text.format(**fmt) if fmt else text


def fmt_int(value, lang: str | None = None) -> str:
    """Integers with thousands separators (both languages use 4,760)."""
    return f"{int(value):,}"


def fmt_pct(value, digits: int = 1) -> str:
    return f"{value:.{digits}f}%"


def fmt_date(value, lang: str | None = None) -> str:
    ts = pd.Timestamp(value)
    if (lang or get_lang()) == "zh":
        return f"{ts.year}年{ts.month}月{ts.day}日"
    return ts.strftime("%Y-%m-%d")
