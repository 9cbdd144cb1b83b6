"""A bounded fuzz of the doors untrusted bytes come in by.

Mutated templates (byte flips, truncations, edits inside one zip entry), mutated tidy CSVs
and mutated criteria YAML go through the upload/import path (``prepare``, then ``submit``
when it is accepted) and the criteria check. Whatever the bytes:

- the test process never crashes, and nothing but a ParError escapes;
- a refused file leaves the store as it was (a full SQL dump, compared);
- the test process's own peak memory stays bounded (parsing happens in sandbox workers).

Derandomized, so CI sees the same examples every run.
"""
from __future__ import annotations

import resource
import sqlite3
from pathlib import Path

import pytest
from fixtures import hostile as h
from fixtures.workbooks import fill
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from par import load_criteria, read_units
from par.domain.auth import Actor
from par.domain.issues import ParError
from par.domain.periods import Period
from par.engine.criteria import check_criteria_text
from par.read.template import build_template
from par.store.storage import Store
from par.store.submit import prepare, submit

ROOT = Path(__file__).resolve().parents[2]
CRITERIA_PATH = ROOT / "criteria/nghe-an-huyen-2019.yaml"
CRITERIA = load_criteria(CRITERIA_PATH)
UNITS = read_units(ROOT / "data/units.csv")
TEMPLATE = fill(build_template(CRITERIA, UNITS, ["cua-lo"], Period(2019, 2)),
                {"1.1.1": {"Giá trị": "có"}, "1.1.2": {"Tử số": 19, "Mẫu số": 20},
                 "1.5": {"Giá trị": 2}})
TIDY = (h.TIDY_HEADER + "cua-lo,2019-Q2,1.1.1,có,,,,,\n" "cua-lo,2019-Q2,1.1.2,,19,20,,,\n"
        "cua-lo,2019-Q2,1.5,2,,,,ghi chú,\n").encode()
YAML = CRITERIA_PATH.read_text(encoding="utf-8")
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
MEMORY_BUDGET_KB = 300 * 1024  # growth of this process's peak RSS over a whole fuzz test


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "par.db"
    s = Store(f"sqlite:///{path}")
    s.sync_units(UNITS, actor=Actor.local_admin())
    yield s, path
    s.dispose()


def dump(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def through_the_door(store, data: bytes, name: str) -> None:
    """prepare (the upload page's and import's check), then submit what it accepts."""
    s, path = store
    before = dump(path)
    try:
        prepared = prepare(data, name, [CRITERIA], UNITS, expected_unit="cua-lo")
    except ParError as exc:
        assert exc.issues and all(i.code for i in exc.issues)
        for issue in exc.issues[:5]:
            issue.render("vi"), issue.render("en")  # every refusal can be shown
        assert dump(path) == before  # nothing half-written
        return
    try:
        submit(s, [prepared], actor=Actor.local_admin())
    except ParError:
        assert dump(path) == before


# -- mutations -----------------------------------------------------------------------------

def flip_bytes(draw, data: bytes, most: int = 8) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, most))):
        out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
    return bytes(out)


SNIPPETS = [b"<c>", b"<c><v>1</v></c>" * 40, b'<row r="99999">', b"</row>", b"<row/>" * 50,
            b'<c r="IV100000"><v>1</v></c>', b'<c r="XFD1"/>', b"<!--", b"-->", b"<!DOCTYPE x>",
            b"&amp;", b"\x00", b"\xff\xfe", b'"', b"'", b">", b"<", b"1e999", b"<v>", b"</c>",
            b'<c r="A1" t="s"><v>99999</v></c>', b"<mergeCell ref=\"A1:IV100000\"/>"]


def edit_entry(draw, data: bytes) -> bytes:
    """Rewrite one entry of the zip: insert a hostile snippet, cut, or flip bytes in it."""
    entries = h.parts(data)
    name = draw(st.sampled_from(sorted(entries)))
    content = entries[name]
    pos = draw(st.integers(0, len(content)))
    how = draw(st.sampled_from(["insert", "cut", "flip", "drop"]))
    if how == "insert":
        content = content[:pos] + draw(st.sampled_from(SNIPPETS)) + content[pos:]
    elif how == "cut":
        content = content[:pos]
    elif how == "flip" and content:
        content = flip_bytes(draw, content, 4)
    else:
        content = None
    return h.rewrite(data, {name: content})


