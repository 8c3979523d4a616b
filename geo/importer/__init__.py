"""Importing real records: read, map, detect the CRS, validate, write in one transaction.

``plan_import(paths, store)`` checks without writing; ``apply_import(store, plan)`` writes a
plan without problems and logs it; ``rollback_import(store, log_id)`` undoes it."""

from __future__ import annotations

from geo.importer.apply import (  # noqa: F401
    APPLIED,
    ROLLED_BACK,
    ImportRefused,
    RollbackConflict,
    apply_import,
    import_log,
    rollback_import,
)
from geo.importer.mapping import IMPORTABLE_LAYERS, LAYER_LABELS  # noqa: F401
from geo.importer.plan import (  # noqa: F401
    ImportPlan,
    TableReport,
    distinct_names,
    plan_import,
)
from geo.importer.readers import DEFAULT_SIZE_LIMIT  # noqa: F401
from geo.importer.templates import template_xlsx, templates_zip  # noqa: F401


def import_files(store, paths, account: str = "system", principal=None, dry_run: bool = False,
                 **options) -> tuple[ImportPlan, str | None]:
    """Plan and (unless ``dry_run`` or problems) apply; returns (plan, log id or None)."""
    plan = plan_import(paths, store, **options)
    if dry_run or not plan.ok:
        return plan, None
    return plan, apply_import(store, plan, account=account, principal=principal)
