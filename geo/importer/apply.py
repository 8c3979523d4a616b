"""Writing a checked import in one transaction (upsert by id), its log, and its rollback.

The log row keeps, as JSON in ``backup``, what is needed to undo the import: per layer the ids
it added, the rows it replaced (geometry as WKT, full precision) and a digest of every row it
wrote, so that a rollback can tell which rows somebody changed or deleted since.

An import never overwrites an edit it did not see: its transaction first locks the layers it
replaces (Transaction.lock: on PostGIS edits and other imports wait until it commits), then
compares the version of every row it replaces with the version the plan was checked against;
a row changed, added or deleted since the check refuses the import, naming the rows."""

from __future__ import annotations

import hashlib
import json
import secrets

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import clock, schema
from geo.audit import record
from geo.auth import SYSTEM, require
from geo.importer import detect
from geo.importer.plan import ImportPlan, writable
from geo.importer.templates import layer_table
from geo.schema import GEOMETRY, ID, VERSION, WGS84
from geo.store.base import StoreError

IMPORT_LOG = "import_log"
APPLIED, ROLLED_BACK = "applied", "rolled_back"
CHANGED, DELETED = "changed", "deleted"
IMPORT_PERMISSION, ROLLBACK_PERMISSION = "import", "rollback_import"


class ImportRefused(Exception):
    """The import was not written (problems found, permission missing, or bad log id)."""


class RollbackConflict(ImportRefused):
    """Rows the import wrote were changed or deleted afterwards; rolling back would lose that.

    ``conflicts``: (layer, id, CHANGED or DELETED)."""

    def __init__(self, log_id: str, conflicts: list[tuple[str, str, str]]):
        self.log_id, self.conflicts = log_id, conflicts
        shown = "、".join(f"{layer} {row_id}" for layer, row_id, _ in conflicts[:5])
        more = f" … (+{len(conflicts) - 5})" if len(conflicts) > 5 else ""
        super().__init__(
            f"{log_id}:{len(conflicts)} 行在导入后又被修改或删除({shown}{more}),未回滚;"
            f"可先回滚之后的导入,或选择保留这些修改只回滚其余行 | {len(conflicts)} row(s) were "
            f"changed or deleted after this import ({shown}{more}); nothing rolled back. Roll back "
            f"later imports first, or keep those later edits and roll back the other rows")


class ChangedSinceCheck(ImportRefused):
    """Rows the import would replace changed since the plan was checked.

    ``changed``: (layer, id, version seen or None, version now or None)."""

    def __init__(self, changed: list[tuple[str, str, int | None, int | None]]):
        self.changed = changed
        shown = "、".join(f"{layer} {row_id}" for layer, row_id, _, _ in changed[:5])
        more = f" … (+{len(changed) - 5})" if len(changed) > 5 else ""
        super().__init__(
            f"检查之后有 {len(changed)} 行被他人修改、新增或删除({shown}{more}),为免覆盖这些修改"
            f"未导入;请重新检查后再导入 | {len(changed)} row(s) were changed, added or deleted by "
            f"someone else after the check ({shown}{more}); nothing imported so as not to "
            f"overwrite those edits. Check the files again, then import")


def _changed_since_check(name: str, existing: pd.DataFrame, planned: pd.DataFrame,
                         seen: dict[str, int]) -> list[tuple]:
    now = dict(zip(existing[ID].astype(str), existing[VERSION].astype(int)))
    out = []
    for row_id in planned[ID].astype(str):
        before, after = seen.get(row_id), now.get(row_id)
        if before != after:
            out.append((name, row_id, before, after))
    return out


def _require(principal, action: str, store) -> str:
    """Check the role (``principal`` None: the server's command line, auth.SYSTEM); returns
    the account name to log."""
    principal = principal or SYSTEM
    require(principal, action, store=store, object_layer=IMPORT_LOG)
    return principal.name


def _audit(tx, account: str, action: str, log_id: str, after: dict) -> None:
    record(tx, account=account, action=action, object_layer=IMPORT_LOG, object_id=log_id,
           after=after)


def _rows_json(name: str, frame: pd.DataFrame) -> list[dict]:
    table = layer_table(name, frame, chinese=False)
    table[VERSION] = frame[VERSION].reset_index(drop=True).astype(object) \
        if VERSION in frame.columns else 1
    records = table.astype(object).where(table.notna(), None).to_dict(orient="records")
    # json.dumps writes floats by repr (exact round trip; pandas' to_json keeps 15 decimals)
    return json.loads(json.dumps(records, ensure_ascii=False, default=_json_value))


def _json_value(value):
    return value.item() if isinstance(value, np.generic) else str(value)


