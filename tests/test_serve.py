"""components.serve: the server's accepted connections have Nagle's algorithm off (TCP_NODELAY).

Without it, every response on a kept-alive connection waited ~40 ms for the browser's delayed
ACK (measured: 44 ms per request against Streamlit 1.67's own server, 0.3 ms with the fix)."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from components import serve


def _nodelay_of_accepted(listening: socket.socket) -> int:
    """Accept one connection through asyncio (as uvicorn does) and read its TCP_NODELAY."""

    async def run() -> int:
        accepted = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport):
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(accepted, 5)
        finally:
            writer.close()
            server.close()

    with ThreadPoolExecutor(1) as pool:  # its own loop: Playwright may hold this thread's
        return pool.submit(lambda: asyncio.run(run())).result()


def _bound(proto: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    return sock


def test_a_socket_made_like_streamlits_gets_no_nodelay_without_the_fix():
    sock = _bound()
    assert sock.proto == 0
    assert _nodelay_of_accepted(sock) == 0  # the bug the wrapper works around


def test_wrapped_socket_reads_tcp_and_accepts_with_nodelay():
    sock = serve.tcp_socket(_bound())
    assert sock.proto == socket.IPPROTO_TCP
    assert not sock.getblocking()
    assert _nodelay_of_accepted(sock) == 1


def test_already_tcp_socket_is_returned_as_is():
    sock = _bound(socket.IPPROTO_TCP)
    assert serve.tcp_socket(sock) is sock
    sock.close()


def test_streamlits_own_bind_is_wrapped(monkeypatch):
    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)
    assert serve.patch_streamlit_socket()
    wrapped = starlette_server._bind_socket
    assert serve.patch_streamlit_socket()
    assert starlette_server._bind_socket is wrapped  # patched twice, wrapped once
    sock = starlette_server._bind_socket("127.0.0.1", 0, 8)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert _nodelay_of_accepted(sock) == 1
    finally:
        sock.close()


def test_the_server_keeps_the_interpreter_lock_longer_and_the_setting_is_the_operators(
        monkeypatch):
    """components.serve.main sets the switch interval before Streamlit starts (issue #27);
    HONGTU_SWITCH_INTERVAL overrides it."""
    import sys

    before = sys.getswitchinterval()
    monkeypatch.setattr(serve.cli, "main", lambda: 0)
    monkeypatch.setattr(serve, "patch_streamlit_socket", lambda: None)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    try:
        monkeypatch.delenv(serve.SWITCH_ENV, raising=False)
        assert serve.main(["run", "app.py"]) == 0
        assert sys.getswitchinterval() == pytest.approx(serve.SWITCH_INTERVAL_S)
        assert serve.SWITCH_INTERVAL_S != pytest.approx(before)
        monkeypatch.setenv(serve.SWITCH_ENV, "0.02")
        serve.main(["run", "app.py"])
        assert sys.getswitchinterval() == pytest.approx(0.02)
    finally:
        sys.setswitchinterval(before)
