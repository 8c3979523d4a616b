"""The orders-and-cases page: KPI cards on the sample, an order created through the form and
moved along its workflow changes the KPIs and the map layer; masking and read-only roles; and a
real-browser run of the same story."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import auth
from geo import workflow as wf
from geo.store import ENV_URL

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "orders.py")
ACCOUNT_KEY = "hongtu_account"  # components.session.ACCOUNT_KEY


@pytest.fixture
def page_store(writable_sample_store, monkeypatch):
    monkeypatch.setenv(ENV_URL, writable_sample_store.url)
    return writable_sample_store


def _open(account: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    if account:
        at.session_state[ACCOUNT_KEY] = account
    return at.run()


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _map_count(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("地图显示"))


def test_order_created_and_moved_along_changes_the_kpis(page_store):
    auth.add_user(page_store, "org1", "org", "secret-pass-1", rounds=4)
    at = _open("org1")
    assert not at.exception
    cards = _metrics(at)
    assert cards["办结事件满意率"] == "98.35%" and cards["投诉量同比"] == "-31.7%"
    assert cards["微心愿已圆梦"] == "574" and cards["联席会议(2021年9月以来)"] == "144"
    assert cards["小区信息公开率"] == "73.5%"
    assert cards["未办结 工单 / 事件"] == "13 / 9"
    assert _map_count(at) == "地图显示未办结 22 项(工单 13,事件 9)"

    at.selectbox(key="orders_new_order_category").set_value("微心愿")
    at.selectbox(key="orders_new_order_compound").set_value("C001")
    at.text_input(key="orders_new_order_name").set_value("王小红")
    at.text_input(key="orders_new_order_phone").set_value("13912345678")
    at.text_area(key="orders_new_order_text").set_value("希望添置一台助听器")
    at.button(key="orders_new_order_submit").click().run()
    assert not at.exception
    created = page_store.load(wf.ORDERS, where={"compound_id": "C001", "status": "created"})
    new_id = created.loc[created["text"] == "希望添置一台助听器", "id"].item()
    assert at.selectbox(key="orders_item").value == new_id
    assert _metrics(at)["未办结 工单 / 事件"] == "14 / 9"
    assert _map_count(at) == "地图显示未办结 23 项(工单 14,事件 9)"
    buttons = {b.key for b in at.button}
    assert {"orders_do_dispatch", "orders_do_cancel"} <= buttons
    assert not {"orders_do_take", "orders_do_complete", "orders_do_rate"} & buttons

    at.selectbox(key="orders_act_alliance").set_value("A02")
    at.button(key="orders_do_dispatch").click().run()
    member = page_store.load("members", where={"compound_id": "C001"})["id"].iloc[0]
    at.selectbox(key="orders_act_member").set_value(member)
    at.button(key="orders_do_take").click().run()
    at.button(key="orders_do_complete").click().run()
    assert not at.exception and not at.error
    row = page_store.load(wf.ORDERS, where={"id": new_id}).iloc[0]
    assert (row["status"], row["party_alliance_id"], row["member_id"]) == ("done", "A02", member)
    assert _metrics(at)["微心愿已圆梦"] == "575"
    assert _metrics(at)["未办结 工单 / 事件"] == "13 / 9"
    assert {"orders_do_rate"} == {b.key for b in at.button if b.key.startswith("orders_do_")}
    events = page_store.load(wf.EVENTS, where={"object_id": new_id})
    assert sorted(events["to_status"]) == ["created", "dispatched", "done", "taken"]
    assert set(events["actor"]) == {"org1"}


def test_case_escalation_through_the_page_refuses_nothing_valid(page_store):
    auth.add_user(page_store, "org1", "org", "secret-pass-1", rounds=4)
    at = _open("org1")
    at.selectbox(key="orders_new_case_category").set_value("高空抛物")
    at.selectbox(key="orders_new_case_compound").set_value("C002")
    at.text_area(key="orders_new_case_text").set_value("楼上住户抛掷杂物")
    at.button(key="orders_new_case_submit").click().run()
    at.button(key="orders_do_accept").click().run()
    at.button(key="orders_do_escalate").click().run()  # no reason: refused, clearly
    assert any("须填写上报理由" in e.value for e in at.error)
    at.text_input(key="orders_act_reason").set_value("需社区协调")
    at.button(key="orders_do_escalate").click().run()
    assert not at.error
    case_id = at.selectbox(key="orders_item").value
    row = page_store.load(wf.CASES, where={"id": case_id}).iloc[0]
    assert (row["status"], row["level"], row["source"]) == ("escalated", "community", "complaint")


def test_demo_viewer_sees_masked_requesters_and_no_forms(page_store):
    at = _open()
    assert not at.exception
    assert "orders_new_order_submit" not in {b.key for b in at.button}
    at.toggle(key="orders_f_open").set_value(False)
    at.multiselect(key="orders_f_type").set_value(["order"])
    at.run()
    item_id = at.selectbox(key="orders_item").value
    order = page_store.load(wf.ORDERS, where={"id": item_id}).iloc[0]
    shown = " ".join(t.value for t in at.text)
    assert order["requester_phone"] not in shown
    assert f"{order['requester_phone'][:3]}****{order['requester_phone'][-4:]}" in shown
    assert any("只能查看" in c.value for c in at.caption)


# the popups of every clustered item of a map: what it draws (not its script)
DRAWN_ITEMS = """() => {
  if (!window.map) { return null; }
  const out = [];
  window.map.eachLayer(l => {
    if (l instanceof L.MarkerClusterGroup) {
      l.getLayers().forEach(m => { if (m.getPopup()) { out.push(String(m.getPopup().getContent())); } });
    }
  });
  return out.join('\\n');
}"""


def _map_frames(page) -> list[dict]:
    from fixtures_browser import FOLIUM_IFRAME
    frames = []
    for i in range(page.locator(FOLIUM_IFRAME).count()):
        iframe = page.locator(FOLIUM_IFRAME).nth(i)
        frame = iframe.element_handle().content_frame()
        drawn = frame.evaluate(DRAWN_ITEMS) if frame else None
        frames.append({"visible": iframe.is_visible(), "drawn": drawn or "",
                       "map": drawn is not None, "frame": frame})
    return frames


def _wait_for_map(page, item_id: str, present: bool, seconds: float = 90):
    """Wait until the map draws the item (``present``), or no visible map does; return the
    frame of the map. The map's script holds no item (the items are its feature group), so it
    stays one iframe. It used to be re-created after a new order: the order's notice was a new
    element above the tabs, which moved them and re-mounted the map (see views/orders.py's
    ``notice_slot``); a map re-created in a hidden tab sometimes never showed the new order.
    A screenshot is kept when it does not follow."""
    from fixtures_browser import ARTIFACTS
    frames = []
    for _ in range(int(seconds * 2)):
        try:
            frames = _map_frames(page)
        except Exception:  # noqa: BLE001 - a frame navigating: look again
            frames = []
        holding = [f for f in frames if item_id in f["drawn"]]
        if frames and (holding if present else not [f for f in holding if f["visible"]]):
            return (holding or frames)[0]["frame"]
        page.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"orders-map-{item_id}-{'present' if present else 'gone'}.png"
    page.screenshot(path=str(shot), full_page=True)
    seen = [{k: v for k, v in f.items() if k not in ("drawn", "frame")}
            | {"has_item": item_id in f["drawn"]} for f in frames]
    raise AssertionError(f"map {'lacks' if present else 'still shows'} {item_id} after "
                         f"{seconds:.0f} s: {seen}; {shot}")


@pytest.mark.browser
def test_browser_order_lifecycle_changes_kpi_and_map(streamlit_app, page, writable_sample_store):
    """Sign in, create an order in a compound, dispatch, take and complete it in real Chromium;
    the wishes card and the map layer follow."""
    from fixtures_browser import wait_for_app
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # two shared cores: reruns can take a while
    store = writable_sample_store
    auth.add_user(store, "org1", "org", "secret-pass-1", rounds=4)
    page.goto(streamlit_app.start(store.url))
    page.get_by_label("账号").fill("org1")
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工单与事件").click()
    wait_for_app(page)
    wishes = page.locator('[data-testid="stMetric"]').filter(has_text="微心愿已圆梦")
    expect(wishes).to_contain_text("574")
    expect(page.get_by_text("地图显示未办结 22 项(工单 13,事件 9)")).to_be_visible()
    before = _wait_for_map(page, "SO", present=True)  # drawn: some open order
    zoom = before.evaluate("() => { window.map.setZoom(window.map.getZoom() + 1,"
                           " {animate: false}); return window.map.getZoom(); }")

    page.get_by_role("tab", name="新建").click()
    page.get_by_label("居民姓名").fill("王小红")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("内容").first.fill("希望添置一台助听器")
    page.get_by_role("button", name="提交点单").click()
    expect(page.get_by_text(re.compile(r"已创建 SO"))).to_be_visible()
    created = store.load(wf.ORDERS, where={"requester_phone": "13912345678"})
    new_id = created["id"].item()
    compound = store.load(wf.ORDERS, where={"id": new_id})["compound_id"].item()
    expect(page.get_by_text(f"已创建 {new_id}")).to_be_visible()
    page.get_by_role("tab", name="地图与队列").click()
    expect(page.get_by_text("地图显示未办结 23 项(工单 14,事件 9)")).to_be_visible()
    after = _wait_for_map(page, new_id, present=True)
    assert after.evaluate("() => window.map.getZoom()") == zoom  # the same map: zoom kept

    def step(button: str) -> None:
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_text(f"{new_id}:已{button}")).to_be_visible()
        wait_for_app(page)
        page.get_by_role("tab", name="详情与处理").click()

    page.get_by_role("tab", name="详情与处理").click()
    step("联盟派单")  # the compound's alliance is preset
    page.get_by_role("combobox", name="接单党员").click()
    page.get_by_role("option").nth(1).click()
    step("党员接单")
    step("办结")
    expect(wishes).to_contain_text("575")
    page.get_by_role("tab", name="地图与队列").click()
    expect(page.get_by_text("地图显示未办结 22 项(工单 13,事件 9)")).to_be_visible()
    _wait_for_map(page, new_id, present=False)
    row = store.load(wf.ORDERS, where={"id": new_id}).iloc[0]
    assert (row["status"], row["compound_id"]) == ("done", compound)
