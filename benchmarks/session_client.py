"""A browser session without a browser: Streamlit's own WebSocket protocol (``websockets`` and
Streamlit's protobuf messages, ``BackMsg``/``ForwardMsg``) plus the HTTP requests a browser makes
around it (the page, the sign-in cookie claim, the map's layer files).

    session = StreamlitSession("http://127.0.0.1:8501", source_ip="127.0.3.1")
    await session.open("/overview")
    run = await session.rerun(client_state)     # BackMsg.rerun_script; waits for script_finished
    run.seconds, run.widgets, run.layer_folders, run.exceptions
    await session.fetch_layers(["combined"], run)   # once per URL (the URL carries the revision)
    await session.close()

Each session has its own cookies (the sign-in cookie after a sign-in) and, with ``source_ip``,
its own loopback address (127.0.X.1), so nginx's ``ip_hash`` spreads sessions as it would
spread users' machines."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

STREAM_PATH = "/_stcore/stream"
CLAIM_PATH = "/hongtu/session/claim"  # components.web.session_cookie.CLAIM_PATH
LAYER_FOLDER = re.compile(rb"/hongtu/layers/([0-9a-f]{16}-[a-z0-9-]+)/")
# a tiled layer's index in the map's payload: {"base": ".../members_", "size": .., "keys": [..]}
# (components.layer_publish.publish_layers), its quotes escaped or not
TILE_INDEX = re.compile(rb'/(grids_|members_)\\*"\s*,\s*\\*"size\\*"\s*:\s*[0-9.eE+-]+\s*,'
                        rb'\s*\\*"keys\\*"\s*:\s*\[([^\]]*)\]')
TILE_KEY = re.compile(rb"[0-9]+_[0-9]+")
# the claim script's body, {"nonce": "..."}, its quotes escaped or not; a nonce is URL-safe
# base64 and may begin with "-" (a pattern skipping non-word characters before it dropped that
# "-" in 1 sign-in of 64: the claim then exchanged nothing and the session's tiles got 401)
NONCE = re.compile(rb'nonce\\*"\s*:\s*\\*"([A-Za-z0-9_-]{16,200})\\*"')
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
CACHE_RUNS = 2  # the browser offers the cacheable messages of its last runs (ForwardMsgCache)
HTTP_POOL = ThreadPoolExecutor(max_workers=48, thread_name_prefix="bench-http")


class SessionDropped(Exception):
    """The server closed the session's WebSocket, or a run did not finish in time."""


