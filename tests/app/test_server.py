"""A real `python -m par serve`: Streamlit refuses an upload larger than par's cap (finding D).

The server runs on 127.0.0.1 and a free port with PAR_MAX_UPLOAD_MB=1. The test opens a
session the way a browser does (the XSRF cookie from /_stcore/health, a websocket on
/_stcore/stream, the session id from the first message), then PUTs files to
/_stcore/upload_file/<session>/<file> (the route in streamlit/web/server/starlette/
starlette_routes.py): half a MB is stored, 2 MB is refused with 413 before it is read.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests
from server import PAR_SERVE, running

ROOT = Path(__file__).resolve().parents[2]
SERVER_TIMEOUT = 90
XSRF_COOKIE = "_streamlit_xsrf"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> str:
    """Base URL of `python -m par serve` with a 1 MB upload cap, on a database of its own."""
    folder = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "PAR_DATABASE_URL": f"sqlite:///{folder / 'par.db'}",
           "PAR_SAMPLE_MODE": "1", "PAR_MAX_UPLOAD_MB": "1"}
    with running(PAR_SERVE, folder / "server.log", env) as (url, _):
        yield url


def test_streamlit_refuses_an_upload_over_pars_cap(server):
    """A session opened as the browser opens one: the XSRF cookie from /_stcore/health, a
    websocket on /_stcore/stream, the session id from the first message."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    http = requests.Session()
    http.get(f"{server}/_stcore/health", timeout=5).raise_for_status()
    token = http.cookies[XSRF_COOKIE]
    with connect(server.replace("http", "ws") + "/_stcore/stream",
                 subprotocols=["streamlit", token], open_timeout=10,
                 additional_headers={"Cookie": f"{XSRF_COOKIE}={token}"}) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        ws.send(rerun.SerializeToString())
        session_id = None
        deadline = time.monotonic() + 60
        while session_id is None and time.monotonic() < deadline:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=60))
            if msg.WhichOneof("type") == "new_session":
                session_id = msg.new_session.initialize.session_id
        assert session_id

        def put(file_id: str, size: int) -> int:
            return http.put(f"{server}/_stcore/upload_file/{session_id}/{file_id}",
                            files={"file": ("x.csv", b"0" * size, "text/csv")},
                            headers={"X-Xsrftoken": token}, timeout=30).status_code

        assert put("small", 512 * 1024) == 204  # the session and the token are right …
        assert put("big", 2 * 1024 * 1024) == 413  # … and 2 MB is over the 1 MB cap
