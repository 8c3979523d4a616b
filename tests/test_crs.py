"""GCJ-02 / BD-09 conversions and re-projection."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo import crs

# Tian'anmen, a widely published reference: WGS84 -> GCJ-02 by the standard formula.
TIANANMEN_WGS84 = (116.391305, 39.907487)


def test_gcj02_offset_matches_the_published_formula_values():
    lon, lat = crs.wgs84_to_gcj02(*TIANANMEN_WGS84)
    assert lon == pytest.approx(116.397545, abs=5e-6)
    assert lat == pytest.approx(39.908886, abs=5e-6)
    # Huangyan: the offset is about 0.0042 degrees east, 0.0031 south (~500 m ESE)
    lon, lat = crs.wgs84_to_gcj02(121.26, 28.64)
    assert (float(lon) - 121.26, float(lat) - 28.64) == pytest.approx((0.00422, -0.00314),
                                                                       abs=2e-5)


def test_outside_china_is_unchanged():
    lon, lat = crs.wgs84_to_gcj02(np.array([2.35, 121.26]), np.array([48.85, 28.64]))
    assert lon[0] == 2.35 and lat[0] == 48.85 and lon[1] != 121.26


def test_inverses_round_trip_below_1e_9_degrees():
    rng = np.random.default_rng(7)
    lon = rng.uniform(121.15, 121.36, 500)
    lat = rng.uniform(28.56, 28.72, 500)
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-9 and np.abs(back[1] - lat).max() < 1e-9
    back = crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-9 and np.abs(back[1] - lat).max() < 1e-9
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-9 and np.abs(back[1] - lat).max() < 1e-9


def test_bd09_is_gcj02_plus_the_baidu_shift():
    lon, lat = crs.gcj02_to_bd09(121.26, 28.64)
    assert float(lon) - 121.26 == pytest.approx(0.0065, abs=0.0005)
    assert float(lat) - 28.64 == pytest.approx(0.006, abs=0.0005)


def test_every_geometry_type_shifts_and_comes_back():
    polygon = Polygon(box(121.25, 28.63, 121.26, 28.64).exterior.coords,
                      [box(121.252, 28.632, 121.254, 28.634).exterior.coords])
    gdf = gpd.GeoDataFrame(
        {"kind": ["point", "line", "polygon", "multi"]},
        geometry=[Point(121.26, 28.64), LineString([(121.25, 28.63), (121.27, 28.65)]),
                  polygon, MultiPolygon([box(121.2, 28.6, 121.21, 28.61), polygon])],
        crs=4326)
    shifted = crs.gdf_to_gcj02(gdf)
    assert shifted.crs.to_epsg() == 4326 and list(shifted["kind"]) == list(gdf["kind"])
    assert shifted.geometry.iloc[0].x == pytest.approx(float(crs.wgs84_to_gcj02(121.26, 28.64)[0]))
    assert len(shifted.geometry.iloc[2].interiors) == 1
    assert (shifted.geometry.geom_type == gdf.geometry.geom_type).all()
    back = crs.gdf_from_gcj02(shifted)
    assert back.geometry.geom_equals_exact(gdf.geometry, 1e-9).all()
    assert not shifted.geometry.geom_equals_exact(gdf.geometry, 1e-4).any()


def test_to_metric_and_back():
    gdf = gpd.GeoDataFrame(geometry=[Point(121.26, 28.64), Point(121.27, 28.64)], crs=4326)
    metric = crs.to_metric(gdf)
    assert metric.crs.to_epsg() == 4549
    assert metric.geometry.iloc[0].distance(metric.geometry.iloc[1]) == pytest.approx(977.6,
                                                                                         abs=1)
    back = crs.to_wgs84(metric)
    assert back.geometry.geom_equals_exact(gdf.geometry, 1e-9).all()
    cgcs = gdf.set_crs(4490, allow_override=True)
    assert crs.to_wgs84(cgcs).geometry.iloc[0].equals(gdf.geometry.iloc[0])
