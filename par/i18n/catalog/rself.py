"""Messages whose keys start with ``rself.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "rself.title": {"vi": "Tự chấm điểm", "en": "Self-assessment"},
}
