"""Every text a user sees, in Vietnamese and English, and how numbers and ranks are written."""
from par.i18n.messages import (
    DEFAULT_LANG,
    LANGS,
    MESSAGES,
    placeholders,
    resolve_lang,
    t,
)

__all__ = ["DEFAULT_LANG", "LANGS", "MESSAGES", "placeholders", "resolve_lang", "t"]
