"""The content of each map layer file: geometry plus the few properties the map needs, with
every tooltip and popup pre-rendered and HTML-escaped here. Member names are always masked,
and member points are served only behind the sign-in (:mod:`components.web.layers`), one file
per tile so that the map fetches those in view."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd

from components.display_values import MISSING, is_missing, label, number, shown, vocab
from components.i18n import fmt_int, t
from components.legend import PLANNED, symbol_key
from components.map_layers import esc, feature_collection
from geo import network
from geo.schema import ID

MEMBER_COLUMNS = ("lon", "lat", "label")
MEMBER_TILE_DEG = 0.02  # about 2 km: a zoom-15 view of 900 x 640 px spans 2-3 tiles each way
MEMBER_TILE_PREFIX = "members_"
GRID_TILE_DEG = 0.1  # about 10 km: a county's grids at its opening zoom (12-13) in 2-6 tiles
GRID_TILE_PREFIX = "grids_"
GRID_MIN_ZOOM = 11  # grids are drawn from this zoom (every county opens at 12 or 13)


@dataclass
class MapData:
    """Everything the map draws, prepared once per store revision (WGS84)."""

    revision: str
    counties: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame  # + members, members_per_100, cls
    compounds: gpd.GeoDataFrame  # + indicators, firm_name, street_name
    positions: gpd.GeoDataFrame  # + street_name
    dispatch_areas: gpd.GeoDataFrame
    members: gpd.GeoDataFrame  # id, grid_id, label (masked name), geometry
    classification: network.Classification
    unit: str = ""  # the unit the layers are cut to (components.units); "": the whole store
    member_tiles: dict = field(default_factory=dict)  # tile key -> row positions in members
    grid_tiles: dict = field(default_factory=dict)  # tile key -> row positions in grids
    layer_keys: dict = field(default_factory=dict)  # payload -> key of PAYLOAD_LAYERS' revision

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        frame = self.grids if len(self.grids) else self.districts
        return tuple(float(v) for v in frame.total_bounds)


def prepare(revision: str, frames: dict[str, pd.DataFrame], unit: str = "",
            layer_keys: dict | None = None) -> MapData:
    """Join and classify the store's layers for drawing (``layer_keys``: the revision of
    each payload's :data:`PAYLOAD_LAYERS`, read before ``frames``)."""
    from geo.masking import mask_name

    density = network.grid_density(frames["grids"], frames["members"])
    classification = network.classify(density[network.PER_100].to_numpy(), k=5)
    grids = frames["grids"][[ID, "name", "street_id", "geometry"]].copy()
    grids[network.MEMBERS] = density[network.MEMBERS].to_numpy()
    grids[network.HOUSEHOLDS] = density[network.HOUSEHOLDS].to_numpy()
    grids[network.PER_100] = density[network.PER_100].to_numpy()
    grids["cls"] = np.asarray(classification.classes, dtype=int) if len(grids) else []
    street_names = dict(zip(frames["streets"][ID], frames["streets"]["name"]))
    firms = frames["property_firms"]
    indicators = network.compound_indicators(
        frames["compounds"], frames["party_branches"], firms, frames["disclosures"])
    compounds = frames["compounds"].merge(indicators, on=ID, how="left")
    compounds["firm_name"] = compounds["property_firm_id"].map(dict(zip(firms[ID], firms["name"])))
    compounds["street_name"] = compounds["street_id"].map(street_names)
    positions = frames["service_positions"].copy()
    positions["street_name"] = positions["street_id"].map(street_names)
    members = frames["members"][[ID, "grid_id", "name", "geometry"]].copy()
    members["label"] = members["name"].map(mask_name)
    return MapData(
        revision=revision, counties=frames["counties"], districts=frames["districts"],
        streets=frames["streets"], communities=frames["communities"], grids=grids,
        compounds=compounds, positions=positions, dispatch_areas=frames["joint_duty_stations"],
        members=members.drop(columns=["name"]), classification=classification, unit=unit,
        member_tiles=member_tiles(members), grid_tiles=grid_tiles(grids),
        layer_keys=dict(layer_keys or {}),
    )


