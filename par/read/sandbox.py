"""Parse untrusted files in a bounded child process: no file can take the caller down.

The guard (``par.read.guard``) refuses the workbooks known to hurt a parser, but the
parsers are native code: a case the guard does not know (a new calamine allocation, a
pyarrow corner, a bug) must cost one child process, never the dashboard server that
every user's session lives in, nor a command line import. So the bytes → table step
(guard, calamine, pyarrow) runs in a worker process that

- has an address-space limit (RLIMIT_AS: what it has after start-up plus
  ``PAR_PARSE_MEMORY_MB``, default 1024), so an absurd allocation fails in the child;
- has a CPU limit per file (RLIMIT_CPU) and the caller waits at most
  ``PAR_PARSE_SECONDS`` (default 30) plus a little for it;
- writes no core file, and ignores Ctrl-C (the caller decides).

A native abort, an allocation failure, a CPU spin or a hang ends that worker only: the
caller gets a ``ParError`` with the file's name (``guard.parser_crashed`` or
``guard.parser_timeout``) and the pool starts a replacement. Everything else the reader
raises comes back as the same ``ParError`` it would have raised in the process.

The pool is small and warm: one interpreter started on first use (about 0.3 s: it imports
pandas, pyarrow, calamine and the readers and reads a tiny file of each kind), a second
one (``WORKERS``) when two callers read at once, and both kept, so a file costs about a
millisecond of overhead (measured in tests/read/test_sandbox.py). A replacement starts in
the background as soon as a worker is lost. Fresh interpreters, not ``fork`` (the dashboard is multi-threaded: a fork copies
locks other threads hold) and not multiprocessing's spawn or forkserver (their children
run the caller's main script again, and under Streamlit that is the dashboard). A worker
is retired after ``JOBS_PER_WORKER`` files or a memory failure, so memory cannot creep.

What runs in the child is plain, importable code (``parse_upload_here``,
``read_xlsx_here``): the result is exactly what the readers return in the process.
"""
from __future__ import annotations

import io
import os
import queue
import resource
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from par import settings
from par.domain.issues import Issue, ParError, errors_only

MB = 1 << 20
WORKERS = 2
JOBS_PER_WORKER = 200
START_SECONDS = 120.0  # for a new worker's imports (about 0.5 s; a busy machine is slower)
GRACE_SECONDS = 2.0  # wall-clock time beyond the CPU limit before the caller gives up


# -- what runs in the child -------------------------------------------------------------------

def parse_upload_here(data: bytes, name: str, limits) -> tuple[Any, Any]:
    """One uploaded or imported file → (RawTable, TemplateRecord | None); raises ParError.

    A ``.csv`` is read by pyarrow; anything else must pass the guard, then is read as a
    template (its ``_par`` record) or else as a tidy first sheet.
    """
    from par.read.tabular import read_csv, read_xlsx_first_sheet

    if Path(name).suffix.lower() == ".csv":
        return read_csv(io.BytesIO(data), name), None
    _guard(data, name, limits)
    from par.read.workbook import read_template

    table, record, issues = read_template(data, name)
    if errors_only(issues):
        raise ParError(issues)
    if table is None:
        table = read_xlsx_first_sheet(io.BytesIO(data), name)
    return table, record


def read_xlsx_here(data: bytes, name: str, limits):
    """A workbook given to ``score --inputs``: its first sheet, after the guard."""
    from par.read.tabular import read_xlsx_first_sheet

    _guard(data, name, limits)
    return read_xlsx_first_sheet(io.BytesIO(data), name)


def _guard(data: bytes, name: str, limits) -> None:
    from par.read.guard import check_xlsx

    problems = check_xlsx(data, name, limits)
    if problems:
        raise ParError(problems)


# -- what the caller uses ---------------------------------------------------------------------

def parse_upload(data: bytes, name: str, limits=None) -> tuple[Any, Any]:
    """``parse_upload_here`` in a worker: what the upload page, ``import`` and the seeder read."""
    from par.read.guard import Limits

    limits = limits or Limits.from_env()
    data = data if isinstance(data, bytes) else bytes(memoryview(data))
    check_size(len(data), limits.max_bytes, name)
    return run(parse_upload_here, data, name, limits, file=name)


