"""Messages whose keys start with ``status.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "status.current": {"vi": "hiện hành", "en": "current"},
    "status.superseded": {"vi": "đã thay thế", "en": "superseded"},
}