def point_tiles(xs, ys, size: float) -> dict:
    """Points by square tile of ``size`` degrees (WGS84): ``"<ix>_<iy>" -> row positions``,
    ix = floor((lon + 180) / size), iy = floor((lat + 90) / size). The map fetches only the
    tiles in view (:mod:`components.map_js`), never a whole layer at once."""
    ix = np.floor((np.asarray(xs, float) + 180.0) / size).astype(int)
    iy = np.floor((np.asarray(ys, float) + 90.0) / size).astype(int)
    if not len(ix):
        return {}
    keys = pd.Series([f"{x}_{y}" for x, y in zip(ix, iy)])
    return {str(k): np.asarray(v) for k, v in keys.groupby(keys).indices.items()}


def member_tiles(members: gpd.GeoDataFrame, size: float = MEMBER_TILE_DEG) -> dict:
    """Members by tile of their point."""
    return point_tiles(members.geometry.x, members.geometry.y, size) if len(members) else {}


def grid_tiles(grids: gpd.GeoDataFrame, size: float = GRID_TILE_DEG) -> dict:
    """Grids by tile of their representative point."""
    if not len(grids):
        return {}
    centres = grids.geometry.representative_point()
    return point_tiles(centres.x, centres.y, size)


def _rows(frame: pd.DataFrame) -> list[dict]:
    return frame.drop(columns=["geometry"]).to_dict("records")


