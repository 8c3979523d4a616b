"""Generated frames converted for writing, as :func:`geo.store.base.to_storage` converts them,
but vectorised (the store's conversion goes value by value through Python): the same values,
text kept as Arrow strings, which pickle and reach GDAL without a copy. Used for the counties a
region build appends (``tests/test_sample_regions.py`` checks it against ``to_storage``)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.schema import GEOMETRY, IS_SAMPLE, VERSION, WGS84


def storage_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a layer ``name``) in the schema's column order, converted for storage: text
    as text, dates as ``YYYY-MM-DD``, datetimes as ``YYYY-MM-DDTHH:MM:SS``, integers as int64
    (float when some are missing), booleans as bool (float when some are missing)."""
    spec = schema.layer(name)
    index = frame.index
    columns = {}
    for f in spec.all_fields:
        if f.name in frame.columns:
            values = frame[f.name]
        else:
            default = 1 if f.name == VERSION else False if f.name == IS_SAMPLE else None
            values = pd.Series([default] * len(frame), index=index, dtype=object)
        columns[f.name] = _convert(values, f)
    data = pd.DataFrame(columns, index=index)
    if spec.geometry:
        geom = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame[GEOMETRY]
        out = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geom.values, index=index))
        out = out.set_crs(WGS84, allow_override=True) if out.crs is None else out.to_crs(WGS84)
        return out.reset_index(drop=True)
    return data.reset_index(drop=True)


def _convert(values: pd.Series, f: schema.Field) -> pd.Series:
    if f.dtype == "json":
        from geo.store.base import _to_text  # JSON objects: the store's own encoding

        return values.map(_to_text).astype("str")
    if f.dtype == "str":
        return values.astype("str")
    if f.dtype == "int":
        number = pd.to_numeric(values, errors="coerce").astype("Int64")
        return number.astype("int64") if number.notna().all() else number.astype(float)
    if f.dtype == "float":
        return pd.to_numeric(values, errors="coerce").astype(float)
    if f.dtype == "bool":
        flags = values.astype("boolean") if values.dtype != object else _object_bools(values)
        return flags.astype(bool) if flags.notna().all() else flags.astype(float)
    if f.dtype in ("date", "datetime"):
        stamps = pd.to_datetime(values, errors="coerce").astype("datetime64[ns]").to_numpy()
        text = np.datetime_as_string(stamps, unit="D" if f.dtype == "date" else "s")
        return pd.Series(text, index=values.index, dtype=object).where(~np.isnat(stamps), None)
    raise ValueError(f.dtype)


def _object_bools(values: pd.Series) -> pd.Series:
    from geo.store.base import _to_bool

    return values.map(_to_bool).astype("boolean")
