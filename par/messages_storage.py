"""Messages for storage: submissions, history, rollback; merged into par.messages.MESSAGES."""

MESSAGES: dict[str, dict[str, str]] = {
}
