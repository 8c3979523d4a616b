"""Accounts, bcrypt hashing, lockout, the role matrix, and every role against each write."""

import io

import pandas as pd
import pytest

from components.session import _error_text
from geo import audit, auth, clock
from geo.auth import Principal, Role
from geo.store import open_store

ROUNDS = 4  # cheap bcrypt cost for tests; production default is 12
PASSWORD = "correct-horse"
NOW = pd.Timestamp("2024-03-01 09:00:00")

ORG = Principal("zuzhi", Role.ORG)
PLANNER = Principal("guihua", Role.PLANNER)
LEADER = Principal("wanggezhang", Role.GRID_LEADER, frozenset({"G1"}))
VIEWER = Principal("kan", Role.VIEWER)
SCREEN = auth.BIG_SCREEN
EVERYONE = {"org": ORG, "planner": PLANNER, "grid_leader": LEADER, "viewer": VIEWER,
            "big_screen": SCREEN}


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "t.gpkg")
    auth.add_user(store, "alice", "org", PASSWORD, rounds=ROUNDS)
    return store


def _audit(store, **filters):
    return audit.load_audit(store, **filters)


# ------------------------------------------------------------------------ hashing
def test_bcrypt_hash_is_salted_and_verifies():
    first, second = auth.hash_password(PASSWORD, ROUNDS), auth.hash_password(PASSWORD, ROUNDS)
    assert first.startswith("$2b$04$") and len(first) == 60
    assert first != second  # a fresh salt each time
    assert auth.verify_password(PASSWORD, first)
    assert not auth.verify_password("correct-horsE", first)


def test_password_rules():
    with pytest.raises(ValueError, match="至少 8"):
        auth.hash_password("short", ROUNDS)
    with pytest.raises(ValueError, match="72"):
        auth.hash_password("密" * 25, ROUNDS)  # 75 bytes in UTF-8


def test_accounts_keep_the_hash_not_the_password(store):
    row = auth.find_account(store, "alice")
    assert row["role"] == "org" and row["failed_attempts"] == 0 and not row["disabled"]
    assert row["password_hash"].startswith("$2b$") and PASSWORD not in row["password_hash"]
    added = _audit(store, actions=["account_change"])
    assert len(added) == 1 and "password_hash" not in added.loc[0, "after"]
    assert PASSWORD not in added.loc[0, "after"]


def test_add_user_checks(store):
    with pytest.raises(ValueError, match="已存在"):
        auth.add_user(store, "alice", "viewer", PASSWORD, rounds=ROUNDS)
    with pytest.raises(ValueError, match="grid leader needs"):
        auth.add_user(store, "bob", "grid_leader", PASSWORD, rounds=ROUNDS)
    with pytest.raises(ValueError, match="role must be"):
        auth.add_user(store, "bob", "admin", PASSWORD, rounds=ROUNDS)
    with pytest.raises(ValueError, match="not allowed"):
        auth.add_user(store, "demo", "viewer", PASSWORD, rounds=ROUNDS)
    leader = auth.add_user(store, "bob", "grid_leader", PASSWORD, ["G2", "G1"], rounds=ROUNDS)
    assert leader == Principal("bob", Role.GRID_LEADER, frozenset({"G1", "G2"}))
    assert auth.find_account(store, "bob")["grids"] == "G1,G2"


# ------------------------------------------------------------------------ sign-in
def test_authenticate_returns_the_principal_and_audits(store):
    with clock.frozen(NOW):  # the audit row carries the server's clock (UTC)
        assert auth.authenticate(store, "alice", PASSWORD) == Principal("alice", Role.ORG)
    rows = _audit(store, actions=["sign_in"])
    assert list(rows[["account", "outcome"]].itertuples(index=False, name=None)) == [
        ("alice", "ok")]
    assert rows.loc[0, "at"] == NOW


def test_ten_wrong_passwords_lock_the_account_and_the_audit_shows_them(store):
    for attempt in range(1, 10):
        with pytest.raises(auth.AuthError) as error:
            auth.authenticate(store, "alice", "wrong-password", now=NOW)
        assert not isinstance(error.value, auth.AccountLocked)
        assert store.sign_in_state("alice") == (attempt, None)
    with pytest.raises(auth.AccountLocked) as locked:
        auth.authenticate(store, "alice", "wrong-password", now=NOW)
    assert locked.value.until == pd.Timestamp("2024-03-01 09:15:00")  # stored UTC
    # shown on the users' clock (Asia/Shanghai), in the error and on the sign-in form
    assert "2024-03-01 17:15 (Asia/Shanghai)" in str(locked.value)
    assert "2024-03-01 17:15" in _error_text(locked.value)
    assert store.sign_in_state("alice") == (10, pd.Timestamp("2024-03-01 09:15"))
    # even the right password is refused while locked
    with pytest.raises(auth.AccountLocked):
        auth.authenticate(store, "alice", PASSWORD, now=NOW + pd.Timedelta(minutes=14))

    refused = _audit(store, accounts=["alice"], outcome="refused")
    wrong = refused[refused["reason"].str.startswith("wrong password")]
    assert len(wrong) == 10
    assert sorted(wrong["reason"]) == sorted(f"wrong password ({n}/10)" for n in range(1, 11))
    lock_rows = refused[refused["action"] == "account_locked"]
    assert len(lock_rows) == 1 and lock_rows.iloc[0]["reason"] == "10 wrong passwords"
    assert (refused["reason"] == "locked").sum() == 1

    # after fifteen minutes the right password works and clears the counter
    assert auth.authenticate(store, "alice", PASSWORD, now=NOW + pd.Timedelta(minutes=15)).name \
        == "alice"
    assert store.sign_in_state("alice") == (0, None)


