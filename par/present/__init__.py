"""Figures and tables for people, built from scorecards (no I/O, no streamlit)."""