def _popup(title: str, lines: list[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th style='text-align:left;padding-right:6px'>{esc(k)}</th>"
                   f"<td>{esc(shown(v))}</td></tr>" for k, v in lines)
    return f"<b>{esc(title)}</b><table>{body}</table>"


def outline_payload(frame: gpd.GeoDataFrame, tolerance: float | None = None) -> dict:
    props = [{"id": str(r[ID]), "tip": esc(r["name"])} for r in _rows(frame[[ID, "name",
                                                                              "geometry"]])]
    return feature_collection(frame, props, tolerance)


def grids_payload(grids: gpd.GeoDataFrame) -> dict:
    centres = grids.geometry.representative_point()
    props = []
    for row, centre in zip(_rows(grids), centres):
        members = int(row[network.MEMBERS])
        per_100 = f"{row[network.PER_100]:.1f}"
        props.append({
            "id": str(row[ID]), "kind": "grid", "cls": str(row["cls"]), "members": members,
            "c": [round(centre.y, 6), round(centre.x, 6)],
            "tip": f"{esc(row['name'])}<br>{esc(t('map.tip.grid', members=fmt_int(members)))}"
                   f" · {esc(t('map.tip.per_100', value=per_100))}",
            "mtip": esc(t("map.tip.grid_members", name=row["name"], members=fmt_int(members))),
        })
    return feature_collection(grids, props)


def grid_totals_payload(grids: gpd.GeoDataFrame) -> list:
    """[lat, lon, members, tooltip] of every grid with members: the member totals the map
    shows below the member-point zoom, counted here on the server."""
    centres = grids.geometry.representative_point()
    return [[round(c.y, 6), round(c.x, 6), int(row[network.MEMBERS]),
             esc(t("map.tip.grid_members", name=row["name"],
                   members=fmt_int(int(row[network.MEMBERS]))))]
            for row, c in zip(_rows(grids), centres) if int(row[network.MEMBERS])]


def compounds_payload(compounds: gpd.GeoDataFrame) -> dict:
    props = []
    for row in _rows(compounds):
        props.append({
            "id": str(row[ID]), "kind": "compound", "street_id": str(row["street_id"]),
            "disclosure": row["disclosure"], "red_property": str(bool(row["red_property"])).lower(),
            "branch_type": row["branch_type"],
            "tip": f"{esc(row['name'])} · {esc(row['street_name'])}",
            "popup": _popup(row["name"], [
                (t("map.f.households"), number(row["households"], 0)),
                (t("map.f.firm"), row["firm_name"]),
                (t("map.f.branch_type"), t(f"map.value.branch_type.{row['branch_type']}")),
                (t("map.f.disclosure"), t(f"map.value.disclosure.{row['disclosure']}")),
                (t("map.f.practice"), vocab(row.get("practice"))),
            ]),
        })
    return feature_collection(compounds, props)


def _area(value) -> str:
    """A floor area for a popup ("1,200 m²"); the missing mark when a position has none."""
    return MISSING if is_missing(value) else f"{number(value, 0)} m²"


def positions_payload(positions: gpd.GeoDataFrame) -> dict:
    props = []
    for row in _rows(positions):
        tier_label = label("map.tier.", row["tier"])
        if kind := shown(row.get("kind"), ""):
            tier_label += " · " + label("map.kind.", kind)
        status = row.get("status")
        if status == PLANNED:  # not built: said in the tooltip and the popup, drawn hollow
            tier_label += " · " + t("planned.tag")
        props.append({
            "id": str(row[ID]), "kind": "position", "tier": row["tier"],
            "symbol": symbol_key(row["tier"], status), "status": status,
            "street_id": str(row["street_id"]),
            "tip": f"{esc(row['name'])} ({esc(tier_label)})",
            "popup": _popup(row["name"], [
                (t("map.f.tier"), tier_label),
                (t("map.f.street"), row["street_name"]),
                (t("map.f.floor_area"), _area(row["floor_area_m2"])),
                (t("map.f.functions"), row["functions"]),
                (t("map.f.hours"), row["opening_hours"]),
            ]),
        })
    return feature_collection(positions, props)


def dispatch_payload(areas: gpd.GeoDataFrame) -> dict:
    props = [{"id": str(r[ID]), "tip": esc(t("map.tip.dispatch", name=r["name"],
                                             n=fmt_int(r["department_count"])))}
             for r in _rows(areas)]
    return feature_collection(areas, props)


def members_payload(members: gpd.GeoDataFrame) -> list:
    xs, ys = members.geometry.x.round(6), members.geometry.y.round(6)
    return [[y, x, esc(label)] for x, y, label in zip(xs, ys, members["label"])]


# the store layers each layer file is made of (a tile: its prefix's): a file whose layers did
# not change is the same text in the next revision's folder (components.layer_files.TEXTS)
PAYLOAD_LAYERS = {
    "counties": ("counties",), "districts": ("districts",), "streets": ("streets",),
    "communities": ("communities",), "dispatch_areas": ("joint_duty_stations",),
    "grids": ("grids", "members"), "grid_totals": ("grids", "members"),
    "compounds": ("compounds", "party_branches", "property_firms", "disclosures", "streets"),
    "positions": ("service_positions", "streets"), "members": ("members",),
}


def payload_key(data: MapData, name: str) -> str | None:
    """The key of file ``name``'s content (None: not known, built every time)."""
    for prefix, payload in ((GRID_TILE_PREFIX, "grids"), (MEMBER_TILE_PREFIX, "members")):
        if name.startswith(prefix):
            name = payload
    return data.layer_keys.get(name)


def payload_builders(data: MapData, gcj02: bool) -> dict:
    """name -> zero-argument builder of each layer's file content (GCJ-02 shifted if asked)."""
    def frame(gdf):
        if not gcj02 or gdf.empty:
            return gdf
        from geo.crs import gdf_to_gcj02

        return gdf_to_gcj02(gdf)

    return {
        "counties": lambda: outline_payload(frame(data.counties), 0.0005),
        "districts": lambda: outline_payload(frame(data.districts), 0.0002),
        "streets": lambda: outline_payload(frame(data.streets), 0.00005),
        "communities": lambda: outline_payload(frame(data.communities), 0.00002),
        "grids": lambda: grids_payload(frame(data.grids)),
        "grid_totals": lambda: grid_totals_payload(frame(data.grids)),
        "dispatch_areas": lambda: dispatch_payload(frame(data.dispatch_areas)),
        "compounds": lambda: compounds_payload(frame(data.compounds)),
        "positions": lambda: positions_payload(frame(data.positions)),
        "members": lambda: members_payload(frame(data.members)),
    }


def tile_builders(data: MapData, gcj02: bool, members: bool = True) -> dict:
    """``grids_<tile>`` and (with ``members``) ``members_<tile>`` -> builder of each tile's
    file (GCJ-02 shifted if asked)."""
    def build(frame, payload, rows):
        part = frame.iloc[rows]
        if gcj02 and len(part):
            from geo.crs import gdf_to_gcj02

            part = gdf_to_gcj02(part)
        return payload(part)

    out = {f"{GRID_TILE_PREFIX}{key}": partial(build, data.grids, grids_payload, rows)
           for key, rows in data.grid_tiles.items()}
    if members:
        out |= {f"{MEMBER_TILE_PREFIX}{key}": partial(build, data.members, members_payload, rows)
                for key, rows in data.member_tiles.items()}
    return out
