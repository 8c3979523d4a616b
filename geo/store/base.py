"""The store interface every backend implements, and the frame conversions they share.

A store holds the layers defined in :mod:`geo.schema`. Reads return pandas/GeoPandas frames
with the schema's dtypes; every write happens inside :meth:`Store.transaction`, which either
applies all of its operations or none of them.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely

from geo import schema, text_rules, transformers
from geo.schema import GEOMETRY, ID, IS_SAMPLE, VERSION, WGS84

if TYPE_CHECKING:
    from geo.store.compound_detail import CompoundDetail

transformers.install()  # every GeoDataFrame of the app comes through here: geo/transformers.py


class StoreError(Exception):
    """A store operation failed; the store is unchanged."""


class ConflictError(StoreError):
    """Somebody else changed the row since it was read (version mismatch)."""

    def __init__(self, layer: str, row_id: str, expected: int, actual: int | None):
        self.layer, self.row_id, self.expected, self.actual = layer, row_id, expected, actual
        super().__init__(
            f"{layer} {row_id}: 已被他人修改(版本 {actual},您读取的是 {expected}),请刷新后重试 | "
            f"changed by someone else (version {actual}, you read {expected}); reload and retry"
        )


class NotFoundError(StoreError):
    def __init__(self, layer: str, row_id: str):
        super().__init__(f"{layer} {row_id}: 不存在 | does not exist")


class Transaction(ABC):
    """Operations applied together on commit, or not at all."""

    @abstractmethod
    def load(self, name: str) -> pd.DataFrame: ...

    @abstractmethod
    def replace(self, name: str, frame: pd.DataFrame) -> None: ...

    @abstractmethod
    def append(self, name: str, frame: pd.DataFrame) -> None: ...

    @abstractmethod
    def update(
        self, name: str, row_id: str, changes: dict, expected_version: int | None = None
    ) -> dict:
        """Change attribute columns of one row; bump its version; return the row before."""

    @abstractmethod
    def delete(self, name: str, ids: list[str]) -> int: ...

    def lock(self, names: list[str]) -> None:
        """Hold off every other writer of these layers until this transaction ends (a bulk
        replace must not overwrite an edit committed while it runs). A no-op where the
        transaction already serialises all writers (the GeoPackage's lock file)."""


# Layers whose rows a transaction may add without changing the store's revision: the audit
# trail (an export, a refusal, an unmasked view, a sign-out each add a row) would otherwise
# empty every user's cached layers and map files. Pages read them afresh (components.context).
UNREVISIONED_LAYERS = frozenset({"audit"})

class Store(ABC):
    url: str

    @abstractmethod
    def layer_names(self) -> list[str]: ...

    @abstractmethod
    def load(self, name: str, where: dict | None = None) -> pd.DataFrame:
        """A layer as a (Geo)DataFrame; ``where`` keeps the rows whose column equals the
        value, or is one of the values of a list, tuple or set."""

    @abstractmethod
    def revision(self) -> str:
        """A token that changes whenever the store is written (a cache key); a transaction
        that only wrote :data:`UNREVISIONED_LAYERS` leaves it as it was."""

    def current_revision(self) -> str:
        """:meth:`revision` read now, past the quarter-second snapshot the GeoPackage and
        PostGIS stores keep (for a request naming a revision another process just made)."""
        return self.revision()

    def layer_revision(self, names) -> str:
        """A token that changes whenever one of the layers ``names`` is written (a cache key
        that outlives writes to other layers). This default: the store's revision."""
        return self.revision()

    @abstractmethod
    def transaction(self, account: str = "system") -> AbstractContextManager[Transaction]: ...

    # ------------------------------------------------------------ sign-in attempts
    # Kept outside the layers and the revision (geo/store/sign_ins.py): a failed sign-in is
    # counted atomically and never copies the store or empties a cache. Each backend sets
    # ``self.sign_ins`` (SqliteSignIns or PostgresSignIns).
    def sign_in_state(self, name: str) -> tuple[int, pd.Timestamp | None]:
        """(failed attempts, locked until or None) of account ``name``."""
        return self.sign_ins.state(name)

    def record_failed_sign_in(self, name: str, now, max_attempts: int,
                              lock_minutes: float) -> tuple[int, pd.Timestamp | None, bool]:
        """Count one wrong password atomically: (failed, locked until, newly locked)."""
        return self.sign_ins.record_failure(name, now, max_attempts, lock_minutes)

    def reset_failed_sign_ins(self, name: str) -> None:
        self.sign_ins.reset(name)

    def begin_sign_in(self, name: str, now, max_attempts: int, lock_minutes: float):
        """Count one attempt before its password is checked, in the transaction that checks
        the count (geo.store.sign_ins.Attempt; ``refused_until`` set when locked)."""
        return self.sign_ins.begin_attempt(name, now, max_attempts, lock_minutes)

    def finish_sign_in(self, name: str, attempt, now) -> pd.Timestamp | None:
        """The attempt's password was right: None, or the lock that still refuses it."""
        return self.sign_ins.finish_success(name, attempt, now)

    def record_sign_in_event(self, row: dict) -> None:
        """Keep one audit row (geo.audit.audit_row) of a sign-in, outside the revision."""
        self.sign_ins.record_event(row)

    def sign_in_events(self) -> pd.DataFrame:
        """The sign-in audit rows, as an audit-layer frame."""
        return self.sign_ins.events()

    def load_many(self, names: list[str]) -> dict[str, pd.DataFrame]:
        return {n: self.load(n) for n in names}

    def write_layers(self, frames: dict[str, pd.DataFrame]) -> None:
        """Replace several layers in one transaction."""
        with self.transaction() as tx:
            for name, frame in frames.items():
                tx.replace(name, frame)

    def meta(self) -> dict[str, str]:
        frame = self.load("meta")
        return dict(zip(frame["key"], frame["value"])) if len(frame) else {}

    @property
    def is_sample(self) -> bool:
        return self.meta().get("is_sample") == "true"

    def checksum(self) -> str:
        """A hash of every layer's content, independent of the file's bytes."""
        digest = hashlib.sha256()
        for name in sorted(self.layer_names()):
            digest.update(name.encode())
            digest.update(frame_digest(self.load(name)).encode())
        return digest.hexdigest()

    def load_compound(self, compound_id: str) -> CompoundDetail:
        from geo.store.compound_detail import compound_detail

        return compound_detail(compound_id, self.load)


# ---------------------------------------------------------------- frame conversions
def empty_frame(name: str) -> pd.DataFrame:
    spec = schema.layer(name)
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in spec.columns if c != GEOMETRY})
    if spec.geometry:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    return coerce(name, frame)


