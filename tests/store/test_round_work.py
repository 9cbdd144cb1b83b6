"""The work inside a round (WORKFLOW §1-§2, §4): appraisers kept to their domains (rows, flags,
spreadsheets), appraisal imports merged criterion by criterion, evidence private to its unit
and through the hostile-file guard, online rows cleared and merged."""
from __future__ import annotations

import functools
import io
import zipfile

import pandas as pd
import pytest
from fixtures import hostile

from par.domain.auth import Actor
from par.domain.issues import ParError
from par.store import round_work as W
from par.store import rounds as R
from par.store.submit import import_files
from tests.store.test_rounds import (
    ADMIN,
    APPRAISER,
    LEAF,
    OTHER,
    OTHER_UNIT,
    PDF,
    REVIEWER,
    STAFF,
    STRANGER,
    UNIT,
    assert_refused,
    audit_since,
    build,
    current_rows,
    freeze_clock,
    last_audit,
    snapshot,
)


@pytest.fixture
def appraisal(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "appraisal")
    yield store, rid
    store.dispose()


@pytest.fixture
def self_phase(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "self")
    yield store, rid
    store.dispose()


def appraisal_csv(rows: list[tuple[str, str, str]], period: str = "2025") -> bytes:
    lines = ["unit,period,criterion,value,stage,note"]
    lines += [f"{u},{period},{c},{v},appraisal,ý kiến {c}" for u, c, v in rows]
    return ("\n".join(lines) + "\n").encode()


def do_import(store, rid, data: bytes, actor: Actor, name: str = "tham-dinh.csv"):
    criteria = W.round_criteria(store, R.get_round(store, rid))
    return import_files(store, [(name, data)], [criteria], store.units(), actor=actor)


# -- appraisers and their domains ------------------------------------------------------------

def test_an_appraiser_writes_rows_only_in_its_domains_and_a_mixed_write_is_refused_whole(
        appraisal):
    store, rid = appraisal
    entries = pd.DataFrame([{"criterion": LEAF, "value": "2", "note": "thiếu"},
                            {"criterion": "2.1", "value": "9", "note": "đủ"}])
    issue = assert_refused(store, rid, lambda: W.save_rows(store, rid, UNIT, "appraisal",
                                                           entries, actor=APPRAISER),
                           unit=UNIT, criterion="2.1")
    assert issue.code == "round.domain" and "2.1" in issue.render("vi")
    assert current_rows(store, UNIT, "appraisal") == {}
    W.save_rows(store, rid, UNIT, "appraisal", entries[:1], actor=APPRAISER)
    W.save_rows(store, rid, UNIT, "appraisal", entries[1:], actor=STRANGER)
    assert current_rows(store, UNIT, "appraisal") == {LEAF: ("2", "thiếu"), "2.1": ("9", "đủ")}
    # for any unit of the level
    W.appraise(store, rid, OTHER_UNIT, "1.2", value="không", comment="chưa ban hành",
               actor=APPRAISER)
    assert current_rows(store, OTHER_UNIT, "appraisal") == {"1.2": ("không", "chưa ban hành")}


def test_an_appraiser_flags_only_in_its_domains_and_an_appraisal_with_a_flag_is_one_write(
        appraisal):
    store, rid = appraisal
    issue = assert_refused(store, rid, lambda: W.flag(store, rid, UNIT, "2.1", "?",
                                                      actor=APPRAISER),
                           unit=UNIT, criterion="2.1")
    assert issue.code == "round.domain"
    assert_refused(store, rid, lambda: W.appraise(store, rid, UNIT, "2.1", value="1",
                                                  comment="?", explain=True, actor=APPRAISER),
                   unit=UNIT, criterion="2.1")
    W.appraise(store, rid, UNIT, "2.1", value="1", comment="Thiếu báo cáo", explain=True,
               actor=STRANGER)
    flags = W.flags_of(store, rid, UNIT).set_index("criterion")
    assert flags.loc["2.1", "comment"] == "Thiếu báo cáo"
    assert flags.loc["2.1", "requested_by"] == STRANGER.name
    assert current_rows(store, UNIT, "appraisal") == {"2.1": ("1", "Thiếu báo cáo")}


