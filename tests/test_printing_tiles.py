"""Tile basemaps on the printed sheet: drawn under the layers when the tile server answers
(a loopback server here), with the provider's credit and review number (审图号) in the
footer; printed on the offline basemap with a note when the tiles are unreachable."""

from __future__ import annotations

import http.server
import io
import threading

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.image import imread
from pypdf import PdfReader

from components import basemaps
from components.i18n import t
from geo.cli import main
from geo.cli.print_cmds import BASEMAPS
from geo.printing.sheet import SheetOptions, draw_sheet, figure_bytes, load_sheet_frames

TILE_COLOUR = "#ff00ff"


def label(key, **fmt):
    return t(key, "zh", **fmt)


def _tile_png() -> bytes:
    fig = Figure(figsize=(1, 1), dpi=256)
    fig.patch.set_facecolor(TILE_COLOUR)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=256, facecolor=TILE_COLOUR)
    return buffer.getvalue()


@pytest.fixture
def tile_server():
    body = _tile_png()
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_cli_basemaps_are_the_apps():
    assert set(BASEMAPS) == set(basemaps.BASEMAP_KEYS)


def test_reachable_tiles_are_drawn_with_credit_and_review_number(
        tile_server, writable_sample_store, monkeypatch, tmp_path):
    url, requests = tile_server
    monkeypatch.setenv(basemaps.TIANDITU_TOKEN_ENV, "test-token")
    monkeypatch.setenv("HONGTU_TIANDITU_TILES", url + "/{layer}/{z}/{x}/{y}.png?tk={tk}")
    out = tmp_path / "tianditu.pdf"
    assert main(["print-map", "--store", writable_sample_store.url, "--basemap", "tianditu_vec",
                 "--size", "A4", "--out", str(out)]) == 0
    text = _pdf_text(out)
    assert f"审图号:{basemaps.TIANDITU_REVIEW_NO}" in text and "天地图" in text
    assert "无法访问" not in text
    assert any(path.startswith("/vec/") for path in requests)
    assert any(path.startswith("/cva/") for path in requests)

    chosen = basemaps.basemap(basemaps.TIANDITU_VECTOR)
    options = SheetOptions(size="A4", basemap=chosen.key, tiles=chosen.tiles)
    fig, ax, _ = draw_sheet(load_sheet_frames(writable_sample_store), options, label)
    image = imread(io.BytesIO(figure_bytes(fig, "png")))[..., :3]
    x, y = ax.transAxes.transform((0.02, 0.5))  # the map's left edge: no layer there
    assert np.abs(image[int(image.shape[0] - y), int(x)] - to_rgb(TILE_COLOUR)).max() < 0.05


def test_unreachable_tiles_fall_back_to_the_offline_basemap(writable_sample_store, monkeypatch,
                                                           tmp_path):
    monkeypatch.setenv("HONGTU_OSM_TILES", "http://127.0.0.1:9/{z}/{x}/{y}.png")
    out = tmp_path / "osm.pdf"
    assert main(["print-map", "--store", writable_sample_store.url, "--basemap", "osm",
                 "--size", "A4", "--out", str(out)]) == 0
    text = _pdf_text(out)
    assert "瓦片无法访问,已改用离线底图打印" in text and label("print.basemap.offline") in text
    assert "审图号" not in text
