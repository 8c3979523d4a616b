"""The sample district: generated, seeded and reproducible, inside the real Huangyan outline.

``generate(seed, scale)`` returns every layer as a frame (WGS84); ``build_store`` writes them
into a store in one transaction. The same seed gives identical layer contents; ``scale``
multiplies the counts for a larger synthetic city (benchmarks). Every row is marked
``is_sample``.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from geo import schema
from geo.sample import compounds as cmp
from geo.sample import members as mem
from geo.sample import positions as pos
from geo.sample.geography import SOURCE_NOTE, _multi, build_geography
from geo.store import open_store

DEFAULT_SEED = 20220425
AS_OF = "2022-04-24"  # the article appeared on 2022-04-25: the sample's "today"
GENERATOR_VERSION = "1"


def generate(seed: int = DEFAULT_SEED, scale: int = 1) -> dict[str, pd.DataFrame]:
    if scale < 1:
        raise ValueError("scale must be >= 1")
    rng = np.random.default_rng([seed, scale])
    district, counties, streets, communities, grids = build_geography(rng, scale)
    compounds = cmp.build_compounds(rng, streets, communities, grids, scale)
    firms = cmp.build_firms(rng, scale)
    instructors = cmp.build_instructors(rng, compounds, communities, streets)
    cmp.assign_firms_and_instructors(rng, compounds, firms, instructors)
    alliances = cmp.build_alliances(rng, compounds, streets)
    branches, owners, supervisory = cmp.build_branches_and_committees(rng, compounds)
    positions = pos.build_positions(rng, streets, communities, grids, compounds, scale)
    stations = pos.build_joint_duty_stations(rng, positions, communities)
    mem.grid_households(rng, grids, compounds)
    teams = mem.build_teams(rng, communities, grids, scale)
    members = mem.build_members(rng, grids, compounds, teams, scale)
    mem.community_reports(rng, communities, grids, members, scale)
    pairings = mem.build_pairings(rng, compounds, scale)

    frames: dict[str, pd.DataFrame] = {
        "districts": district, "counties": counties, "streets": streets,
        "communities": communities, "grids": grids, "compounds": compounds,
        "property_firms": firms, "party_instructors": instructors, "party_alliances": alliances,
        "party_branches": branches, "owners_committees": owners,
        "supervisory_committees": supervisory, "service_positions": positions,
        "joint_duty_stations": stations, "volunteer_teams": teams, "members": members,
        "pairings": pairings,
    }
    frames = {name: _finish(frame) for name, frame in frames.items()}
    frames.update(_activity(rng, frames))
    frames["meta"] = pd.DataFrame({
        "id": ["is_sample", "as_of", "seed", "scale", "generator", "source"],
        "key": ["is_sample", "as_of", "seed", "scale", "generator", "source"],
        "value": ["true", AS_OF, str(seed), str(scale), f"hongtu sample v{GENERATOR_VERSION}",
                  SOURCE_NOTE],
    })
    for frame in frames.values():
        frame["is_sample"] = True
        frame["version"] = 1
    return frames


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    if hasattr(frame, "crs") and frame.crs is not None and str(frame.crs) != schema.WGS84:
        frame = frame.to_crs(schema.WGS84)
        invalid = ~frame.geometry.is_valid
        if invalid.any():
            frame.loc[invalid, "geometry"] = [_multi(g) for g in frame.geometry[invalid]]
    return frame.reset_index(drop=True)


def _activity(rng, frames) -> dict[str, pd.DataFrame]:
    from geo.sample.activity import generate_activity

    return generate_activity(rng, frames, pd.Timestamp(AS_OF))


def build_store(path: str | os.PathLike, seed: int = DEFAULT_SEED, scale: int = 1):
    """Generate the sample district and write it as a new store at ``path``."""
    frames = generate(seed, scale)
    store = open_store(path)
    with store.transaction() as tx:
        for name in schema.LAYERS:
            tx.replace(name, frames.get(name, _empty(name)))
    return store


def _empty(name: str) -> pd.DataFrame:
    from geo.store.base import empty_frame

    return empty_frame(name)
