"""Page placeholder until its issue lands."""
import streamlit as st

st.info("🚧")
