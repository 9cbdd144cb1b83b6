"""Import end to end through the CLI: the template round trip, and a corpus of bad files.

Every bad file → exit code 2, a message naming the place, and the database unchanged
(compared as a full SQL dump before and after).
"""
from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from fixtures import hostile
from fixtures.workbooks import fill

from par import load_criteria, read_units
from par.cli.main import main
from par.domain.periods import Period
from par.read.template import build_template

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")
TEMPLATE = build_template(CRITERIA, UNITS, ["cua-lo"], Period(2019, 2))
TIDY = "unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "par.db"
    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(ROOT)
    good = tmp_path / "good.csv"
    good.write_text(TIDY + "vinh,2019-Q1,1.1.1,có,,,,,\n", encoding="utf-8")
    assert main(["import", str(good), "--user", "setup"]) == 0
    return path


def sql_dump(path: Path) -> str:
    """Every statement that rebuilds the database, except the audit log's refusal entries:
    a refused attempt changes nothing but is recorded (see refusals_in)."""
    con = sqlite3.connect(path)
    try:
        return "\n".join(line for line in con.iterdump()
                         if not (line.startswith('INSERT INTO "audit_log"') and
                                 "'refused'" in line))
    finally:
        con.close()


def refusals_in(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT user, unit, period, detail FROM audit_log "
                           "WHERE action = 'refused' ORDER BY id").fetchall()
    finally:
        con.close()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_template_round_trip_through_the_cli(db, tmp_path, capsys):
    template = tmp_path / "cua-lo-q2.xlsx"
    code, out, _ = run(capsys, "template", "--criteria", "criteria/nghe-an-huyen-2019.yaml",
                       "--unit", "cua-lo", "--period", "2019-Q2", "-o", str(template))
    assert code == 0 and template.exists()
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template.read_bytes(), {
        "1.1.1": {"Giá trị": "có"}, "1.1.2": {"Tử số": 19, "Mẫu số": 20},
        "3.3.3": {"Tử số": 1, "Mẫu số": 100}, "7.2.2": {"Giá trị": "0,5"}}))
    code, out, err = run(capsys, "import", str(filled), "--user", "lan")
    assert code == 0, err
    assert "4" in out and "cua-lo 2019-Q2 self" in out
    code, out, _ = run(capsys, "score", "--criteria", "criteria/nghe-an-huyen-2019.yaml", "--db",
                       "--as-of", "2019-Q2", "--format", "json")
    assert code == 0
    cua_lo = next(r for r in json.loads(out) if r["unit"] == "cua-lo")
    # 1.1.1 yes 1 + 1.1.2 95% > 90 → 1.5; 3.3.3 1% late → 99 → 0.75; 7.2.2 0.5 points
    assert cua_lo["score"] == pytest.approx(1 + 1.5 + 0.75 + 0.5)
    assert cua_lo["provisional"] is True
    code, out, _ = run(capsys, "history", "--unit", "cua-lo", "--format", "json")
    [entry] = json.loads(out)
    assert (entry["user"], entry["row_count"], entry["status"]) == ("lan", 4, "current")


def _xlsx_with_cell(edit) -> bytes:
    return fill(TEMPLATE, {}, edit=edit)


def _set(cell_label: str, code: str, value):
    def edit(wb, ws, rows, h):
        ws[f"{h[cell_label]}{rows[code]}"] = value
    return edit


def _formula_error(error: str):
    """A cell whose formula Excel evaluated to an error: saved as an error value (t="e")."""
    def edit(wb, ws, rows, h):
        ws[f"{h['Giá trị']}{rows['1.5']}"] = error  # openpyxl writes "#DIV/0!" as an error cell
    return edit


def _merge(wb, ws, rows, h):
    ws.merge_cells(f"{h['Giá trị']}{rows['1.4.2']}:{h['Giá trị']}{rows['1.5']}")


def _empty_workbook() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def _header_changed(wb, ws, rows, h):
    ws[f"{h['Giá trị']}8"] = "Số liệu nhập"


def _date(wb, ws, rows, h):
    import datetime as dt
    ws[f"{h['Giá trị']}{rows['1.5']}"] = dt.date(2019, 5, 1)