def test_lockout_is_configurable(store):
    for _ in range(2):
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "alice", "nope-nope", now=NOW, max_attempts=3, lock_minutes=1)
    with pytest.raises(auth.AccountLocked) as locked:
        auth.authenticate(store, "alice", "nope-nope", now=NOW, max_attempts=3, lock_minutes=1)
    assert locked.value.until == pd.Timestamp("2024-03-01 09:01:00")


def test_unknown_and_disabled_accounts(store):
    with pytest.raises(auth.AuthError, match="wrong account name or password"):
        auth.authenticate(store, "mallory", PASSWORD, now=NOW)
    auth.add_user(store, "carol", "viewer", PASSWORD, rounds=ROUNDS)
    auth.disable_user(store, "carol", actor="alice")
    with pytest.raises(auth.AuthError, match="disabled"):
        auth.authenticate(store, "carol", PASSWORD, now=NOW)
    reasons = _audit(store, actions=["sign_in"], outcome="refused")
    assert sorted(reasons["reason"]) == ["disabled", "unknown account"]
    change = _audit(store, actions=["account_change"], accounts=["alice"]).iloc[0]
    assert change["object_id"] == "carol"
    assert '"disabled": false' in change["before"] and '"disabled": true' in change["after"]


def test_set_password_unlocks(store):
    for _ in range(10):
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, "alice", "wrong-password", now=NOW)
    auth.set_password(store, "alice", "new-password-1", rounds=ROUNDS)
    assert auth.authenticate(store, "alice", "new-password-1", now=NOW).name == "alice"
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, "alice", PASSWORD, now=NOW)


# ------------------------------------------------------------------------ roles
EXPECTED = {  # role -> actions allowed without grid scope
    "org": set(auth.ACTIONS),
    "planner": {"save_scenario", "promote_scenario"},
    "grid_leader": set(),  # every grid leader right needs his grids
    "viewer": set(),
    "big_screen": set(),
}


@pytest.mark.parametrize("role", list(EVERYONE))
@pytest.mark.parametrize("action", list(auth.ACTIONS))
def test_role_matrix(role, action):
    assert auth.allowed(EVERYONE[role], action) is (action in EXPECTED[role])


def test_grid_leader_scope():
    for action in ("view_personal", "edit_members", "workflow"):
        assert auth.allowed(LEADER, action, ["G1"])
        assert not auth.allowed(LEADER, action, ["G1", "G2"])
        assert not auth.allowed(LEADER, action, [])
    assert not auth.allowed(LEADER, "import", ["G1"])
    assert auth.can_see_personal(LEADER, "G1") and not auth.can_see_personal(LEADER, "G2")
    assert auth.can_see_personal(ORG) and not auth.can_see_personal(PLANNER, "G1")
    assert not auth.can_see_personal(auth.DEMO) and not auth.can_see_personal(None)


def test_require_refusal_is_clear_and_audited(store):
    with pytest.raises(auth.PermissionDenied) as denied:
        auth.require(VIEWER, "import", store=store)
    assert str(denied.value) == "无权限:只读用户不能导入数据 | not allowed: a viewer may not import data"
    with pytest.raises(auth.PermissionDenied, match="not in G2"):
        auth.require(LEADER, "edit_members", store=store, grid_ids=["G1", "G2"],
                     object_layer="members", object_id="M7")
    rows = _audit(store, outcome="refused")
    assert list(rows["account"]) == ["wanggezhang", "kan"]
    assert list(rows["action"]) == ["edit_members", "import"]
    assert rows.loc[0, "object_id"] == "M7" and '"G2"' in rows.loc[0, "after"]
    auth.require(ORG, "import", store=store)  # allowed: nothing written
    assert len(_audit(store, outcome="refused")) == 2


def test_mask_for_grid_leader_rows():
    members = pd.DataFrame({"id": ["M1", "M2"], "name": ["张三丰", "李四光"],
                            "phone": ["13812345678", "13900001111"], "grid_id": ["G1", "G2"]})
    assert list(auth.mask_for(LEADER, members, "members")["name"]) == ["张三丰", "李*光"]
    assert list(auth.mask_for(ORG, members, "members")["name"]) == ["张三丰", "李四光"]
    assert list(auth.mask_for(PLANNER, members, "members")["phone"]) == [
        "138****5678", "139****1111"]


