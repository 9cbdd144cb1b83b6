"""`python -m par criteria list|add|activate|copy|get`: the stored sets from the command line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from par.cli.main import main
from par.domain.auth import Actor
from par.engine.criteria import load_criteria
from par.store.accounts import Accounts
from par.store.storage import Store

ROOT = Path(__file__).resolve().parents[2]
XA = ROOT / "criteria" / "nghe-an-xa-2025.yaml"
SO = ROOT / "criteria" / "nghe-an-so-2025.yaml"


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    return url


def run(capsys, *argv):
    code = main(["criteria", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys) -> dict[str, str]:
    code, out, err = run(capsys, "list", "--format", "json")
    assert code == 0, err
    return {f"{r['id']}@{r['sha256'][:8]}": r["status"] for r in json.loads(out)}


def test_add_activate_copy_get_and_list(url, tmp_path, capsys):
    xa, so = load_criteria(XA), load_criteria(SO)
    code, out, err = run(capsys, "add", str(XA), "--activate")
    assert code == 0, err
    assert "nghe-an-xa-2025" in out and "đang dùng" in out
    assert run(capsys, "add", str(SO))[0] == 0
    assert listed(capsys) == {f"{xa.id}@{xa.sha256[:8]}": "active",
                              f"{so.id}@{so.sha256[:8]}": "draft"}
    code, out, err = run(capsys, "copy", "nghe-an-xa-2025", "--year", "2026", "--format", "json")
    assert code == 0, err
    copied = json.loads(out)
    assert (copied["id"], copied["year"], copied["status"]) == ("nghe-an-xa-2026", 2026, "draft")
    target = tmp_path / "x26.yaml"
    assert run(capsys, "get", "nghe-an-xa-2026", "-o", str(target))[0] == 0
    assert load_criteria(target).sha256 == copied["sha256"]
    book = tmp_path / "x26.xlsx"
    assert run(capsys, "get", "nghe-an-xa-2026", "-o", str(book))[0] == 0
    assert book.read_bytes()[:2] == b"PK"
    assert run(capsys, "add", str(book), "--activate")[0] == 0  # the workbook goes back in
    assert run(capsys, "activate", "nghe-an-so-2025")[0] == 0
    statuses = listed(capsys)
    assert statuses[f"{so.id}@{so.sha256[:8]}"] == "active"
    assert statuses[f"{xa.id}@{xa.sha256[:8]}"] == "active"  # 2026 is another year
    code, out, _ = run(capsys, "list", "--lang", "en")
    assert code == 0 and "Set id" in out and "active" in out and "draft" in out


def test_a_bad_file_stores_nothing_and_says_where(url, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(XA.read_text(encoding="utf-8").replace("max: ", "max: -", 1),
                   encoding="utf-8")
    code, _, err = run(capsys, "add", str(bad))
    assert code == 2 and "bad.yaml" in err
    assert listed(capsys) == {}
    code, _, err = run(capsys, "activate", "nope")
    assert code == 2 and "nope" in err


def test_only_an_admin_may_add_and_the_refusal_is_audited(url, capsys):
    store = Store(url)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", "Mật-khẩu-rất-bí-mật-2025")
    accounts.add(Actor("office", "admin"), "chief", "reviewer", "Mật-khẩu-rất-bí-mật-2025")
    code, _, err = run(capsys, "add", str(XA), "--user", "chief")
    assert code == 2 and "chief" in err
    assert listed(capsys) == {}
    assert list(store.audit()["action"])[-1] == "refused"
    assert run(capsys, "add", str(XA), "--user", "office")[0] == 0
    store.dispose()


def test_score_from_the_database_by_a_stored_set_id(url, capsys):
    import pandas as pd

    from par.store.submit import import_files

    store = Store(url)
    units = pd.read_csv(ROOT / "data" / "units.csv", dtype=str, keep_default_na=False)
    store.sync_units(units.assign(group=units["group"].replace("", None)))
    xa = load_criteria(XA)
    data = ("unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
            "p-cua-lo,2025-Q3,1.1.1,có,,,,,\n").encode()
    import_files(store, [("q3.csv", data)], [xa], store.units(), actor=Actor("office", "admin"))
    store.dispose()
    code = main(["score", "--criteria", "nghe-an-xa-2025", "--db", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert any(r["unit"] == "p-cua-lo" for r in json.loads(out))
    code = main(["score", "--criteria", "no-such-set", "--db"])
    assert code == 2 and "no-such-set" in capsys.readouterr().err