def test_in_the_final_phase_an_appraiser_decides_but_asks_nothing_more(tmp_path, monkeypatch):
    freeze_clock(monkeypatch)
    store, rid = build(tmp_path / "par.db", "final")
    try:
        issue = assert_refused(store, rid, lambda: W.appraise(
            store, rid, UNIT, LEAF, value="5", comment="đủ", explain=True, actor=APPRAISER),
            unit=UNIT, criterion=LEAF)
        assert issue.code == "round.phase"  # the flag half: nothing of the write is stored
        W.appraise(store, rid, UNIT, LEAF, value="5", comment="đủ", actor=APPRAISER)
        assert current_rows(store, UNIT, "appraisal") == {LEAF: ("5", "đủ")}
    finally:
        store.dispose()


def test_an_appraisal_spreadsheet_outside_the_appraisers_domains_is_refused_whole(appraisal):
    store, rid = appraisal
    data = appraisal_csv([(UNIT, LEAF, "3"), (OTHER_UNIT, LEAF, "2"), (UNIT, "2.1", "8")])
    issue = assert_refused(store, rid, lambda: do_import(store, rid, data, APPRAISER),
                           unit=UNIT, criterion="2.1")
    assert issue.code == "round.domain"
    assert current_rows(store, UNIT, "appraisal") == {}
    assert current_rows(store, OTHER_UNIT, "appraisal") == {}


def test_an_appraisal_spreadsheet_in_the_wrong_phase_is_refused(self_phase):
    store, rid = self_phase
    issue = assert_refused(store, rid, lambda: do_import(
        store, rid, appraisal_csv([(UNIT, LEAF, "3")]), APPRAISER), unit=UNIT, criterion=LEAF)
    assert issue.code == "round.phase"


def test_appraisers_import_within_rounds_only(appraisal):
    store, rid = appraisal
    before, last = snapshot(store), last_audit(store)
    with pytest.raises(ParError) as caught:  # 2025-Q1 of this set has no round
        do_import(store, rid, appraisal_csv([(UNIT, LEAF, "3")], period="2025-Q1"), APPRAISER)
    issue = caught.value.issues[0]
    assert issue.code == "round.appraiser_outside"
    assert "2025-Q1" in issue.render("vi") and UNIT in issue.render("en")
    assert snapshot(store) == before
    assert list(audit_since(store, last)["action"]) == ["refused"]
    # a self spreadsheet is no appraiser's either, in a round or not
    self_csv = f"unit,period,criterion,value,stage\n{UNIT},2025,{LEAF},1,self\n".encode()
    issue = assert_refused(store, rid, lambda: do_import(store, rid, self_csv, APPRAISER),
                           unit=UNIT, criterion=LEAF)
    assert issue.code == "round.role"


def test_in_a_round_appraisal_imports_merge_criterion_by_criterion(appraisal):
    store, rid = appraisal
    do_import(store, rid, appraisal_csv([(UNIT, LEAF, "3"), (UNIT, "1.2", "có")]), APPRAISER)
    do_import(store, rid, appraisal_csv([(UNIT, "2.1", "8")]), STRANGER)
    assert current_rows(store, UNIT, "appraisal") == {
        LEAF: ("3", f"ý kiến {LEAF}"), "1.2": ("có", "ý kiến 1.2"), "2.1": ("8", "ý kiến 2.1")}
    do_import(store, rid, appraisal_csv([(UNIT, LEAF, "1")]), APPRAISER)  # a correction
    assert current_rows(store, UNIT, "appraisal")[LEAF] == ("1", f"ý kiến {LEAF}")
    assert len(current_rows(store, UNIT, "appraisal")) == 3
    history = store.history(UNIT)
    assert list(history.query("stage == 'appraisal'")["status"]) == [
        "superseded", "superseded", "current"]
    # a unit's self spreadsheet in the appraisal phase is refused
    self_csv = f"unit,period,criterion,value,stage\n{UNIT},2025,{LEAF},1,self\n".encode()
    issue = assert_refused(store, rid, lambda: do_import(store, rid, self_csv, STAFF),
                           unit=UNIT, criterion=LEAF)
    assert issue.code == "round.phase"


# -- evidence: private to its unit ------------------------------------------------------------

