"""Messages whose keys start with ``rself.``."""

MESSAGES: dict[str, dict[str, str]] = {
}
