"""The task every load-test session performs, recorded once from a real browser and replayed
by many protocol clients (:mod:`session_client`).

The task (one *round*): open the overview, sign in, search a compound ("家园"), open another hit's
panel, colour the compounds by another indicator, open the grids page, pick a street, a
community and a grid, and move one member into that grid (reason "负载测试"). A round after the
first starts at the search and moves the member back (rounds alternate the grid).

:func:`record` drives headless Debian Chromium (Playwright) through the task as the recording
account, hooking the page's WebSocket frames (``framesent``: ``BackMsg``) and the layer files
the map fetches, per step. :func:`replay_round` sends the same messages from a
:class:`session_client.StreamlitSession`, with the client's own values (account, password,
street, community, grid, member) where the recording has the recording account's, each value
checked against the options the server offered; it fetches the layer files the browser fetched
in that step (by name, from the URLs of the client's own map, once per URL)."""

from __future__ import annotations

import base64
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from session_client import Run, StreamlitSession, widget_key
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState

PASSWORD = "load-test-2026"
QUERY = "家园"
REASON = "负载测试"
ACCOUNT_PREFIX = "load"
RECORDER = f"{ACCOUNT_PREFIX}-rec"
FIRST_ROUND_ONLY = ("open", "sign_in")  # later rounds start at the search
DONE_TEXT = "已保存"  # grids.edit.done: "已保存 {n} 名党员的调整"
SIGNED_IN_TEXT = "当前账号"  # auth.signed_in_as
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DRAWN = "() => !!window.hongtuDrawn && window.hongtuDrawn.compounds > 0"


@dataclass
class Plan:
    """One session's values: its account and the member it moves between grids a and b."""

    account: str
    street: str
    community: str
    grid_a: tuple[str, str]  # (id, name)
    grid_b: tuple[str, str]
    member: tuple[str, str]  # (id, name), in grid b at the start

    def labels(self, round_no: int = 0) -> dict[str, str]:
        """widget key -> the value the page shows for this plan's choice in ``round_no``
        (even rounds move the member from b to a, odd rounds back)."""
        into, out = (self.grid_a, self.grid_b) if round_no % 2 == 0 else (self.grid_b, self.grid_a)
        grid = f"{into[1]} ({into[0]})"
        return {"sign_in_name": self.account, "sign_in_password": PASSWORD,
                "grids_street": self.street, "grids_community": self.community,
                "grids_grid": grid, "grids_target": grid,
                "grids_members": f"{self.member[0]} · {self.member[1]} · {out[1]}"}