CORPUS = {
    # name: (file name, bytes, expected code, text the message must contain)
    "wrong header": ("h.csv", (TIDY.replace("unit,", "don_vi_x,") + "vinh,2019-Q1,1.1.1,có,,,,,\n")
                     .encode(), "file.missing_columns", "unit"),
    "missing header": ("h.xlsx", _xlsx_with_cell(_header_changed), "workbook.bad_header", "A8"),
    "unknown unit": ("u.csv", (TIDY + "zz,2019-Q1,1.1.1,có,,,,,\n").encode(),
                     "input.unknown_unit", "dòng 2"),
    "unknown criterion": ("c.csv", (TIDY + "vinh,2019-Q1,9.9.9,có,,,,,\n").encode(),
                          "input.unknown_criterion", "dòng 2"),
    "unit mismatch": ("m.xlsx", _xlsx_with_cell(lambda wb, ws, r, h: ws.__setitem__("B3", "vinh")),
                      "workbook.record_mismatch", "B3"),
    "period mismatch": ("p.xlsx", _xlsx_with_cell(
        lambda wb, ws, r, h: ws.__setitem__("B5", "2019-Q3")), "workbook.record_mismatch", "B5"),
    "text in a number": ("t.xlsx", _xlsx_with_cell(_set("Giá trị", "1.5", "hai")),
                         "input.not_a_number", "ô "),
    "value over max": ("o.xlsx", _xlsx_with_cell(_set("Giá trị", "7.2.2", 5)), "input.over_max",
                       "ô "),
    "negative count": ("n.xlsx", _xlsx_with_cell(_set("Giá trị", "1.5", -2)), "input.negative",
                       "ô "),
    "duplicate rows": ("d.csv", (TIDY + "vinh,2019-Q2,1.1.1,có,,,,,\n" * 2).encode(),
                       "input.duplicate", "dòng 3"),
    "merged inputs": ("g.xlsx", _xlsx_with_cell(_merge), "workbook.merged_input", ":"),
    "#DIV/0!": ("f.xlsx", _xlsx_with_cell(_formula_error("#DIV/0!")), "workbook.formula_error", "#DIV/0!"),
    "#REF!": ("r.xlsx", _xlsx_with_cell(_formula_error("#REF!")), "workbook.formula_error", "#REF!"),
    "date in a number": ("dt.xlsx", _xlsx_with_cell(_date), "input.date_not_number", "2019-05-01"),
    "empty workbook": ("e.xlsx", _empty_workbook(), "file.empty", "e.xlsx"),
    "not an xlsx": ("x.xlsx", hostile.pdf_renamed(), "guard.not_xlsx", "x.xlsx"),
    "encrypted": ("enc.xlsx", hostile.encrypted(), "guard.encrypted", "enc.xlsx"),
    "xlsm": ("macro.xlsm", hostile.xlsm(), "guard.macro", "macro.xlsm"),
    "XXE": ("xxe.xlsx", hostile.xxe(), "guard.dtd", "xxe.xlsx"),
    "billion laughs": ("bl.xlsx", hostile.billion_laughs(), "guard.dtd", "bl.xlsx"),
    "zip bomb": ("bomb.xlsx", hostile.zip_bomb(), "guard.zip_bomb", "bomb.xlsx"),
    "absurd cell": ("far.xlsx", hostile.far_cell_no_dimension(), "guard.cell_out_of_range",
                    "XFD1048576"),
}


@pytest.mark.parametrize("case", list(CORPUS))
def test_bad_file_is_refused_with_its_place_and_nothing_changes(case, db, tmp_path, capsys,
                                                                monkeypatch):
    name, data, code, where = CORPUS[case]
    path = tmp_path / name
    path.write_bytes(data)
    before = sql_dump(db)
    exit_code, out, err = run(capsys, "import", str(path), "--user", "x")
    assert exit_code == 2, (out, err)
    assert where in err, err
    assert "Traceback" not in err and out == ""
    assert _codes_in(err, code), err
    assert sql_dump(db) == before
    [(user, _, _, detail)] = refusals_in(db)  # the refusal itself is audited, once
    assert user == "x" and '"action": "import"' in detail and name in detail


def _codes_in(err: str, code: str) -> bool:
    """The rendered message of ``code`` appears (wording checked via the catalogue)."""
    from par.i18n import MESSAGES
    template = MESSAGES[code]["vi"]
    fixed = template.split("{")[0].strip()
    return fixed[:25] in err


def test_oversize_file_is_refused(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "0.01")
    path = tmp_path / "big.xlsx"
    path.write_bytes(hostile.oversize(20_000))
    before = sql_dump(db)
    code, _, err = run(capsys, "import", str(path))
    assert code == 2 and "big.xlsx" in err and "MB" in err
    assert sql_dump(db) == before


