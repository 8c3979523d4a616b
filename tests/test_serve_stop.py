"""``hongtu serve`` stops cleanly: a SIGTERM (what systemd or ``kill`` sends) to the process it
started closes the port; no Streamlit child is left serving."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from fixtures_browser import STARTUP_TIMEOUT_S, _free_port

HONGTU = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "hongtu"


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def test_sigterm_to_hongtu_serve_closes_the_port(tmp_path, sample_store_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "HONGTU_DATABASE_URL": str(sample_store_path)}
    with open(log, "wb") as out:
        server = subprocess.Popen([str(HONGTU), "serve", "--port", str(port)], env=env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(lambda: _healthy(port) or server.poll() is not None, STARTUP_TIMEOUT_S,
              "server did not start")
        assert server.poll() is None, log.read_text()
        server.send_signal(signal.SIGTERM)  # to the process we started only, not its group
        _wait(lambda: not _answers(port), 10, "port still open 10 s after SIGTERM")
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    # nothing of the server's process group survives either
    try:
        os.killpg(server.pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive, "a process of hongtu serve's group is still running"