def coerce(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give a frame the schema's column order and dtypes (missing optional columns added)."""
    spec = schema.layer(name)
    frame = frame.copy()
    if VERSION not in frame.columns:
        frame[VERSION] = 1
    if IS_SAMPLE not in frame.columns:
        frame[IS_SAMPLE] = False
    for f in spec.all_fields:
        if f.name not in frame.columns:
            frame[f.name] = None
        frame[f.name] = _cast(frame[f.name], f)
    cols = [c for c in spec.columns if c != GEOMETRY]
    if spec.geometry:
        geom = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame[GEOMETRY]
        out = gpd.GeoDataFrame(frame[cols], geometry=gpd.GeoSeries(geom.values, index=frame.index))
        out = out.set_crs(WGS84, allow_override=True) if out.crs is None else out.to_crs(WGS84)
        return out.reset_index(drop=True)
    return pd.DataFrame(frame[cols]).reset_index(drop=True)


def _cast(series: pd.Series, f: schema.Field) -> pd.Series:
    if f.dtype in ("str", "json"):  # a loop over the values: Series.map costs 3x (issue #27)
        return pd.Series([v if type(v) is str else _to_text(v) for v in series.tolist()],
                         index=series.index, dtype=object)
    if f.dtype == "int":
        return pd.to_numeric(series, errors="coerce").astype("Int64")
    if f.dtype == "float":
        return pd.to_numeric(series, errors="coerce").astype(float)
    if f.dtype == "bool":
        mapped = series.map(_to_bool)
        return mapped.astype(bool) if f.required and mapped.notna().all() else mapped.astype("boolean")
    if f.dtype == "date":
        return pd.to_datetime(series, errors="coerce").dt.normalize().astype("datetime64[ns]")
    if f.dtype == "datetime":
        return pd.to_datetime(series, errors="coerce").astype("datetime64[ns]")
    raise ValueError(f.dtype)


def _to_text(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _to_bool(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return pd.NA
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "yes", "y", "是")
    return bool(value)


def clean_for_write(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Every write path's text rules (geo.text_rules): text cleaned; a key that normalising
    would change refused with StoreError (never changed silently)."""
    for f in schema.layer(name).all_fields:
        if f.dtype == "str" and f.name in frame.columns:
            frame[f.name] = frame[f.name].map(lambda v, f=f: _clean_value(name, f, v))
    return frame


def clean_changes(name: str, changes: dict) -> dict:
    """:func:`clean_for_write` for one row's changes."""
    spec = schema.layer(name)
    fields = {f.name: f for f in spec.all_fields}
    return {k: _clean_value(name, fields[k], v) if k in fields else v
            for k, v in changes.items()}


def _clean_value(name: str, f: schema.Field, value):
    if text_rules.key_changes(f, value):
        raise StoreError(f"{name}.{f.name}: 编号含不可见字符或全角/兼容字符 "
                         f"{text_rules.shown(value)},未写入 | an id holds invisible or "
                         f"full-width characters ({text_rules.shown(value)}); not written")
    return text_rules.cleaned(f, value)


def to_storage(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Frame as written to disk: dates/datetimes as ISO text, nullable ints/bools as float."""
    spec = schema.layer(name)
    frame = clean_for_write(name, coerce(name, frame))
    for f in spec.all_fields:
        col = frame[f.name]
        if f.dtype == "date":
            frame[f.name] = col.dt.strftime("%Y-%m-%d").astype(object).where(col.notna(), None)
        elif f.dtype == "datetime":
            text = col.dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object)
            frame[f.name] = text.where(col.notna(), None)
        elif f.dtype == "int":
            frame[f.name] = col.astype("int64") if col.notna().all() else col.astype(float)
        elif f.dtype == "bool":
            if col.notna().all():
                frame[f.name] = col.astype(bool)
            else:
                frame[f.name] = col.astype(float)
    return frame


def frame_digest(frame: pd.DataFrame) -> str:
    """A stable digest of a frame's rows (sorted by id), geometry as WKB."""
    if frame.empty:
        return hashlib.sha256(b"empty").hexdigest()
    frame = frame.sort_values(ID).reset_index(drop=True) if ID in frame.columns else frame
    digest = hashlib.sha256()
    plain = frame.drop(columns=[GEOMETRY], errors="ignore")
    digest.update(plain.to_csv(index=False).encode())
    if GEOMETRY in frame.columns:
        for wkb in shapely.to_wkb(frame[GEOMETRY].values, hex=False):
            digest.update(wkb or b"")
    return digest.hexdigest()
