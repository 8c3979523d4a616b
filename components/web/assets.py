"""The map's vendored scripts, style sheets and fonts at ``/hongtu/assets/`` (under Streamlit's
``server.baseUrlPath`` when one is set), from the package directory ``components/assets/vendor``
(Starlette's StaticFiles: ETag/Last-Modified, HEAD, no path escapes). Missing files are 404s;
the maps themselves say what is missing (``components.offline.warn_if_missing``)."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from components.offline import VENDOR_DIR, route_path


class VendorFiles:
    """StaticFiles over VENDOR_DIR that answers 404 (not 500) while the folder is missing."""

    def __init__(self):
        self.files = StaticFiles(directory=VENDOR_DIR, check_dir=False)

    async def __call__(self, scope, receive, send):
        if not VENDOR_DIR.is_dir():
            response = PlainTextResponse("map assets not installed", status_code=404)
            await response(scope, receive, send)
            return
        await self.files(scope, receive, send)


def routes() -> list:
    from streamlit import config

    return [Mount(route_path(config.get_option("server.baseUrlPath") or ""), app=VendorFiles(),
                  name="hongtu_assets")]
