"""The file uploader's own texts in the reader's language, with par's real size cap.

Streamlit 1.67 draws ``st.file_uploader`` with fixed English texts and offers no way to
change them: the button "Upload", the line "200MB per file • XLSX, CSV" (Streamlit's own
``server.maxUploadSize``, not par's cap, ``PAR_MAX_UPLOAD_MB``, which the guard enforces)
and, while a file is dragged over it, "Drag and drop a file here". ``localise_uploader``
puts a small style sheet beside the widget, scoped to that one widget by the class
Streamlit gives its container (``st-key-<key>``): the English text is set to font size 0
and ours is drawn in its place by a ``::after`` rule (``content``). What a screen reader
announces stays Streamlit's. The selectors follow Streamlit 1.67's markup
(``stFileUploaderDropzone``, ``stFileUploaderDropzoneInstructions``, the button's
``stMarkdownContainer``, the drag overlay's unnamed ``div > span``); a Streamlit upgrade
that changes them shows the English texts again, which the browser test
(tests/app/test_browser_upload.py) would catch.

Every ``st.file_uploader`` in par/app calls this first with its key and accepted types.
"""
from __future__ import annotations

import re

import streamlit as st

from par.i18n import t
from par.i18n.formatting import fmt_number
from par.read.guard import MB, Limits

TEXT_SIZE = "0.875rem"  # Streamlit's size for these texts (14 px)


def cap_mb() -> float:
    """par's upload cap in MB (PAR_MAX_UPLOAD_MB, as the guard applies it)."""
    return Limits.from_env().max_bytes / MB


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    return '"' + re.sub(r'["\\\n\r]', lambda m: "\\%X " % ord(m.group(0)), text) + '"'


def uploader_texts(types: list[str], lang: str, mb: float | None = None) -> dict[str, str]:
    """The three texts: the button, the limit line (par's cap and the types), the drop hint."""
    mb = cap_mb() if mb is None else mb
    size = fmt_number(mb, lang, decimals=0 if float(mb).is_integer() else 1)
    return {"button": t("upload.widget_button", lang),
            "limit": t("upload.widget_limit", lang, mb=size,
                       types=", ".join(x.upper() for x in types)),
            "drop": t("upload.widget_drop", lang)}


def uploader_css(key: str, types: list[str], lang: str, mb: float | None = None) -> str:
    """The style sheet that shows ``uploader_texts`` in the uploader with this key."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", key):
        raise ValueError(f"uploader key {key!r}: letters, digits, _ and - only")
    texts = uploader_texts(types, lang, mb)
    zone = f'.st-key-{key} [data-testid="stFileUploaderDropzone"]'
    targets = {
        "limit": f'.st-key-{key} [data-testid="stFileUploaderDropzoneInstructions"] span',
        "button": f'{zone} button [data-testid="stMarkdownContainer"] p',
        "drop": f"{zone} > div:not([data-testid]) > span",
    }
    rules = []
    for name, selector in targets.items():
        rules.append(f"{selector} {{ font-size: 0; }}")
        rules.append(f"{selector}::after {{ content: {_css_string(texts[name])}; "
                     f"font-size: {TEXT_SIZE}; }}")
    return "\n".join(rules)


def localise_uploader(key: str, types: list[str], lang: str) -> None:
    """Put the style sheet for the uploader ``key`` on the page (call it before the
    ``st.file_uploader`` with that key; a style-only st.html takes no room)."""
    st.html(f"<style>\n{uploader_css(key, types, lang)}\n</style>")
