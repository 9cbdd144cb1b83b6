"""Messages whose keys start with ``docs.``."""

MESSAGES: dict[str, dict[str, str]] = {
}
