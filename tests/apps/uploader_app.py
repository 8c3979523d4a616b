"""Throw-away Streamlit page for tests/test_layout_browser.py: the data page's uploader with
the app's Chinese stylesheet (components.streamlit_text)."""

import streamlit as st

from components import streamlit_text
from components.i18n import t

streamlit_text.apply()
st.file_uploader(t("io.upload"), accept_multiple_files=True, key="upload")
