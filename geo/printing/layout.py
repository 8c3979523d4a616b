"""Drawing the parts of the map sheet: the map's layers, the legend, title, scale bar, north
arrow and footer. Screen sizes (px, geo.map_style) become points on paper × ``scale``."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry import box

from geo import map_style as ms
from geo.printing import labels

PX_TO_PT = 0.75
MARKER_SCALE = 0.75  # symbols a little smaller on paper than on screen
LABELLED_TIERS = ("core", "zone", "station")
SAMPLE_COLOUR = "#c62828"
KEY_INCHES = 0.3  # width of a legend key
INSET_SHARE = 0.22  # the inset's width as a share of the map's


def sheet_boxes(orientation: str) -> dict[str, tuple]:
    """[left, bottom, width, height] in figure fractions of map, legend, title and footer."""
    if orientation == "landscape":
        return {"map": (0.025, 0.075, 0.745, 0.80), "legend": (0.785, 0.075, 0.195, 0.80),
                "title": 0.955, "subtitle": 0.905, "footer": 0.035}
    return {"map": (0.04, 0.255, 0.92, 0.635), "legend": (0.04, 0.06, 0.92, 0.18),
            "title": 0.965, "subtitle": 0.930, "footer": 0.025}


def _dash(style: dict):
    dash = style.get("dash")
    return (0, tuple(float(v) for v in dash.split())) if dash else "solid"


def _outline(ax, frame, key: str, scale: float, zorder: float, fill: bool = True) -> None:
    if frame is None or frame.empty:
        return
    style = ms.OUTLINES[key]
    if fill and style["fillOpacity"] > 0:
        frame.plot(ax=ax, facecolor=style["fill"], alpha=style["fillOpacity"], edgecolor="none",
                   zorder=zorder)
    frame.boundary.plot(ax=ax, color=style["stroke"], linewidth=style["weight"] * PX_TO_PT * scale,
                        linestyle=_dash(style), zorder=zorder + 0.5)


def tier_marker(tier: str):
    """The tier's symbol as a matplotlib marker (the same shape as the screen's SVG)."""
    shape = ms.TIER_SYMBOLS[tier][0]
    if shape == "circle":
        return "o"
    points = np.array(ms.SHAPE_POINTS[shape], dtype=float)
    points = (points - 50.0) / 100.0 * [1, -1]  # SVG y runs down
    return Path(np.vstack([points, points[:1]]), closed=True)


def marker_points(tier: str, scale: float) -> float:
    """The symbol's size in points (its box side on screen in px, scaled)."""
    size = ms.TIER_SYMBOLS[tier][1]
    if ms.TIER_SYMBOLS[tier][0] == "circle":
        size *= ms.CIRCLE_RADIUS / 50.0
    return size * PX_TO_PT * MARKER_SCALE * scale


def draw_positions(ax, positions, scale: float) -> None:
    for tier in reversed(list(ms.TIER_SYMBOLS)):  # core drawn last, on top
        rows = positions[positions["tier"] == tier]
        if rows.empty:
            continue
        _, _, colour, z = ms.TIER_SYMBOLS[tier]
        ax.scatter(rows.geometry.x, rows.geometry.y, marker=tier_marker(tier),
                   s=marker_points(tier, scale) ** 2, c=colour, edgecolors=ms.SYMBOL_STROKE,
                   linewidths=0.8 * scale, zorder=10 + z / 100)