def read_input_file(path: str | Path):
    """A file given to ``score --inputs``, as ``tabular.read_table`` reads it, but bounded.

    A CSV (up to ``PAR_MAX_INPUT_MB``) is read here by path, the fast way national-scale
    files need; pyarrow's memory is proportional to the file. A workbook goes through the
    guard and calamine in a worker, with the upload limits.
    """
    from par.read.guard import Limits
    from par.read.tabular import read_csv

    name = str(path)
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ParError([Issue("file.bad_type", {"suffix": suffix or "?"}, file=name)])
    try:
        size = Path(path).stat().st_size
    except FileNotFoundError:
        raise ParError([Issue("file.not_found", file=name)]) from None
    except OSError as exc:
        raise ParError([Issue("file.unreadable", {"detail": exc.strerror}, file=name)]) from None
    if suffix == ".csv":
        check_size(size, int(settings.max_input_mb() * MB), name)
        return read_csv(path, name)
    limits = Limits.from_env()
    check_size(size, limits.max_bytes, name)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ParError([Issue("file.unreadable", {"detail": exc.strerror}, file=name)]) from None
    return run(read_xlsx_here, data, name, limits, file=name)


def check_size(size: int, limit: int, name: str) -> None:
    if size > limit:
        raise ParError([Issue("guard.too_big", {"size_mb": round(size / MB, 1),
                                                "limit_mb": round(limit / MB, 1)}, file=name)])


def run(func: Callable, *args, file: str | None = None):
    """``func(*args)`` in a bounded worker; its result, or a ParError.

    ``func`` must be importable by name (a module-level function); ``file`` names the file
    in the messages. Only ParError leaves this function.
    """
    memory_mb, seconds = settings.parse_memory_mb(), settings.parse_seconds()
    try:
        status, value = _pool().call(func, args, memory_mb, seconds)
    except Exception:  # noqa: BLE001 - no worker could be started: never parse here instead
        status, value = "crashed", None
    if status == "ok":
        return value
    if status == "issues":
        raise ParError(value)
    if status == "timeout":
        raise ParError([Issue("guard.parser_timeout", {"seconds": round(seconds)}, file=file)])
    if status == "failed":
        raise ParError([Issue("file.unreadable", {"detail": value}, file=file)])
    # "memory" (a MemoryError in Python) or "crashed" (a signal, an exit, a broken pipe)
    raise ParError([Issue("guard.parser_crashed", {"limit_mb": round(memory_mb)}, file=file)])


# -- the pool ---------------------------------------------------------------------------------

_POOL = None
_POOL_LOCK = threading.Lock()


def _pool() -> "_Pool":
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = _Pool(WORKERS)
        return _POOL


def warm() -> None:
    """Start the workers now, in the background (a command about to read files, the
    dashboard at start), so the first file does not wait for their imports (~0.5 s)."""
    _pool()


