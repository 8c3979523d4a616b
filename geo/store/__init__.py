"""Open the configured store: ``HONGTU_DATABASE_URL`` (a GeoPackage path or a
``postgresql://`` URL), else the sample store ``sample.gpkg`` in the data directory (``geo.paths``)."""

from __future__ import annotations

import os

from geo.paths import APP_ROOT, DATA_DIR
from geo.store.base import (  # noqa: F401
    ConflictError,
    NotFoundError,
    Store,
    StoreError,
    Transaction,
)
from geo.store.compound_detail import CompoundDetail  # noqa: F401

PROJECT_ROOT = APP_ROOT
SAMPLE_STORE = DATA_DIR / "sample.gpkg"
ENV_URL = "HONGTU_DATABASE_URL"


def store_url() -> str:
    return os.environ.get(ENV_URL) or str(SAMPLE_STORE)


def open_store(url: str | os.PathLike | None = None) -> Store:
    url = str(url or store_url())
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        from geo.store.postgis import PostGISStore

        return PostGISStore(url)
    url = url.removeprefix("file:")
    from geo.store.gpkg import GeoPackageStore

    return GeoPackageStore(url)