def test_a_unit_never_reads_another_units_evidence_nor_does_a_reviewer(appraisal):
    store, rid = appraisal
    [eid] = W.list_evidence(store, rid, UNIT, actor=STAFF)["id"]
    W.add_evidence(store, rid, OTHER_UNIT, "2.1", [("binh.pdf", PDF)], actor=ADMIN)
    for actor in (OTHER, REVIEWER):
        issue = assert_refused(store, rid, lambda: W.list_evidence(store, rid, UNIT, actor=actor),
                               unit=UNIT, criterion=None)
        assert issue.code == "round.evidence_private"
        assert_refused(store, rid, lambda: W.evidence_file(store, int(eid), actor=actor),
                       unit=UNIT, criterion=None)
        assert_refused(store, rid, lambda: W.list_evidence(store, rid, actor=actor),
                       unit=None, criterion=None)  # "every unit's" is not theirs either
    assert list(W.list_evidence(store, rid, OTHER_UNIT, actor=OTHER)["name"]) == ["binh.pdf"]
    for actor in (ADMIN, APPRAISER, STRANGER):
        assert sorted(W.list_evidence(store, rid, actor=actor)["name"]) == [
            "binh.pdf", "qd-12.pdf"]
    listed = W.list_evidence(store, rid, UNIT, actor=STAFF).iloc[0]
    assert (listed["criterion"], listed["purpose"], listed["size"], listed["added_by"]) == (
        LEAF, "self", len(PDF), STAFF.name)
    import hashlib

    assert listed["sha256"] == hashlib.sha256(PDF).hexdigest()
    with pytest.raises(ParError) as caught:
        W.evidence_file(store, 999, actor=ADMIN)
    assert caught.value.issues[0].code == "round.no_evidence"


# -- evidence: the hostile-file guard -----------------------------------------------------------

@functools.cache
def docx_bomb() -> bytes:
    """A Word file whose one extra part inflates 120 MB of zeros (about 120 KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://'
                   'schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
        with z.open("word/media/zeros.bin", "w", force_zip64=True) as entry:
            block = bytes(1024 * 1024)
            for _ in range(120):
                entry.write(block)
    return out.getvalue()


HOSTILE = {
    "zip bomb .docx": lambda: ("bao-cao.docx", docx_bomb()),
    "zip bomb .xlsx": lambda: ("so-lieu.xlsx", hostile.zip_bomb()),
    "ratio bomb .xlsx": lambda: ("so-lieu.xlsx", hostile.ratio_bomb()),
    ".pdf that is a zip": lambda: ("quyet-dinh.pdf", hostile.valid_xlsx()),
    "oversize": lambda: ("lon.pdf", PDF + bytes(11 * 1024 * 1024)),
    ".exe": lambda: ("setup.exe", b"MZ\x90\x00" + bytes(100)),
    "empty": lambda: ("rong.pdf", b""),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_evidence_file_is_refused_and_nothing_is_stored(tmp_path, monkeypatch, kind):
    freeze_clock(monkeypatch)
    name, data = HOSTILE[kind]()
    store, rid = build(tmp_path / "par.db", "self")
    try:
        issue = assert_refused(store, rid, lambda: W.add_evidence(
            store, rid, UNIT, LEAF, [("tot.pdf", PDF), (name, data)], actor=STAFF),
            unit=None, criterion=None, rule=False)
        assert issue.file == name  # the message names the file
        # the same file as part of an explanation
        while R.get_round(store, rid).phase != "explanation":
            R.advance(store, rid, actor=ADMIN)
        assert_refused(store, rid, lambda: W.explain(store, rid, UNIT, LEAF, "kèm tệp",
                                                     [(name, data)], actor=STAFF),
                       unit=None, criterion=None, rule=False)
        assert list(W.list_evidence(store, rid, UNIT, actor=ADMIN)["name"]) == ["qd-12.pdf"]
        assert W.flags_of(store, rid, UNIT)["explanation"].isna().all()
    finally:
        store.dispose()


def tiny_png() -> bytes:
    """A real 2×2 grey PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    pixels = zlib.compress(b"\x00\x80\x80" * 2)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def test_good_evidence_of_every_allowed_kind_is_stored(self_phase):
    store, rid = self_phase
    png = tiny_png()
    files = [("so-lieu.xlsx", hostile.valid_xlsx()), ("anh.png", png), ("qd.pdf", PDF)]
    ids = W.add_evidence(store, rid, UNIT, "2.1", files, actor=STAFF)
    assert len(ids) == 3
    assert W.evidence_file(store, ids[0], actor=APPRAISER) == ("so-lieu.xlsx",
                                                                hostile.valid_xlsx())


# -- online rows ------------------------------------------------------------------------------

