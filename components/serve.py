"""Start the Streamlit server with TCP_NODELAY on every connection: ``python -m components.serve
run app.py [streamlit options]`` (what ``hongtu serve``, the tests and the benchmarks run).

Streamlit (1.67, Starlette/uvicorn) binds its listening socket itself with
``socket.socket(family)``, so the socket's protocol number is 0, and asyncio only turns Nagle's
algorithm off (TCP_NODELAY) for sockets whose protocol is ``IPPROTO_TCP``. With Nagle on, every
response written in two parts (headers, then body) on a kept-alive connection waits for the
browser's delayed ACK: 40 ms per request on Linux (up to 200 ms on Windows). The map frame loads
its files one after another (page, script, Leaflet, layers), so it paid that wait at every step.
Re-wrapping the bound socket lets the kernel report its real protocol (IPPROTO_TCP), and asyncio
then sets TCP_NODELAY on each accepted connection."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from streamlit.web import cli
from streamlit.web.server.starlette import starlette_server

from geo.paths import APP_ROOT

SWITCH_ENV = "HONGTU_SWITCH_INTERVAL"
SWITCH_INTERVAL_S = 0.05

ASGI = APP_ROOT / "asgi.py"  # the checkout's, or the installed wheel's (hongtu_app/)
SCRIPT_ENV = "HONGTU_SCRIPT"  # read by asgi.py


def tcp_socket(sock: socket.socket) -> socket.socket:
    """The same listening socket, re-wrapped so that its protocol reads IPPROTO_TCP."""
    if sock.proto == socket.IPPROTO_TCP or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return sock
    inheritable = sock.get_inheritable()
    wrapped = socket.socket(fileno=sock.detach())  # family, type, protocol read from the kernel
    wrapped.setblocking(False)
    wrapped.set_inheritable(inheritable)
    return wrapped


def patch_streamlit_socket() -> bool:
    """Wrap Streamlit's socket binding; False when this Streamlit has no such function."""
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None:
        return False
    if getattr(bind, "hongtu_tcp", False):
        return True

    def bind_tcp(*args, **kwargs):
        return tcp_socket(bind(*args, **kwargs))

    bind_tcp.hongtu_tcp = True
    starlette_server._bind_socket = bind_tcp
    return True


def asgi_argv(argv: list[str]) -> list[str]:
    """``run SCRIPT [options]`` becomes ``run asgi.py [options]`` with SCRIPT in the environment:
    every page script is served by the same ``st.App`` (``asgi.py``)."""
    if len(argv) >= 2 and argv[0] == "run" and Path(argv[1]).name != ASGI.name:
        # absolute(), not resolve(): a linked script keeps its folder (static/ is served beside it)
        os.environ[SCRIPT_ENV] = str(Path(argv[1]).absolute())
        return ["run", str(ASGI), *argv[2:]]
    return list(argv)


def switch_interval() -> float:
    """Seconds a thread keeps the interpreter lock while others wait for it (Python's default
    is 0.005). Every session's page run is a thread of this process: under load, a run that
    rebuilds a cache the others wait for was cut off every 5 ms and queued behind every other
    thread each time. At 0.05 s, 50 sessions measured p95 1.5 s against 3.8-6.1 s, and 12-20%
    less CPU per request (docs/intranet.md, section 6). ``HONGTU_SWITCH_INTERVAL`` sets it."""
    return float(os.environ.get(SWITCH_ENV) or SWITCH_INTERVAL_S)


def main(argv: list[str] | None = None) -> int:
    patch_streamlit_socket()
    sys.setswitchinterval(switch_interval())
    sys.argv = ["streamlit", *asgi_argv(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
