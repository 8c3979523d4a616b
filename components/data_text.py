"""Text that came from data (names, descriptions, ids typed by someone) made inert before it
reaches anything Streamlit renders as Markdown (``st.markdown``, ``st.caption``, ``st.subheader``,
``st.info``/``st.warning``/``st.error``, labels): every ASCII punctuation character that
Markdown, HTML, Streamlit's ``:directives:`` or LaTeX could read is written as a numeric
character reference (``&#58;``), which CommonMark shows as the character itself and never
reads as markup; and Streamlit links any ``http://``, ``www.`` or ``a@b.c`` it finds in the
rendered text, whatever the escaping, so a zero-width space is put inside those. So ``[x](http://...)``,
``![x](...)``, ``<img src=...>``, ``http://...`` and ``www.`` are shown as the characters they
are, never as a link, an image or markup; line breaks become spaces. Tables
(``st.dataframe``) and ``st.text`` show text as text already and need none of this."""

from __future__ import annotations

import re

NO_LINK = "\u200b"  # zero-width space: breaks what Streamlit would turn into a link
_AUTOLINK = re.compile(r"(?i)://|www\.|@.")  # http://x, www.x, a@b.c
_MARKDOWN = re.compile(r"""([\\`*_{}\[\]()#+\-.!|<>~:$@&=^"'/%;?,])""")


def md(text) -> str:
    """``text`` inert in Markdown: shown exactly, never interpreted."""
    if text is None:
        return ""
    plain = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + NO_LINK + m.group(0)[-1],
                          " ".join(str(text).split()))
    return _MARKDOWN.sub(lambda m: f"&#{ord(m.group(1))};", plain)
