"""Hongtu's GIS core: no Streamlit here (see the developers' guide)."""

from geo.transformers import install as _install_transformers

_install_transformers()  # every to_crs of the process, in every thread: geo/transformers.py