def make_plans(store, count: int) -> list[Plan]:
    """``count`` plans over the store's communities with two or more grids, each moving its
    own member (plan 0 is the recording's)."""
    grids = store.load("grids").sort_values("id")
    members = store.load("members").sort_values("id")
    names = {**dict(zip(store.load("streets")["id"], store.load("streets")["name"])),
             **dict(zip(store.load("communities")["id"], store.load("communities")["name"]))}
    counts = members["grid_id"].value_counts()
    pairs = []  # (street, community, grid a, grid b): b the community's grid with most members
    for (street, community), group in grids.groupby(["street_id", "community_id"]):
        group = group.assign(n=group["id"].map(counts).fillna(0)).sort_values(["n", "id"])
        if len(group) >= 2 and group.iloc[-1]["n"] >= 4:
            pairs.append((street, community, group.iloc[0], group.iloc[-1]))
    plans = []
    for i in range(count):
        street, community, a, b = pairs[i % len(pairs)]
        in_b = members[members["grid_id"] == b["id"]]
        member = in_b.iloc[i // len(pairs)]
        plans.append(Plan(account=RECORDER if i == 0 else f"{ACCOUNT_PREFIX}-{i:03d}",
                          street=names[street], community=names[community],
                          grid_a=(a["id"], a["name"]), grid_b=(b["id"], b["name"]),
                          member=(member["id"], member["name"])))
    return plans


def make_accounts(store, plans: list[Plan], rounds: int | None = None) -> int:
    """Org accounts for the plans (missing ones only); bcrypt at the configured cost unless
    ``rounds`` (the cost decides what a sign-in costs the server)."""
    from geo import auth

    made = 0
    for plan in plans:
        if auth.find_account(store, plan.account) is None:
            auth.add_user(store, plan.account, "org", PASSWORD, actor="bench_sessions",
                          rounds=rounds)
            made += 1
    return made


# ---------------------------------------------------------------------------- recording
@dataclass
class Step:
    name: str
    messages: list[bytes] = field(default_factory=list)  # serialized BackMsg
    layers: list[str] = field(default_factory=list)  # layer file names the browser fetched


def save(steps: list[Step], path: Path) -> None:
    path.write_text(json.dumps([{"name": s.name, "layers": s.layers, "messages": [
        base64.b64encode(m).decode() for m in s.messages]} for s in steps], indent=1))


def load(path: Path) -> list[Step]:
    return [Step(s["name"], [base64.b64decode(m) for m in s["messages"]], s["layers"])
            for s in json.loads(Path(path).read_text())]


def record(base: str, plan: Plan, browser=None, every_map: bool = True) -> list[Step]:
    """Run the task in headless Chromium as ``plan`` (in ``browser``, a Playwright sync
    Browser, else a Debian Chromium of its own); the messages and layer files per step.
    ``every_map``: wait for the map after each overview step, so that each step's layer
    files are the ones its map fetched (else only after the sign-in: quicker, for tests)."""
    if browser is None:
        from fixtures_browser import CHROMIUM, CHROMIUM_ARGS
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                return record(base, plan, own, every_map)
            finally:
                own.close()
    from fixtures_browser import sign_in, wait_for_app

    steps: list[Step] = []
    labels = plan.labels(0)

    def sent(payload) -> None:
        if isinstance(payload, bytes):
            message = BackMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                steps[-1].messages.append(payload)

    def requested(request) -> None:
        if "/hongtu/layers/" in request.url and steps:
            name = request.url.split("#")[0].rsplit("/", 1)[1][:-5]
            if name not in steps[-1].layers:
                steps[-1].layers.append(name)

    def map_drawn(page, needed: bool = True) -> None:
        """Wait until the map (a new document after a rerun) drew its layers."""
        wait_for_app(page)
        if not needed:
            return
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:  # the iframe's document is replaced when the map changes: look it up anew
                frame = page.locator(MAP_FRAME).first.element_handle(timeout=5_000)
                if frame.content_frame().evaluate(DRAWN):
                    return
            except Exception:  # noqa: BLE001, S110 - the frame went away mid-call: look again
                pass
            page.wait_for_timeout(100)
        raise TimeoutError("the map was not drawn")

    def pick(page, key: str, option: str) -> None:
        box = page.locator(f".st-key-{key} input")  # by widget key: labels change
        box.click()
        box.fill(option.split(" ")[0])
        page.get_by_role("option", name=option, exact=True).click()
        wait_for_app(page)

    context = browser.new_context(viewport={"width": 1600, "height": 1000},
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        context.on("request", requested)
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.on("websocket", lambda ws: ws.on("framesent", sent))
        steps.append(Step("open"))
        page.goto(f"{base}/overview")
        wait_for_app(page)
        steps.append(Step("sign_in"))
        sign_in(page, plan.account, PASSWORD)
        map_drawn(page)
        steps.append(Step("search"))
        page.locator(".st-key-ov_query input").fill(QUERY)
        page.keyboard.press("Enter")
        map_drawn(page, every_map)
        steps.append(Step("open_panel"))
        page.locator(".st-key-ov_hit input").click()
        page.get_by_role("option").nth(1).click()
        map_drawn(page, every_map)
        steps.append(Step("filter"))
        page.locator(".st-key-ov_indicator input").click()
        page.get_by_role("option").nth(1).click()
        map_drawn(page, every_map)
        steps.append(Step("grids_page"))
        page.locator('[data-testid="stSidebarNav"] a[href$="/grids"]').click()
        wait_for_app(page)
        for name in ("street", "community", "grid"):
            steps.append(Step(name))
            pick(page, f"grids_{name}", labels[f"grids_{name}"])
        steps.append(Step("reassign"))
        box = page.locator(".st-key-grids_members input")
        box.click()
        box.fill(plan.member[0])
        page.get_by_role("option").filter(has_text=labels["grids_members"]).first.click()
        page.keyboard.press("Escape")
        page.locator(".st-key-grids_reason input").fill(REASON)
        page.get_by_role("button", name="保存调整").click()
        page.get_by_text(DONE_TEXT).first.wait_for()
        wait_for_app(page)
    finally:
        context.close()
    empty = [s.name for s in steps if not s.messages]
    if empty:
        raise RuntimeError(f"the browser sent nothing in steps {empty}")
    return steps


# ---------------------------------------------------------------------------- replay
class ReplayMismatch(Exception):
    """The server's page no longer matches the recording (re-record after changing the app)."""


def client_state(raw: bytes, base: str, recorded: dict, mine: dict, widgets: dict) -> ClientState:
    """The recorded rerun request with this client's values and address. A value is replaced
    where it is the recording plan's; the replacement must be one of the options the server
    offered for that widget in this session (when it showed the widget)."""
    message = BackMsg()
    message.ParseFromString(raw)
    state = ClientState()
    state.CopyFrom(message.rerun_script)
    if state.context_info.url:
        path = state.context_info.url.split("/", 3)[3] if state.context_info.url.count("/") > 2 \
            else ""
        state.context_info.url = f"{base}/{path}"
    for widget in state.widget_states.widgets:
        key = widget_key(widget.id)
        if key not in recorded:
            continue
        kind = widget.WhichOneof("value")
        if kind == "string_value" and widget.string_value == recorded[key]:
            widget.string_value = mine[key]
            _check_option(widgets, key, mine[key])
        elif kind == "string_array_value":
            values = [mine[key] if v == recorded[key] else v for v in widget.string_array_value.data]
            del widget.string_array_value.data[:]
            widget.string_array_value.data.extend(values)
            for value in values:
                _check_option(widgets, key, value)
    return state


def _check_option(widgets: dict, key: str, value: str) -> None:
    shown = widgets.get(key)
    if shown is None or not hasattr(shown[1], "options"):
        return
    if value not in list(shown[1].options):
        raise ReplayMismatch(f"{key}: {value!r} is not among the {len(shown[1].options)} "
                             "options the server offered")


@dataclass
class Timing:
    step: str
    seconds: float
    ok: bool
    error: str = ""
    at: float = field(default_factory=time.monotonic)  # when the run finished


async def replay_round(session: StreamlitSession, steps: list[Step], recorded: Plan,
                       plan: Plan, round_no: int, think_s: float, rng: random.Random,
                       timings: list[Timing], opening: bool = True,
                       deadline: float | None = None) -> bool:
    """One round of the task in ``session`` (just opened when ``opening``: then the round
    starts with the page load and the sign-in), appending one :class:`Timing` per request
    sent. Think time (``think_s`` x 0.5-1.5) comes before every step but the first. True when
    the round was completed (not cut by ``deadline``); raises
    :class:`session_client.SessionDropped`."""
    widgets: dict = {}
    first = True
    for step in steps:
        if not opening and step.name in FIRST_ROUND_ONLY:
            continue
        if deadline is not None and time.monotonic() > deadline:
            return False
        if not first:
            await _sleep(think_s * rng.uniform(0.5, 1.5))
        first = False
        for raw in step.messages:
            state = client_state(raw, session.base, recorded.labels(0), plan.labels(round_no),
                                 widgets)
            run = await session.rerun(state)
            widgets.update(run.widgets)
            timings.append(_judge(step.name, run))
            if run.nonces:
                unclaimed = len(session.unclaimed)
                await session.claim_cookie(run)
                if len(session.unclaimed) > unclaimed and timings[-1].ok:
                    timings[-1].ok, timings[-1].error = False, "sign-in cookie not claimed"
            failed = await session.fetch_layers(step.layers, run)
            if failed and timings[-1].ok:  # the step's map misses layers: the step failed
                timings[-1].ok, timings[-1].error = False, f"{len(failed)} layer files: {failed[0]}"
    return True


def _judge(step: str, run: Run) -> Timing:
    if run.exceptions:
        return Timing(step, run.seconds, False, run.exceptions[0])
    if step == "reassign" and not any(DONE_TEXT in t for t in run.texts):
        alerts = [t for t in run.texts if "⛔" in t or "修改" in t][:1]
        return Timing(step, run.seconds, False, f"no '{DONE_TEXT}' after the move {alerts}")
    if step == "sign_in" and not any(SIGNED_IN_TEXT in t for t in run.texts):
        return Timing(step, run.seconds, False, "not signed in")
    return Timing(step, run.seconds, True)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(max(0.0, seconds))
