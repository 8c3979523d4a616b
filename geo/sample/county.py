"""One county's sample network: geography, compounds, positions, people and activity.

:func:`generate_county` runs the generator's rules for one :class:`CountyProfile` with one
random generator; :func:`prefix_ids` makes its generated ids unique across counties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import schema
from geo.sample import compounds as cmp
from geo.sample import members as mem
from geo.sample import positions as pos
from geo.sample.geography import _multi, build_geography

AS_OF = "2022-04-24"  # the article appeared on 2022-04-25: the sample's "today"
# Layers whose ids carry the county's code already (streets, communities, grids) or are not
# generated per county: never prefixed.
UNPREFIXED = frozenset({"districts", "counties", "streets", "communities", "grids", "meta"})
ACTOR_LAYERS = ("members", "volunteer_teams", "party_alliances")  # ids a workflow actor may be


def generate_county(rng: np.random.Generator, profile, scale: int = 1) -> dict[str, pd.DataFrame]:
    """Every network layer of one county (WGS84; no districts, counties or meta), each row
    marked ``is_sample``; ids as generated (see :func:`prefix_ids`)."""
    streets, communities, grids = build_geography(rng, profile, scale)
    compounds = cmp.build_compounds(rng, streets, communities, grids, profile, scale)
    firms = cmp.build_firms(rng, profile, scale)
    instructors = cmp.build_instructors(rng, compounds, communities, streets, profile)
    cmp.assign_firms_and_instructors(rng, compounds, firms, instructors, communities)
    alliances = cmp.build_alliances(rng, compounds, streets, profile)
    branches, owners, supervisory = cmp.build_branches_and_committees(rng, compounds, profile)
    positions = pos.build_positions(rng, streets, communities, grids, compounds, profile, scale)
    stations = pos.build_joint_duty_stations(rng, positions, communities)
    mem.grid_households(rng, grids, compounds, profile)
    teams = mem.build_teams(rng, communities, grids, profile, scale)
    members = mem.build_members(rng, grids, compounds, teams, profile, scale)
    mem.community_reports(rng, communities, grids, members, profile, scale)
    pairings = mem.build_pairings(rng, compounds, profile, scale)
    streets["district_id"] = profile.adcode

    frames: dict[str, pd.DataFrame] = {
        "streets": streets, "communities": communities, "grids": grids, "compounds": compounds,
        "property_firms": firms, "party_instructors": instructors, "party_alliances": alliances,
        "party_branches": branches, "owners_committees": owners,
        "supervisory_committees": supervisory, "service_positions": positions,
        "joint_duty_stations": stations, "volunteer_teams": teams, "members": members,
        "pairings": pairings,
    }
    frames = {name: finish(frame) for name, frame in frames.items()}
    from geo.sample.activity import generate_activity

    frames.update(generate_activity(rng, frames, pd.Timestamp(AS_OF), profile.factor, scale,
                                    rates=profile.rates))
    for frame in frames.values():
        frame["is_sample"] = True
        frame["version"] = 1
    return frames


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame in WGS84 (geometries made valid again after the transformation)."""
    if hasattr(frame, "crs") and frame.crs is not None and str(frame.crs) != schema.WGS84:
        frame = frame.to_crs(schema.WGS84)
        invalid = ~frame.geometry.is_valid
        if invalid.any():
            frame.loc[invalid, "geometry"] = [_multi(g) for g in frame.geometry[invalid]]
    return frame.reset_index(drop=True)


def prefix_ids(frames: dict[str, pd.DataFrame], prefix: str) -> dict[str, pd.DataFrame]:
    """``prefix`` before every generated id (C001 -> 331002-C001) and every reference to one
    (the schema's ``Field.ref``), before ``workflow_events.object_id`` and before the actors
    of workflow events that are ids (a member, team or alliance). In place; returns frames."""
    if not prefix:
        return frames
    actors = set()
    for name in ACTOR_LAYERS:
        if name in frames:
            actors.update(frames[name][schema.ID].dropna().astype(str))
    for name, frame in frames.items():
        spec = schema.layer(name)
        for f in spec.all_fields:
            target = name if f.name == schema.ID else f.ref
            if target is None or target in UNPREFIXED or f.name not in frame.columns:
                continue
            frame[f.name] = _prefixed(frame[f.name], prefix)
    events = frames.get("workflow_events")
    if events is not None and len(events):
        events["object_id"] = _prefixed(events["object_id"], prefix)
        actor = events["actor"].astype(object)
        is_id = actor.isin(actors).to_numpy()
        events["actor"] = actor.where(~is_id, prefix + actor.astype(str))
    return frames


def _prefixed(values: pd.Series, prefix: str) -> pd.Series:
    """``prefix`` before every present value (missing ones stay missing), as text."""
    return prefix + values.astype("str")
