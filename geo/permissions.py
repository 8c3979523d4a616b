"""Who may do what: roles, principals and scope checks (no accounts, no passwords).

Roles (:data:`geo.schema.ROLES`) and what they may do (:data:`PERMISSIONS`):

* ``org`` (组织部): everything, sees personal data.
* ``planner``: maps, coverage, saves and promotes scenarios; personal data masked; no roster
  edits.
* ``grid_leader``: sees personal data of, edits, and moves orders/cases of, only the grids
  assigned to him (``grid_ids`` must all be his).
* ``viewer``: read-only, masked.  ``big_screen``: the display page only, masked.

Every write in ``geo/`` calls :func:`require` on the server side; a refusal raises
:class:`PermissionDenied` and, when a store is given, is written to the audit trail.
Accounts and sign-in: :mod:`geo.auth` (which re-exports these names).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from geo import audit, schema
from geo.masking import mask_frame

log = logging.getLogger(__name__)

GRID_ID = "grid_id"


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
