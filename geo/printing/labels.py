"""Placing the map sheet's labels without overlap: a greedy cartographic placement.

Each label is tried, in order of importance, at the eight positions around its symbol
(right first, then the other sides and corners, as cartographers rank them), then at the same
directions farther out with a leader line to the symbol. The first position whose box, measured
with the figure's renderer, lies inside the map and clear of every label already placed and of
the obstacles (symbols, north arrow, scale bar, inset) is taken; a label that fits nowhere is
left out and counted, so the sheet can say so. adjustText (PyPI) nudges labels iteratively and
does not promise a result without overlap; this does, by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.text import Text
from matplotlib.transforms import Bbox

LABEL_GID = "position-label"
# (dx, dy) unit directions in the order tried; the text is aligned away from the symbol
DIRECTIONS = ((1, 0), (1, 1), (1, -1), (-1, 0), (0, 1), (0, -1), (-1, 1), (-1, -1))
RINGS = (1.0, 2.6)  # distance from the symbol in symbol radii + gap; the outer ring has a leader
HALIGN = {1: "left", 0: "center", -1: "right"}
VALIGN = {1: "bottom", 0: "center", -1: "top"}


@dataclass
class Placed:
    name: str
    box: Bbox  # display pixels, padded
    leader: bool


def renderer_of(fig):
    """The figure's renderer (an Agg canvas is attached when the figure has none)."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _points_to_px(fig, points: float) -> float:
    return points * fig.dpi / 72.0


def text_size(ax, text: str, fontsize: float, renderer) -> tuple[float, float]:
    """(width, height) in display pixels of ``text`` at ``fontsize``, measured, not guessed."""
    probe = ax.text(0, 0, text, fontsize=fontsize)
    extent = probe.get_window_extent(renderer)
    probe.remove()
    return extent.width, extent.height


def candidate_box(x: float, y: float, direction, distance: float, size, pad: float) -> Bbox:
    """The padded box of a label of ``size`` put ``distance`` px from (x, y) towards
    ``direction``, aligned away from the point."""
    dx, dy = direction
    width, height = size
    ax_, ay_ = x + dx * distance, y + dy * distance
    x0 = {1: ax_, 0: ax_ - width / 2, -1: ax_ - width}[dx]
    y0 = {1: ay_, 0: ay_ - height / 2, -1: ay_ - height}[dy]
    return Bbox.from_extents(x0 - pad, y0 - pad, x0 + width + pad, y0 + height + pad)


def _free(box: Bbox, frame: Bbox, taken: list[Bbox]) -> bool:
    if not (box.x0 >= frame.x0 and box.y0 >= frame.y0 and box.x1 <= frame.x1
            and box.y1 <= frame.y1):
        return False
    return not any(box.overlaps(other) for other in taken)


def place_labels(ax, items, obstacles: list[Bbox], *, fontsize: float, renderer,
                 bbox_style: dict | None = None, colour: str = "#212121",
                 zorder: float = 9) -> tuple[list[Placed], list[str]]:
    """Annotate ``items`` ((x, y, name, symbol_radius_pt), in data coordinates, most important
    first) on ``ax`` without overlap; returns (placed, names left out). ``obstacles`` are
    display-pixel boxes no label may cover."""
    fig = ax.figure
    frame = ax.get_window_extent(renderer)
    taken = list(obstacles)
    pad = _points_to_px(fig, fontsize * 0.25)
    placed: list[Placed] = []
    dropped: list[str] = []
    for x, y, name, radius_pt in items:
        px, py = ax.transData.transform((x, y))
        size = text_size(ax, name, fontsize, renderer)
        choice = None
        for ring, factor in enumerate(RINGS):
            distance = _points_to_px(fig, (radius_pt + 2.0) * factor + (6.0 * ring))
            for direction in DIRECTIONS:
                # diagonals sit a little closer, so the corner of the text meets the circle
                reach = distance * (0.75 if direction[0] and direction[1] else 1.0)
                box = candidate_box(px, py, direction, reach, size, pad)
                if _free(box, frame, taken):
                    choice = (direction, reach, box, ring > 0)
                    break
            if choice:
                break
        if choice is None:
            dropped.append(name)
            continue
        direction, reach, box, leader = choice
        offset_pt = (direction[0] * reach * 72.0 / fig.dpi, direction[1] * reach * 72.0 / fig.dpi)
        annotation = ax.annotate(
            name, (x, y), xytext=offset_pt, textcoords="offset points",
            ha=HALIGN[direction[0]], va=VALIGN[direction[1]], fontsize=fontsize, color=colour,
            zorder=zorder, bbox=bbox_style,
            arrowprops={"arrowstyle": "-", "color": "#616161", "lw": 0.6,
                        "shrinkA": 0, "shrinkB": radius_pt} if leader else None)
        annotation.set_gid(LABEL_GID)
        taken.append(box)
        placed.append(Placed(name, box, leader))
    return placed, dropped


def symbol_box(ax, x: float, y: float, radius_pt: float) -> Bbox:
    """The display-pixel box of a symbol of ``radius_pt`` at (x, y) in data coordinates."""
    px, py = ax.transData.transform((x, y))
    r = _points_to_px(ax.figure, radius_pt)
    return Bbox.from_extents(px - r, py - r, px + r, py + r)


def label_boxes(ax, renderer) -> list[Bbox]:
    """The rendered boxes of the placed labels after a draw: the text with its background box,
    without the leader line (an Annotation's own extent would include it)."""
    boxes = []
    for text in ax.texts:
        if text.get_gid() == LABEL_GID:
            own = Text.get_window_extent(text, renderer)
            patch = text.get_bbox_patch()
            boxes.append(Bbox.union([own, patch.get_window_extent(renderer)]) if patch
                         is not None else own)
    return boxes
