"""Supplied text shown as text: the one place that escapes it for each renderer.

Unit names, criterion names and descriptions from a set's YAML, notes, file names,
account names and the messages that embed them come from people and files. Each
renderer that reads markup gets them through one function here, so a name such as
``[click](https://evil.example)``, ``![x](https://evil.example/pixel.png)``,
``<a href=…>``, ``**bold**``, ``$x$`` or ``:red[…]`` is shown as those characters and
never becomes a link, an image (a request every viewer's browser makes), formatting
or a formula:

- ``md``: Streamlit Markdown bodies (st.markdown, st.caption, st.subheader, st.info,
  st.warning, st.error, st.metric labels, expander labels …);
- ``plotly_text``: plotly's pseudo-HTML (titles, axis ticks, legend names, bar texts,
  hover texts, annotations);
- ``html_text``: real HTML (the slide pack printed to PDF).

Dataframes (st.dataframe, st.data_editor) and selectbox options show cells as plain
text already, python-pptx writes its runs literally and openpyxl cells are made text
by the writers; none needs escaping (tests/present/test_safe.py, tests/app/
test_markup.py and tests/export check each).
"""
from __future__ import annotations

import html
import re

# Every ASCII punctuation character: CommonMark lets each be backslash-escaped, and an
# escaped one is always shown as itself. That one rule covers links and images ([ ] ( ) !),
# emphasis (* _ ~), code (`), raw HTML and entities (< > &), maths ($), Streamlit's
# directives (:red[…], :small[…]), headings, lists, quotes and tables (# - + . > |).
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# Some replacements run on the text *after* Markdown has been parsed, so escaping cannot
# stop them: GFM's bare links (https://…, www.…, name@host.vn become <a href>) and
# Streamlit's :smile:, :material/icon: and :streamlit:. A word joiner (invisible, not a
# space) after the scheme, the "www", the "@" or the colon breaks their patterns.
_AFTER_PARSE = re.compile(r"(?i)(?:https?|mailto|xmpp|www)(?=[:.])|@|:(?=[\w+-][\w+/-]*:)")
WORD_JOINER = "\u2060"
_LINE_BREAKS = re.compile(r"[\r\n\v\f\u0085\u2028\u2029]+")


def _str(text) -> str:
    return "" if text is None else str(text)


def md(text) -> str:
    """``text`` for a Streamlit Markdown body: shown as typed, on one line."""
    s = _LINE_BREAKS.sub(" ", _str(text))
    s = _AFTER_PARSE.sub(lambda m: m.group(0) + WORD_JOINER, s)
    return _MD_SPECIAL.sub(r"\\\1", s)


def plotly_text(text) -> str:
    """``text`` for plotly's pseudo-HTML: < > & become entities (plotly shows ``&lt;`` as
    ``<``), and $ too, so a text between two dollars is never typeset as TeX."""
    return (_str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("$", "&#36;"))


def html_text(text) -> str:
    """``text`` for HTML content or a quoted attribute value."""
    return html.escape(_str(text), quote=True)


def md_issues(issues, lang: str, limit: int = 50) -> str:
    """Problems as a Markdown list, each rendered message shown as text (a message quotes
    file names, cells and unit names, all of them supplied)."""
    issues = list(issues)
    lines = [f"- {md(i.render(lang))}" for i in issues[:limit]]
    if len(issues) > limit:
        lines.append(f"- … (+{len(issues) - limit})")
    return "\n".join(lines)