def _row_digests(name: str, frame: pd.DataFrame) -> dict[str, str]:
    """A digest of each row's content (attributes and geometry, not its version), by id."""
    rows = _rows_json(name, frame)
    return {str(r[ID]): hashlib.sha1(json.dumps(  # a content fingerprint
        {k: v for k, v in r.items() if k != VERSION}, sort_keys=True,
        ensure_ascii=False).encode()).hexdigest()[:16] for r in rows}


def _rows_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    spec = schema.layer(name)
    if spec.geometry:
        geoms, _ = detect.raw_geometries(frame) if len(frame) else (None, [])
        geoms = geoms if geoms is not None else [None] * len(frame)
        frame = frame.drop(columns=[c for c in ("lon", "lat", "wkt") if c in frame.columns])
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(list(geoms), crs=WGS84))
    return frame


def _merge(existing: pd.DataFrame, incoming: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Upsert ``incoming`` into ``existing`` by id; returns (merged, replaced rows)."""
    incoming = incoming.copy()
    incoming[ID] = incoming[ID].astype(str)
    old_ids = existing[ID].astype(str)
    replaced = existing[old_ids.isin(set(incoming[ID]))]
    versions = dict(zip(replaced[ID].astype(str), replaced[VERSION]))
    incoming[VERSION] = [int(versions.get(i, 0)) + 1 for i in incoming[ID]]
    kept = existing[~old_ids.isin(set(incoming[ID]))]
    if isinstance(existing, gpd.GeoDataFrame):
        incoming = incoming.set_crs(WGS84, allow_override=True) \
            if isinstance(incoming, gpd.GeoDataFrame) else incoming
        merged = gpd.GeoDataFrame(pd.concat([kept, incoming], ignore_index=True),
                                  geometry=GEOMETRY, crs=WGS84)
    else:
        merged = pd.concat([kept, incoming], ignore_index=True)
    return merged, replaced


def apply_import(store, plan: ImportPlan, account: str | None = None, principal=None,
                 note: str | None = None) -> str:
    """Write a problem-free plan in one transaction; returns the import_log id, or None when
    every row equals the stored one (nothing is written then, not even a log row).

    Only new and changed rows are written; an unchanged row keeps its version and gets no
    undo copy. ``principal`` (geo.auth.Principal) must be allowed to import; None means the
    command line on the server (auth.SYSTEM)."""
    if plan.problems:
        raise ImportRefused(f"{len(plan.problems)} 个问题,未导入 | problems found, nothing written")
    if not plan.frames:
        raise ImportRefused("没有可导入的数据 | nothing to import")
    checked = _require(principal, IMPORT_PERMISSION, store)
    account = account or checked
    if plan.to_write() == 0:
        return None
    at = clock.now_utc()
    checksum = ";".join(sha for _, sha in plan.files)
    log_id = (f"imp-{clock.to_local(at):%Y%m%d%H%M%S}-{checksum[:8]}-"  # local time, as shown
              f"{secrets.token_hex(2)}")  # two at once differ
    try:
        with store.transaction(account) as tx:
            _write(tx, plan, account, log_id, at, checksum, note)
    except StoreError as exc:
        raise ImportRefused(f"导入失败,未写入任何数据 | the import failed, nothing was written: "
                            f"{exc}") from exc
    return log_id


def _write(tx, plan: ImportPlan, account: str, log_id: str, at, checksum: str, note) -> None:
    tx.lock(sorted(plan.frames) + [IMPORT_LOG])
    loaded = {name: tx.load(name) for name in plan.frames}  # after the lock: every edit seen
    changed = [c for name, planned in plan.frames.items()
               for c in _changed_since_check(name, loaded[name], planned,
                                             plan.seen_versions.get(name, {}))]
    if changed:
        raise ChangedSinceCheck(changed)
    backup = {}
    for name, planned in plan.frames.items():
        same = plan.unchanged.get(name, set())
        planned = planned[~planned[ID].astype(str).isin(same)] if same else planned
        if planned.empty:
            continue  # every row of the layer is as stored: the layer is not rewritten
        existing = loaded[name]
        merged, replaced = _merge(existing, writable(name, planned))
        added = sorted(set(planned[ID].astype(str)) - set(replaced[ID].astype(str)))
        tx.replace(name, merged)
        stored = tx.load(name)  # what the store holds, as a rollback will read it
        ours = stored[stored[ID].astype(str).isin(set(planned[ID].astype(str)))]
        backup[name] = {"added": added, "replaced": _rows_json(name, replaced),
                        "written": _row_digests(name, ours)}
    log = {
        ID: log_id, "at": at, "account": account,
        "files": json.dumps([n for n, _ in plan.files], ensure_ascii=False),
        "checksum": checksum, "counts": json.dumps(plan.counts, ensure_ascii=False),
        "status": APPLIED, "backup": json.dumps(backup, ensure_ascii=False),
    }
    tx.append(IMPORT_LOG, pd.DataFrame([log]))
    _audit(tx, account, "import", log_id, {"files": [n for n, _ in plan.files],
                                            "counts": plan.counts, "note": note})


def import_log(store) -> pd.DataFrame:
    """The import log without the (large) backup column, newest first."""
    if IMPORT_LOG not in store.layer_names():
        return pd.DataFrame(columns=[ID, "at", "account", "files", "checksum", "counts",
                                     "status"])
    frame = store.load(IMPORT_LOG).drop(columns=["backup"])
    return frame.sort_values("at", ascending=False).reset_index(drop=True)


def _later_edits(name: str, frame: pd.DataFrame, undo: dict) -> list[tuple[str, str, str]]:
    """Rows of ``name`` the import wrote whose content changed since, or that were deleted
    since when the import had replaced them (restoring them would undo the deletion)."""
    written = undo.get("written")
    if written is None:  # a log from before contents were kept: nothing to compare
        return []
    ours = frame[frame[ID].astype(str).isin(set(written))]
    now = _row_digests(name, ours) if len(ours) else {}
    replaced = {str(r[ID]) for r in undo["replaced"]}
    return [(name, row_id, CHANGED if row_id in now else DELETED)
            for row_id, digest in written.items()
            if now.get(row_id) != digest and (row_id in now or row_id in replaced)]


def rollback_import(store, log_id: str, account: str | None = None, principal=None,
                    keep_later_edits: bool = False) -> dict:
    """Undo an applied import: drop the rows it added, restore the rows it replaced.

    Rows changed or deleted after the import (content compared) are never overwritten:
    the rollback is refused with RollbackConflict, or, with ``keep_later_edits``, those rows
    keep their later state and every other row is rolled back (reported as "kept")."""
    checked = _require(principal, ROLLBACK_PERMISSION, store)
    account = account or checked
    with store.transaction(account) as tx:
        log = tx.load(IMPORT_LOG)
        rows = log[log[ID] == log_id]
        if rows.empty:
            raise ImportRefused(f"导入记录不存在:{log_id} | no such import: {log_id}")
        tx.lock(sorted(json.loads(rows.iloc[0]["backup"])) + [IMPORT_LOG])
        log = tx.load(IMPORT_LOG)  # again, under the lock: a rollback running at once is seen
        row = log[log[ID] == log_id].iloc[0]
        if row["status"] != APPLIED:
            raise ImportRefused(f"该导入已回滚:{log_id} | already rolled back: {log_id}")
        backup = json.loads(row["backup"])
        frames = {name: tx.load(name) for name in backup}
        conflicts = [c for name, undo in backup.items()
                     for c in _later_edits(name, frames[name], undo)]
        if conflicts and not keep_later_edits:
            raise RollbackConflict(log_id, conflicts)
        keep = {(layer, row_id) for layer, row_id, _ in conflicts}
        restored = {}
        for name, undo in backup.items():
            frame = frames[name]
            undo_rows = [r for r in undo["replaced"] if (name, str(r[ID])) not in keep]
            old = _rows_frame(name, undo_rows)
            added = [i for i in undo["added"] if (name, i) not in keep]
            drop = set(added) | set(old[ID].astype(str) if len(old) else [])
            kept = frame[~frame[ID].astype(str).isin(drop)]
            if len(old):  # versions only move forward: a reader of the imported row conflicts
                now = dict(zip(frame[ID].astype(str), frame[VERSION].astype(int)))
                old[VERSION] = [now.get(str(i), int(v)) + 1 for i, v in zip(old[ID], old[VERSION])]
                merged = pd.concat([kept, old], ignore_index=True)
                if isinstance(frame, gpd.GeoDataFrame):
                    merged = gpd.GeoDataFrame(merged, geometry=GEOMETRY, crs=WGS84)
            else:
                merged = kept
            tx.replace(name, merged)
            removed = int(frame[ID].astype(str).isin(set(added)).sum())  # not deleted since
            restored[name] = {"removed": removed, "restored": len(old)}
            kept_rows = sum(1 for layer, _ in keep if layer == name)
            if kept_rows:
                restored[name]["kept"] = kept_rows
        tx.update(IMPORT_LOG, log_id, {"status": ROLLED_BACK})
        _audit(tx, account, ROLLBACK_PERMISSION, log_id, restored)
    return restored
