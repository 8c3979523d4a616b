"""State machines of service orders and cases: every valid transition works, every invalid one
is refused with a clear message, times are monotonic, escalation skips no level, and each
transition is one store transaction (row + workflow event + audit row)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

from geo import clock
from geo import workflow as wf
from geo.store import ConflictError, open_store

T0 = pd.Timestamp("2022-04-20 09:00")
PARAMS = {
    "dispatch": {"party_alliance_id": "A1"}, "take": {"member_id": "M1"}, "rate": {"rating": 5},
    "escalate": {"reason": "小区层面无法解决"}, "close": {"satisfied": True},
    "record_satisfaction": {"satisfied": False}, "accept": {"handler": "instructor"},
}


def _row(layer: str, status: str, **extra) -> dict:
    start = "created_at" if layer == wf.ORDERS else "reported_at"
    row = {"id": "X1", "status": status, start: T0, "version": 1}
    if layer == wf.CASES:
        row |= {"level": "community", "satisfied": None}
    return row | extra


ALL = [(layer, state, action) for layer, states in ((wf.ORDERS, wf.ORDER_STATUSES),
                                                    (wf.CASES, wf.CASE_STATUSES))
       for state in states for action in wf.TRANSITIONS[layer]]
VALID = [c for c in ALL if c[1] in wf.TRANSITIONS[c[0]][c[2]].sources]
INVALID = [c for c in ALL if c not in VALID]


def test_transition_tables_are_complete():
    assert len(VALID) == 12 and len(INVALID) == 34
    assert wf.next_actions(wf.ORDERS, _row(wf.ORDERS, "created")) == ["dispatch", "cancel"]
    assert wf.next_actions(wf.CASES, _row(wf.CASES, "accepted")) == ["escalate", "close"]
    assert wf.next_actions(wf.CASES, _row(wf.CASES, "escalated", level="district")) == ["close"]
    assert wf.next_actions(wf.CASES, _row(wf.CASES, "closed", satisfied=True)) == []


@pytest.mark.parametrize(("layer", "state", "action"), VALID)
def test_every_valid_transition_works(layer, state, action):
    at = T0 + pd.Timedelta(hours=2)
    changes, event = wf.plan(layer, _row(layer, state), action, at, **PARAMS.get(action, {}))
    target = wf.TRANSITIONS[layer][action].target
    assert changes.get("status", state) == (target or state)
    assert event["from_status"] == state and event["to_status"] == (target or state)
    assert event["at"] == at and event["object_id"] == "X1"
    column = wf.TRANSITIONS[layer][action].time_column
    if column:
        assert changes[column] == at


@pytest.mark.parametrize(("layer", "state", "action"), INVALID)
def test_every_invalid_transition_is_refused_with_a_clear_message(layer, state, action):
    with pytest.raises(wf.WorkflowError) as err:
        wf.plan(layer, _row(layer, state), action, T0 + pd.Timedelta(hours=2),
                **PARAMS.get(action, {}))
    message = str(err.value)
    zh_state, en_state = wf.STATE_NAMES[state]
    zh_action, en_action = wf.ACTION_NAMES[action]
    assert "X1" in message and zh_state in message and en_state in message
    assert zh_action in message and en_action in message and " | " in message


def test_order_walks_the_whole_flow_in_order():
    row = _row(wf.ORDERS, "created")
    for hours, action in enumerate(("dispatch", "take", "complete", "rate"), start=1):
        changes, _ = wf.plan(wf.ORDERS, row, action, T0 + pd.Timedelta(hours=hours),
                             **PARAMS.get(action, {}))
        row |= changes
    assert row["status"] == "rated" and row["rating"] == 5 and row["member_id"] == "M1"
    assert row["rated_at"] - row["created_at"] == pd.Timedelta(hours=4)


def test_times_are_monotonic():
    row = _row(wf.ORDERS, "dispatched", dispatched_at=T0 + pd.Timedelta(hours=3))
    with pytest.raises(wf.WorkflowError, match="早于上一步.*before the previous step"):
        wf.plan(wf.ORDERS, row, "take", T0 + pd.Timedelta(hours=2), member_id="M1")
    changes, _ = wf.plan(wf.ORDERS, row, "take", T0 + pd.Timedelta(hours=3), member_id="M1")
    assert changes["status"] == "taken"  # the same minute as the previous step is fine
    with pytest.raises(wf.WorkflowError):  # escalation events count as steps too
        wf.plan(wf.CASES, _row(wf.CASES, "escalated"), "close", T0 + pd.Timedelta(hours=1),
                previous=T0 + pd.Timedelta(hours=5))


def test_escalation_goes_one_level_at_a_time_and_never_skips():
    row = _row(wf.CASES, "accepted", level="compound", accepted_at=T0)
    with pytest.raises(wf.WorkflowError, match="只能逐级上报.*not street"):
        wf.plan(wf.CASES, row, "escalate", T0, to_level="street", reason="r")
    with pytest.raises(wf.WorkflowError, match="reason is required"):
        wf.plan(wf.CASES, row, "escalate", T0, reason="  ")
    levels, handlers = [], []
    for hours in (1, 2, 3):
        changes, event = wf.plan(wf.CASES, row, "escalate", T0 + pd.Timedelta(hours=hours),
                                 reason="上报", previous=T0 + pd.Timedelta(hours=hours - 1))
        row |= changes
        levels.append(event["level"])
        handlers.append(changes["handler"])
    assert levels == ["community", "street", "district"]
    assert handlers == ["instructor", "joint_duty_station", "department"]
    with pytest.raises(wf.WorkflowError, match="already at district level"):
        wf.plan(wf.CASES, row, "escalate", T0 + pd.Timedelta(hours=9), reason="r")


@pytest.mark.parametrize("rating", [0, 6, 4.5, "5", None, True])
def test_rating_must_be_an_integer_from_1_to_5(rating):
    with pytest.raises(wf.WorkflowError, match="rating must be an integer 1-5"):
        wf.plan(wf.ORDERS, _row(wf.ORDERS, "done"), "rate", T0, rating=rating)


def test_required_parameters():
    with pytest.raises(wf.WorkflowError, match="alliance or a volunteer team"):
        wf.plan(wf.ORDERS, _row(wf.ORDERS, "created"), "dispatch", T0)
    changes, _ = wf.plan(wf.ORDERS, _row(wf.ORDERS, "created"), "dispatch", T0,
                         volunteer_team_id="V1")
    assert changes["volunteer_team_id"] == "V1" and changes["party_alliance_id"] is None
    with pytest.raises(wf.WorkflowError, match="member taking it"):
        wf.plan(wf.ORDERS, _row(wf.ORDERS, "dispatched"), "take", T0)
    closed = _row(wf.CASES, "closed", satisfied=True)
    with pytest.raises(wf.WorkflowError, match="already recorded"):
        wf.plan(wf.CASES, closed, "record_satisfaction", T0, satisfied=False)


# ---------------------------------------------------------------- through the store
@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "t.gpkg")
    square = Polygon([(121.26, 28.64), (121.27, 28.64), (121.27, 28.65), (121.26, 28.65)])
    compounds = gpd.GeoDataFrame({
        "id": ["C1"], "name": ["书香园"], "street_id": ["S1"], "community_id": ["Q1"],
        "grid_id": ["G1"], "households": [300], "buildings": [6],
    }, geometry=[square], crs="EPSG:4326")
    with store.transaction() as tx:
        tx.replace("compounds", compounds)
    return store


def test_order_through_the_store_writes_row_event_and_audit_together(store):
    order = wf.create_order(store, category="微心愿", compound_id="C1", requester_name="张小明",
                            requester_phone="13812341234", text="需要学习用品", actor="alice",
                            at=T0)
    assert order["grid_id"] == "G1" and order["status"] == "created"
    for hours, action in enumerate(("dispatch", "take", "complete", "rate"), start=1):
        wf.advance(store, wf.ORDERS, order["id"], action, actor="alice",
                   at=T0 + pd.Timedelta(hours=hours), **PARAMS.get(action, {}))
    row = store.load(wf.ORDERS).iloc[0]
    assert (row["status"], row["version"], row["rating"]) == ("rated", 5, 5)
    events = store.load(wf.EVENTS).sort_values("at")
    assert list(events["to_status"]) == ["created", "dispatched", "taken", "done", "rated"]
    audit = store.load(wf.AUDIT)
    assert len(audit) == 5 and set(audit["account"]) == {"alice"}
    assert sorted(audit["action"]) == ["workflow.complete", "workflow.create", "workflow.dispatch",
                                      "workflow.rate", "workflow.take"]


def test_refused_or_conflicting_transition_leaves_the_store_unchanged(store):
    case = wf.create_case(store, category="高空抛物", source="complaint", compound_id="C1",
                          text="楼上抛物", actor="bob", at=T0)
    wf.advance(store, wf.CASES, case["id"], "accept", actor="bob", at=T0 + pd.Timedelta(hours=1))
    before = store.checksum()
    with pytest.raises(wf.WorkflowError):
        wf.advance(store, wf.CASES, case["id"], "escalate", actor="bob", to_level="district",
                   reason="r", at=T0 + pd.Timedelta(hours=2))
    with pytest.raises(wf.WorkflowError):  # earlier than the acceptance
        wf.advance(store, wf.CASES, case["id"], "close", actor="bob", at=T0)
    with pytest.raises(ConflictError):
        wf.advance(store, wf.CASES, case["id"], "close", actor="bob", expected_version=1,
                   at=T0 + pd.Timedelta(hours=2))
    assert store.checksum() == before
    wf.advance(store, wf.CASES, case["id"], "escalate", actor="bob", reason="需社区协调",
               at=T0 + pd.Timedelta(hours=2))
    with pytest.raises(wf.WorkflowError):  # before the escalation event
        wf.advance(store, wf.CASES, case["id"], "close", actor="bob",
                   at=T0 + pd.Timedelta(minutes=90))
    row = wf.advance(store, wf.CASES, case["id"], "close", actor="bob", satisfied=True,
                     at=T0 + pd.Timedelta(hours=30))
    assert (row["status"], row["level"], row["satisfied"]) == ("closed", "community", True)
    events = store.load(wf.EVENTS).sort_values("at")
    assert list(events["level"]) == ["compound", "compound", "community", "community"]
    assert events.iloc[2]["note"] == "需社区协调"


def test_roles_are_checked_when_a_principal_acts(store):
    from geo import auth

    org = auth.Principal("org1", auth.Role.ORG)
    leader = auth.Principal("lead1", auth.Role.GRID_LEADER, frozenset({"G9"}))
    with pytest.raises(auth.PermissionDenied, match="not allowed"):
        wf.create_order(store, category="微心愿", compound_id="C1", requester_name="张三",
                        requester_phone="13812341234", text="x", principal=auth.DEMO, at=T0)
    with pytest.raises(auth.PermissionDenied, match="only in assigned grids"):
        wf.create_case(store, category="高空抛物", source="patrol", compound_id="C1", text="x",
                       principal=leader, at=T0)
    assert store.load(wf.ORDERS).empty and store.load(wf.CASES).empty
    refusals = store.load(wf.AUDIT)
    assert list(refusals["outcome"]) == ["refused", "refused"]
    case = wf.create_case(store, category="高空抛物", source="patrol", compound_id="C1",
                          text="x", principal=org, at=T0)
    wf.advance(store, wf.CASES, case["id"], "accept", principal=org, at=T0)
    assert set(store.load(wf.EVENTS)["actor"]) == {"org1"}


# ---------------------------------------------------------------- step times and the clock
def test_steps_default_to_now_in_order_and_the_audit_keeps_the_real_time(store):
    """create → 派单 → 接单 → 办结 → 评价 with no time given: each step is stamped with the
    clock at that moment (UTC), the timeline is in step order, and the audit rows carry the
    server's time of each write even when a business time is entered afterwards."""
    order_steps = ("dispatch", "take", "complete", "rate")
    start = pd.Timestamp("2024-06-03 01:00")
    with clock.frozen(start):
        order = wf.create_order(store, category="微心愿", compound_id="C1", requester_name="张三",
                                requester_phone="13812341234", text="x", actor="alice")
    for minutes, action in zip((7, 19, 45, 80), order_steps):
        with clock.frozen(start + pd.Timedelta(minutes=minutes)):
            wf.advance(store, wf.ORDERS, order["id"], action, actor="alice",
                       **PARAMS.get(action, {}))
    events = store.load(wf.EVENTS).sort_values(["at", "id"])
    assert list(events["to_status"]) == ["created", "dispatched", "taken", "done", "rated"]
    assert list(events["at"]) == [start + pd.Timedelta(minutes=m) for m in (0, 7, 19, 45, 80)]
    assert list(events.sort_values("id")["to_status"]) == list(events["to_status"])  # ties too
    row = store.load(wf.ORDERS).iloc[0]
    assert row["rated_at"] == start + pd.Timedelta(minutes=80)

    # a later, back-dated business time (recorded now) lands in the row, not in the audit
    case = wf.create_case(store, category="高空抛物", source="patrol", compound_id="C1",
                          text="x", actor="bob", at=start)
    with clock.frozen("2024-06-05 12:00"):
        wf.advance(store, wf.CASES, case["id"], "accept", actor="bob", at="2024-06-04 08:00")
    accepted = store.load(wf.AUDIT, where={"action": "workflow.accept"}).iloc[0]
    assert accepted["at"] == pd.Timestamp("2024-06-05 12:00")
    assert store.load(wf.CASES).iloc[0]["accepted_at"] == pd.Timestamp("2024-06-04 08:00")


