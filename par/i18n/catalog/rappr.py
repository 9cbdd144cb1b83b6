"""Messages whose keys start with ``rappr.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "rappr.title": {"vi": "Thẩm định", "en": "Appraisal"},
}
