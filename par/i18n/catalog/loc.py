"""Messages whose keys start with ``loc.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "loc.sheet": {"vi": "trang tính '{sheet}'", "en": "sheet '{sheet}'"},
    "loc.cell": {"vi": "ô {cell}", "en": "cell {cell}"},
    "loc.row": {"vi": "dòng {row}", "en": "row {row}"},
    "loc.column": {"vi": "cột '{column}'", "en": "column '{column}'"},
    "loc.node": {"vi": "mã {node}", "en": "code {node}"},
}
