"""AppTest: names people supply are shown as text on every page, never as Markdown or HTML.

A province's own database (PAR_DATABASE_URL, not sample mode) whose district "cua-lo" is
named with a Markdown link, a remote image (a tracking pixel), raw HTML, bold, TeX and a
Streamlit directive, imported by an account and from a file whose names start like a
formula. Every
page is drawn, and every text of every element is checked: Markdown bodies carry the
name escaped (par.present.safe.md), plotly figures carry it as entities
(par.present.safe.plotly_text); the audit CSV writes it with a leading quote.
tests/app/test_browser_markup.py walks the same pages in Chromium.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import streamlit as st
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
EVIL = "https://evil.example"
HOSTILE = (f"Xã [click]({EVIL}) ![x]({EVIL}/pixel.png) <img src=\"{EVIL}/i.png\"> "
           f"<a href=\"{EVIL}\">a</a> **đậm** $x^2$ :red[đỏ] :smile: www.evil.example")
HOSTILE_FILE = '=HYPERLINK("http://x","y") [f](https://evil.example).csv'
HOSTILE_USER = '=HYPERLINK("http://x","y")'  # the account that imported the files
# Markdown syntax that must never be left in a body once its escape pairs are taken out …
LIVE_MARKDOWN = ["](", "![", "<img", "<a ", "**đậm**", "$x", ":red["]
ESCAPE_PAIR = re.compile(r"\\[!-/:-@\[-`{-~]")
# … and what runs on the parsed text (GFM's bare links, emoji shortcodes), escapes undone
AFTER_PARSE = re.compile(r"https?://|www\.|:smile:", re.I)


def build_database(url: str) -> None:
    """A database of its own: the units (cua-lo hostile), the district set, its two files."""
    from par.domain.auth import Actor
    from par.engine import catalog
    from par.read.units import read_units
    from par.store.storage import Store
    from par.store.submit import prepare_all, submit

    store = Store(url)
    units = read_units(ROOT / "data/units.csv")
    units.loc["cua-lo", "name"] = HOSTILE
    store.sync_units(units)
    sets = [c for c in catalog.list_criteria() if c.id == "nghe-an-huyen-2019"]
    files = [(HOSTILE_FILE, (ROOT / "data/inputs/huyen-2019-self.csv").read_bytes()),
             ("huyen-2019-appraisal.csv",
              (ROOT / "data/inputs/huyen-2019-appraisal.csv").read_bytes())]
    submit(store, prepare_all(files, sets, store.units()), actor=Actor.system(HOSTILE_USER))
    store.dispose()


@pytest.fixture(scope="module")
def hostile_database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'province.db'}"
    build_database(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.delenv("PAR_SAMPLE_MODE", raising=False)  # a province's own: never seeded
        st.cache_resource.clear()
        st.cache_data.clear()
        yield url
        st.cache_resource.clear()
        st.cache_data.clear()


# -- every text of every element --------------------------------------------------------

def _nodes(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def _strings(value, skip=()):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in skip:
                yield from _strings(v, skip)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, skip)


PLAIN_TEXT_FIELDS = {"options", "rawValues", "defaultValue", "value"}  # a selectbox's options
DATA_FIELDS = {"data", "arrowData", "styler", "spec", "config", "id", "formId"}


def texts(at: AppTest) -> tuple[list[str], list[dict]]:
    """(every Markdown-rendered string, every plotly figure) of the app's elements."""
    markdown, figures = [], []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        as_dict = MessageToDict(proto, preserving_proto_field_name=False)
        if "spec" in as_dict and isinstance(as_dict["spec"], str):  # plotly_chart
            figures.append(json.loads(as_dict["spec"]))
        skip = DATA_FIELDS | (PLAIN_TEXT_FIELDS if node.type in {
            "selectbox", "multiselect"} else set())
        markdown += list(_strings(as_dict, skip))
    return markdown, figures


def assert_inert(at: AppTest) -> tuple[list[str], list[dict]]:
    assert not at.exception, [e.value for e in at.exception]
    markdown, figures = texts(at)
    live = [(token, s) for s in markdown for token in LIVE_MARKDOWN
            if token in ESCAPE_PAIR.sub("", s)]
    live += [("after parse", s) for s in markdown
             if AFTER_PARSE.search(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s))]
    assert not live, live[:3]
    for fig in figures:
        fig.get("layout", {}).pop("template", None)
        for s in _strings(fig):
            rest = re.sub(r"</?(br|b|i|extra)>", "", s)
            assert not re.search(r"[<>$]", rest), s
    return markdown, figures


def _run(page: str) -> AppTest:
    return AppTest.from_function(_page, args=(page,), default_timeout=TIMEOUT)


def _page(name: str) -> None:
    import importlib

    getattr(importlib.import_module(f"par.app.{name}"), f"page_{name}")()


def _district(at: AppTest) -> AppTest:
    box = at.selectbox(key="criteria_id")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o)).run()
    return at


# -- the pages --------------------------------------------------------------------------

def test_ranking_page_shows_the_hostile_name_as_text(hostile_database):
    at = _district(_run("ranking").run())
    markdown, figures = assert_inert(at)
    assert at.dataframe[0].value.loc["cua-lo", "Đơn vị"] == HOSTILE  # a cell: text as is
    ticks = [s for fig in figures for s in _strings(fig.get("data", []))]
    assert any(s.startswith("Xã [click](https://evil.exam<br>") for s in ticks)  # as text


def test_unit_page_shows_the_hostile_name_as_text(hostile_database):
    from par.present.safe import md

    at = _district(_run("unit").run())
    at = at.selectbox(key="unit").set_value("cua-lo").run()
    markdown, figures = assert_inert(at)
    assert any(md(HOSTILE) in s for s in markdown)  # the meeting material's heading
    assert at.selectbox(key="unit").value == "cua-lo"
    titles = [fig["layout"]["title"]["text"] for fig in figures]
    assert any(t.startswith("Xã [click](https://evil.example) ![x]") and "&lt;a href" in t
               for t in titles)


@pytest.mark.parametrize("page", ["criteria", "trends", "data"])
def test_other_pages_show_the_hostile_name_as_text(hostile_database, page):
    at = _run(page).run()
    if page != "trends":
        at = _district(at)
    else:
        box = at.sidebar.selectbox(key="criteria_id")
        at = box.select_index(next(i for i, o in enumerate(box.options)
                                   if "cấp huyện" in o)).run()
        at = at.selectbox(key="unit").set_value("cua-lo").run()
    assert_inert(at)


# -- the audit CSV ----------------------------------------------------------------------

def test_audit_csv_writes_formula_like_cells_as_text(hostile_database):
    from par.app.audit import audit_csv

    at = _run("audit").run()
    assert_inert(at)
    data = audit_csv("vi")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [c for r in rows[1:] for c in r]
    assert "'" + HOSTILE_USER in cells  # quoted: a spreadsheet shows it as text
    assert any(HOSTILE_FILE.replace('"', '\\"') in c for c in cells)  # in the detail
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
