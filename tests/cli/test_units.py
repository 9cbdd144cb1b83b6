"""`python -m par units official --province NAME [--apply]`: a dry run by default."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from par.cli.main import main
from par.domain.auth import Actor
from par.read.registry import official_units
from par.store.schema import audit_log
from par.store.storage import Store


def run(capsys, *argv):
    code = main(["units", "official", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'par.db'}"


def _audit_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log)).scalar_one()


def test_dry_run_changes_nothing(db, tmp_path, capsys):
    code, out, err = run(capsys, "--province", "nghe an", "--database", db, "--lang", "en")
    assert code == 0, err
    assert not (tmp_path / "par.db").exists()  # a dry run does not even create the file
    assert out.splitlines()[0].startswith(
        "Nghệ An: 130 official commune-level units (119 communes, 11 wards, 0 special zones)")
    assert "+ add p-cua-lo: Phường Cửa Lò (phuong, code 16732)" in out
    assert "130 new units, 0 renamed or regrouped, 0 unchanged." in out
    assert "Dry run: nothing stored" in out
    store = Store(db)
    store.sync_units(official_units("Nghệ An").head(3).drop(columns="official_code"))
    before, audits = store.units(official_code=True), _audit_count(store)
    code, out, _ = run(capsys, "--province", "Nghệ An", "--database", db, "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert (result["applied"], len(result["units"]), len(result["added"]),
            result["unchanged"]) == (False, 130, 127, 3)
    assert store.units(official_code=True).equals(before) and _audit_count(store) == audits


def test_apply_stores_codes_and_keeps_ids_across_a_rename(db, capsys):
    code, out, err = run(capsys, "--province", "Nghệ An", "--database", db, "--apply",
                         "--user", "office", "--lang", "en")
    assert code == 0, err
    assert "Stored in the database: 130 new units, 0 changed (audited)." in out
    store = Store(db)
    units = store.units(official_code=True)
    assert len(units) == 130 and units.loc["p-cua-lo", "official_code"] == "16732"
    assert (units["group"] == "phuong").sum() == 11 and _audit_count(store) == 1
    # the registry renames a ward: its id stays, found by its official code
    store.sync_units(units.assign(name=units["name"].where(units["id"] != "p-cua-lo",
                                                           "Phường Cửa Lò Cũ")))
    code, out, _ = run(capsys, "--province", "Nghệ An", "--database", db, "--lang", "en")
    assert "~ change p-cua-lo (code 16732): Phường Cửa Lò Cũ (phuong) → Phường Cửa Lò (phuong)" \
        in out and "0 new units, 1 renamed or regrouped, 129 unchanged." in out
    run(capsys, "--province", "Nghệ An", "--database", db, "--apply", "--user", "office")
    assert store.units().loc["p-cua-lo", "name"] == "Phường Cửa Lò" and len(store.units()) == 130


def test_a_second_province_and_units_not_listed_are_kept(db, capsys):
    store = Store(db)
    store.sync_units(official_units("Nghệ An").head(2))
    code, out, _ = run(capsys, "--province", "Quảng Ninh", "--database", db, "--apply",
                       "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert len(result["added"]) == 54 and len(result["unlisted"]) == 2
    groups = store.units().query("level == 'xa'")["group"].value_counts().to_dict()
    assert groups == {"phuong": 30 + 2, "xa": 22, "dac-khu": 2}  # Nghệ An's first two: wards


def test_only_admins_apply(db, capsys):
    from par.store.accounts import Accounts

    store = Store(db)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin("root"), "office", "admin", "a-long-secret-1")
    accounts.add(Actor("office", "admin"), "lan", "unit", "a-long-secret-2", ["p-cua-lo"])
    code, _, err = run(capsys, "--province", "Nghệ An", "--database", db, "--apply",
                       "--user", "lan")
    assert code == 2 and err.strip()
    assert store.units().empty
    code, _, _ = run(capsys, "--province", "Nghệ An", "--database", db, "--apply",
                     "--user", "office")
    assert code == 0 and len(store.units()) == 130


def test_unknown_province(capsys):
    code, out, err = run(capsys, "--province", "Nghe Ann", "--lang", "en")
    assert code == 2 and not out
    assert err.startswith("--province: no province or city 'Nghe Ann'") and "Nghệ An" in err
