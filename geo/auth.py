"""Accounts and sign-in; the roles and scope checks of :mod:`geo.permissions` re-exported.

Accounts live in the store layer ``accounts`` with bcrypt password hashes; ten wrong passwords
lock an account for fifteen minutes (``HONGTU_MAX_FAILED_ATTEMPTS``, ``HONGTU_LOCK_MINUTES``),
counted by the store outside its layers (``Store.begin_sign_in``: every attempt is counted
before its password is checked); the accounts
layer's ``failed_attempts``/``locked_until`` columns are no longer written.

bcrypt runs outside Python's lock: fifty parallel sign-ins were fifty threads on two cores
beside the page runs of everyone else (which share that lock and run one at a time). At most
:data:`HASHING_SLOTS` hashes run at once (one per core; ``HONGTU_HASHING_SLOTS``), the rest
wait their turn (issue #27). One per core, not the cores but one: measured at 50 sessions
signing in within ten seconds, the cores but one queued the sign-ins (p95 2.8 s) for less
than one per core gave the other steps.
"""

from __future__ import annotations

import functools
import os
import threading

import bcrypt
import pandas as pd

from geo import audit, clock, schema
from geo.permissions import (  # noqa: F401 - re-exported: geo.auth is where callers look
    ACTIONS,
    ANONYMOUS,
    BIG_SCREEN,
    DEMO,
    GRID_ID,
    GRID_SCOPED_ROLES,
    PERMISSIONS,
    RESERVED_NAMES,
    ROLE_LABELS,
    SYSTEM,
    PermissionDenied,
    Principal,
    Role,
    allowed,
    can_see_personal,
    mask_for,
    require,
)
from geo.schema import ID

ACCOUNTS = "accounts"
NAME, ROLE, GRIDS = "name", "role", "grids"
PASSWORD_HASH, DISABLED = "password_hash", "disabled"
FAILED_ATTEMPTS, LOCKED_UNTIL = "failed_attempts", "locked_until"

MAX_FAILED_ATTEMPTS = int(os.environ.get("HONGTU_MAX_FAILED_ATTEMPTS", "10"))
LOCK_MINUTES = float(os.environ.get("HONGTU_LOCK_MINUTES", "15"))
BCRYPT_ROUNDS = int(os.environ.get("HONGTU_BCRYPT_ROUNDS", "12"))
HASHING_SLOTS = int(os.environ.get("HONGTU_HASHING_SLOTS", "0")) or len(os.sched_getaffinity(0))
_hashing = threading.BoundedSemaphore(HASHING_SLOTS)  # a fact about the process's cores
MIN_PASSWORD_LENGTH = 8
BCRYPT_MAX_BYTES = 72


class AuthError(Exception):
    """Sign-in failed; the message is Chinese | English and safe to show."""


class AccountLocked(AuthError):
    def __init__(self, until: pd.Timestamp):
        self.until = until
        shown = f"{clock.local_text(until)} ({clock.zone_name()})"
        super().__init__(f"登录失败次数过多,账号锁定至 {shown} | too many failed "
                         f"sign-ins: account locked until {shown}")


BAD_CREDENTIALS = "用户名或密码错误 | wrong account name or password"
ACCOUNT_DISABLED = "账号已停用 | this account is disabled"


def hash_password(password: str, rounds: int | None = None) -> str:
    check_password_rules(password)
    salt = bcrypt.gensalt(rounds or BCRYPT_ROUNDS)
    with _hashing:
        return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    data = password.encode("utf-8")
    if len(data) > BCRYPT_MAX_BYTES or not password_hash:
        return False
    with _hashing:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"密码至少 {MIN_PASSWORD_LENGTH} 位 | a password needs at least "
                         f"{MIN_PASSWORD_LENGTH} characters")
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        raise ValueError(f"密码不能超过 {BCRYPT_MAX_BYTES} 字节 | a password may have at most "
                         f"{BCRYPT_MAX_BYTES} bytes")