def test_business_times_before_the_previous_step_or_in_the_future_are_refused(store):
    with clock.frozen("2024-06-03 10:00"):
        order = wf.create_order(store, category="微心愿", compound_id="C1", requester_name="张三",
                                requester_phone="13812341234", text="x", actor="alice")
        with pytest.raises(wf.WorkflowError) as early:
            wf.advance(store, wf.ORDERS, order["id"], "dispatch", actor="alice",
                       at="2024-06-03 09:59", party_alliance_id="A1")
        # both languages, shown on the users' clock (Asia/Shanghai: UTC+8)
        assert "早于上一步 2024-06-03 18:00 (Asia/Shanghai)" in str(early.value)
        assert "is before the previous step 2024-06-03 18:00" in str(early.value)
        with pytest.raises(wf.WorkflowError) as future:
            wf.advance(store, wf.ORDERS, order["id"], "dispatch", actor="alice",
                       at="2024-06-03 10:05", party_alliance_id="A1")
        assert "晚于当前时间 2024-06-03 18:00" in str(future.value)
        assert "is in the future" in str(future.value)
        with pytest.raises(wf.WorkflowError, match="in the future"):
            wf.create_case(store, category="高空抛物", source="patrol", compound_id="C1",
                           text="x", actor="bob", at="2024-06-04 10:00")
        # a tz-aware time is converted, not read as UTC wall clock
        wf.advance(store, wf.ORDERS, order["id"], "dispatch", actor="alice",
                   at=pd.Timestamp("2024-06-03 18:00", tz="Asia/Shanghai"),
                   party_alliance_id="A1")
    assert store.load(wf.ORDERS).iloc[0]["dispatched_at"] == pd.Timestamp("2024-06-03 10:00")