# ------------------------------------------------------------------------ writes per role
@pytest.mark.parametrize("role", list(EVERYONE))
def test_account_writes_per_role(store, role):
    principal = EVERYONE[role]
    writes = [
        lambda: auth.add_user(store, f"new-{role}", "viewer", PASSWORD, principal=principal,
                              actor=principal.name, rounds=ROUNDS),
        lambda: auth.set_password(store, "alice", "another-pass", principal=principal,
                                  actor=principal.name, rounds=ROUNDS),
        lambda: auth.disable_user(store, f"new-{role}" if role == "org" else "alice",
                                  principal=principal, actor=principal.name),
    ]
    for write in writes:
        if role == "org":
            write()
        else:
            with pytest.raises(auth.PermissionDenied, match="manage accounts"):
                write()
    refused = _audit(store, outcome="refused", actions=["manage_accounts"])
    assert len(refused) == (0 if role == "org" else 3)
    done = _audit(store, actions=["account_change"], accounts=[principal.name])
    assert len(done) == (3 if role == "org" else 0)


def _first_member(store, grid_id=None):
    members = store.load("members")
    return members.iloc[0] if grid_id is None else members[members["grid_id"] == grid_id].iloc[0]


@pytest.mark.parametrize("role", list(EVERYONE))
def test_geo_writes_per_role(writable_sample_store, role):
    """Member moves, order creation and import rollback, as each role (sample district)."""
    from geo import reassignment, workflow
    from geo.importer.apply import ImportRefused, rollback_import

    store = writable_sample_store
    member = _first_member(store)
    grids = store.load("grids")["id"].tolist()
    home, other = member["grid_id"], next(g for g in grids if g != member["grid_id"])
    compound = store.load("compounds").iloc[0]
    principal = EVERYONE[role]
    if role == "grid_leader":
        principal = Principal("wanggezhang", Role.GRID_LEADER,
                              frozenset({home, other, compound["grid_id"]}))
    allowed = {"org": {"move", "order", "rollback"}, "grid_leader": {"move", "order"}}
    writes = {
        "move": lambda: reassignment.move_members(store, [member["id"]], other, "调整", principal.name,
                                                  principal=principal),
        "order": lambda: workflow.create_order(
            store, category="维修", compound_id=compound["id"], requester_name="王小二",
            requester_phone="13512345678", text="楼道灯坏了", principal=principal),
        "rollback": lambda: rollback_import(store, "imp-none", principal=principal),
    }
    for name, write in writes.items():
        if name in allowed.get(role, ()):
            if name == "rollback":  # allowed: reaches the log lookup
                with pytest.raises(ImportRefused):
                    write()
            else:
                write()
        else:
            with pytest.raises(auth.PermissionDenied):
                write()
    refused = _audit(store, outcome="refused", accounts=[principal.name])
    assert len(refused) == 3 - len(allowed.get(role, ()))


def test_grid_leader_refused_outside_his_grids(writable_sample_store):
    from geo import reassignment

    store = writable_sample_store
    member = _first_member(store)
    other = next(g for g in store.load("grids")["id"] if g != member["grid_id"])
    leader = Principal("wanggezhang", Role.GRID_LEADER, frozenset({member["grid_id"]}))
    with pytest.raises(auth.PermissionDenied, match=f"not in {other}"):
        reassignment.move_members(store, [member["id"]], other, "调整", leader.name,
                                  principal=leader)
    assert store.load("members", where={"id": member["id"]}).iloc[0]["grid_id"] \
        == member["grid_id"]
    assert len(_audit(store, outcome="refused", actions=["edit_members"])) == 1


# ------------------------------------------------------------------------ command line
def test_cli_user_commands(tmp_path, monkeypatch, capsys):
    from geo.cli import main

    path = tmp_path / "cli.gpkg"
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", ROUNDS)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "wang", "--role", "grid_leader", "--grids", "G1,G2",
                 "--store", str(path)]) == 0
    store = open_store(path)
    assert auth.authenticate(store, "wang", PASSWORD, now=NOW).grids == frozenset({"G1", "G2"})
    monkeypatch.setattr("sys.stdin", io.StringIO("brand-new-pass\n"))
    assert main(["user", "passwd", "wang", "--store", str(path)]) == 0
    assert auth.authenticate(store, "wang", "brand-new-pass", now=NOW).name == "wang"
    assert main(["user", "disable", "wang", "--store", str(path)]) == 0
    with pytest.raises(auth.AuthError, match="disabled"):
        auth.authenticate(store, "wang", "brand-new-pass", now=NOW)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "li", "--role", "viewer", "--store", str(path)]) == 2
    assert "至少 8" in capsys.readouterr().err
    changes = _audit(store, actions=["account_change"])
    assert len(changes) == 3 and changes["account"].str.startswith("cli").all()
