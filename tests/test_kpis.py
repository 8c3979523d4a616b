"""Outcome indicators: exact figures on a hand-made set, the article's figures on the sample,
and the activity generator's determinism on small hand-made frames."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from geo import clock, kpis
from geo.sample.activity import generate_activity
from geo.store.base import coerce

AS_OF = pd.Timestamp("2022-04-24")
H = pd.Timedelta(hours=1)


def _ts(text):
    return pd.Timestamp(text)


def _orders() -> pd.DataFrame:
    rows = [  # id, category, created, taken after h, done after h, status, rating
        ("O1", "微心愿", "2022-01-01", 2, 10, "done", None),
        ("O2", "助老服务", "2022-01-02", 4, 20, "rated", 4),
        ("O3", "微心愿", "2022-01-03", 6, 100, "rated", 5),
        ("O4", "微心愿", "2022-01-04", None, None, "created", None),
    ]
    return coerce("service_orders", pd.DataFrame([{
        "id": i, "category": c, "compound_id": "A", "status": s, "created_at": _ts(t),
        "taken_at": _ts(t) + h * H if h else None, "done_at": _ts(t) + d * H if d else None,
        "rating": r} for i, c, t, h, d, s, r in rows]))


def _cases() -> pd.DataFrame:
    rows = [  # id, source, compound, reported, accepted after h, closed after h, satisfied,
        # hard, meeting
        ("C1", "complaint", "A", "2022-03-01 00:00", 1, 24, True, False, "M1"),
        ("C2", "complaint", "B", "2021-04-24 23:00", 3, 48, False, False, None),
        ("C3", "complaint", "A", "2020-06-01 00:00", 2, 100, None, True, None),
        ("C4", "patrol", "B", "2022-04-20 00:00", 5, None, None, False, "M0"),
        ("C5", "complaint", "A", "2021-04-25 00:00", 4, 200, True, True, None),
        ("C6", "complaint", "B", "2020-12-01 00:00", 6, 10, True, False, None),
    ]
    return coerce("cases", pd.DataFrame([{
        "id": i, "source": s, "compound_id": c, "reported_at": _ts(t),
        "accepted_at": _ts(t) + a * H, "closed_at": _ts(t) + d * H if d else None,
        "status": "closed" if d else "accepted", "satisfied": sat, "hard_problem": hard,
        "joint_meeting_id": m, "category": "高空抛物", "level": "compound"}
        for i, s, c, t, a, d, sat, hard, m in rows]))


@pytest.fixture(autouse=True)
def wall_clock_zone(monkeypatch):
    """The hand-made times are written as the periods' wall clock: show them in UTC, so that
    stored (UTC) and displayed dates coincide (the zone conversion is tested below)."""
    monkeypatch.setenv(clock.ENV_ZONE, "UTC")


@pytest.fixture
def frames() -> dict:
    months = ["2021-06", "2021-07", "2021-08", "2022-01", "2022-02", "2022-03", "2022-04"]
    disclosed = {"2021-06": [1, 0, 0, 0], "2021-07": [0, 1, 0, 0], "2021-08": [0, 0, 1, 0],
                 "2022-01": [1, 1, 1, 1], "2022-02": [1, 1, 1, 0], "2022-03": [1, 1, 0, 1],
                 "2022-04": [1, 1, 1, 0]}
    return {
        "service_orders": _orders(), "cases": _cases(),
        "compounds": pd.DataFrame({"id": ["A", "B"], "name": ["甲苑", "乙园"],
                                   "street_id": ["S1", "S2"]}),
        "streets": pd.DataFrame({"id": ["S1", "S2"], "name": ["东城街道", "西城街道"],
                                 "code": ["331003001", "331003003"]}),
        "joint_meetings": coerce("joint_meetings", pd.DataFrame({
            "id": ["M0", "M1", "M2"], "compound_id": ["B", "A", "A"],
            "held_on": ["2021-08-15", "2021-10-01", "2022-02-01"]})),
        "disclosures": coerce("disclosures", pd.DataFrame([
            {"id": f"D{m}{i}", "compound_id": "AABB"[i], "category": "branch_proposals",
             "month": m, "disclosed": bool(v)}
            for m in months for i, v in enumerate(disclosed[m])])),
        "events": coerce("events", pd.DataFrame({
            "id": ["E1", "E2", "E3"], "service_position_id": ["P1", "P1", "P2"],
            "held_on": ["2021-10-01", "2022-02-01", "2022-03-01"]})),
        "service_positions": pd.DataFrame({"id": ["P1", "P2"], "street_id": ["S1", "S2"]}),
        "meta": pd.DataFrame({"key": ["as_of"], "value": ["2022-04-24"]}),
    }


def test_exact_figures_on_a_hand_made_set(frames):
    k = kpis.compute_kpis(frames)
    assert k["as_of"] == "2022-04-24"
    assert (k["orders_total"], k["orders_open"], k["orders_done"], k["wishes_fulfilled"]) == (
        4, 1, 3, 2)
    # response 2, 4, 6 h; closing 10, 20, 100 h
    assert (k["order_response_median_hours"], k["order_response_p90_hours"]) == (4.0, 5.6)
    assert (k["order_close_median_hours"], k["order_close_p90_hours"]) == (20.0, 84.0)
    assert k["orders_done_within_limit_pct"] == 66.7 and k["rating_avg"] == 4.5
    # cases: response 1..6 h; closing 24, 48, 100, 200, 10 h
    assert (k["cases_total"], k["cases_open"], k["cases_closed"]) == (6, 1, 5)
    assert (k["case_response_median_hours"], k["case_response_p90_hours"]) == (3.5, 5.5)
    assert (k["median_close_hours"], k["p90_close_hours"]) == (48.0, 160.0)
    assert k["closed_within_limit_pct"] == 60.0
    assert (k["satisfied"], k["satisfaction_answers"], k["satisfaction_pct"]) == (3, 4, 75.0)
    assert k["hard_problems_solved"] == 2
    # complaints: this period C1, C5 (on the first day); last period C2, C3, C6
    assert (k["period_start"], k["period_end"]) == ("2021-04-25", "2022-04-24")
    assert (k["complaints_this_period"], k["complaints_last_period"]) == (2, 3)
    assert k["complaints_change_pct"] == -33.3
    assert (k["joint_meetings"], k["cases_deliberated"]) == (2, 1)  # M1, M2; C1 (not C4)
    assert (k["disclosure_before_pct"], k["disclosure_pct"]) == (25.0, 75.0)
    assert k["events_held"] == 3


def test_street_since_period_and_limit(frames):
    east = kpis.compute_kpis(frames, street="东城街道")
    assert east | {"street": "S1"} == kpis.compute_kpis(frames, street="S1")
    assert (east["complaints_this_period"], east["complaints_last_period"]) == (2, 1)
    assert east["complaints_change_pct"] == 100.0 and east["satisfaction_pct"] == 100.0
    assert (east["disclosure_before_pct"], east["disclosure_pct"]) == (33.3, 100.0)
    assert (east["joint_meetings"], east["events_held"]) == (2, 2)
    recent = kpis.compute_kpis(frames, since="2022-01-01")
    assert (recent["cases_total"], recent["joint_meetings"], recent["cases_deliberated"]) == (
        2, 1, 0)
    assert recent["complaints_change_pct"] == -33.3  # the comparison keeps its periods
    year = kpis.compute_kpis(frames, period=("2021-01-01", "2021-12-31"))
    assert (year["complaints_this_period"], year["complaints_last_period"]) == (2, 2)
    assert year["complaints_change_pct"] == 0.0
    assert kpis.compute_kpis(frames, limit_hours=24)["closed_within_limit_pct"] == 40.0


def test_breakdowns(frames):
    streets = kpis.by_area(frames, "street").set_index("street")
    assert streets.loc["S1", "name"] == "东城街道"
    assert streets.loc["S1", ["orders", "cases", "complaints_this_period"]].tolist() == [4, 3, 2]
    assert streets.loc["S2", "satisfaction_pct"] == 50.0
    assert streets.loc["S2", "median_close_hours"] == 29.0
    compounds = kpis.by_area(frames, "compound").set_index("compound")
    assert compounds.loc["B", "cases_open"] == 1 and compounds.loc["B", "name"] == "乙园"
    trend = kpis.monthly_trend(frames).set_index("month")
    assert len(trend) == 24 and trend.index[-1] == "2022-04"
    assert trend.loc["2022-01", "orders_created"] == 4
    assert trend.loc["2021-04", ["complaints", "cases_reported"]].tolist() == [2, 2]


# ---------------------------------------------------------------- the generator
def _small_frames() -> dict:
    compounds = pd.DataFrame({
        "id": ["C1", "C2", "C3"], "street_id": ["S1", "S1", "S2"],
        "community_id": ["Q1", "Q1", "Q2"], "grid_id": ["G1", "G2", "G3"],
        "households": [300, 500, 200], "party_alliance_id": ["A1", None, None]})
    return {
        "compounds": compounds, "streets": pd.DataFrame({"id": ["S1", "S2"], "name": ["甲", "乙"]}),
        "party_alliances": pd.DataFrame({"id": ["A1"], "founded": [pd.Timestamp("2021-07-01")]}),
        "volunteer_teams": pd.DataFrame({"id": ["V1", "V2"], "community_id": ["Q1", "Q2"]}),
        "members": pd.DataFrame({"id": ["M1", "M2", "M3"], "compound_id": ["C1", "C2", "C3"]}),
        "joint_duty_stations": pd.DataFrame({"id": ["J1"]}),
        "service_positions": pd.DataFrame({"id": ["P1", "P2"], "status": ["existing"] * 2,
                                           "street_id": ["S1", "S2"]}),
    }


def test_generator_is_deterministic_and_lands_on_the_figures():
    started = time.perf_counter()
    first = generate_activity(np.random.default_rng(7), _small_frames(), AS_OF)
    assert time.perf_counter() - started < 3
    second = generate_activity(np.random.default_rng(7), _small_frames(), AS_OF)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, second[name])
        assert frame["is_sample"].all() and (frame["version"] == 1).all()
    frames = {name: coerce(name, f) for name, f in first.items()} | _small_frames()
    k = kpis.compute_kpis(frames, as_of=AS_OF)
    assert k["disclosure_before_pct"] == 30.6 and k["disclosure_pct"] == 72.2  # 11, 26 of 36
    assert (k["complaints_this_period"], k["complaints_last_period"]) == (280, 410)
    assert (k["satisfied"], k["satisfaction_answers"], k["wishes_fulfilled"]) == (595, 605, 574)
    assert (k["joint_meetings"], k["cases_deliberated"], k["hard_problems_solved"]) == (
        144, 320, 43)
    assert k["orders_open"] > 0 and k["cases_open"] > 0
    events = first["workflow_events"]
    assert set(events["object_id"]) == set(first["service_orders"]["id"]) | set(
        first["cases"]["id"])


def test_sample_store_lands_on_the_article_figures(sample_store):
    k = kpis.kpis_from_store(sample_store)
    assert k["as_of"] == "2022-04-24"
    assert k["complaints_change_pct"] == -31.7
    assert k["satisfaction_pct"] == 98.35
    assert (k["joint_meetings"], k["cases_deliberated"]) == (144, 320)
    assert k["wishes_fulfilled"] >= 570
    assert (k["disclosure_before_pct"], k["disclosure_pct"]) == (30.6, 73.5)
    assert k["events_held"] >= 400 and k["hard_problems_solved"] >= 40
    assert k["orders_open"] > 0 and k["cases_open"] > 0 and k["orders_total"] > 2000


def test_months_and_periods_are_those_of_the_display_zone(frames, monkeypatch):
    """Stored 2022-03-31 17:00 UTC is 2022-04-01 01:00 in Shanghai: an April case there."""
    cases = frames["cases"].copy()
    cases.loc[cases.index[0], "reported_at"] = pd.Timestamp("2022-03-31 17:00")
    moved = {**frames, "cases": cases}
    utc = kpis.monthly_trend(moved, as_of=AS_OF, months=3).set_index("month")["cases_reported"]
    monkeypatch.setenv(clock.ENV_ZONE, "Asia/Shanghai")
    local = kpis.monthly_trend(moved, as_of=AS_OF, months=3).set_index("month")["cases_reported"]
    assert local["2022-04"] == utc["2022-04"] + 1 and local["2022-03"] == utc["2022-03"] - 1
