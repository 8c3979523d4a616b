"""Printed documents: the map sheet (作战图, PDF/PNG, :mod:`geo.printing.sheet`) and the
monthly briefing (工作简报, DOCX/PDF, :mod:`geo.printing.briefing`), made server-side with
matplotlib, geopandas and python-docx; :mod:`geo.printing.documents` makes them from a store
for a principal and records them in the audit. No Streamlit, no folium, no network (except
tile basemaps when asked for and reachable)."""