def load_accounts(store) -> pd.DataFrame:
    if ACCOUNTS not in store.layer_names():
        from geo.store.base import empty_frame

        return empty_frame(ACCOUNTS)
    return store.load(ACCOUNTS)


def has_accounts(store) -> bool:
    """True once any account (even a disabled one) exists: the app then requires sign-in."""
    return len(load_accounts(store)) > 0


def parse_grids(text) -> frozenset[str]:
    if text is None or pd.isna(text):
        return frozenset()
    return frozenset(g.strip() for g in str(text).split(",") if g.strip())


def principal_of(row) -> Principal:
    return Principal(str(row[NAME]), Role(row[ROLE]), parse_grids(row.get(GRIDS)))


def find_account(store, name: str) -> dict | None:
    accounts = load_accounts(store)
    found = accounts[accounts[NAME] == name]
    return None if found.empty else found.iloc[0].to_dict()


def _public(row: dict) -> dict:
    """An account as written to the audit trail: never the password hash."""
    return {k: row.get(k) for k in (NAME, ROLE, GRIDS, DISABLED)}


def add_user(store, name: str, role: str, password: str, grids=(), *, actor: str = "system",
             principal: Principal | None = None, rounds: int | None = None) -> Principal:
    """Create an account (audited as ``account_change``); grid leaders need at least one grid."""
    if principal is not None:
        require(principal, "manage_accounts", store=store, object_layer=ACCOUNTS, object_id=name)
    name = (name or "").strip()
    if not name or name in RESERVED_NAMES:
        raise ValueError(f"账号名不可用:{name!r} | account name not allowed: {name!r}")
    if role not in schema.ROLES:
        raise ValueError(f"角色须为 {', '.join(schema.ROLES)} 之一 | role must be one of "
                         f"{', '.join(schema.ROLES)}")
    grid_set = sorted({str(g).strip() for g in grids if str(g).strip()})
    if role == Role.GRID_LEADER and not grid_set:
        raise ValueError("网格长须指定负责网格 | a grid leader needs --grids")
    _check_grids_exist(store, grid_set)
    if find_account(store, name) is not None:
        raise ValueError(f"账号已存在:{name} | account exists: {name}")
    row = {ID: name, NAME: name, ROLE: str(role), GRIDS: ",".join(grid_set) or None,
           PASSWORD_HASH: hash_password(password, rounds), DISABLED: False, FAILED_ATTEMPTS: 0,
           LOCKED_UNTIL: None}
    with store.transaction(actor) as tx:
        tx.append(ACCOUNTS, pd.DataFrame([row]))
        audit.record(tx, actor, "account_change", ACCOUNTS, name, None,
                     {**_public(row), "change": "add"})
    return principal_of(row)


def _check_grids_exist(store, grid_ids: list[str]) -> None:
    if not grid_ids or "grids" not in store.layer_names():
        return
    known = set(store.load("grids")[ID].astype(str))
    missing = [g for g in grid_ids if g not in known]
    if missing:
        raise ValueError(f"网格不存在:{'、'.join(missing)} | unknown grids: {', '.join(missing)}")


def _change_account(store, name: str, changes: dict, after: dict, actor: str,
                    principal: Principal | None) -> None:
    if principal is not None:
        require(principal, "manage_accounts", store=store, object_layer=ACCOUNTS, object_id=name)
    account = find_account(store, name)
    if account is None:
        raise ValueError(f"账号不存在:{name} | no such account: {name}")
    with store.transaction(actor) as tx:
        tx.update(ACCOUNTS, account[ID], changes)
        audit.record(tx, actor, "account_change", ACCOUNTS, name, _public(account),
                     {**_public({**account, **changes}), **after})


def set_password(store, name: str, password: str, *, actor: str = "system",
                 principal: Principal | None = None, rounds: int | None = None) -> None:
    """New password; also clears failed attempts and any lock (audited)."""
    changes = {PASSWORD_HASH: hash_password(password, rounds), FAILED_ATTEMPTS: 0,
               LOCKED_UNTIL: None}
    _change_account(store, name, changes, {"change": "password"}, actor, principal)
    store.reset_failed_sign_ins(name)