def shutdown() -> None:
    """Stop the workers (tests). Without it they end with this process: their socket
    closes and a worker stops at the end of its input."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.close()


class _Pool:
    def __init__(self, size: int):
        self.size = size
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.workers: set[_Worker] = set()
        self.lock = threading.Lock()
        self.replaced = 0  # workers started to replace one that died, timed out or retired
        self._fill()

    def _fill(self) -> None:
        """At least one worker (a start that failed is tried again here)."""
        with self.lock:
            if self.workers:
                return
        self._add()

    def _take(self) -> "_Worker":
        """An idle worker; a new one (up to ``size``) when all are busy with other callers."""
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        with self.lock:
            grow = len(self.workers) < self.size
        if grow:
            self._add()
        return self.idle.get()

    def _add(self) -> None:
        worker = _Worker()
        with self.lock:
            self.workers.add(worker)
        self.idle.put(worker)

    def call(self, func, args, memory_mb: float, seconds: float) -> tuple[str, Any]:
        self._fill()
        worker = self._take()
        while worker.proc.poll() is not None:  # died while idle (killed from outside): not
            self._retire(worker)                # this file's fault, so take another
            worker = self._take()
        outcome: tuple[str, Any] = ("crashed", None)
        try:
            outcome = worker.call(func, args, memory_mb, seconds)
        finally:
            if outcome[0] in ("ok", "issues", "failed") and worker.jobs < JOBS_PER_WORKER:
                self.idle.put(worker)
            else:  # dead, stuck, short of memory or old: a fresh one takes its place
                self._retire(worker)
        return outcome

    def _retire(self, worker: "_Worker") -> None:
        worker.stop()
        with self.lock:
            self.workers.discard(worker)
            self.replaced += 1
        self._add()  # it starts now, in the background; the next call waits if need be

    def close(self) -> None:
        with self.lock:
            workers, self.workers = list(self.workers), set()
        for worker in workers:
            worker.stop()

    def pids(self) -> list[int]:
        with self.lock:
            return sorted(w.proc.pid for w in self.workers)


class _Worker:
    """One child: a fresh interpreter (not a fork of this multi-threaded process, and not
    multiprocessing's spawn, which would run the caller's main script again: under
    Streamlit that is the dashboard), talking pickles over a socket pair."""

    def __init__(self):
        from multiprocessing.connection import Connection

        mine, theirs = socket.socketpair()
        code = (f"import sys; sys.path[:0] = {[p for p in sys.path if p]!r}; "
                f"from par.read.sandbox import _child; _child({theirs.fileno()})")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code], pass_fds=[theirs.fileno()], close_fds=True,
                stdin=subprocess.DEVNULL, start_new_session=True)  # Ctrl-C is the caller's
        finally:
            theirs.close()
        self.conn = Connection(mine.detach())
        self.ready = False
        self.jobs = 0

    def call(self, func, args, memory_mb: float, seconds: float) -> tuple[str, Any]:
        try:
            if not self.ready:
                if not self.conn.poll(START_SECONDS):
                    return "crashed", None
                self.conn.recv()  # ("ready", its settled size)
                self.ready = True
            self.jobs += 1
            self.conn.send((func, args, int(memory_mb * MB), seconds))
            if not self.conn.poll(seconds + GRACE_SECONDS):
                return "timeout", None
            return self.conn.recv()
        except (EOFError, OSError):  # the worker died (BrokenPipeError is an OSError)
            try:
                code = self.proc.wait(1)
            except subprocess.TimeoutExpired:
                code = None
            return ("timeout", None) if code == -signal.SIGXCPU else ("crashed", None)

    def stop(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass


# -- the worker's side --------------------------------------------------------------------------

def _child(fd: int) -> None:
    """The worker process's entry point (see _Worker)."""
    from multiprocessing.connection import Connection

    _serve(Connection(fd))


def _serve(conn) -> None:
    """A worker's life: settle, report ready, then read one file per message until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _settle()
    base = _address_space()
    conn.send(("ready", base))
    while True:
        try:
            func, args, memory, seconds = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a function this process cannot import
            conn.send(("failed", f"{type(exc).__name__}: {exc}"[:300]))
            continue
        _limit(base, memory, seconds)
        try:
            outcome: tuple[str, Any] = ("ok", func(*args))
        except ParError as exc:
            outcome = ("issues", list(exc.issues))
        except MemoryError:
            outcome = ("memory", None)
        except Exception as exc:  # noqa: BLE001 - a reader's bug: reported, never raised
            outcome = ("failed", f"{type(exc).__name__}: {exc}"[:300])
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(("memory", None))
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled
            conn.send(("failed", f"{type(exc).__name__}: {exc}"[:300]))
        outcome = None


def _limit(base: int, memory: int, seconds: float) -> None:
    """This file's limits: address space from the settled size, CPU from what is used."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = base + memory if hard == resource.RLIM_INFINITY else min(base + memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    used = sum(os.times()[:2])
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _settle() -> None:
    """One thread and the system allocator for pyarrow, then one small read of each kind,
    so the worker's address space is measured after the lazy start-up allocations."""
    try:
        import pyarrow as pa

        pa.set_cpu_count(1)
        pa.set_io_thread_count(1)
        pa.set_memory_pool(pa.system_memory_pool())
    except Exception:  # noqa: BLE001 - only a tighter, steadier footprint
        pass
    try:
        from par.read.tabular import read_csv, read_xlsx_first_sheet

        read_csv(io.BytesIO(b"a,b\n1,2\n"), "warm.csv")
        read_xlsx_first_sheet(io.BytesIO(_tiny_xlsx()), "warm.xlsx")
    except Exception:  # noqa: BLE001
        pass


def _address_space() -> int:
    """This process's virtual memory size in bytes (VmSize)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 512 * MB


def _tiny_xlsx() -> bytes:
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    parts = {
        "[Content_Types].xml":
            f'<Types xmlns="{pkg}/content-types"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml"'
            ' ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" Type="{rel}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" Type="{rel}/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml":
            f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a'
            '</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row></sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()
