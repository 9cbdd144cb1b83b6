"""Shared helpers: build criteria sets, units and input rows from short literals.

Plain functions (``from conftest import ...``) so hypothesis tests can use them
without function-scoped fixtures; ``tmp_path``-based fixtures write real files
for the loaders and the CLI.
"""
from __future__ import annotations

import os
import tempfile

# Tests never touch the repository's data/par.db: the dashboard tests (AppTest and the
# browser's server process) seed a throwaway database of their own.
# That database plays the sample (PAR_SAMPLE_MODE=1): tests of a province's own database
# unset it themselves.
os.environ["PAR_SAMPLE_MODE"] = "1"
os.environ["PAR_DATABASE_URL"] = "sqlite:///" + os.path.join(
    tempfile.mkdtemp(prefix="par-test-db-"), "par.db")

import csv
import io
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from par.domain.issues import ParError, errors_only
from par.engine.criteria import check_criteria_text
from par.engine.scoring import score
from par.read.inputs import INPUT_COLUMNS, check_inputs
from par.read.tabular import read_csv
from par.read.units import check_units_table

YEAR = 2025
HEADER = f"id: t\ntitle: Bộ thử\nyear: {YEAR}\nlevel: xa\n"


def plain(markdown: str) -> str:
    """Markdown source as a reader sees it: escapes (par.present.safe.md) removed."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def yaml_text(body: str, header: str = HEADER) -> str:
    return header + textwrap.dedent(body).strip("\n") + "\n"


def criteria_issues(body: str, header: str = HEADER):
    """(criteria or None, issues) for a criteria body appended to the standard header."""
    return check_criteria_text(yaml_text(body, header), "t.yaml")


def build_criteria(body: str, header: str = HEADER):
    criteria, issues = criteria_issues(body, header)
    if criteria is None:
        raise ParError(issues)
    return criteria


def leaf_set(rule: str, max: float = 10, extra_header: str = ""):
    """A set whose only domain "1" is a leaf with the given rule (flow YAML)."""
    return build_criteria(f"""
        domains:
          - {{code: "1", name: Lá, max: {max}, rule: {rule}}}
        """, HEADER + extra_header)


def csv_text(rows: list[dict] | str, columns: list[str] | None = None) -> str:
    if isinstance(rows, str):
        return textwrap.dedent(rows).strip("\n") + "\n"
    columns = columns or INPUT_COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return out.getvalue()


def table(rows: list[dict] | str, name: str = "in.csv", columns: list[str] | None = None):
    return read_csv(io.BytesIO(csv_text(rows, columns).encode("utf-8")), name=name)


def make_units(spec="a b c", level: str = "xa") -> pd.DataFrame:
    """'a b c' → units a, b, c (name 'Unit a', level xa); or a list of dicts."""
    if isinstance(spec, str):
        spec = [{"id": u, "name": f"Unit {u}", "level": level} for u in spec.split()]
    units, issues = check_units_table(table(spec, "units.csv", ["id", "name", "level", "group"]))
    assert units is not None, [i.render("en") for i in issues]
    return units


def input_issues(criteria, units, *tables_rows, names=None):
    """(rows, issues) for one or more input tables (list of dicts or CSV text)."""
    names = names or [f"in{i or ''}.csv" for i in range(len(tables_rows))]
    return check_inputs([table(r, n) for r, n in zip(tables_rows, names)], criteria, units)


def make_rows(criteria, units, rows):
    parsed, issues = input_issues(criteria, units, rows)
    assert not errors_only(issues), [i.render("en") for i in issues]
    return parsed


def row(unit="a", criterion="1", value="", period=str(YEAR), stage="", **kw) -> dict:
    return dict(unit=unit, period=period, criterion=criterion, value=value, stage=stage, **kw)


def card_for(criteria, units, rows, as_of=None):
    return score(criteria, units, make_rows(criteria, units, rows), as_of)


def leaf_points(rule: str, max: float = 10, *rows_kw: dict, unit: str = "a"):
    """Points and applicability of leaf "1" for unit a, one row per dict of overrides."""
    criteria = leaf_set(rule, max)
    units = make_units("a")
    card = card_for(criteria, units, [row(**kw) for kw in rows_kw])
    leaf = card.leaves.set_index(["unit", "criterion"]).loc[(unit, "1")]
    return float(leaf["points"]), bool(leaf["applicable"])


def pts(rule: str, max: float = 10, **kw) -> float:
    """Points for a single row; asserts the leaf is applicable."""
    points, applicable = leaf_points(rule, max, kw)
    assert applicable
    return points


@pytest.fixture
def write(tmp_path: Path):
    """write("name", text) → path of a UTF-8 file under tmp_path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """The file of a sample database seeded as `make run`'s first start seeds it, once for
    the tests that only read it (a reset works on a copy)."""
    from par.sample.seed import ensure_seeded
    from par.store.storage import Store

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_SAMPLE_MODE", "1")
        store = Store(f"sqlite:///{path}")
        assert ensure_seeded(store)
        store.dispose()
    return path


@pytest.fixture
def sample_store(sample_db):
    from par.store.storage import Store

    s = Store(f"sqlite:///{sample_db}")
    yield s
    s.dispose()
