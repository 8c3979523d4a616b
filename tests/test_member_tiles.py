"""Member points (tiles of about 2 km) and grids (about 10 km) are published one file per tile,
so that the map fetches the tiles in view only (the browser tests are in test_gated_data_browser
and test_map_browser); the public big screen gets no member tile. Below the member-point zoom
the map shows per-grid member totals counted on the server."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point

from components.layer_publish import GRIDS, MEMBERS, is_private, publish_layers
from components.map_payloads import (
    GRID_MIN_ZOOM,
    GRID_TILE_DEG,
    MEMBER_TILE_DEG,
    MEMBER_TILE_PREFIX,
    member_tiles,
    prepare,
)
from components.web.state import STATE_DIR_ENV

NAMES = ("counties", "districts", "streets", "communities", "grids", "members", "compounds",
         "party_branches", "property_firms", "disclosures", "service_positions",
         "joint_duty_stations")


def test_tiles_by_hand():
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b", "c", "d"]},
        geometry=[Point(121.001, 28.601), Point(121.019, 28.619), Point(121.021, 28.601),
                  Point(-0.001, -0.001)], crs=4326)
    tiles = member_tiles(frame)
    # floor((121.001 + 180) / 0.02) = 15050, floor((28.601 + 90) / 0.02) = 5930
    assert {k: v.tolist() for k, v in tiles.items()} == {
        "15050_5930": [0, 1], "15051_5930": [2], "8999_4499": [3]}
    assert member_tiles(frame.iloc[0:0]) == {}
    assert is_private(MEMBERS) and is_private(MEMBER_TILE_PREFIX + "15050_5930")
    assert not is_private("grids")


@pytest.fixture
def data(sample_store, tmp_path, monkeypatch):
    monkeypatch.setenv(STATE_DIR_ENV, str(tmp_path))
    return prepare("tiles-test", {n: sample_store.load(n) for n in NAMES})


def _read(url: str, root) -> list:
    folder, name = url.split("/")[-2:]
    return json.loads((root / "layers" / folder / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("gcj02", [False, True])
def test_every_member_is_in_exactly_one_published_tile(data, tmp_path, gcj02):
    urls = publish_layers(data, gcj02)
    index = urls[MEMBERS]
    assert index["size"] == MEMBER_TILE_DEG and index["keys"] == sorted(data.member_tiles)
    assert 1 < len(index["keys"]) < len(data.members)
    rows = []
    for key in index["keys"]:
        tile = _read(index["base"] + key + ".json", tmp_path)
        assert len(tile) == len(data.member_tiles[key])
        rows += tile
    assert len(rows) == len(data.members)
    assert sorted(r[2] for r in rows) == sorted(data.members["label"])  # masked names
    if not gcj02:  # each point lies in its tile
        for key in index["keys"][:5]:
            x, y = (int(v) for v in key.split("_"))
            for lat, lon, _ in _read(index["base"] + key + ".json", tmp_path):
                assert x == int((lon + 180) // MEMBER_TILE_DEG)
                assert y == int((lat + 90) // MEMBER_TILE_DEG)
    assert not any(is_private(name) for name in urls if name != MEMBERS)


def test_the_public_map_gets_no_member_file(data, tmp_path):
    urls = publish_layers(data, False, public=True)
    assert MEMBERS not in urls
    folder = tmp_path / "layers" / urls["streets"].split("#")[0].split("/")[-2]
    assert not [p.name for p in folder.iterdir() if is_private(p.stem)]


def test_every_grid_is_in_exactly_one_published_tile(data, tmp_path):
    urls = publish_layers(data, False, public=True)  # grids are public: the big screen too
    index = urls[GRIDS]
    assert (index["size"], index["minZoom"]) == (GRID_TILE_DEG, GRID_MIN_ZOOM)
    assert 1 < len(index["keys"]) < len(data.grids)
    ids = []
    for key in index["keys"]:
        tile = _read(index["base"] + key + ".json", tmp_path)
        assert {f["properties"]["kind"] for f in tile["features"]} == {"grid"}
        ids += [f["properties"]["id"] for f in tile["features"]]
    assert sorted(ids) == sorted(data.grids["id"].astype(str))
    folder = tmp_path / "layers" / urls["streets"].split("#")[0].split("/")[-2]
    combined = json.loads((folder / "combined.json").read_text(encoding="utf-8"))
    assert "grids" not in combined  # no whole grid layer is ever sent
    totals = combined["grid_totals"]  # [lat, lon, members, tooltip] of grids with members
    assert sum(row[2] for row in totals) == len(data.members)
    assert len(totals) == int((data.grids["members"] > 0).sum())
