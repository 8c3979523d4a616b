"""The benchmark's floor: a page of the same Streamlit with nothing but a title."""
import streamlit as st

st.set_page_config(page_title="红图 Hongtu", layout="wide")
st.title("红图")
