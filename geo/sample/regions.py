"""Sample regions: Huangyan alone, Taizhou's 9 county-level units, or Zhejiang's 90.

Every county of a region runs its own network (:mod:`geo.sample.county`) with its own random
generator, ``default_rng([seed, scale, adcode])`` (Huangyan: ``[seed, scale]``, as it always
had), so a county's network is the same whichever region it is built in and whatever order the
counties are generated in. Huangyan keeps its ids; another county's generated ids carry its
adcode (``331002-C001``).

Outlines: each county takes the most detailed real outline in ``data/reference``: Huangyan's
own file, then the Taizhou file, then the Zhejiang file (simplified by 30 m; see SOURCES.md).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.sample.county import AS_OF, generate_county, prefix_ids
from geo.sample.geography import (
    COUNTIES_FILE,
    REFERENCE,
    SOURCE_NOTE,
    _multi,
    load_counties,
    load_district,
)
from geo.sample.huangyan import CITY
from geo.sample.profile import HUANGYAN_ADCODE, profile_for
from geo.sample.storage import storage_frame
from geo.schema import WGS84

REGIONS = ("huangyan", "taizhou", "zhejiang")
GENERATOR_VERSION = "1"
ZHEJIANG_FILE = REFERENCE / "zhejiang_counties_wgs84.geojson"
TAIZHOU_ADCODE = CITY["city_adcode"]
SIMPLIFIED_NOTE = f"{SOURCE_NOTE} (simplified by 30 m)"
HIERARCHY = ("city", "city_adcode", "province", "province_adcode")
DISTRICT_COLUMNS = ("id", "name", "adcode", "source", *HIERARCHY)


@cache
def _all_counties() -> gpd.GeoDataFrame:
    """Zhejiang's 90 county-level units with their most detailed outline, by adcode."""
    frame = gpd.read_file(ZHEJIANG_FILE)
    frame["adcode"] = frame["adcode"].astype(str)
    for column in HIERARCHY:
        frame[column] = frame[column].astype(str)
    frame["area_km2"] = frame["area_km2_utm51n"].astype(float)
    frame["source"] = SIMPLIFIED_NOTE
    frame["geometry"] = [_multi(g) for g in frame.geometry]
    taizhou = gpd.read_file(COUNTIES_FILE)
    detailed = dict(zip(taizhou["adcode"].astype(str), (_multi(g) for g in taizhou.geometry)))
    district = load_district()
    detailed[HUANGYAN_ADCODE] = district.geometry.iloc[0]
    better = frame["adcode"].isin(list(detailed)).to_numpy()
    frame.loc[better, "geometry"] = [detailed[a] for a in frame.loc[better, "adcode"]]
    frame.loc[better, "source"] = SOURCE_NOTE
    huangyan = (frame["adcode"] == HUANGYAN_ADCODE).to_numpy()
    frame.loc[huangyan, "name"] = district["name"].iloc[0]
    columns = ["adcode", "name", *HIERARCHY, "area_km2", "source", "geometry"]
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=WGS84).sort_values(
        "adcode", kind="stable").reset_index(drop=True)


def region_counties(region: str = "huangyan", adcodes=None) -> gpd.GeoDataFrame:
    """The county-level units of ``region`` in adcode order (optionally only ``adcodes``):
    adcode, name, city, city_adcode, province, province_adcode, area_km2, source, geometry."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}: one of {', '.join(REGIONS)}")
    frame = _all_counties()
    if region == "huangyan":
        frame = frame[frame["adcode"] == HUANGYAN_ADCODE]
    elif region == "taizhou":
        frame = frame[frame["city_adcode"] == TAIZHOU_ADCODE]
    if adcodes is not None:
        wanted = [str(a) for a in adcodes]
        unknown = sorted(set(wanted) - set(frame["adcode"]))
        if unknown:
            raise ValueError(f"not in region {region}: {', '.join(unknown)}")
        frame = frame[frame["adcode"].isin(wanted)]
    return frame.reset_index(drop=True)


def districts_frame(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ``districts`` layer: one row per county, with its city and province."""
    frame = counties.assign(id=counties["adcode"])
    return gpd.GeoDataFrame(frame[list(DISTRICT_COLUMNS)], geometry=list(frame.geometry),
                            crs=WGS84).reset_index(drop=True)


def counties_frame(region: str) -> gpd.GeoDataFrame:
    """The ``counties`` context layer: Taizhou's 9 units (huangyan, taizhou) or Zhejiang's 90."""
    if region != "zhejiang":
        return load_counties()
    frame = gpd.read_file(ZHEJIANG_FILE)
    adcode = frame["adcode"].astype(str)
    return gpd.GeoDataFrame(
        {"id": adcode, "name": frame["name"], "adcode": adcode, "source": SIMPLIFIED_NOTE},
        geometry=[_multi(g) for g in frame.geometry], crs=WGS84,
    )


def county_rng(adcode, seed: int, scale: int = 1) -> np.random.Generator:
    """The random generator of one county's network (Huangyan's is the single-district one)."""
    adcode = str(adcode)
    return np.random.default_rng([seed, scale] if adcode == HUANGYAN_ADCODE
                                 else [seed, scale, int(adcode)])


def county_network(county: dict, seed: int, scale: int = 1,
                   stored: bool = False) -> dict[str, pd.DataFrame]:
    """The network of one county (a row of :func:`region_counties` as a dict), its ids
    prefixed unless it is Huangyan; ``stored``: each layer converted for writing
    (:func:`geo.sample.storage.storage_frame`), here, in the worker, rather than by the writer."""
    rng = county_rng(county["adcode"], seed, scale)
    profile = profile_for(county, rng)
    frames = prefix_ids(generate_county(rng, profile, scale), profile.id_prefix)
    if stored:
        frames = {name: storage_frame(name, frame) for name, frame in frames.items()}
    return frames


def default_workers() -> int:
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))


def iter_networks(counties: gpd.GeoDataFrame, seed: int, scale: int = 1,
                  workers: int | None = None, stored: bool = False):
    """Each county's network (:func:`county_network`) in the order of ``counties``, generated
    by ``workers`` processes (default: up to 2) with at most a few finished ones waiting to be
    taken (memory holds those, not the region)."""
    rows = [dict(row) for row in counties.to_dict("records")]
    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or len(rows) == 1:
        for row in rows:
            yield county_network(row, seed, scale, stored)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        todo = iter(rows)
        pending: deque = deque()
        for row in todo:
            pending.append(pool.submit(county_network, row, seed, scale, stored))
            if len(pending) >= workers + 1:
                break
        while pending:
            result = pending.popleft().result()
            row = next(todo, None)
            if row is not None:
                pending.append(pool.submit(county_network, row, seed, scale, stored))
            yield result


def shared_frames(counties: gpd.GeoDataFrame, region: str) -> dict[str, pd.DataFrame]:
    """The layers not generated county by county: ``districts`` and ``counties``."""
    frames = {"districts": districts_frame(counties), "counties": counties_frame(region)}
    for frame in frames.values():
        frame["is_sample"] = True
        frame["version"] = 1
    return frames


def meta_frame(seed: int, scale: int, region: str) -> pd.DataFrame:
    keys = ["is_sample", "as_of", "seed", "scale", "generator", "source", "region"]
    frame = pd.DataFrame({
        "id": keys, "key": keys,
        "value": ["true", AS_OF, str(seed), str(scale), f"hongtu sample v{GENERATOR_VERSION}",
                  SOURCE_NOTE, region],
    })
    frame["is_sample"] = True
    frame["version"] = 1
    return frame
