"""Writing a sample region into a new store, county by county.

The counties' networks come in order from :func:`geo.sample.regions.iter_networks` (generated
and converted for storage in worker processes) and are written in batches of about
:data:`BATCH_ROWS` rows, so memory holds one batch, not the province:

* the first county, with ``districts`` and ``counties``, goes in through one store transaction
  that replaces every layer (GDAL creates them), exactly as a one-county sample always did;
* the other counties are appended in batches: to a GeoPackage through GDAL (pyogrio) under the store's
  writer lock, with the same column conversion and layer options the store's own writes use
  (the file is new: nobody reads it yet); to any other store through ``tx.append``;
* ``meta`` goes in last (a build that stops half-way leaves no meta, so the file does not
  look like a finished sample), in a transaction that also bumps the store's revision.
"""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import schema
from geo.sample.regions import iter_networks, meta_frame, region_counties, shared_frames
from geo.schema import GEOMETRY
from geo.store.base import empty_frame, to_storage

BATCH_ROWS = 250_000


def write_sample(store, seed: int, scale: int, region: str, counties=None,
                 workers: int | None = None) -> dict[str, int]:
    """Write the sample ``region`` into ``store`` (every layer replaced); rows per layer."""
    rows = region_counties(region, counties)
    single = len(rows) == 1
    shared = shared_frames(rows, region)
    meta = meta_frame(seed, scale, region)
    counts: Counter = Counter({name: len(frame) for name, frame in shared.items()})
    networks = iter_networks(rows, seed, scale, workers, stored=not single)
    first = next(networks)
    frames = {**shared, **first, **({"meta": meta} if single else {})}
    with store.transaction() as tx:  # creates every layer, typed as a one-county sample's
        for name in schema.LAYERS:
            tx.replace(name, frames.get(name, empty_frame(name)))
    counts.update({name: len(frame) for name, frame in first.items()})
    del frames, first
    for batch in _batches(networks, BATCH_ROWS):
        counts.update({name: len(frame) for name, frame in batch.items()})
        append_layers(store, batch, stored=True)
    if not single:
        with store.transaction() as tx:
            tx.replace("meta", meta)
    counts["meta"] = len(meta)
    return dict(counts)


def _batches(networks, limit: int):
    """The networks joined into batches of at least ``limit`` rows (the last may be smaller)."""
    waiting, size = [], 0
    for network in networks:
        waiting.append(network)
        size += sum(len(frame) for frame in network.values())
        if size >= limit:
            yield _join(waiting)
            waiting, size = [], 0
    if waiting:
        yield _join(waiting)


def _join(networks: list[dict]) -> dict[str, pd.DataFrame]:
    if len(networks) == 1:
        return networks[0]
    return {name: pd.concat([n[name] for n in networks], ignore_index=True)
            for name in networks[0]}


def append_layers(store, frames: dict[str, pd.DataFrame], stored: bool = False) -> None:
    """Append ``frames`` to the store's existing layers (see the module's docstring); ``stored``:
    the frames are converted for storage already (:func:`geo.store.base.to_storage`)."""
    from geo.store.gpkg import GeoPackageStore, writer_lock

    names = [name for name in schema.LAYERS if name in frames and len(frames[name])]
    if not isinstance(store, GeoPackageStore):
        with store.transaction() as tx:
            for name in names:
                tx.append(name, frames[name])
        return
    with writer_lock(store.path):
        for name in names:
            frame = frames.pop(name)
            _append_gdal(store.path, name, frame if stored else to_storage(name, frame))


def _append_gdal(path, name: str, data: pd.DataFrame) -> None:
    """Rows of one layer, converted as the store converts them, appended by GDAL with the
    layer options of the store's own GDAL writes (``geo.store.gpkg``)."""
    spec = schema.layer(name)
    if spec.geometry is None:
        pyogrio.write_dataframe(
            gpd.GeoDataFrame(data.drop(columns=[GEOMETRY], errors="ignore")), path, layer=name,
            driver="GPKG", append=True, geometry_type=None, use_arrow=True,
        )
    else:
        pyogrio.write_dataframe(
            data, path, layer=name, driver="GPKG", append=True, geometry_type=spec.geometry,
            promote_to_multi=spec.geometry.startswith("Multi"), use_arrow=True,
        )
