"""Messages whose keys start with ``word.``."""

MESSAGES: dict[str, dict[str, str]] = {
    "word.yes": {"vi": "có", "en": "yes"},
}