def widget_key(widget_id: str) -> str:
    """The user key of a widget id ``$$ID-<hash>-<key>`` (the id itself when it has none)."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else widget_id


@dataclass
class Run:
    """What the server sent for one rerun request."""

    seconds: float = 0.0
    widgets: dict = field(default_factory=dict)  # user key -> (element type, widget proto)
    layer_folders: list[str] = field(default_factory=list)  # of the maps drawn in the run
    tiles: dict = field(default_factory=dict)  # "members_" -> the tile names its index lists
    nonces: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # alerts, markdown, captions
    status: int = -1


class StreamlitSession:
    def __init__(self, base: str, source_ip: str | None = None, timeout_s: float = 300.0):
        self.base = base.rstrip("/")
        parts = urlsplit(self.base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.source_ip = source_ip
        self.timeout_s = timeout_s
        self.cookies: dict[str, str] = {}
        self.fetched: set[str] = set()  # layer URLs this "browser" has in its cache
        self.layer_bytes = 0
        self.unclaimed: list[str] = []  # nonces the server did not exchange for a cookie
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run number)
        self._runs = 0
        self._ws = None
        self._reader = None
        self._run: Run | None = None
        self._finished: asyncio.Future | None = None

    # ------------------------------------------------------------------ HTTP
    def _request(self, method: str, path: str, body: bytes | None = None,
                 headers: dict | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=self.timeout_s,
            source_address=(self.source_ip, 0) if self.source_ip else None)
        try:
            sent = {"Cookie": self._cookie_header(), **(headers or {})}
            conn.request(method, path, body=body, headers={k: v for k, v in sent.items() if v})
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()

    async def http(self, method: str, path: str, body: bytes | None = None,
                   headers: dict | None = None) -> tuple[int, bytes]:
        return await asyncio.get_running_loop().run_in_executor(
            HTTP_POOL, self._request, method, path, body, headers)

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def claim_cookie(self, run: Run) -> None:
        """What the page's claim script does after a sign-in: exchange the nonce for the
        sign-in cookie (``POST /hongtu/session/claim``)."""
        for nonce in run.nonces:
            status, body = await self.http("POST", CLAIM_PATH,
                                           json.dumps({"nonce": nonce}).encode(),
                                           {"Content-Type": "application/json"})
            if status != 200:
                raise RuntimeError(f"cookie claim answered {status}")
            if not json.loads(body or b"{}").get("claimed"):  # answers 200 either way
                self.unclaimed.append(nonce)

    async def fetch_layers(self, names, run: Run) -> list[str]:
        """Fetch the layer files ``names`` (file names without .json: ``combined``,
        ``grids_3011_1185``...) of the maps drawn in ``run`` that this session has not
        fetched yet (the folder in the URL is the store revision's); returns the failures
        (``"<url> answered 404"``: the map would miss that layer)."""
        failures = []
        names = [n for n in names if n.split("_", 1)[0] + "_" not in run.tiles
                 or n in run.tiles[n.split("_", 1)[0] + "_"]]  # as the browser: listed tiles
        for url in (f"/hongtu/layers/{folder}/{name}.json" for folder in run.layer_folders
                    for name in names):
            if url in self.fetched:
                continue
            status, data = await self.http("GET", url)
            if status != 200:
                failures.append(f"{url} answered {status}")
                continue
            self.fetched.add(url)
            self.layer_bytes += len(data)
        return failures

    # ------------------------------------------------------------------ WebSocket
    async def open(self, path: str = "/overview") -> None:
        """Load the page (index.html, cookies) and open Streamlit's WebSocket."""
        status, _ = await self.http("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        extra = {"local_addr": (self.source_ip, 0)} if self.source_ip else {}
        self._ws = await connect(
            f"ws://{self.host}:{self.port}{STREAM_PATH}", subprotocols=["streamlit"],
            origin=self.base, additional_headers={"Cookie": self._cookie_header()},
            max_size=None, open_timeout=self.timeout_s, ping_interval=None, **extra)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    def cached_hashes(self) -> list[str]:
        return [h for h, (_, run) in self._cache.items() if self._runs - run < CACHE_RUNS]

    async def rerun(self, state: ClientState) -> Run:
        """Send ``rerun_script`` and wait for the run's last ``script_finished``."""
        message = BackMsg()
        message.rerun_script.CopyFrom(state)
        del message.rerun_script.cached_message_hashes[:]
        message.rerun_script.cached_message_hashes.extend(self.cached_hashes())
        self._run, self._finished = Run(), asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        try:
            await self._ws.send(message.SerializeToString())
            await asyncio.wait_for(asyncio.shield(self._finished), self.timeout_s)
        except (ConnectionClosed, TimeoutError) as error:
            if self._finished.done() and not self._finished.cancelled():
                self._finished.exception()  # the reader's report of the same closing: seen
            raise SessionDropped(repr(error)[:200]) from error
        run = self._run
        run.seconds = time.perf_counter() - started
        self._runs += 1
        return run

    async def _read(self) -> None:
        try:
            async for data in self._ws:
                self._on_message(data)
        except ConnectionClosed as error:
            if self._finished is not None and not self._finished.done():
                self._finished.set_exception(SessionDropped(f"socket closed: {error}"))
            return
        if self._finished is not None and not self._finished.done():
            self._finished.set_exception(SessionDropped("socket closed by the server"))

    def _on_message(self, data: bytes) -> None:
        message = ForwardMsg()
        message.ParseFromString(data)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":  # the server relies on our cache for this one
            message, _ = self._cache[message.ref_hash]
            kind = message.WhichOneof("type")
        if message.metadata.cacheable and message.hash:
            self._cache[message.hash] = (message, self._runs)
        run = self._run
        if run is None:
            return
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._on_element(run, message.delta.new_element)
        elif kind == "script_finished":
            run.status = message.script_finished
            if message.script_finished in DONE and not self._finished.done():
                self._finished.set_result(run)

    @staticmethod
    def _on_element(run: Run, element) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        widget_id = getattr(body, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            run.widgets[widget_key(widget_id)] = (kind, body)
        if kind == "exception":
            run.exceptions.append(f"{body.type}: {body.message}"[:300])
        elif kind == "component_instance":
            serialized = element.SerializeToString()
            for folder in LAYER_FOLDER.findall(serialized):
                if folder.decode() not in run.layer_folders:
                    run.layer_folders.append(folder.decode())
            for prefix, keys in TILE_INDEX.findall(serialized):  # a moved member's old tile
                run.tiles.setdefault(prefix.decode(), set()).update(  # may be gone: not asked
                    prefix.decode() + k.decode() for k in TILE_KEY.findall(keys))
        elif kind == "html":
            run.nonces.extend(n.decode() for n in NONCE.findall(body.body.encode()))
        elif kind in ("alert", "markdown", "heading"):
            run.texts.append(body.body)
