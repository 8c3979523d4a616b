"""Distances along a road network (the store's optional ``roads`` layer).

Every road line (metric CRS) is cut into pieces of at most ``SEGMENT_M`` metres and becomes a
chain of graph edges between their ends, weighted by length; vertices closer than ``SNAP_TOLERANCE_M`` are merged so that lines drawn to the
same crossing connect. Each demand and supply point is snapped to its nearest graph node; the
distance is walk-to-node + shortest path + node-to-point. Points in separate pieces of the
network are unreachable (``inf``). The graph is built with networkx; shortest paths from every
supply node run through scipy's compiled Dijkstra on the networkx graph's sparse matrix.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

SNAP_TOLERANCE_M = 1.0
SEGMENT_M = 25.0  # a point snaps to a graph node at most half of this along the road
WEIGHT = "length"


def road_graph(lines) -> tuple[nx.Graph, np.ndarray]:
    """An undirected graph of road segments and its node coordinates (node i at coords[i]).

    ``lines``: a GeoSeries/GeoDataFrame or array of (Multi)LineStrings in metres."""
    geoms = getattr(lines, "geometry", lines)
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = shapely.segmentize(parts[~shapely.is_empty(parts)], SEGMENT_M)
    graph = nx.Graph()
    if len(parts) == 0:
        return graph, np.empty((0, 2))
    coords, line_index = shapely.get_coordinates(parts, return_index=True)
    keys = np.round(coords / SNAP_TOLERANCE_M).astype(np.int64)
    unique_keys, node_of = np.unique(keys, axis=0, return_inverse=True)
    node_of = node_of.ravel()
    node_xy = np.zeros((len(unique_keys), 2))
    node_xy[node_of] = coords
    same_line = line_index[1:] == line_index[:-1]
    start, end = node_of[:-1][same_line], node_of[1:][same_line]
    lengths = np.hypot(*(coords[1:][same_line] - coords[:-1][same_line]).T)
    graph.add_nodes_from(range(len(node_xy)))
    for a, b, length in zip(start.tolist(), end.tolist(), lengths.tolist(), strict=True):
        if a != b and (not graph.has_edge(a, b) or graph[a][b][WEIGHT] > length):
            graph.add_edge(a, b, **{WEIGHT: length})
    return graph, node_xy


def network_distance_matrix(roads, demand_xy, supply_xy) -> np.ndarray:
    """Demand x supply distances (metres) along ``roads`` (lines in a metric CRS)."""
    demand_xy = np.asarray(demand_xy, float).reshape(-1, 2)
    supply_xy = np.asarray(supply_xy, float).reshape(-1, 2)
    graph, node_xy = road_graph(roads)
    return distances_on_graph(graph, node_xy, demand_xy, supply_xy)


def distances_on_graph(graph: nx.Graph, node_xy, demand_xy, supply_xy) -> np.ndarray:
    out = np.full((len(demand_xy), len(supply_xy)), np.inf)
    if graph.number_of_nodes() == 0 or len(demand_xy) == 0 or len(supply_xy) == 0:
        return out
    tree = cKDTree(node_xy)
    demand_gap, demand_node = tree.query(demand_xy)
    supply_gap, supply_node = tree.query(supply_xy)
    matrix = nx.to_scipy_sparse_array(graph, nodelist=range(len(node_xy)), weight=WEIGHT)
    sources, inverse = np.unique(supply_node, return_inverse=True)
    along = dijkstra(matrix, directed=False, indices=sources)  # sources x nodes
    path = along[inverse][:, demand_node].T  # demand x supply
    return demand_gap[:, None] + path + supply_gap[None, :]
