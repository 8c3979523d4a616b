"""geo.transformers: the operation PROJ finds kept as a pipeline, rebuilt cheaply per thread."""

from __future__ import annotations

import threading

import geopandas as gpd
import geopandas.array
import pyproj
import pytest
from shapely.geometry import Point

from geo import transformers
from geo.schema import METRIC_CRS, WGS84

HUANGYAN = (121.2619, 28.6497)  # lon, lat of the district's centre


def test_wgs84_to_the_metric_crs_is_a_pipeline_with_the_same_results():
    found = pyproj.Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    kept = transformers.transformer(WGS84, METRIC_CRS, True)
    assert kept.definition.startswith("proj=pipeline") and "tmerc" in kept.definition
    assert "lon_0=120" in kept.definition  # the 3-degree zone of central meridian 120E
    assert kept.transform(*HUANGYAN) == pytest.approx(found.transform(*HUANGYAN), abs=1e-9)
    back = transformers.transformer(METRIC_CRS, WGS84, True)
    assert back.transform(*kept.transform(*HUANGYAN)) == pytest.approx(HUANGYAN, abs=1e-9)


def test_axis_order_of_both_crs_is_kept_without_always_xy():
    kept = transformers.transformer("EPSG:4326", METRIC_CRS, False)  # lat, lon -> N, E
    north, east = kept.transform(HUANGYAN[1], HUANGYAN[0])
    assert (east, north) == pytest.approx(
        pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True).transform(*HUANGYAN),
        abs=1e-9)


def test_an_operation_a_pipeline_cannot_stand_for_keeps_from_crs():
    nad27_to_nad83 = transformers.transformer("EPSG:4267", "EPSG:4269", True)  # grids by area
    assert not nad27_to_nad83.definition.startswith("proj=pipeline")


def test_geopandas_to_crs_uses_it_in_every_thread():
    import geo.store.base  # noqa: F401 - installs it

    assert geopandas.array.TransformerFromCRS is transformers.transformer
    series = gpd.GeoSeries([Point(*HUANGYAN)], crs=WGS84)
    here = series.to_crs(METRIC_CRS).iloc[0]
    seen = []
    worker = threading.Thread(target=lambda: seen.append(series.to_crs(METRIC_CRS).iloc[0]))
    worker.start()
    worker.join()
    assert seen[0].equals_exact(here, 1e-9)
    assert here.coords[0] == pytest.approx(
        pyproj.Transformer.from_crs(4326, 4549, always_xy=True).transform(*HUANGYAN), abs=1e-9)
