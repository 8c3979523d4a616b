"""Who may see and change what: accounts, sign-in, roles and scope checks.

Roles (:data:`geo.schema.ROLES`) and what they may do (:data:`PERMISSIONS`):

* ``org`` (组织部): everything, sees personal data.
* ``planner``: maps, coverage, saves and promotes scenarios; personal data masked; no roster
  edits.
* ``grid_leader``: sees personal data of, edits, and moves orders/cases of, only the grids
  assigned to him (``grid_ids`` must all be his).
* ``viewer``: read-only, masked.  ``big_screen``: the display page only, masked.

Every write in ``geo/`` calls :func:`require` on the server side; a refusal raises
:class:`PermissionDenied` and, when a store is given, is written to the audit trail.
Accounts live in the store layer ``accounts`` with bcrypt password hashes; ten wrong passwords
lock an account for fifteen minutes (``HONGTU_MAX_FAILED_ATTEMPTS``, ``HONGTU_LOCK_MINUTES``),
counted by the store outside its layers (``Store.record_failed_sign_in``); the accounts
layer's ``failed_attempts``/``locked_until`` columns are no longer written.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from enum import StrEnum

import bcrypt
import pandas as pd

from geo import audit, clock, schema
from geo.masking import mask_frame
from geo.schema import ID

log = logging.getLogger(__name__)

ACCOUNTS = "accounts"
NAME, ROLE, GRIDS = "name", "role", "grids"
PASSWORD_HASH, DISABLED = "password_hash", "disabled"
FAILED_ATTEMPTS, LOCKED_UNTIL = "failed_attempts", "locked_until"
GRID_ID = "grid_id"

MAX_FAILED_ATTEMPTS = int(os.environ.get("HONGTU_MAX_FAILED_ATTEMPTS", "10"))
LOCK_MINUTES = float(os.environ.get("HONGTU_LOCK_MINUTES", "15"))
BCRYPT_ROUNDS = int(os.environ.get("HONGTU_BCRYPT_ROUNDS", "12"))
MIN_PASSWORD_LENGTH = 8
BCRYPT_MAX_BYTES = 72


class Role(StrEnum):
    ORG = "org"
    PLANNER = "planner"
    GRID_LEADER = "grid_leader"
    VIEWER = "viewer"
    BIG_SCREEN = "big_screen"


assert tuple(Role) == schema.ROLES

ACTIONS = {  # action -> (zh, en) for messages
    "view_personal": ("查看个人信息", "view personal data"),
    "edit_members": ("编辑党员名册", "edit the member roster"),
    "promote_scenario": ("采纳规划方案", "promote a scenario"),
    "import": ("导入数据", "import data"),
    "rollback_import": ("回滚导入", "roll back an import"),
    "export_personal": ("导出个人信息", "export personal data"),
    "manage_accounts": ("管理账号", "manage accounts"),
    "workflow": ("处理工单与事件", "work on orders and cases"),
    "view_audit": ("查看审计日志", "view the audit log"),
    "save_scenario": ("保存规划方案", "save a scenario"),
}
ROLE_LABELS = {
    Role.ORG: ("组织部", "organisation department"), Role.PLANNER: ("规划人员", "planner"),
    Role.GRID_LEADER: ("网格长", "grid leader"), Role.VIEWER: ("只读用户", "viewer"),
    Role.BIG_SCREEN: ("大屏", "big screen"),
}
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ORG: frozenset(ACTIONS),
    Role.PLANNER: frozenset({"save_scenario", "promote_scenario"}),
    Role.GRID_LEADER: frozenset({"view_personal", "edit_members", "workflow"}),
    Role.VIEWER: frozenset(),
    Role.BIG_SCREEN: frozenset(),
}
GRID_SCOPED_ROLES = frozenset({Role.GRID_LEADER})


@dataclass(frozen=True)
class Principal:
    """Who is acting: an account's name, its role and (grid leaders) its grids."""

    name: str
    role: str
    grids: frozenset[str] = frozenset()
    demo: bool = False

    @property
    def is_org(self) -> bool:
        return self.role == Role.ORG


DEMO = Principal("demo", Role.VIEWER, demo=True)  # no account exists: local, masked demo
BIG_SCREEN = Principal("big_screen", Role.BIG_SCREEN)
ANONYMOUS = Principal("anonymous", Role.BIG_SCREEN)  # accounts exist, nobody signed in
SYSTEM = Principal("system", Role.ORG)  # the command line on the server
RESERVED_NAMES = frozenset(p.name for p in (DEMO, BIG_SCREEN, ANONYMOUS, SYSTEM))