def disable_user(store, name: str, *, actor: str = "system",
                 principal: Principal | None = None) -> None:
    _change_account(store, name, {DISABLED: True}, {"change": "disable"}, actor, principal)


def authenticate(store, name: str, password: str, now=None, *,
                 max_attempts: int | None = None, lock_minutes: float | None = None) -> Principal:
    """The principal of a valid, enabled, unlocked account; else :class:`AuthError`.

    Every attempt is audited (action ``sign_in``; the failure that reaches ``max_attempts``
    also as ``account_locked``). Attempts and their audit rows are kept by the store outside
    its layers and revision (:meth:`geo.store.base.Store.begin_sign_in`): counted
    before the password is checked, atomically, so parallel wrong passwords lock the account as sequential ones do, and a
    failed sign-in never rewrites the store or empties a cache. An unknown account costs the
    same bcrypt work as a real one (a dummy hash of the store's cost)."""
    now = clock.as_utc(now if now is not None else clock.now_utc()).floor("s")
    max_attempts = max_attempts or MAX_FAILED_ATTEMPTS
    lock_minutes = LOCK_MINUTES if lock_minutes is None else lock_minutes
    accounts = load_accounts(store)
    found = accounts[accounts[NAME] == name]
    if found.empty:
        verify_password(password, _dummy_hash(_store_cost(accounts)))
        _sign_in_refused(store, name, "unknown account")
        raise AuthError(BAD_CREDENTIALS)
    account = found.iloc[0].to_dict()
    # counted before the password is checked, in the transaction that checks the count: a
    # burst of parallel attempts gets max_attempts password checks, the rest are refused
    attempt = store.begin_sign_in(name, now, max_attempts, lock_minutes)
    if attempt.refused_until is not None:
        _sign_in_refused(store, name, "locked")
        raise AccountLocked(attempt.refused_until)
    if not verify_password(password, account[PASSWORD_HASH]):
        _failed(store, name, attempt, max_attempts)
    if bool(account[DISABLED]):
        _sign_in_refused(store, name, "disabled")
        raise AuthError(ACCOUNT_DISABLED)
    locked = store.finish_sign_in(name, attempt, now)
    if locked is not None:  # another attempt of the same burst locked the account
        _sign_in_refused(store, name, "locked")
        raise AccountLocked(locked)
    store.record_sign_in_event(audit.audit_row(name, "sign_in", ACCOUNTS, name))
    return principal_of(account)


@functools.lru_cache(maxsize=8)
def _dummy_hash(cost: int) -> str:
    with _hashing:
        return bcrypt.hashpw(b"timing-equaliser", bcrypt.gensalt(cost)).decode("ascii")


def _store_cost(accounts: pd.DataFrame) -> int:
    """The bcrypt cost of the store's real hashes ($2b$12$...), else the configured one."""
    for value in accounts[PASSWORD_HASH].dropna():
        parts = str(value).split("$")
        if len(parts) > 2 and parts[2].isdigit():
            return int(parts[2])
    return BCRYPT_ROUNDS


def _sign_in_refused(store, name: str, reason: str, action: str = "sign_in",
                     after: dict | None = None) -> None:
    store.record_sign_in_event(audit.audit_row(name, action, ACCOUNTS, name, after=after,
                                               reason=reason, outcome=audit.REFUSED))


def _failed(store, name: str, attempt, max_attempts: int):
    """Audit one wrong password (already counted); the attempt that reached the limit locked."""
    _sign_in_refused(store, name, f"wrong password ({attempt.number}/{max_attempts})")
    if attempt.newly_locked:
        _sign_in_refused(store, name, f"{attempt.number} wrong passwords", "account_locked",
                         {LOCKED_UNTIL: attempt.locked_until.isoformat()})
    if attempt.locked_until is None:
        raise AuthError(BAD_CREDENTIALS)
    raise AccountLocked(attempt.locked_until)
