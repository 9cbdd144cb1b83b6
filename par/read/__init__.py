"""Bytes to checked rows: the hostile-file guard, tables, values, inputs, workbooks, templates."""
