"""Scoring: load and check criteria sets, apply the rules, roll up, rank (CONTRACT §4)."""
