"""Rendering the one message catalogue: ``t(key, lang, **fields)``.

Every text a user sees lives in par/i18n/catalog/, one module per key prefix, in
Vietnamese and English. Issue codes double as message keys. A missing key renders
visibly (``[key]``) instead of crashing; tests/i18n/test_messages.py keeps both
languages complete and their placeholders identical.
"""
from __future__ import annotations

import string
from typing import Any

from par import settings
from par.i18n.catalog import MESSAGES

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

def resolve_lang(lang: str | None = None) -> str:
    lang = (lang or settings.lang() or DEFAULT_LANG).lower()
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, /, **fields: Any) -> str:
    """The message ``key`` in ``lang``; missing fields render as {name}, never raise."""
    entry = MESSAGES.get(key)
    if entry is None:
        return f"[{key}]"
    template = entry.get(resolve_lang(lang)) or entry[DEFAULT_LANG]
    return string.Formatter().vformat(template, (), _Fields(fields))


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
