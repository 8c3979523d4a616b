"""The pure core of coverage (numpy in, numpy out): each demand point's nearest supply point
and distance, whether it is covered, each supply point's catchment, and weighted figures.
:mod:`geo.coverage` validates GeoDataFrames and hands arrays here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree


@dataclass
class CoreCoverage:
    nearest_index: np.ndarray  # per demand point: index of the nearest supply point, -1 if none
    nearest_distance: np.ndarray  # metres, inf when there is no (reachable) supply
    covered: np.ndarray  # bool per demand point: nearest distance <= radius
    catchment: np.ndarray  # per supply point: households for which it is the nearest in radius
    catchment_count: np.ndarray  # per supply point: demand points in its catchment


def coverage_from_distance_matrix(dist, households, radius: float) -> CoreCoverage:
    """Coverage from a demand x supply distance matrix (metres) and households per demand point.

    Ties for the nearest position go to the lower supply index."""
    dist = np.asarray(dist, dtype=float)
    n_demand = len(np.asarray(households))
    dist = dist.reshape(n_demand, -1)
    n_supply = dist.shape[1]
    if n_supply == 0:
        nearest = np.full(n_demand, -1)
        distance = np.full(n_demand, np.inf)
    else:
        nearest = np.argmin(dist, axis=1)
        distance = dist[np.arange(n_demand), nearest]
    return coverage_from_nearest(nearest, distance, households, n_supply, radius)


def coverage_from_nearest(nearest, distance, households, n_supply: int,
                          radius: float) -> CoreCoverage:
    """Coverage from each demand point's nearest supply index and distance (inf: none)."""
    weights = np.asarray(households, dtype=float)
    distance = np.asarray(distance, dtype=float)
    nearest = np.where(np.isfinite(distance), np.asarray(nearest, int), -1)
    covered = distance <= radius
    catchment = np.zeros(n_supply)
    count = np.zeros(n_supply, dtype=int)
    np.add.at(catchment, nearest[covered], weights[covered])
    np.add.at(count, nearest[covered], 1)
    return CoreCoverage(nearest, distance, covered, catchment, count)


def nearest_straight(demand_xy, supply_xy) -> tuple[np.ndarray, np.ndarray]:
    """Each demand point's nearest supply point and straight-line distance (KD-tree: no
    demand x supply matrix). Equal distances may go to either supply point."""
    demand_xy = np.asarray(demand_xy, float).reshape(-1, 2)
    supply_xy = np.asarray(supply_xy, float).reshape(-1, 2)
    if not len(supply_xy):
        return np.full(len(demand_xy), -1), np.full(len(demand_xy), np.inf)
    distance, nearest = cKDTree(supply_xy).query(demand_xy)
    return np.asarray(nearest, int), np.asarray(distance, float)


def weighted_mean(values, weights) -> float:
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    return float(np.sum(values * weights) / np.sum(weights)) if np.sum(weights) > 0 else np.nan


def weighted_quantile(values, weights, q: float) -> float:
    """The smallest value v such that at least share q of the weight lies at or below v."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    if len(values) == 0 or np.sum(weights) <= 0:
        return np.nan
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-9))
    return float(values[order][min(index, len(values) - 1)])


def straight_line_matrix(demand_xy, supply_xy) -> np.ndarray:
    demand_xy = np.asarray(demand_xy, float).reshape(-1, 2)
    supply_xy = np.asarray(supply_xy, float).reshape(-1, 2)
    diff = demand_xy[:, None, :] - supply_xy[None, :, :]
    return np.sqrt(np.sum(diff * diff, axis=2))
