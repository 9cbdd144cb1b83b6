"""Messages for templates, the hostile-file guard and workbook import; merged into par.messages.MESSAGES."""

MESSAGES: dict[str, dict[str, str]] = {
}
