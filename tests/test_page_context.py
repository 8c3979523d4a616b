"""The page context: every page reads the store through it, masked for the signed-in role;
unmasked data only through ``ctx.unmasked`` (checked and audited)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components import session
from geo import audit, auth
from geo.store import ENV_URL, open_store

VIEWS = Path(__file__).resolve().parents[1] / "views"
PASSWORD = "password-1"
OWN_NAME, OWN_PHONE = "欧阳自己", "13900001111"  # a member of the grid leader's grid
OTHER_NAME, OTHER_PHONE = "司马别人", "13900002222"  # a member of another grid
ACCOUNTS = {"zuzhi": "org", "guihua": "planner", "kan": "viewer", "dapin": "big_screen",
            "wangge": "grid_leader"}
# a page must not reach raw layers or masking by itself: these may not appear in views/*.py
FORBIDDEN_IN_VIEWS = (
    r"components\.data\b", r"from components import [^\n]*\bdata\b", r"_load_raw_layer",
    r"\bload_layers?\(", r"_raw_layer_at", r"\bget_store\(", r"store\.load\w*\(",
    r"\.load_compound\(", r"\bmask_(for|frame|record|name|phone|value)\b", r"geo\.masking",
)


def forbidden_lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines()
            if any(re.search(pattern, line) for pattern in FORBIDDEN_IN_VIEWS)]


def test_the_scanner_finds_raw_reads():
    assert len(forbidden_lines(
        "from components.data import _load_raw_layer\nx = get_store().load('members')\n"
        "from geo.masking import mask_name\ny = ctx.layer('members')\n")) == 3


@pytest.mark.parametrize("view", sorted(p.name for p in VIEWS.glob("*.py")))
def test_views_never_read_raw_layers(view):
    assert forbidden_lines((VIEWS / view).read_text(encoding="utf-8")) == []


# ------------------------------------------------------------------------ stores
@pytest.fixture(scope="module")
def people(sample_store_path, tmp_path_factory):
    """The sample district with two known members in two grids, five accounts; the grid
    leader leads the first member's grid."""
    path = tmp_path_factory.mktemp("context") / "people.gpkg"
    shutil.copyfile(sample_store_path, path)
    store = open_store(path)
    members = store.load("members")
    own = members.iloc[0]
    other = members[members["grid_id"] != own["grid_id"]].iloc[0]
    with store.transaction() as tx:
        tx.update("members", own["id"], {"name": OWN_NAME, "phone": OWN_PHONE})
        tx.update("members", other["id"], {"name": OTHER_NAME, "phone": OTHER_PHONE})
    for name, role in ACCOUNTS.items():
        grids = [own["grid_id"]] if role == "grid_leader" else []
        auth.add_user(store, name, role, PASSWORD, grids, rounds=4)
    return store, str(own["grid_id"]), str(other["grid_id"])


@pytest.fixture
def people_url(people, monkeypatch):
    store, own_grid, other_grid = people
    monkeypatch.setenv(ENV_URL, str(store.url))
    return store, own_grid, other_grid


def _members_page():
    import streamlit as st

    from components.context import page_context

    ctx = page_context()
    members = ctx.layer("members")
    st.dataframe(members[["id", "name", "phone", "grid_id"]], key="members")
    st.text(f"{ctx.principal.name}|{ctx.lang}|{','.join(ctx.policy)}")


def _run(function, account=None, **state):
    at = AppTest.from_function(function, default_timeout=120)
    if account is not None:
        at.session_state[session.ACCOUNT_KEY] = account
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("account", "sees_own", "sees_other"), [
    ("zuzhi", True, True), ("wangge", True, False), ("guihua", False, False),
    ("kan", False, False), ("dapin", False, False),
])
def test_members_reach_the_page_masked_unless_the_role_may_see_them(people_url, account,
                                                                      sees_own, sees_other):
    at = _run(_members_page, account)
    frame = at.dataframe[0].value.set_index("name")
    names, phones = set(frame.index), set(frame["phone"])
    for name, phone, sees, masked_name, masked_phone in (
        (OWN_NAME, OWN_PHONE, sees_own, "欧**己", "139****1111"),
        (OTHER_NAME, OTHER_PHONE, sees_other, "司**人", "139****2222"),
    ):
        assert (name in names) == sees and (phone in phones) == sees
        assert (masked_name in names) != sees and (masked_phone in phones) != sees
    assert at.text[0].value.startswith(f"{account}|zh|")