def test_rollback_and_history_through_the_cli(db, tmp_path, capsys):
    second = tmp_path / "second.csv"
    second.write_text(TIDY + "vinh,2019-Q1,1.1.1,không,,,,,\n", encoding="utf-8")
    assert run(capsys, "import", str(second), "--user", "b")[0] == 0
    code, out, _ = run(capsys, "history", "--unit", "vinh")
    assert code == 0 and "superseded" in out and "current" in out
    code, out, _ = run(capsys, "rollback", "1", "--user", "admin")
    assert code == 0 and "#1" in out and "#2" in out
    code, _, err = run(capsys, "rollback", "1")
    assert code == 2 and "#" not in err and "1" in err
    code, _, err = run(capsys, "rollback", "42")
    assert code == 2 and "42" in err


def test_template_for_another_criteria_set_is_refused(db, tmp_path, capsys):
    path = tmp_path / "cua-lo.xlsx"
    path.write_bytes(fill(TEMPLATE, {"1.1.1": {"Giá trị": "có"}}))
    before = sql_dump(db)
    code, out, err = run(capsys, "import", str(path), "--criteria",
                         "criteria/nghe-an-xa-2025.yaml")
    assert code == 2 and out == ""
    assert "B2" in err and "nghe-an-huyen-2019" in err and "nghe-an-xa-2025" in err
    assert sql_dump(db) == before


def test_prune_drops_old_superseded_rows_keeps_records_and_refuses_their_rollback(db, tmp_path,
                                                                                  capsys):
    newer = tmp_path / "newer.csv"
    newer.write_text(TIDY + "vinh,2019-Q1,1.1.1,không,,,,,\n", encoding="utf-8")
    assert run(capsys, "import", str(newer), "--user", "setup")[0] == 0
    code, out, err = run(capsys, "prune", "--older-than", "0", "--user", "setup")
    assert code == 0 and "1" in out, err
    con = sqlite3.connect(db)
    try:
        statuses = con.execute("SELECT id, status, packed IS NULL FROM submissions "
                               "ORDER BY id").fetchall()
        rows = con.execute("SELECT submission_id FROM input_rows").fetchall()
        actions = [a for (a,) in con.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        con.close()
    assert statuses == [(1, "superseded", 1), (2, "current", 0)]
    assert rows == [(2,)] and actions[-1] == "prune"
    code, _, err = run(capsys, "rollback", "1", "--user", "setup")
    assert code == 2 and "lưu trữ" in err
    assert run(capsys, "prune", "--older-than", "-1", "--user", "setup")[0] == 2


def test_score_from_the_database_uses_the_database_units(db, tmp_path, capsys):
    """A province's own units, not the sample's data/units.csv, when --units is not given."""
    units = tmp_path / "own-units.csv"
    units.write_text("id,name,level,group\nvinh,Thành phố Vinh,huyen,\n"
                     "moi,Huyện Mới Lập,huyen,\n", encoding="utf-8")
    rows = tmp_path / "moi.csv"
    rows.write_text(TIDY + "moi,2019-Q1,1.1.1,có,,,,,\n", encoding="utf-8")
    assert run(capsys, "import", str(rows), "--units", str(units), "--user", "setup")[0] == 0
    code, out, err = run(capsys, "score", "--criteria", "criteria/nghe-an-huyen-2019.yaml",
                         "--db", "--format", "json")
    assert code == 0, err
    assert "Huyện Mới Lập" in {r["name"] for r in json.loads(out)}


def test_a_tidy_file_with_vietnamese_headers_finds_its_set_without_being_told():
    """The CLI import of a tidy CSV headed "đơn vị, kỳ, tiêu chí, giá trị" picks the set by
    the units' level and the periods' year, as it does for the English header."""
    from pathlib import Path

    from par.engine.catalog import list_criteria
    from par.read.units import read_units
    from par.store.submit import prepare

    root = Path(__file__).resolve().parents[2]
    units = read_units(root / "data" / "units.csv")
    data = "đơn vị,kỳ,tiêu chí,giá trị\np-cua-lo,2025-Q3,1.1.1,có\n".encode("utf-8")
    prepared = prepare(data, "quy-3.csv", list_criteria(), units)
    assert prepared.criteria.id == "nghe-an-xa-2025"
    assert [(g.unit, g.period) for g in prepared.groups] == [("p-cua-lo", "2025-Q3")]
