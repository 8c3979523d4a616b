"""Lockout under parallel attempts, equal timing for unknown accounts, and failed sign-ins
that never rewrite the store (GeoPackage and PostGIS)."""

from __future__ import annotations

import hashlib
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from geo import audit, auth
from geo.store import open_store

PASSWORD = "correct-horse"
THREADS = 40


def _wrong(store, name="alice"):
    try:
        auth.authenticate(store, name, "wrong-password")
    except auth.AccountLocked:
        return "locked"
    except auth.AuthError:
        return "refused"
    return "signed in"


def _parallel_wrong_passwords(store) -> list[str]:
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda _: _wrong(store), range(THREADS)))


def _check_locked_after_parallel_attempts(store) -> None:
    answers = _parallel_wrong_passwords(store)
    assert "signed in" not in answers and "locked" in answers
    failed, locked = store.sign_in_state("alice")
    assert failed >= auth.MAX_FAILED_ATTEMPTS == 10 and locked is not None
    # the right password is refused while locked
    with pytest.raises(auth.AccountLocked):
        auth.authenticate(store, "alice", PASSWORD)
    rows = audit.load_audit(store, accounts=["alice"])
    assert (rows["action"] == "account_locked").sum() == 1
    wrong = rows[rows["reason"].fillna("").str.startswith("wrong password")]
    counted = sorted(int(r.split("(")[1].split("/")[0]) for r in wrong["reason"])
    assert counted == list(range(1, len(counted) + 1)) and len(counted) >= 10  # no count lost


@pytest.fixture
def gpkg_store(tmp_path):
    store = open_store(tmp_path / "t.gpkg")
    auth.add_user(store, "alice", "org", PASSWORD, rounds=4)
    return store


def test_forty_parallel_wrong_passwords_lock_the_account_geopackage(gpkg_store):
    _check_locked_after_parallel_attempts(gpkg_store)


@pytest.mark.postgis
def test_forty_parallel_wrong_passwords_lock_the_account_postgis(postgis_store):
    auth.add_user(postgis_store, "alice", "org", PASSWORD, rounds=4)
    _check_locked_after_parallel_attempts(postgis_store)


def test_sequential_attempts_lock_at_exactly_ten_and_an_expired_lock_starts_afresh(gpkg_store):
    now = pd.Timestamp("2024-03-01 09:00:00")
    for attempt in range(1, 10):
        with pytest.raises(auth.AuthError) as error:
            auth.authenticate(gpkg_store, "alice", "nope-nope", now=now)
        assert not isinstance(error.value, auth.AccountLocked)
        assert gpkg_store.sign_in_state("alice") == (attempt, None)
    with pytest.raises(auth.AccountLocked):
        auth.authenticate(gpkg_store, "alice", "nope-nope", now=now)
    later = now + pd.Timedelta(minutes=16)
    with pytest.raises(auth.AuthError) as error:  # the lock expired: one failure, no lock
        auth.authenticate(gpkg_store, "alice", "nope-nope", now=later)
    assert not isinstance(error.value, auth.AccountLocked)
    assert gpkg_store.sign_in_state("alice") == (1, None)
    assert auth.authenticate(gpkg_store, "alice", PASSWORD, now=later).name == "alice"
    assert gpkg_store.sign_in_state("alice") == (0, None)


def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_failed_sign_in_leaves_the_geopackage_and_its_revision_alone(gpkg_store):
    revision, digest = gpkg_store.revision(), _sha256(gpkg_store.path)
    for name in ("alice", "mallory"):  # a real and an unknown account
        with pytest.raises(auth.AuthError):
            auth.authenticate(gpkg_store, name, "wrong-password")
    assert gpkg_store.revision() == revision and _sha256(gpkg_store.path) == digest
    assert not list(gpkg_store.path.parent.glob("*.tx-*"))
    refused = audit.load_audit(gpkg_store, outcome=audit.REFUSED)
    assert sorted(refused["reason"]) == ["unknown account", "wrong password (1/10)"]


def test_a_failed_sign_in_keeps_the_page_caches(gpkg_store, monkeypatch):
    """The cached layers are keyed on the revision: still valid after failed sign-ins."""
    from components import data

    monkeypatch.setenv("HONGTU_DATABASE_URL", str(gpkg_store.path))
    data._store_for.clear()
    data._load_layer.clear()
    loads = []
    original = type(gpkg_store).load
    monkeypatch.setattr(type(gpkg_store), "load",
                        lambda self, name, where=None: loads.append(name) or original(
                            self, name, where))
    first = data._load_raw_layer("accounts")
    assert loads == ["accounts"]
    with pytest.raises(auth.AuthError):
        auth.authenticate(data.get_store(), "alice", "wrong-password")
    loads.clear()
    again = data._load_raw_layer("accounts")
    assert loads == [] and again.equals(first)  # served from the cache, not read again


