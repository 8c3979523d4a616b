"""Chinese for the few English texts Streamlit draws itself and offers no option for.

Streamlit 1.67 has parameters for most of its texts and the pages use them (multiselect
``placeholder`` and ``select_all=False``, the uploader's ``max_upload_size``). What is left is
hard-coded in its frontend: the skip link, the input hint ("Press Enter to submit form"), the
uploader's "Upload" button and "50MB per file" line, a menu's "No results" (react-aria marks an
empty list ``data-empty``), and the table and chart toolbars (search, download, fullscreen:
English tooltips). In Chinese those texts are replaced by stylesheet
content scoped to Streamlit's ``data-testid`` attributes (the original text is sized to zero
and the Chinese drawn in ``::after``), and the element toolbars are hidden (every table the
app shows that a user needs as a file has its own export button). English keeps Streamlit's
own texts and toolbars.
"""

from __future__ import annotations

import json

import streamlit as st

from components.i18n import get_lang, t

BROWSE_BUTTON = '[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]'
UPLOAD_LIMIT_OPTION = "server.maxUploadSize"  # MB; the one setting (.streamlit/config.toml)


def upload_limit_mb() -> int:
    """The per-file upload limit in MB: Streamlit's ``server.maxUploadSize``, read back so the
    uploader, the page's caption and the importer's check all say and do the same."""
    return int(st.get_option(UPLOAD_LIMIT_OPTION))


def _replace(selector: str, text: str, size: str = "0.875rem") -> str:
    return (f"{selector}{{font-size:0 !important;}}"
            f"{selector}::after{{content:{json.dumps(text, ensure_ascii=False)};font-size:{size};}}")


def chinese_css() -> str:
    """The stylesheet that puts Chinese where Streamlit hard-codes English."""
    return "".join([
        _replace('[data-testid="stSkipToContent"]', t("polish.skip_to_content")),
        _replace('[data-testid="InputInstructions"] > span:first-child', t("polish.input.enter"),
                 "0.75rem"),
        # the browse button only (not a chosen file's remove button nor the "add files" icon),
        # on one line ("选择/文件" wrapped)
        _replace(BROWSE_BUTTON, t("polish.upload.browse")),
        f'{BROWSE_BUTTON} *{{font-size:0 !important;}}',
        f'{BROWSE_BUTTON}::after{{white-space:nowrap;}}',
        f'{BROWSE_BUTTON}{{min-width:max-content;}}',
        _replace('[data-testid="stFileUploaderDropzoneInstructions"] span',
                 t("polish.upload.limit", mb=upload_limit_mb()), "0.75rem"),
        _replace('[role="listbox"][data-empty] > [role="option"] > span',
                 t("polish.select.no_results")),
        '[data-testid="stElementToolbar"]{display:none !important;}',
    ])


def apply() -> None:
    """Call once per run, before the page: the Chinese stylesheet when the UI is Chinese."""
    if get_lang() == "zh":
        st.html(f"<style>{chinese_css()}</style>")
