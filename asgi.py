"""The ASGI entry point: Streamlit's ``st.App`` around the page script, plus Hongtu's own HTTP
routes, middleware and start-up work (``components.web``).

``python -m components.serve run app.py`` (what ``hongtu serve``, the tests and the benchmarks
run) starts this module through ``streamlit run``; the page script comes from
``HONGTU_SCRIPT`` (default: ``app.py`` beside this file) so that test apps get the same server."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from components import web

SCRIPT_ENV = "HONGTU_SCRIPT"
script = Path(os.environ.get(SCRIPT_ENV) or Path(__file__).resolve().parent / "app.py")

app = st.App(str(script), routes=web.routes(), middleware=web.middleware(),
             lifespan=web.lifespan)
