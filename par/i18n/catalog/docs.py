"""Messages whose keys start with ``docs.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "docs.sheet_title": {"vi": "PHIẾU CHẤM ĐIỂM", "en": "SCORING SHEET"},
}