def draw_position_labels(ax, positions, scale: float, obstacles: list) -> list[str]:
    """Names of the labelled tiers' positions (core first), placed without overlap
    (geo.printing.labels); returns the names left out for lack of room."""
    renderer = labels.renderer_of(ax.figure)
    ax.apply_aspect()
    items, symbols = [], []
    for tier in LABELLED_TIERS:
        rows = positions[positions["tier"] == tier].sort_values("name")
        radius = marker_points(tier, scale) / 2
        for x, y, name in zip(rows.geometry.x, rows.geometry.y, rows["name"]):
            items.append((x, y, str(name), radius))
            symbols.append(labels.symbol_box(ax, x, y, radius))
    _, dropped = labels.place_labels(
        ax, items, [*obstacles, *symbols], fontsize=6.5 * scale, renderer=renderer,
        bbox_style={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    return dropped


def draw_inset(ax, data, label, scale: float) -> object:
    """A small map of the whole district in the map corner (top left or bottom right) that
    the network covers least, the printed frame marked on it; returns its display box."""
    overview = data.overview
    if overview is None or overview.empty:
        return None
    ox0, oy0, ox1, oy1 = overview.total_bounds
    minx, miny, maxx, maxy = data.extent
    width = INSET_SHARE
    height = min(0.4, width * (oy1 - oy0) / max(ox1 - ox0, 1.0)
                 * (maxx - minx) / max(maxy - miny, 1.0))
    corners = {"upper left": (0.012, 0.988 - height), "lower right": (0.988 - width, 0.012)}

    def covered(corner) -> float:
        fx, fy = corners[corner]
        window = box(minx + fx * (maxx - minx), miny + fy * (maxy - miny),
                     minx + (fx + width) * (maxx - minx), miny + (fy + height) * (maxy - miny))
        return window.intersection(data.network).area if data.network is not None else 0.0

    fx, fy = corners[min(corners, key=covered)]
    inset = ax.inset_axes((fx, fy, width, height), zorder=15)
    inset.set_facecolor("white")
    overview.plot(ax=inset, facecolor=ms.OUTLINES["districts"]["fill"], edgecolor=ms.OUTLINES[
        "districts"]["stroke"], linewidth=0.8 * scale)
    if data.network is not None:
        gpd.GeoSeries([data.network]).plot(ax=inset, facecolor="#ef9a9a", edgecolor="none")
    inset.add_patch(Rectangle((minx, miny), maxx - minx, maxy - miny, fill=False,
                              edgecolor=SAMPLE_COLOUR, linewidth=1.2 * scale))
    pad_x, pad_y = (ox1 - ox0) * 0.04, (oy1 - oy0) * 0.04
    inset.set_xlim(min(ox0, minx) - pad_x, max(ox1, maxx) + pad_x)
    inset.set_ylim(min(oy0, miny) - pad_y, max(oy1, maxy) + pad_y)
    inset.set_aspect("equal", adjustable="box")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_title(label("print.inset"), fontsize=7 * scale, pad=2)
    inset.apply_aspect()
    renderer = labels.renderer_of(ax.figure)
    return inset.get_tightbbox(renderer)


def draw_map(ax, data, options, scale: float, label) -> None:
    layers = data.layers
    minx, miny, maxx, maxy = data.extent
    ax.set_facecolor(ms.OFFLINE_BACKGROUND)
    if options.tiles:
        from geo.printing.tiles import draw_tiles

        if not draw_tiles(ax, data.extent, options):
            data.notes.append(label("print.tiles_unreachable",
                                    basemap=label(f"map.basemap.{options.basemap}")))
    tiled = options.tiles and not data.notes
    if not tiled:
        _outline(ax, layers["counties"], "counties", scale, 1)
        _outline(ax, layers["districts"], "districts", scale, 2)
    grids = layers["grids"]
    if len(grids):
        grids.plot(ax=ax, color=[ms.grid_colour(c) for c in grids["cls"]],
                   alpha=0.45 if tiled else 0.55, edgecolor=ms.GRID_STROKE,
                   linewidth=0.3 * scale, zorder=3)
    _outline(ax, layers["dispatch_areas"], "dispatch_areas", scale, 4)
    _outline(ax, layers["communities"], "communities", scale, 5, fill=False)
    _outline(ax, layers["streets"], "streets", scale, 5.5, fill=False)
    compounds = layers["compounds"]
    if len(compounds):
        colours = ms.INDICATOR_COLOURS[options.indicator]
        compounds.plot(ax=ax, color=[colours.get(v, "#999999") for v in compounds["value"]],
                       alpha=0.75, edgecolor=ms.COMPOUND_STROKE, linewidth=0.25 * scale,
                       zorder=6)
        if options.highlight:
            chosen = compounds[compounds["id"] == options.highlight]
            chosen.boundary.plot(ax=ax, color=ms.SELECTED_COLOUR, linewidth=2.5 * scale,
                                 zorder=7)
    if len(layers["districts"]):
        layers["districts"].boundary.plot(
            ax=ax, color=ms.OUTLINES["districts"]["stroke"],
            linewidth=ms.OUTLINES["districts"]["weight"] * PX_TO_PT * scale, zorder=8)
    if not data.unit.is_district:
        layers["unit"].boundary.plot(ax=ax, color="#212121", linewidth=1.6 * scale,
                                     linestyle=(0, (6, 2)), zorder=8.5)
    draw_positions(ax, layers["positions"], scale)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    bar = ScaleBar(1.0, "m", location="lower left", box_alpha=0.85, length_fraction=0.2,
                   font_properties={"size": 9 * scale}, border_pad=0.8)
    ax.add_artist(bar)
    arrow = draw_north_arrow(ax, label, scale)
    renderer = labels.renderer_of(ax.figure)
    ax.apply_aspect()
    obstacles = [artist.get_window_extent(renderer) for artist in (bar, *arrow)]
    inset = draw_inset(ax, data, label, scale)
    if inset is not None:
        obstacles.append(inset)
    data.dropped_labels = draw_position_labels(ax, layers["positions"], scale, obstacles)
    if data.dropped_labels:
        data.notes.append(label("print.labels_dropped", n=len(data.dropped_labels)))


def draw_north_arrow(ax, label, scale: float) -> tuple:
    """The north arrow and its letter (both returned, as obstacles for the labels)."""
    arrow = ax.annotate("", xy=(0.955, 0.965), xytext=(0.955, 0.885), xycoords="axes fraction",
                        arrowprops={"facecolor": "#212121", "edgecolor": "#212121",
                                    "width": 3 * scale, "headwidth": 11 * scale,
                                    "headlength": 12 * scale}, zorder=20)
    letter = ax.text(0.955, 0.865, label("print.north"), transform=ax.transAxes, ha="center",
                     va="top", fontsize=11 * scale, fontweight="bold", zorder=20)
    return arrow, letter


def _legend_lines(sections, label) -> list[tuple]:
    lines = []
    for section in sections:
        lines.append(("title", label(section.title_key) + section.title_text, None))
        lines.extend(("entry", entry.label(label), entry) for entry in section.entries)
    return lines


def draw_legend(ax, sections, label, scale: float) -> None:
    """The legend's sections in as many columns as the box's shape asks for."""
    ax.set_axis_off()
    lines = [("head", label("map.legend.title"), None), *_legend_lines(sections, label)]
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    width_in, height_in = pos.width * fig_w, pos.height * fig_h
    columns = max(1, min(4, math.floor(width_in / 2.4)))
    per_column = math.ceil(len(lines) / columns)
    step = min(0.30 * scale, height_in / max(per_column, 1)) / height_in
    col_width = 1.0 / columns
    font = 8.5 * scale
    for i, (kind, text, entry) in enumerate(lines):
        col, row = divmod(i, per_column)
        x, y = col * col_width, 1.0 - (row + 0.5) * step
        if kind in ("head", "title"):
            ax.text(x, y, text, fontsize=font * (1.25 if kind == "head" else 1.0),
                    fontweight="bold", va="center", transform=ax.transAxes)
            continue
        key_width = KEY_INCHES / width_in
        if entry.kind != "note":
            _legend_key(ax, entry, x, y, key_width, step, scale)
        ax.text(x + (0 if entry.kind == "note" else key_width * 1.25), y, text,
                fontsize=font * (0.8 if entry.kind == "note" else 1.0), va="center",
                transform=ax.transAxes, color="#555555" if entry.kind == "note" else "#212121")


def _legend_key(ax, entry, x: float, y: float, width_frac: float, step: float,
                scale: float) -> None:
    if entry.kind == "symbol":
        ax.add_line(Line2D([x + width_frac / 2], [y], marker=tier_marker(entry.tier),
                           markersize=marker_points(entry.tier, scale),
                           markerfacecolor=ms.TIER_SYMBOLS[entry.tier][2],
                           markeredgecolor=ms.SYMBOL_STROKE, markeredgewidth=0.8 * scale,
                           linestyle="none", transform=ax.transAxes))
    elif entry.kind in ("swatch", "outline"):
        face = "none" if entry.colour == "transparent" else entry.colour
        linestyle = "--" if entry.dash else "-"
        ax.add_patch(Rectangle((x + width_frac * 0.1, y - step * 0.3), width_frac * 0.8, step * 0.6,
                               facecolor=face, edgecolor=entry.border,
                               linewidth=(1.6 if entry.kind == "outline" else 0.6) * scale,
                               linestyle=linestyle, transform=ax.transAxes))


def draw_frame_text(fig, boxes, data, options, label, printed_on, source, scale: float,
                    paper_width_m: float) -> None:
    """Title, subtitle, sample mark and footer (source, basemap, review number, notes)."""
    unit = data.unit
    fig.text(0.5, boxes["title"], label("print.title", unit=unit.name), ha="center",
             va="center", fontsize=22 * scale, fontweight="bold")
    minx, _, maxx, _ = data.extent
    ratio = round((maxx - minx) / paper_width_m, -2)
    fig.text(0.5, boxes["subtitle"], label(
        "print.subtitle", kind=label(f"print.unit.{unit.kind}"), unit=unit.name,
        date=printed_on.strftime("%Y-%m-%d"), as_of=data.as_of, ratio=f"{int(ratio):,}"),
        ha="center", va="center", fontsize=11 * scale, color="#424242")
    if data.is_sample:
        fig.text(0.975, boxes["title"], label("print.sample_mark"), ha="right", va="center",
                 fontsize=16 * scale, fontweight="bold", color=SAMPLE_COLOUR,
                 bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": SAMPLE_COLOUR,
                       "lw": 1.5})
    parts = [source or label("print.source.default")]
    if options.tiles and not data.notes:
        parts.append(label("print.basemap.credit", credit=options.tiles[0][1]))
        if options.review_no:
            parts.append(label("print.review_no", number=options.review_no))
    else:
        parts.append(label("print.basemap.offline"))
    parts.extend(data.notes)
    fig.text(0.025, boxes["footer"], " · ".join(parts), ha="left", va="center",
             fontsize=7.5 * scale, color="#424242", wrap=True)
