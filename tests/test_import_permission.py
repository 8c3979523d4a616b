"""The import's permission checks always run: a role without the right is refused (audited),
the store is left unchanged, and no import module hides a failed import of its own checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from make_bad_files import GOOD_MEMBER, MEMBER_HEADER

from geo import audit
from geo.auth import PermissionDenied, Principal, Role
from geo.importer import apply_import, import_files, plan_import, rollback_import

IMPORTER = Path(__file__).resolve().parents[1] / "geo" / "importer"


def _members_file(tmp_path) -> Path:
    path = tmp_path / "members_new.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER.replace("M1,", "M7,")]),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("role", [Role.PLANNER, Role.VIEWER, Role.GRID_LEADER])
def test_import_by_a_role_without_the_right_is_refused_and_audited(small_store, tmp_path, role):
    plan = plan_import([_members_file(tmp_path)], small_store)
    assert plan.ok, [p.describe() for p in plan.problems]
    data_layers = [n for n in small_store.layer_names() if n != audit.AUDIT]
    counts = {n: len(small_store.load(n)) for n in data_layers}
    who = Principal("mallory", role, frozenset({"G1"}) if role == Role.GRID_LEADER else frozenset())
    with pytest.raises(PermissionDenied):
        apply_import(small_store, plan, principal=who)
    assert "M7" not in set(small_store.load("members")["id"])
    refused = audit.load_audit(small_store, accounts=["mallory"], outcome=audit.REFUSED)
    assert refused["action"].tolist() == ["import"]
    # only the refusal row was added: every other layer is as before
    assert {n: len(small_store.load(n)) for n in data_layers} == counts


def test_rollback_by_a_viewer_is_refused(small_store, tmp_path):
    _plan, log_id = import_files(small_store, [_members_file(tmp_path)])
    assert log_id
    with pytest.raises(PermissionDenied):
        rollback_import(small_store, log_id, principal=Principal("vic", Role.VIEWER))
    assert "M7" in set(small_store.load("members")["id"])


def test_org_may_import(small_store, tmp_path):
    plan = plan_import([_members_file(tmp_path)], small_store)
    apply_import(small_store, plan, principal=Principal("olga", Role.ORG))
    assert "M7" in set(small_store.load("members")["id"])


def test_no_import_module_catches_a_failed_import():
    offenders = [p.name for p in IMPORTER.glob("*.py")
                 if re.search(r"except\s+\(?\s*ImportError", p.read_text(encoding="utf-8"))]
    assert offenders == []
