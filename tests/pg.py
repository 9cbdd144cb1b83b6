"""A throwaway PostgreSQL server for the storage tests (Debian's postgresql package).

Started on a free loopback port in a temporary directory and stopped afterwards.
initdb refuses to run as root, so as root it runs as the `postgres` system user.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make test` (it installs it)")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server():
    """Yield a SQLAlchemy URL of a fresh, empty database."""
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = tempfile.mkdtemp(prefix="par-pg-")
    data = os.path.join(base, "data")
    os.makedirs(data)
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    run = lambda *cmd: subprocess.run(prefix + list(cmd), check=True, capture_output=True)
    run(_bin("initdb"), "-D", data, "-A", "trust", "-U", "par", "--no-sync", "-E", "UTF8")
    run(_bin("pg_ctl"), "-D", data, "-w", "-t", "60", "-l", os.path.join(base, "log"),
        "-o", f"-h 127.0.0.1 -p {port} -k {base} -F", "start")
    try:
        for _ in range(100):
            if subprocess.run([_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        run(_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "par", "par")
        yield f"postgresql+psycopg://par@127.0.0.1:{port}/par"
    finally:
        subprocess.run(prefix + [_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
