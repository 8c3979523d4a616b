"""Times and time zones with a frozen clock: stored UTC, shown Asia/Shanghai (configurable), ages
from one clock and never negative, workflow steps stamped when they happen (in step order), the
audit keeping the server's time, and back-dated or future step times refused on the page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import auth, clock
from geo import workflow as wf
from geo.store import ENV_URL

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "orders.py")
ACCOUNT_KEY = "hongtu_account"  # components.session.ACCOUNT_KEY
# 17:54 UTC is 01:54 the next day in Shanghai: the time of day at which the queue read -3.3 h
EVENING_UTC = pd.Timestamp("2026-12-01 17:54:00")


# ---------------------------------------------------------------- the clock itself
def test_conversions_follow_the_configured_zone(monkeypatch):
    stored = pd.Timestamp("2024-03-01 17:30")
    assert clock.zone_name() == "Asia/Shanghai"
    assert clock.to_local(stored) == pd.Timestamp("2024-03-02 01:30")
    assert clock.from_local(pd.Timestamp("2024-03-02 01:30")) == stored
    assert clock.local_text(stored) == "2024-03-02 01:30" and clock.local_text(None) == "-"
    assert clock.to_local(pd.Series([stored, pd.NaT])).iloc[0] == pd.Timestamp("2024-03-02 01:30")
    monkeypatch.setenv(clock.ENV_ZONE, "Europe/London")
    assert clock.local_text(stored) == "2024-03-01 17:30"
    monkeypatch.setenv(clock.ENV_ZONE, "Mars/Olympus")
    with pytest.raises(ValueError, match="HONGTU_TIMEZONE"):
        clock.display_zone()


def test_frozen_clock_and_ages_never_negative():
    with clock.frozen("2024-03-01 08:00"):
        assert clock.now_utc() == pd.Timestamp("2024-03-01 08:00")
        with clock.frozen(pd.Timestamp("2024-03-01 16:00", tz="Asia/Shanghai")):
            assert clock.now_utc() == pd.Timestamp("2024-03-01 08:00")
    assert clock.now_utc() > pd.Timestamp("2025-01-01")
    started = pd.Series(pd.to_datetime(["2024-03-01 06:30", "2024-03-01 09:00", None]))
    ages = clock.age_hours(started, pd.Timestamp("2024-03-01 08:00"))
    assert ages.iloc[0] == 1.5 and ages.iloc[1] == 0.0 and pd.isna(ages.iloc[2])


@pytest.mark.parametrize("real_utc", ["2026-12-01 00:00", "2026-12-01 15:30", "2026-12-01 16:30",
                                      str(EVENING_UTC), "2026-12-01 23:59"])
def test_the_sample_clock_is_after_every_sample_record(sample_store, real_utc):
    """The sample's "now" (the day after its as-of date, at Huangyan's time of day) is after
    every generated record at any server time of day, so no age is negative."""
    latest = max(sample_store.load("service_orders")["created_at"].max(),
                 sample_store.load("cases")["reported_at"].max(),
                 sample_store.load(wf.EVENTS)["at"].max())
    with clock.frozen(real_utc):
        now = clock.business_now(sample_store.load("meta"))
    assert now > latest
    assert clock.to_local(now).date() == pd.Timestamp("2022-04-25").date()
    assert clock.to_local(now).time() == clock.to_local(pd.Timestamp(real_utc)).time()


# ---------------------------------------------------------------- the page
@pytest.fixture
def page_store(writable_sample_store, monkeypatch):
    monkeypatch.setenv(ENV_URL, writable_sample_store.url)
    auth.add_user(writable_sample_store, "org1", "org", "secret-pass-1", rounds=4)
    return writable_sample_store


def _open() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state[ACCOUNT_KEY] = "org1"
    return at.run()


def _queue(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "已历时(小时)" in d.value.columns)


def test_queue_ages_are_never_negative_and_times_are_shanghai(page_store):
    with clock.frozen(EVENING_UTC):
        at = _open()
        assert not at.exception
        queue = _queue(at)
        assert len(queue) and (queue["已历时(小时)"] >= 0).all()
        newest = page_store.load(wf.ORDERS).sort_values("created_at").iloc[-1]
        local = clock.to_local(newest["created_at"])
        shown = queue.loc[queue["编号"] == newest["id"], "发起时间"].item()
        assert shown == f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
        now = clock.business_now(page_store.load("meta"))
        expected = round((now - newest["created_at"]).total_seconds() / 3600, 1)
        assert queue.loc[queue["编号"] == newest["id"], "已历时(小时)"].item() == expected
        assert any("Asia/Shanghai" in c.value for c in at.caption)


def _act_keys(at, item_id: str, version: int) -> tuple[str, str]:
    stem = f"orders_act_at_{item_id}_{version}"
    return f"{stem}_date", f"{stem}_time"


def test_page_steps_are_stamped_when_they_happen_and_audited_with_the_real_time(page_store):
    """create → 派单 → 接单 → 办结 → 评价 a few minutes apart: every step gets its own time
    (not a stale default), the timeline lists them in order, the audit keeps the server's
    clock."""
    real = [EVENING_UTC + pd.Timedelta(minutes=m) for m in (0, 4, 9, 15, 22)]
    meta = page_store.load("meta")
    with clock.frozen(real[0]):
        at = _open()
        at.selectbox(key="orders_new_order_compound").set_value("C001")
        at.text_input(key="orders_new_order_name").set_value("王小红")
        at.text_input(key="orders_new_order_phone").set_value("13912345678")
        at.text_area(key="orders_new_order_text").set_value("希望添置一台助听器")
        at.button(key="orders_new_order_submit").click().run()
    item_id = at.selectbox(key="orders_item").value
    member = page_store.load("members", where={"compound_id": "C001"})["id"].iloc[0]
    steps = ("dispatch", "take", "complete", "rate")
    for version, (when, action) in enumerate(zip(real[1:], steps), start=1):
        with clock.frozen(when):
            if action == "dispatch":
                at.selectbox(key="orders_act_alliance").set_value("A02")
            if action == "take":
                at.selectbox(key="orders_act_member").set_value(member)
            date_key, time_key = _act_keys(at, item_id, version)
            assert at.date_input(key=date_key).value is None  # empty means now: nothing stale
            assert at.time_input(key=time_key).value is None
            at.button(key=f"orders_do_{action}").click().run()
            assert not at.exception and not at.error, [e.value for e in at.error]
    events = page_store.load(wf.EVENTS, where={"object_id": item_id})
    expected = []  # the sample's business clock at each real time
    for when in real:
        with clock.frozen(when):
            expected.append(clock.business_now(meta))
    by_time = events.sort_values(["at", "id"])
    assert list(by_time["to_status"]) == ["created", "dispatched", "taken", "done", "rated"]
    assert list(by_time["at"]) == expected
    timeline = next(d.value for d in at.dataframe if "环节" in d.value.columns)
    assert [s.split(" → ")[-1] for s in timeline["环节"]] == [
        "已点单", "已派单", "已接单", "已办结", "已评价"]
    assert list(timeline["时间"]) == [
        f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}" for t in clock.to_local(pd.Series(expected))]
    audit = page_store.load(wf.AUDIT)
    audit = audit[audit["object_id"] == item_id].sort_values("at")
    assert list(audit["at"]) == real  # the server's time of each write, never the business time


def test_page_refuses_back_dated_future_and_half_given_times(page_store):
    with clock.frozen(EVENING_UTC):
        at = _open()
        at.selectbox(key="orders_new_case_compound").set_value("C002")
        at.text_area(key="orders_new_case_text").set_value("楼上住户抛掷杂物")
        at.button(key="orders_new_case_submit").click().run()
        case_id = at.selectbox(key="orders_item").value
        created = page_store.load(wf.CASES, where={"id": case_id}).iloc[0]["reported_at"]
        local = clock.to_local(created)
        date_key, time_key = _act_keys(at, case_id, 1)

        at.date_input(key=date_key).set_value(local.date())
        at.button(key="orders_do_accept").click().run()
        assert any("请同时填写日期和时刻" in e.value for e in at.error)

        earlier = local - pd.Timedelta(hours=1)
        at.date_input(key=date_key).set_value(earlier.date())
        at.time_input(key=time_key).set_value(earlier.time())
        at.button(key="orders_do_accept").click().run()
        assert any("早于上一步" in e.value and "Asia/Shanghai" in e.value for e in at.error)

        later = local + pd.Timedelta(minutes=1)  # a minute after now: the future
        at.date_input(key=date_key).set_value(later.date())
        at.time_input(key=time_key).set_value(later.time())
        at.button(key="orders_do_accept").click().run()
        assert any("晚于当前时间" in e.value for e in at.error)
        assert page_store.load(wf.CASES, where={"id": case_id}).iloc[0]["status"] == "reported"

        at.date_input(key=date_key).set_value(local.date())
        at.time_input(key=time_key).set_value(local.time())
        at.button(key="orders_do_accept").click().run()
        assert not at.error
    row = page_store.load(wf.CASES, where={"id": case_id}).iloc[0]
    assert row["status"] == "accepted" and row["accepted_at"] == created.floor("min")


def test_an_order_made_after_local_midnight_has_that_local_date_in_id_and_as_of(page_store):
    """An order made at 01:54 Shanghai time (17:54 UTC the day before) is dated by the local
    day: its id and the page's "统计截至" both say the local date, not the UTC one."""
    meta = page_store.load("meta")
    with clock.frozen(EVENING_UTC):
        local_day = clock.to_local(clock.business_now(meta)).date()
        utc_day = clock.business_now(meta).date()
        assert local_day != utc_day  # the case this test is about
        at = _open()
        at.selectbox(key="orders_new_order_compound").set_value("C001")
        at.text_input(key="orders_new_order_name").set_value("王小红")
        at.text_input(key="orders_new_order_phone").set_value("13912345678")
        at.text_area(key="orders_new_order_text").set_value("希望添置一台助听器")
        at.button(key="orders_new_order_submit").click().run()
    assert not at.exception
    item_id = at.selectbox(key="orders_item").value
    assert item_id.startswith(f"SO{local_day:%Y%m%d}-")
    captions = [c.value for c in at.caption]
    assert any(f"统计截至 {local_day:%Y-%m-%d}" in c for c in captions), captions
