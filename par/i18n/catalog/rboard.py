"""Messages whose keys start with ``rboard.``."""

MESSAGES: dict[str, dict[str, str]] = {
}