def test_demo_mode_is_masked(sample_store_path, monkeypatch, tmp_path):
    path = tmp_path / "demo.gpkg"
    shutil.copyfile(sample_store_path, path)
    monkeypatch.setenv(ENV_URL, str(path))
    real = open_store(path).load("members")["name"]
    at = _run(_members_page)
    shown = at.dataframe[0].value["name"]
    assert len(shown) == len(real) and not set(shown) & {n for n in real if len(n) >= 3}
    assert at.text[0].value == "demo|zh|none"


def test_masking_is_cached_per_policy_not_per_user(people_url, monkeypatch):
    from components import context

    calls = []
    original = context.apply_policy

    def counting(frame, name, policy, row_grids=None):
        calls.append((name, policy))
        return original(frame, name, policy, row_grids)

    monkeypatch.setattr(context, "apply_policy", counting)
    context._masked_layer.clear()
    for account in ("kan", "guihua", "dapin", "kan"):  # one policy: masked once
        _run(_members_page, account)
    assert calls == [("members", ("none",))]
    _run(_members_page, "zuzhi")  # sees everything: the raw cached layer, no masked copy
    assert calls == [("members", ("none",))]
    leader = auth.Principal("w", auth.Role.GRID_LEADER, frozenset({"G2", "G1"}))
    assert context.masking_policy(leader) == ("grids", "G1", "G2")


def _unmasked_page():
    import streamlit as st

    from components.context import page_context
    from geo.auth import PermissionDenied

    ctx = page_context()
    grids = st.session_state.get("ask_grids")
    for attempt in range(2):
        try:
            frame = ctx.unmasked("members", reason="核对名册", grid_ids=grids)
        except PermissionDenied as denied:
            st.text(f"refused {attempt}: {denied.message}")
        else:
            st.dataframe(frame[["name", "grid_id"]], key=f"clear{attempt}")
    try:
        ctx.layer("accounts")
    except PermissionError:
        st.text("accounts refused")


def _view_personal_rows(store, account):
    return audit.load_audit(store, accounts=[account], actions=["view_personal"])


@pytest.mark.parametrize("account", ["kan", "guihua", "dapin"])
def test_unmasked_refuses_and_audits_a_masked_role(people_url, account):
    store = people_url[0]
    at = _run(_unmasked_page, account)
    texts = [t.value for t in at.text]
    assert texts[:2] == [f"refused {i}: {texts[0].split(': ', 1)[1]}" for i in range(2)]
    assert "无权限" in texts[0] and texts[-1] == "accounts refused" and not at.dataframe
    rows = _view_personal_rows(store, account)
    assert len(rows) == 2 and set(rows["outcome"]) == {audit.REFUSED}


def test_unmasked_for_org_is_granted_and_audited_once_per_session(people_url):
    store = people_url[0]
    at = _run(_unmasked_page, "zuzhi")
    assert len(at.dataframe) == 2 and OWN_NAME in set(at.dataframe[0].value["name"])
    rows = _view_personal_rows(store, "zuzhi")
    assert len(rows) == 1 and rows.iloc[0]["outcome"] == audit.OK
    assert rows.iloc[0]["reason"] == "核对名册" and rows.iloc[0]["object_layer"] == "members"


def test_unmasked_for_a_grid_leader_only_with_his_grids(people_url):
    store, own_grid, other_grid = people_url
    refused = _run(_unmasked_page, "wangge")  # no grids named: refused
    assert refused.text[0].value.startswith("refused 0") and not refused.dataframe
    mine = _run(_unmasked_page, "wangge", ask_grids=[own_grid])
    shown = mine.dataframe[0].value
    assert OWN_NAME in set(shown["name"]) and set(shown["grid_id"]) == {own_grid}
    other = _run(_unmasked_page, "wangge", ask_grids=[other_grid])
    assert other.text[0].value.startswith("refused 0") and other_grid in other.text[0].value
    outcomes = _view_personal_rows(store, "wangge")["outcome"].tolist()
    assert sorted(outcomes) == sorted([audit.REFUSED] * 4 + [audit.OK])


def test_only_the_context_and_public_payload_builders_use_the_raw_loaders():
    """Raw (unmasked) layers: the context, the session and the HTTP routes' principal
    (accounts), the server's cache warm-up and the network cache (the public, masked map
    payload and the headline counts); nothing else in the app (the unit picker reads the
    store's units through components.data.units_at)."""
    root = VIEWS.parent
    users = sorted(str(p.relative_to(root)) for folder in ("components", "views", "geo")
                   for p in (root / folder).rglob("*.py")
                   if re.search(r"_load_raw_layers?\b|_raw_layer_at\b", p.read_text("utf-8")))
    assert users == ["components/context.py", "components/data.py",
                     "components/network_cache.py", "components/session.py",
                     "components/web/caches.py",
                     "components/web/principal.py"]
