"""Messages whose keys start with ``severity.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "severity.warning": {"vi": "(cảnh báo)", "en": "(warning)"},
}
