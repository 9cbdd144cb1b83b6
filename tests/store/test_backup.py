"""deploy/backup.sh and deploy/restore.sh on a real PostgreSQL server (tests/pg.py).

A province's database — units, imports (one superseded), a rollback, accounts and
the audit log — is backed up with pg_dump, restored with pg_restore into an empty
database, and must score identically and keep every row, every account and the
audit log. Rotation and the password's path (PGPASSWORD, never the command line) are
checked with stand-in pg_dump/pg_restore programs, so they run without PostgreSQL.
"""
from __future__ import annotations

import glob
import os
import stat
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from pg import postgres_server
from sqlalchemy import create_engine, text

from par import load_criteria, read_units
from par.domain.auth import Actor
from par.engine.scoring import score
from par.store.accounts import Accounts
from par.store.rows import load_rows
from par.store.storage import Store, metadata
from par.store.submit import import_files

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"
CRITERIA = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data" / "units.csv")
HEADER = "unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
PASSWORD = "mat-khau-du-dai"


def pg_bin() -> str | None:
    """The directory of the newest PostgreSQL's programs, as tests/pg.py finds initdb."""
    for found in reversed(sorted(glob.glob("/usr/lib/postgresql/*/bin"))):
        if all(os.access(os.path.join(found, p), os.X_OK)
               for p in ("initdb", "pg_ctl", "pg_dump", "pg_restore", "psql")):
            return found
    return None


needs_postgres = pytest.mark.skipif(
    pg_bin() is None, reason="PostgreSQL is not installed (/usr/lib/postgresql/*/bin has no "
    "initdb, pg_dump, pg_restore, psql): scripts/setup-system.sh installs it")


@pytest.fixture(scope="module")
def server():
    with postgres_server() as url:
        yield url


def new_database(server_url: str, name: str, owner: str = "tinh") -> str:
    """An empty database on the test server, owned by ``owner``, an ordinary role (no
    superuser, as docs/deploy.md creates it); its SQLAlchemy URL, connecting as that role."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                            {"r": owner}).first() is None:
                conn.execute(text(f'CREATE ROLE "{owner}" LOGIN NOSUPERUSER NOCREATEDB'))
            conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    finally:
        engine.dispose()
    base, _ = server_url.rsplit("/", 1)
    return base.replace("://par@", f"://{owner}@") + "/" + name


def run(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True,
                          env={**os.environ, **env})


def csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def province(url: str) -> Store:
    """A province's database as it is after some weeks: units, accounts, imports, a rollback."""
    store = Store(url)
    store.sync_units(UNITS)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin("root"), "office", "admin", PASSWORD)
    office = accounts.actor("office")
    accounts.add(office, "lan", "unit", PASSWORD, ["cua-lo"])
    accounts.add(office, "chief", "reviewer", PASSWORD)
    accounts.disable(office, "chief")

    def put(name, *lines, actor=office):
        return import_files(store, [(name, csv(*lines))], [CRITERIA], UNITS, actor=actor)

    put("q1.csv", "vinh,2019-Q1,1.1.1,có,,,,QĐ 12/UBND,", "vinh,2019-Q1,1.1.2,,9,10,,,",
        "cua-lo,2019-Q1,1.1.1,không,,,,,", "cua-lo,2019-Q1,3.3.3,N/A,,,,,")
    [(_, [first])] = put("cua-lo-q2.csv", "cua-lo,2019-Q2,1.1.1,có,,,,,",
                         "cua-lo,2019-Q2,3.3.1,,45,50,,,", actor=accounts.actor("lan"))
    put("cua-lo-q2-sua.csv", "cua-lo,2019-Q2,1.1.1,không,,,,,", actor=accounts.actor("lan"))
    store.rollback(first, actor=office)
    put("vinh-tham-dinh.csv", "vinh,2019-Q1,1.1.1,không,,,appraisal,,")
    return store


def everything(store: Store) -> list:
    """Every row of every table, in a stable order."""
    with store.engine.connect() as conn:
        return [(t.name, conn.execute(text(f'SELECT * FROM "{t.name}" ORDER BY 1')).all())
                for t in metadata.sorted_tables]


def card(store: Store):
    rows, issues = load_rows(store, CRITERIA, store.units())
    assert not [i for i in issues if i.severity == "error"]
    return score(CRITERIA, store.units(), rows)


