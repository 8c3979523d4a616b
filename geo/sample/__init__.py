"""The sample network: generated, seeded and reproducible, inside real county outlines.

``generate(seed, scale, region)`` returns every layer as a frame (WGS84); ``build_store``
writes them into a store. The same seed gives identical layer contents; ``scale`` multiplies
the counts for a larger synthetic city (benchmarks). Every row is marked ``is_sample``.

Regions (:mod:`geo.sample.regions`): ``huangyan`` (default) is the article's district;
``taizhou`` is Taizhou's 9 county-level units and ``zhejiang`` the province's 90, each county
with its own network by the same rules, sized by the county's area (the size rule of
:mod:`geo.sample.profile`: f = clamp(sqrt(area_km2 / 988.6), 0.5, 1.5), every count times f).
Huangyan's network is the same in every region.
"""

from __future__ import annotations

import os

import pandas as pd

from geo.sample.build import write_sample
from geo.sample.county import AS_OF
from geo.sample.regions import (
    GENERATOR_VERSION,
    REGIONS,
    iter_networks,
    meta_frame,
    region_counties,
    shared_frames,
)
from geo.store import open_store

DEFAULT_SEED = 20220425
__all__ = ["AS_OF", "DEFAULT_SEED", "GENERATOR_VERSION", "REGIONS", "build_store", "generate",
           "meta_frame", "shared_frames"]


def generate(seed: int = DEFAULT_SEED, scale: int = 1, region: str = "huangyan",
             counties=None, workers: int | None = 1) -> dict[str, pd.DataFrame]:
    """Every layer of the sample ``region`` (only the counties ``counties``, adcodes, if given),
    in memory: fine for Huangyan or Taizhou; the province is written county by county by
    :func:`build_store` instead."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    rows = region_counties(region, counties)
    networks = list(iter_networks(rows, seed, scale, workers))
    frames = shared_frames(rows, region)
    for name in networks[0]:
        parts = [network[name] for network in networks]
        frames[name] = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    frames["meta"] = meta_frame(seed, scale, region)
    return frames


def build_store(path: str | os.PathLike, seed: int = DEFAULT_SEED, scale: int = 1,
                region: str = "huangyan", counties=None, workers: int | None = None):
    """Generate the sample ``region`` and write it as a new store at ``path``."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    write_sample(open_store(path), seed, scale, region, counties, workers)
    return open_store(path)
