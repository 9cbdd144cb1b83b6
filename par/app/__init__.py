"""Streamlit pages. The only package that imports streamlit; nothing in par/ imports it."""