def test_online_rows_merge_with_the_units_other_criteria_and_a_blank_value_clears(self_phase):
    store, rid = self_phase
    assert set(current_rows(store, UNIT, "self")) == {"1.1", "1.2", "2.1"}
    W.save_rows(store, rid, UNIT, "self", pd.DataFrame([{"criterion": "2.1", "value": "9"}]),
                actor=STAFF)
    assert current_rows(store, UNIT, "self")["2.1"][0] == "9"
    assert set(current_rows(store, UNIT, "self")) == {"1.1", "1.2", "2.1"}
    W.save_rows(store, rid, UNIT, "self", pd.DataFrame([{"criterion": "1.2", "value": ""}]),
                actor=STAFF)
    assert set(current_rows(store, UNIT, "self")) == {"1.1", "2.1"}
    # clearing every criterion left withdraws the submission; nothing current remains
    W.save_rows(store, rid, UNIT, "self", pd.DataFrame(
        [{"criterion": "1.1"}, {"criterion": "2.1", "value": None}]), actor=STAFF)
    assert current_rows(store, UNIT, "self") == {}
    assert "current" not in set(store.history(UNIT)["status"])
    # clearing what was never written stores nothing
    before = snapshot(store)
    assert W.save_rows(store, rid, OTHER_UNIT, "self", pd.DataFrame(
        [{"criterion": "1.1", "value": ""}]), actor=OTHER) is None
    assert snapshot(store) == before
    # and writing again starts a new current submission
    W.save_rows(store, rid, UNIT, "self", pd.DataFrame([{"criterion": "1.1", "value": "2"}]),
                actor=STAFF)
    assert current_rows(store, UNIT, "self") == {"1.1": ("2", "")}


def test_bad_online_rows_name_the_criterion_and_store_nothing(self_phase):
    store, rid = self_phase
    for entries, code in (
            (pd.DataFrame([{"criterion": "1.1", "value": "7"}]), None),  # over its max 5
            (pd.DataFrame([{"criterion": "9.9", "value": "1"}]), "round.unknown_criterion")):
        issue = assert_refused(store, rid, lambda: W.save_rows(store, rid, UNIT, "self", entries,
                                                               actor=STAFF),
                               unit=None, criterion=None, rule=False)
        assert code is None or issue.code == code
        assert entries["criterion"].iloc[0] in issue.render("vi")


def test_writes_for_an_unknown_unit_a_unit_of_another_level_or_a_non_leaf_are_messages(
        appraisal):
    store, rid = appraisal
    store.sync_units(pd.DataFrame({"id": ["h-yen"], "name": ["Huyện Yên"], "level": ["huyen"],
                                   "group": [None]}))
    calls = {
        "flag unknown unit": (lambda: W.flag(store, rid, "zzz", LEAF, "?", actor=ADMIN),
                              "round.unknown_unit"),
        "flag other level": (lambda: W.flag(store, rid, "h-yen", LEAF, "?", actor=ADMIN),
                             "round.unknown_unit"),
        "submit unknown unit": (lambda: R.submit_unit(store, rid, "zzz", actor=ADMIN),
                                "round.unknown_unit"),
        "submit other level": (lambda: R.submit_unit(store, rid, "h-yen", actor=ADMIN),
                               "round.unknown_unit"),
        "file unknown unit": (lambda: W.add_evidence(store, rid, "zzz", LEAF, [("a.pdf", PDF)],
                                                     actor=ADMIN), "round.unknown_unit"),
        "flag a domain": (lambda: W.flag(store, rid, UNIT, "1", "?", actor=ADMIN),
                          "round.unknown_criterion"),
        "file on a domain": (lambda: W.add_evidence(store, rid, UNIT, "2", [("a.pdf", PDF)],
                                                    actor=ADMIN), "round.unknown_criterion"),
        "appraise a domain": (lambda: W.appraise(store, rid, UNIT, "1", value="3", actor=ADMIN),
                              "round.unknown_criterion"),
        "flag an unknown leaf with an appraisal": (lambda: W.save_rows(
            store, rid, UNIT, "appraisal", pd.DataFrame([{"criterion": LEAF, "value": "3"}]),
            actor=ADMIN, explain={"9.9": "?"}), "round.unknown_criterion"),
    }
    for what, (call, code) in calls.items():
        issue = assert_refused(store, rid, call, unit=None, criterion=None, rule=False)
        assert issue.code == code, what