@needs_postgres
def test_backup_then_restore_into_an_empty_database_keeps_everything(server, tmp_path):
    store = province(new_database(server, "tinh"))
    before, tables, audit = card(store), everything(store), store.audit()
    accounts = Accounts(store).list()
    assert set(audit["action"]) >= {"import", "rollback", "account_add", "account_disable"}

    done = run(BACKUP, store.url, str(tmp_path / "backups"), PG_BIN=pg_bin(), KEEP_DAYS="7")
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip())
    assert dump.parent == tmp_path / "backups" and dump.name.startswith("par-")
    assert dump.suffix == ".dump" and dump.stat().st_size > 0
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # it holds password hashes
    assert list(dump.parent.iterdir()) == [dump]  # no .partial left behind

    target = new_database(server, "tinh_khoi_phuc")
    done = run(RESTORE, str(dump), target, PG_BIN=pg_bin())
    assert done.returncode == 0, done.stderr
    assert "3 account(s), 5 submission(s)" in done.stdout  # q1 holds two units

    restored = Store(target)  # what the service does on start: schema.create adds nothing
    assert everything(restored) == tables
    with restored.engine.connect() as conn:  # the service's role owns what it must write
        assert set(conn.execute(text("SELECT tableowner FROM pg_tables "
                                     "WHERE schemaname = 'public'")).scalars()) == {"tinh"}
    after = card(restored)
    pd.testing.assert_frame_equal(after.units, before.units)
    pd.testing.assert_frame_equal(after.leaves, before.leaves)
    pd.testing.assert_frame_equal(restored.audit(), audit)
    pd.testing.assert_frame_equal(Accounts(restored).list(), accounts)
    pd.testing.assert_frame_equal(restored.history(), store.history())
    assert Accounts(restored).login("office", PASSWORD).role == "admin"  # the hash survived

    # the sequences came back too: the restored database takes new imports and rollbacks
    office = Accounts(restored).actor("office")
    [(_, [new_id])] = import_files(restored, [("q3.csv", csv("vinh,2019-Q3,1.1.1,có,,,,,"))],
                                   [CRITERIA], restored.units(), actor=office)
    assert new_id > int(store.history()["id"].max())
    assert len(restored.audit()) == len(audit) + 1
    store.dispose()
    restored.dispose()


@needs_postgres
def test_restore_refuses_a_database_that_has_tables(server, tmp_path):
    store = province(new_database(server, "dang_dung"))
    done = run(BACKUP, store.url, str(tmp_path), PG_BIN=pg_bin())
    assert done.returncode == 0, done.stderr
    dump = done.stdout.strip()
    import_files(store, [("q4.csv", csv("vinh,2019-Q4,1.1.1,có,,,,,"))], [CRITERIA], UNITS,
                 actor=Accounts(store).actor("office"))
    tables = everything(store)

    done = run(RESTORE, dump, store.url, PG_BIN=pg_bin())
    assert done.returncode == 1
    assert "empty database" in done.stderr and "Nothing was changed" in done.stderr
    assert everything(store) == tables  # the newer import is still there
    store.dispose()


# -- without PostgreSQL: stand-in programs record what the scripts ask of them ------------

FAKE_DUMP = """#!/bin/sh
printf '%s\\n' "$@" > "$LOG"
printf 'PGPASSWORD=%s\\n' "${PGPASSWORD-}" >> "$LOG"
for a in "$@"; do case $a in --file=*) printf 'PGDMP' > "${a#--file=}" ;; esac; done
exit "${FAIL:-0}"
"""


@pytest.fixture
def fake_bin(tmp_path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in (("pg_dump", FAKE_DUMP), ("pg_restore", "#!/bin/sh\nexit 0\n")):
        (folder / name).write_text(body)
        (folder / name).chmod(0o755)
    return folder


def aged(path: Path, days: float) -> Path:
    path.write_bytes(b"PGDMP")
    old = time.time() - days * 86400
    os.utime(path, (old, old))
    return path


def test_rotation_keeps_recent_backups_and_everything_else(fake_bin, tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    old = aged(out / "par-20250101T010000Z.dump", 30)
    recent = aged(out / "par-20251125T010000Z.dump", 3)
    other = aged(out / "ghi-chu.dump", 90)  # not ours: never touched
    done = run(BACKUP, "postgresql+psycopg://par@localhost/par", str(out),
               PG_BIN=str(fake_bin), KEEP_DAYS="7", LOG=str(tmp_path / "log"))
    assert done.returncode == 0, done.stderr
    new = Path(done.stdout.strip())
    assert sorted(out.iterdir()) == sorted([other, recent, new])
    assert not old.exists() and "deleted old backup" in done.stderr


def test_the_password_goes_to_pgpassword_not_the_command_line(fake_bin, tmp_path):
    done = run(BACKUP, "postgresql+psycopg://par:b%C3%AD%40m%E1%BA%ADt@localhost:5432/par",
               str(tmp_path / "out"), PG_BIN=str(fake_bin), LOG=str(tmp_path / "log"))
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "log").read_text()
    assert "--dbname=postgresql://par@localhost:5432/par" in log.splitlines()
    assert "--format=custom" in log.splitlines()
    assert log.splitlines()[-1] == "PGPASSWORD=bí@mật"  # percent-decoded
    assert log.count("m%E1") == 0 and log.count("bí@mật") == 1


def test_a_failed_dump_leaves_no_file_and_deletes_no_old_backup(fake_bin, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    old = aged(out / "par-20250101T010000Z.dump", 30)
    done = run(BACKUP, "par", str(out), PG_BIN=str(fake_bin), KEEP_DAYS="7", FAIL="1",
               LOG=str(tmp_path / "log"))
    assert done.returncode != 0
    assert list(out.iterdir()) == [old]


@pytest.mark.parametrize("args, env, says", [
    ((), {"PAR_DATABASE_URL": ""}, "no database"),
    (("sqlite:///data/par.db",), {}, "SQLite"),
    (("par",), {"KEEP_DAYS": "two"}, "KEEP_DAYS"),
])
def test_backup_refuses_what_it_cannot_back_up(fake_bin, tmp_path, args, env, says):
    done = run(BACKUP, *args, **{"PG_BIN": str(fake_bin), "BACKUP_DIR": str(tmp_path),
                                 "LOG": str(tmp_path / "log"), **env})
    assert done.returncode == 2 and says in done.stderr
    assert not (tmp_path / "log").exists()