@st.composite
def mutated_templates(draw) -> bytes:
    how = draw(st.sampled_from(["flip", "truncate", "entry", "entry", "entry"]))
    if how == "flip":
        return flip_bytes(draw, TEMPLATE)
    if how == "truncate":
        return TEMPLATE[:draw(st.integers(0, len(TEMPLATE)))]
    return edit_entry(draw, TEMPLATE)


CSV_PIECES = [",", '"', "\n", "\r\n", ";", "1e999", "9" * 400, "-1", "\x00", "\ufeff", "é",
              "x" * 40_000, "cua-lo", "2019-Q2", "1.5", "N/A", "có", "\t", " ", "%", "0,5"]


@st.composite
def mutated_csvs(draw) -> bytes:
    text = TIDY
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "insert", "delete", "flip"]))
        if how == "insert":
            text = text[:pos] + draw(st.sampled_from(CSV_PIECES)).encode() + text[pos:]
        elif how == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif text:
            text = flip_bytes(draw, text, 2)
    return text


YAML_PIECES = ["\n", ": ", "- ", "  ", "&a ", "*a", "!!python/object:os.system ''", "{", "}",
               "[", "]", "1e999", ".nan", "'", '"', "max: -1", "type: ratio", "<<: *a", "\t",
               "code: \"1.1.1\"", "~", "rule: {type: points}", "9" * 400]


@st.composite
def mutated_yaml(draw) -> str:
    text = YAML
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "delete", "swap_lines"]))
        if how == "insert":
            text = text[:pos] + draw(st.sampled_from(YAML_PIECES)) + text[pos:]
        elif how == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)):]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


# -- the runs --------------------------------------------------------------------------------

def test_the_unmutated_files_are_accepted(store):
    for data, name in ((TEMPLATE, "mau.xlsx"), (TIDY, "tidy.csv")):
        prepared = prepare(data, name, [CRITERIA], UNITS, expected_unit="cua-lo")
        assert prepared.row_count == 3
    criteria, issues = check_criteria_text(YAML, "set.yaml")
    assert criteria is not None and not [i for i in issues if i.severity == "error"]


class TestFuzz:
    start = 0

    @classmethod
    def setup_class(cls):
        cls.start = peak_kb()

    @classmethod
    def teardown_class(cls):
        assert peak_kb() - cls.start < MEMORY_BUDGET_KB

    @FUZZ
    @given(data=mutated_templates())
    def test_mutated_templates(self, store, data):
        through_the_door(store, data, "mau.xlsx")
        assert peak_kb() - self.start < MEMORY_BUDGET_KB

    @FUZZ
    @given(data=mutated_csvs())
    def test_mutated_tidy_csvs(self, store, data):
        through_the_door(store, data, "so-lieu.csv")
        assert peak_kb() - self.start < MEMORY_BUDGET_KB

    @FUZZ
    @given(text=mutated_yaml())
    def test_mutated_criteria_yaml(self, text):
        try:
            criteria, issues = check_criteria_text(text, "set.yaml")
        except ParError as exc:
            issues, criteria = exc.issues, None
        for issue in issues[:5]:
            issue.render("vi"), issue.render("en")
        assert criteria is not None or issues
        assert peak_kb() - self.start < MEMORY_BUDGET_KB

    @FUZZ
    @given(data=st.binary(max_size=3000), suffix=st.sampled_from([".xlsx", ".csv", ".xlsm", ""]))
    def test_random_bytes(self, store, data, suffix):
        through_the_door(store, b"PK\x03\x04" + data if suffix == ".xlsx" else data, "r" + suffix)


def test_hostile_corpus_through_the_door(store):
    """Every hostile file of the corpus, once, through prepare: refused, store unchanged."""
    builders = [h.rless_row, h.far_corner, h.wide_and_tall, h.zip_bomb, h.far_cell_no_dimension,
                h.xxe, h.billion_laughs, h.rless_hidden_row_end, h.prefixed_r, h.semicolon_csv,
                h.huge_number_csv, lambda: h.long_cell_csv(140_000, 2, ragged=True)]
    s, path = store
    before = dump(path)
    for build in builders:
        data = build()
        name = "f.csv" if data[:2] != b"PK" else "f.xlsx"
        with pytest.raises(ParError):
            prepare(data, name, [CRITERIA], UNITS, expected_unit="cua-lo")
    assert dump(path) == before
