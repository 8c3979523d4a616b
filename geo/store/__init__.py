"""Open the configured store: ``HONGTU_DATABASE_URL`` (a GeoPackage path or a
``postgresql://`` URL), else the bundled sample store under ``data/``."""

from __future__ import annotations

import os
from pathlib import Path

from geo.store.base import (  # noqa: F401
    CompoundDetail,
    ConflictError,
    NotFoundError,
    Store,
    StoreError,
    Transaction,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_STORE = PROJECT_ROOT / "data" / "sample.gpkg"
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
