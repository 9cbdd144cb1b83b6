"""Messages whose keys start with ``rboard.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "rboard.title": {"vi": "Đợt chấm điểm", "en": "Scoring rounds"},
}
