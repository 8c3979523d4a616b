"""小区详情: everything about one compound in tables, with a small map; linkable by id
(?id=C001 or ?compound=C001)."""

import streamlit as st

from components import compound_panel, network_cache, network_map, print_panel
from components.context import page_context
from components.data_text import md
from components.i18n import t
from components.url_text import literal
from geo.store import NotFoundError

ctx = page_context()
data = network_cache.map_data()
names = dict(zip(data.compounds["id"], data.compounds["name"]))
if not names:
    st.info(t("map.no_data"))
    st.stop()
wanted = st.query_params.get("id") or st.query_params.get("compound")
ids = list(names)
unknown = bool(wanted) and wanted not in names  # say so; show no other compound in its place
choice = st.selectbox(t("cp.choose"), ids, index=None if unknown else ids.index(wanted)
                      if wanted in names else 0, placeholder=t("polish.select.compound"),
                      format_func=lambda i: f"{names[i]} ({i})", key="cp_choice")
if choice is None:
    st.warning(t("cp.missing", id=literal(wanted)))
    st.stop()
if choice != wanted:  # the URL keeps what was asked for until another compound is chosen
    st.query_params["id"] = choice
try:
    detail, summary, street_names = ctx.compound(choice)
except NotFoundError:
    st.warning(t("cp.missing", id=md(choice)))
    st.stop()
records_col, map_col = st.columns([1.2, 1])
with records_col:
    st.subheader(md(detail.compound["name"]))
    print_panel.print_action("cp_print", choice, detail.compound.get("street_id"), highlight=choice)
    compound_panel.show_records(detail, street_names)
with map_col:
    network_map.render_compound_map(detail, summary["nearest"], data.positions, context=data)
compound_panel.show_activity(summary, full=True)
