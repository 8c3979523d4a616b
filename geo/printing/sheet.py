"""The printed map sheet (作战图): the network map of a unit on A4/A3 paper, portrait or
landscape, as PDF or PNG (300 dpi), drawn with matplotlib + geopandas in the metric CRS
(EPSG:4549) with the same colours and symbols as the screen (geo.map_style).

Layout: title and subtitle on top, the map with scale bar and north arrow, the legend beside
(landscape) or below (portrait) it, and a footer with the data source, the basemap's credit
and review number (审图号) and the "示例数据" mark on sample data. Labels come from the
caller's ``label(key, **fmt)`` function (components.i18n.t), so this module holds no UI text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from shapely.geometry import box

from geo import map_style as ms
from geo import network
from geo.printing import layout
from geo.printing.fonts import use_cjk_font
from geo.printing.paper import ORIENTATIONS, PAPER_MM, SHEET_FORMATS, SIZES
from geo.printing.units import Unit, resolve_unit, unit_compounds
from geo.schema import ID, METRIC_CRS, TIERS

matplotlib.use("Agg")

SHEET_LAYERS = ("districts", "counties", "streets", "communities", "grids", "compounds",
                "property_firms", "party_branches", "disclosures", "service_positions",
                "joint_duty_stations", "members", "meta")
FORMATS = SHEET_FORMATS
DPI = 300
MM_PER_INCH = 25.4
COMPOUND_MARGIN_M = 600.0  # around a compound printed on its own


@dataclass(frozen=True)
class SheetOptions:
    unit: str | None = None  # id of a district, street, community or compound (None: district)
    size: str = "A3"
    orientation: str = "landscape"
    indicator: str = network.INDICATORS[0]
    tiers: tuple[str, ...] = ()  # () = every tier
    basemap: str = "offline"
    tiles: tuple = ()  # ((url, attribution, subdomains), ...) of a tile basemap
    review_no: str | None = None  # 审图号 of the tile basemap
    gcj02: bool = False  # the tiles are in GCJ-02 (Gaode)
    highlight: str | None = None  # a compound id drawn in the selection colour

    def check(self) -> None:
        if self.size not in PAPER_MM:
            raise ValueError(f"纸张应为 {SIZES} | size must be one of {SIZES}: {self.size!r}")
        if self.orientation not in ORIENTATIONS:
            raise ValueError(f"方向应为 {ORIENTATIONS} | orientation must be one of "
                             f"{ORIENTATIONS}: {self.orientation!r}")
        if self.indicator not in network.INDICATORS:
            raise ValueError(f"unknown indicator {self.indicator!r}")

    @property
    def paper_inches(self) -> tuple[float, float]:
        short, long = PAPER_MM[self.size]
        w, h = (long, short) if self.orientation == "landscape" else (short, long)
        return w / MM_PER_INCH, h / MM_PER_INCH


@dataclass
class SheetData:
    """The layers of one sheet, in the metric CRS, clipped to the printed extent."""

    unit: Unit
    extent: tuple[float, float, float, float]
    layers: dict[str, gpd.GeoDataFrame]
    classification: network.Classification
    lowest: float
    counts: dict
    as_of: str
    is_sample: bool
    notes: list[str] = field(default_factory=list)
    network: object = None  # metric shapely geometry the map frames (streets with compounds)
    overview: gpd.GeoDataFrame | None = None  # the whole district(s), metric, for the inset
    dropped_labels: list[str] = field(default_factory=list)  # names that found no room


def _meta(frames: dict) -> dict:
    meta = frames.get("meta")
    return dict(zip(meta["key"], meta["value"])) if meta is not None and len(meta) else {}


def _extent(unit_geometry, box_aspect: float, pad: float = 0.04) -> tuple:
    """Bounds around the unit (metric) widened to the map box's width/height ratio."""
    minx, miny, maxx, maxy = unit_geometry.bounds
    width, height = (maxx - minx) * (1 + 2 * pad), (maxy - miny) * (1 + 2 * pad)
    width, height = max(width, height * box_aspect), max(height, width / box_aspect)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def network_extent(frames: dict, unit: Unit):
    """What the map frames (metric shapely geometry): for the district the streets that have
    compounds (the network, not the empty hills around it); a street or community itself; a
    compound with a margin around it."""
    crs = frames["districts"].crs
    if unit.is_district and len(frames.get("streets", [])) and len(frames["compounds"]):
        streets = frames["streets"]
        with_compounds = streets[streets[ID].isin(set(frames["compounds"]["street_id"]))]
        if len(with_compounds):
            shape = gpd.GeoSeries([unit.geometry], crs=crs).to_crs(METRIC_CRS).iloc[0]
            union = with_compounds.to_crs(METRIC_CRS).union_all()
            return union.intersection(shape) if union.intersects(shape) else union
    shape = gpd.GeoSeries([unit.geometry], crs=crs).to_crs(METRIC_CRS).iloc[0]
    return shape.buffer(COMPOUND_MARGIN_M) if unit.kind == "compound" else shape


def overview_of(frames: dict, unit: Unit) -> gpd.GeoDataFrame:
    """The district(s) the unit lies in, metric: the inset's whole area."""
    districts = frames["districts"]
    if not unit.is_district:
        point = unit.geometry.representative_point()
        districts = districts[districts.intersects(point)] if len(districts) else districts
    return districts[["geometry"]].to_crs(METRIC_CRS)


