"""The audit trail: one row per write (edit, import, rollback, scenario promotion, account
change), sign-in and refusal, with account, time, action, object and before/after.

Rows are only ever appended, inside the same store transaction as the write they describe,
so a write and its audit row are committed together or not at all. The time of a row is the
real time of the action (:func:`geo.clock.now_utc`, UTC), never a time a user typed: business
times (when an order was taken, ...) belong in the record itself and its "after" values.
"""

from __future__ import annotations

import json
import time
import uuid

import pandas as pd

from geo import cells, clock
from geo.schema import ID

AUDIT = "audit"
AT = "at"
ACCOUNT = "account"
ACTION = "action"
OBJECT_LAYER = "object_layer"
OBJECT_ID = "object_id"
BEFORE = "before"
AFTER = "after"
REASON = "reason"
OUTCOME = "outcome"
OK, REFUSED = "ok", "refused"
OUTCOMES = (OK, REFUSED)
COLUMNS = (ID, AT, ACCOUNT, ACTION, OBJECT_LAYER, OBJECT_ID, BEFORE, AFTER, REASON, OUTCOME)


def _json(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def new_id(at: pd.Timestamp) -> str:
    """Audit ids sort by time, then by order of writing:
    ``audit-20240101T120000-<nanoseconds>-<random>``."""
    return f"audit-{at:%Y%m%dT%H%M%S}-{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"


def audit_row(account, action, object_layer=None, object_id=None, before=None, after=None,
              reason=None, outcome=OK) -> dict:
    """One audit row stamped with the server's clock (UTC) at this moment."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    at = clock.now_utc()
    return {
        ID: new_id(at), AT: at, ACCOUNT: str(account), ACTION: str(action),
        OBJECT_LAYER: object_layer, OBJECT_ID: None if object_id is None else str(object_id),
        BEFORE: _json(before), AFTER: _json(after), REASON: reason, OUTCOME: outcome,
    }


def record(tx, account, action, object_layer=None, object_id=None, before=None, after=None,
           reason=None, outcome=OK) -> str:
    """Append one audit row (stamped now, UTC) inside the open transaction ``tx``; returns the
    row's id."""
    row = audit_row(account, action, object_layer, object_id, before, after, reason, outcome)
    tx.append(AUDIT, pd.DataFrame([row]))
    return row[ID]


def record_refusal(store, account, action, object_layer=None, object_id=None, before=None,
                   after=None, reason=None) -> str:
    """Record a refused action in a transaction of its own (the refused write never opened one)."""
    with store.transaction(str(account)) as tx:
        return record(tx, account, action, object_layer, object_id, before, after, reason,
                      REFUSED)


EXPORT_ACTION = "export"


def record_export(store, account, what: str, file_name: str, masked: bool,
                  detail: dict | None = None) -> str:
    """Record a download, export or generated document: who, what, which file, masked or not
    (one policy: personal data leaves only named *_unmasked_* and always audited)."""
    after = {"file": file_name, "masked": bool(masked)} | (detail or {})
    with store.transaction(str(account)) as tx:
        return record(tx, account, EXPORT_ACTION, object_layer=what, object_id=file_name,
                      after=after)


def empty_audit() -> pd.DataFrame:
    from geo.store.base import empty_frame

    return empty_frame(AUDIT)


def filter_audit(frame: pd.DataFrame, *, accounts=None, actions=None, outcome=None,
                 object_layer=None, since=None, until=None, text=None) -> pd.DataFrame:
    """Rows of an audit frame matching every given filter, newest first.

    ``since``/``until`` are dates or times (``until`` as a date includes that whole day);
    ``text`` is searched in the object id, before, after and reason columns."""
    keep = pd.Series(True, index=frame.index)
    if accounts:
        keep &= frame[ACCOUNT].isin(list(accounts))
    if actions:
        keep &= frame[ACTION].isin(list(actions))
    if outcome:
        keep &= frame[OUTCOME] == outcome
    if object_layer:
        keep &= frame[OBJECT_LAYER] == object_layer
    if since is not None:
        keep &= frame[AT] >= pd.Timestamp(since)
    if until is not None:
        end = pd.Timestamp(until)
        if end == end.normalize():
            end += pd.Timedelta(days=1)
            keep &= frame[AT] < end
        else:
            keep &= frame[AT] <= end
    if text:
        hay = frame[[OBJECT_ID, BEFORE, AFTER, REASON]].astype(object).fillna("").astype(str)
        found = pd.Series(False, index=frame.index)
        for column in hay.columns:
            found |= hay[column].str.contains(str(text), case=False, regex=False)
        keep &= found
    out = frame[keep.fillna(False).astype(bool)]
    return out.sort_values([AT, ID], ascending=False).reset_index(drop=True)


def with_sign_ins(frame: pd.DataFrame, store) -> pd.DataFrame:
    """The audit rows ``frame`` plus the store's sign-in rows, which are kept outside the
    layers so that a failed sign-in never rewrites the store (geo/store/sign_ins.py)."""
    events = store.sign_in_events()
    if events.empty:
        return frame
    return events if frame.empty else pd.concat([frame, events], ignore_index=True)


def load_audit(store, **filters) -> pd.DataFrame:
    """The audit trail of ``store`` (layer and sign-ins) filtered by :func:`filter_audit`'s
    keywords, newest first."""
    frame = store.load(AUDIT) if AUDIT in store.layer_names() else empty_audit()
    return filter_audit(with_sign_ins(frame, store), **filters)


def export_table(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> pd.DataFrame:
    """The audit columns people read (no internal version/sample flags), headings renamed;
    times on the display zone's clock (:mod:`geo.clock`)."""
    table = frame[[c for c in COLUMNS if c != ID]].copy()
    table[AT] = clock.to_local(table[AT]).dt.strftime("%Y-%m-%d %H:%M:%S")
    return table.rename(columns=headers or {})


def to_csv_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    return cells.csv_bytes(export_table(frame, headers))


def to_xlsx_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    return cells.xlsx_bytes({"audit": export_table(frame, headers)})