@pytest.mark.postgis
def test_a_failed_sign_in_leaves_the_postgis_revision_alone(postgis_store):
    auth.add_user(postgis_store, "alice", "org", PASSWORD, rounds=4)
    revision = postgis_store.revision()
    for name in ("alice", "mallory"):
        with pytest.raises(auth.AuthError):
            auth.authenticate(postgis_store, name, "wrong-password")
    assert postgis_store.revision() == revision
    assert postgis_store.sign_in_state("alice")[0] == 1
    assert auth.authenticate(postgis_store, "alice", PASSWORD).name == "alice"
    assert postgis_store.sign_in_state("alice") == (0, None)
    actions = audit.load_audit(postgis_store, accounts=["alice"])["outcome"].tolist()
    assert sorted(actions) == ["ok", "refused"]


def test_unknown_and_real_accounts_answer_in_the_same_time(tmp_path):
    store = open_store(tmp_path / "timing.gpkg")
    auth.add_user(store, "alice", "org", PASSWORD, rounds=auth.BCRYPT_ROUNDS)

    def cpu_seconds(name: str) -> float:
        """This thread's CPU time for one refused sign-in: the bcrypt work an attacker could
        time, without the noise of other processes on a busy machine (wall time is not)."""
        start = time.thread_time()
        with pytest.raises(auth.AuthError):
            auth.authenticate(store, name, "wrong-password", max_attempts=1000)
        return time.thread_time() - start

    cpu_seconds("nobody")  # warm the dummy hash of this cost
    pairs = [(cpu_seconds("alice"), cpu_seconds("nobody")) for _ in range(7)]  # interleaved
    real = statistics.median(p[0] for p in pairs)
    unknown = statistics.median(p[1] for p in pairs)
    assert abs(unknown - real) <= 0.3 * real, (unknown, real)


BURST = 100


def _burst_with_the_right_password(store) -> list[str]:
    """100 parallel attempts, the right password among them; counts the password checks."""
    checked = []
    original = auth.verify_password

    def counting(password, password_hash):
        checked.append(password)
        return original(password, password_hash)

    def attempt(i):
        password = PASSWORD if i == BURST // 2 else "wrong-password"
        try:
            auth.authenticate(store, "alice", password)
        except auth.AccountLocked:
            return "locked"
        except auth.AuthError:
            return "refused"
        return "signed in"

    auth.verify_password = counting
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(pool.map(attempt, range(BURST)))
    finally:
        auth.verify_password = original
    return answers, checked


def _check_a_burst_of_one_hundred(store) -> None:
    answers, checked = _burst_with_the_right_password(store)
    # never more password checks than the limit allows: a right password signs in only if it
    # was among the first ten attempts counted, and then forgets only the attempts before it
    assert answers.count("signed in") <= 1
    assert len(checked) <= 2 * auth.MAX_FAILED_ATTEMPTS
    assert answers.count("locked") >= BURST - len(checked)
    assert [_wrong(store) for _ in range(3)] == ["locked"] * 3
    failed, locked = store.sign_in_state("alice")
    assert failed >= auth.MAX_FAILED_ATTEMPTS and locked is not None
    with pytest.raises(auth.AccountLocked):
        auth.authenticate(store, "alice", PASSWORD)


def test_one_hundred_parallel_attempts_never_beat_the_lock_geopackage(gpkg_store):
    answers = _parallel_wrong_hundred(gpkg_store)
    assert "signed in" not in answers and answers.count("refused") == 9
    with pytest.raises(auth.AccountLocked):  # the right password is refused
        auth.authenticate(gpkg_store, "alice", PASSWORD)
    gpkg_store.reset_failed_sign_ins("alice")  # as an administrator's new password would
    _check_a_burst_of_one_hundred(gpkg_store)


@pytest.mark.postgis
def test_one_hundred_parallel_attempts_never_beat_the_lock_postgis(postgis_store):
    auth.add_user(postgis_store, "alice", "org", PASSWORD, rounds=4)
    answers = _parallel_wrong_hundred(postgis_store)
    assert "signed in" not in answers and answers.count("refused") == 9
    with pytest.raises(auth.AccountLocked):
        auth.authenticate(postgis_store, "alice", PASSWORD)
    postgis_store.reset_failed_sign_ins("alice")
    _check_a_burst_of_one_hundred(postgis_store)


def _parallel_wrong_hundred(store) -> list[str]:
    checked_before = len(audit.load_audit(store, accounts=["alice"]))
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda _: _wrong(store), range(BURST)))
    rows = audit.load_audit(store, accounts=["alice"]).iloc[checked_before:]
    assert (rows["reason"].fillna("").str.startswith("wrong password")).sum() == 10
    return answers