def prepare_sheet(frames: dict, options: SheetOptions, box_aspect: float) -> SheetData:
    """Join, classify, project and clip the layers for ``options`` (no drawing)."""
    unit = resolve_unit(frames, options.unit)
    density = network.grid_density(frames["grids"], frames["members"])
    classification = network.classify(density[network.PER_100].to_numpy(), k=5)
    grids = frames["grids"][[ID, "name", "geometry"]].copy()
    grids["cls"] = np.asarray(classification.classes, dtype=int) if len(grids) else []
    indicators = network.compound_indicators(frames["compounds"], frames["party_branches"],
                                             frames["property_firms"], frames["disclosures"])
    compounds = frames["compounds"][[ID, "street_id", "geometry"]].merge(indicators, on=ID)
    compounds["value"] = compounds[options.indicator].astype(str).str.lower()
    positions = frames["service_positions"]
    if options.tiers:
        positions = positions[positions["tier"].isin(options.tiers)]
    shape = gpd.GeoSeries([unit.geometry], crs=frames["districts"].crs).to_crs(METRIC_CRS)
    focus = network_extent(frames, unit)
    extent = _extent(focus, box_aspect)
    window = box(*extent)
    layers = {"unit": gpd.GeoDataFrame(geometry=shape, crs=METRIC_CRS)}
    for name, frame in (("counties", frames["counties"]), ("districts", frames["districts"]),
                        ("streets", frames["streets"]), ("communities", frames["communities"]),
                        ("grids", grids), ("compounds", compounds),
                        ("dispatch_areas", frames["joint_duty_stations"]),
                        ("positions", positions)):
        projected = frame.to_crs(METRIC_CRS) if len(frame) else frame
        layers[name] = projected[projected.intersects(window)] if len(projected) else projected
    meta = _meta(frames)
    lowest = float(density[network.PER_100].min()) if len(density) else 0.0
    own = compounds[compounds[ID].isin(unit_compounds(frames, unit))]
    counts = own["value"].value_counts().to_dict()  # the legend counts the unit's compounds
    as_of = meta.get("as_of") or pd.Timestamp.today().strftime("%Y-%m-%d")
    return SheetData(unit, extent, layers, classification, lowest, counts, str(as_of)[:10],
                     meta.get("is_sample") == "true", network=focus,
                     overview=overview_of(frames, unit))


def draw_sheet(frames: dict, options: SheetOptions, label, *, printed_on=None,
               source: str | None = None) -> tuple[Figure, object, SheetData]:
    """(figure, map axes, data) of the sheet; the figure's dpi is the print dpi, so
    ``ax.transData`` maps metric coordinates to pixels of the PNG (y from the bottom)."""
    options.check()
    use_cjk_font()
    width, height = options.paper_inches
    fig = Figure(figsize=(width, height), dpi=DPI)
    boxes = layout.sheet_boxes(options.orientation)
    map_box = boxes["map"]
    box_aspect = (map_box[2] * width) / (map_box[3] * height)
    data = prepare_sheet(frames, options, box_aspect)
    ax = fig.add_axes(map_box)
    scale = 1.0 if options.size == "A3" else 0.8
    layout.draw_map(ax, data, options, scale, label)
    legend_ax = fig.add_axes(boxes["legend"])
    tiers = options.tiers or TIERS
    sections = ms.legend_sections(data.classification, data.lowest, options.indicator,
                                  data.counts, label, tiers=tiers, members=False)
    layout.draw_legend(legend_ax, sections, label, scale)
    printed_on = pd.Timestamp(printed_on or pd.Timestamp.now(tz="Asia/Shanghai"))
    layout.draw_frame_text(fig, boxes, data, options, label, printed_on, source, scale,
                           paper_width_m=map_box[2] * width * MM_PER_INCH / 1000.0)
    unit = data.unit
    fig.hongtu_metadata = {  # read by figure_bytes: the PDF's Title and Subject
        "Title": label("print.title", unit=unit.name),
        "Subject": label("print.subject", kind=label(f"print.unit.{unit.kind}"), unit=unit.name,
                         as_of=data.as_of)}
    return fig, ax, data


def figure_bytes(fig: Figure, fmt: str, dpi: int = DPI) -> bytes:
    """The figure as PDF or PNG; a sheet's title and subject go into the PDF's metadata."""
    if fmt not in FORMATS:
        raise ValueError(f"格式应为 {FORMATS} | format must be one of {FORMATS}: {fmt!r}")
    buffer = io.BytesIO()
    if fmt == "pdf":
        metadata = {**getattr(fig, "hongtu_metadata", {}), "Creator": "Hongtu"}
    else:
        metadata = {"Software": "Hongtu", **{k: v for k, v in getattr(
            fig, "hongtu_metadata", {}).items() if k == "Title"}}
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def sheet_bytes(frames: dict, options: SheetOptions, label, fmt: str = "pdf", **kwargs) -> bytes:
    """The sheet as PDF or PNG bytes."""
    fig, _, _ = draw_sheet(frames, options, label, **kwargs)
    return figure_bytes(fig, fmt)


def load_sheet_frames(store) -> dict:
    present = set(store.layer_names())
    return {name: store.load(name) for name in SHEET_LAYERS if name in present}