class PermissionDenied(PermissionError):
    """The principal may not do this; the message is Chinese | English."""

    def __init__(self, principal: Principal, action: str, grid_ids=None):
        self.principal, self.action = principal, action
        self.grid_ids = sorted(grid_ids) if grid_ids else []
        zh_role, en_role = ROLE_LABELS.get(principal.role, (principal.role, principal.role))
        zh_act, en_act = ACTIONS.get(action, (action, action))
        outside = self.outside_grids
        if outside:
            grids = "、".join(outside)
            message = (f"无权限:{zh_role}只能{zh_act}(限本人负责网格),{grids} 不在其中 | "
                       f"not allowed: a {en_role} may {en_act} only in assigned grids, "
                       f"not in {', '.join(outside)}")
        else:
            message = f"无权限:{zh_role}不能{zh_act} | not allowed: a {en_role} may not {en_act}"
        self.message = message
        super().__init__(message)

    @property
    def outside_grids(self) -> list[str]:
        if self.principal.role not in GRID_SCOPED_ROLES:
            return []
        return [g for g in self.grid_ids if g not in self.principal.grids]


def allowed(principal: Principal | None, action: str, grid_ids=None) -> bool:
    """May ``principal`` do ``action`` (on the given grids, for grid-scoped roles)?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    principal = principal or ANONYMOUS
    if action not in PERMISSIONS.get(principal.role, frozenset()):
        return False
    if principal.role in GRID_SCOPED_ROLES:
        wanted = {str(g) for g in (grid_ids or ())}
        return bool(wanted) and wanted <= principal.grids
    return True


def require(principal: Principal | None, action: str, *, store=None, grid_ids=None,
            object_layer: str | None = None, object_id: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless allowed; audit the refusal when ``store`` is given."""
    principal = principal or ANONYMOUS
    if allowed(principal, action, grid_ids):
        return
    denied = PermissionDenied(principal, action, grid_ids)
    if store is not None:
        try:
            audit.record_refusal(store, principal.name, action, object_layer, object_id,
                                 after={"grids": denied.grid_ids} if denied.grid_ids else None,
                                 reason=denied.message)
        except Exception:  # the refusal stands even if the audit write fails
            log.exception("could not audit refusal of %s for %s", action, principal.name)
    raise denied


def can_see_personal(principal: Principal | None, grid_id: str | None = None) -> bool:
    """org: always; grid leader: only for members of his own grids; everybody else: never."""
    if principal is None:
        return False
    if principal.role == Role.ORG:
        return True
    if principal.role == Role.GRID_LEADER:
        return grid_id is not None and str(grid_id) in principal.grids
    return False


def mask_for(principal: Principal | None, frame: pd.DataFrame, layer_name: str) -> pd.DataFrame:
    """``frame`` masked as ``principal`` may see it (grid leaders row by row via ``grid_id``)."""
    if principal is not None and principal.role == Role.GRID_LEADER and GRID_ID in frame.columns:
        rows = [can_see_personal(principal, g) for g in frame[GRID_ID].astype(object)]
        return mask_frame(frame, layer_name, rows)
    return mask_frame(frame, layer_name, can_see_personal(principal))


# ----------------------------------------------------------------------------- accounts
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
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    data = password.encode("utf-8")
    if len(data) > BCRYPT_MAX_BYTES or not password_hash:
        return False
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
    its layers and revision (:meth:`geo.store.base.Store.record_failed_sign_in`): counted
    atomically, so parallel wrong passwords lock the account as sequential ones do, and a
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
    failed, locked = store.sign_in_state(name)
    if locked is not None and now < locked:
        _sign_in_refused(store, name, "locked")
        raise AccountLocked(locked)
    if not verify_password(password, account[PASSWORD_HASH]):
        _failed(store, name, now, max_attempts, lock_minutes)
    if bool(account[DISABLED]):
        _sign_in_refused(store, name, "disabled")
        raise AuthError(ACCOUNT_DISABLED)
    if failed or locked is not None:
        store.reset_failed_sign_ins(name)
    store.record_sign_in_event(audit.audit_row(name, "sign_in", ACCOUNTS, name))
    return principal_of(account)


@functools.lru_cache(maxsize=8)
def _dummy_hash(cost: int) -> str:
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


def _failed(store, name: str, now, max_attempts: int, lock_minutes: float):
    """Count one wrong password (audited); the failure that reaches the limit locks."""
    failures, until, newly = store.record_failed_sign_in(name, now, max_attempts, lock_minutes)
    _sign_in_refused(store, name, f"wrong password ({failures}/{max_attempts})")
    if newly:
        _sign_in_refused(store, name, f"{failures} wrong passwords", "account_locked",
                         {LOCKED_UNTIL: until.isoformat()})
    if until is None:
        raise AuthError(BAD_CREDENTIALS)
    raise AccountLocked(until)
