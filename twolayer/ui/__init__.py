"""Streamlit helpers shared by the pages: the only part of twolayer that imports streamlit."""
