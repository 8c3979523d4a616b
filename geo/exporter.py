"""Export a store: GeoPackage, GeoJSON (per layer, a folder or a zip), Excel with Chinese
headers (one sheet per layer), CSV (UTF-8 with BOM so Excel reads Chinese; a folder or a zip).

Personal fields are masked unless the caller may see them (geo.masking.mask_frame). System
layers (accounts, audit, ...) are never exported. Every export carries an 导出说明 table (an
Excel sheet, a GeoPackage table ``export_info``, a CSV/GeoJSON file ``导出说明.csv``) saying
whether it is masked; the importer refuses a masked one. File names say masked or unmasked.
Text cells are made safe to open in Excel (geo.cells).

Where an export lands: GeoJSON is RFC 7946 (GDAL's RFC7946 option: counter-clockwise outer
rings, no ``crs`` member, 7 decimals); times are the display zone's wall clock in ISO 8601
with the offset (``2021-04-24T11:59:00+08:00``, geo.clock.local_iso) in every format, which
the importer reads back to UTC; no CSV or Excel cell exceeds 32,767 characters (a long shape
spills into 几何WKT续1, 续2, ... columns); a GeoPackage is version 1.3."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import cells, clock, schema
from geo.importer.mapping import IMPORTABLE_LAYERS
from geo.importer.sheets import EXPORT_INFO_SHEET, EXPORT_INFO_TABLE, MASKED_KEY, MASKED_YES
from geo.importer.templates import layer_table, sheet_name
from geo.schema import GEOMETRY, WGS84
from geo.store.base import coerce, to_storage
from geo.store.gpkg_compat import CREATE_OPTIONS

FORMATS = ("gpkg", "geojson", "xlsx", "csv")
CSV_ENCODING = "utf-8-sig"
MASKED_TAG, UNMASKED_TAG = "masked", "unmasked"


def export_info(masked_export: bool) -> pd.DataFrame:
    """The 导出说明 rows: key, value (the importer reads the 脱敏 row)."""
    rows = [(MASKED_KEY, MASKED_YES if masked_export else "否 no"),
            ("导出时间 exported at", clock.local_iso(pd.Series([clock.now_utc()])).iloc[0]),
            ("说明 note", "脱敏导出不能再导入 a masked export cannot be imported back"
             if masked_export else "含个人信息,请妥善保管 holds personal data, keep it safe")]
    return pd.DataFrame(rows, columns=["项目 key", "值 value"])


def export_layers(store, layers: list[str] | None = None) -> list[str]:
    """The layers an export holds: the importable layers present in ``store``."""
    present = set(store.layer_names())
    chosen = layers or IMPORTABLE_LAYERS
    return [n for n in IMPORTABLE_LAYERS if n in chosen and n in present]


def masked(store, name: str, can_see_personal: bool) -> pd.DataFrame:
    frame = store.load(name)
    if can_see_personal or not schema.layer(name).personal_fields:
        return frame
    from geo.masking import mask_frame

    return mask_frame(frame, name, can_see_personal)


def with_local_times(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A layer's frame as exported: its datetime columns as local ISO 8601 text with offset."""
    frame = coerce(name, frame)
    for f in schema.layer(name).all_fields:
        if f.dtype == "datetime":
            frame[f.name] = clock.local_iso(frame[f.name])
    return frame


def export_store(store, fmt: str, out: str | os.PathLike, layers: list[str] | None = None,
                 can_see_personal: bool = False) -> Path:
    """Write the store to ``out`` in ``fmt``; returns the written path.

    GeoJSON and CSV write one file per layer: into a zip when ``out`` ends in .zip, else
    into the folder ``out``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frames = {n: masked(store, n, can_see_personal) for n in export_layers(store, layers)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / ("export" + (out.suffix if fmt in ("gpkg", "xlsx") else ""))
        WRITERS[fmt](frames, work, export_info(not can_see_personal))
        _place(work, out)
    if can_see_personal:  # names and phones unmasked: readable by the owner only (0600/0700)
        from geo.private_files import make_private

        make_private(out)
    return out


def _place(work: Path, out: Path) -> None:
    """Move the finished export into place (zip a folder when ``out`` ends in .zip)."""
    if work.is_dir() and out.suffix.lower() == ".zip":
        tmp_zip = out.with_name(out.name + ".part")
        with zipfile.ZipFile(tmp_zip, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(work.iterdir()):
                archive.write(file, file.name)
        os.replace(tmp_zip, out)
    elif work.is_dir():
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(work, out)
    else:
        shutil.copyfile(work, out)


def _ogr_frame(name: str, frame: pd.DataFrame) -> gpd.GeoDataFrame:
    data = to_storage(name, frame)
    for f in schema.layer(name).all_fields:
        if f.dtype == "datetime":
            data[f.name] = clock.local_iso(frame[f.name]).values
    if schema.layer(name).geometry is None:
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([None] * len(data), crs=WGS84))
    return data


def _gpkg_options(path: Path) -> dict:
    # GeoPackage 1.3 so that older GDAL/QGIS open the file without a version warning
    return {} if path.exists() else {"dataset_options": CREATE_OPTIONS}



def export_name(fmt: str, can_see_personal: bool, at: pd.Timestamp | None = None) -> str:
    """``hongtu_masked_csv_20261201-1805.zip`` / ``hongtu_unmasked_...``: never the same name."""
    suffix = {"gpkg": ".gpkg", "xlsx": ".xlsx", "geojson": ".zip", "csv": ".zip"}[fmt]
    stamp = (at or pd.Timestamp.now(tz="Asia/Shanghai")).strftime("%Y%m%d-%H%M%S")
    tag = UNMASKED_TAG if can_see_personal else MASKED_TAG
    return f"hongtu_{tag}_{fmt}_{stamp}{suffix}"


def write_gpkg(frames: dict[str, pd.DataFrame], path: Path, info: pd.DataFrame) -> None:
    for name, frame in frames.items():
        spec = schema.layer(name)
        data = _ogr_frame(name, frame)
        if spec.geometry is None:
            pyogrio.write_dataframe(
                gpd.GeoDataFrame(data.drop(columns=[GEOMETRY])), path, layer=name, driver="GPKG",
                append=path.exists(), geometry_type=None, **_gpkg_options(path),
                layer_options={"ASPATIAL_VARIANT": "GPKG_ATTRIBUTES"})
        else:
            pyogrio.write_dataframe(
                data, path, layer=name, driver="GPKG", append=path.exists(),
                geometry_type=spec.geometry, promote_to_multi=spec.geometry.startswith("Multi"),
                **_gpkg_options(path))
    pyogrio.write_dataframe(gpd.GeoDataFrame(info.set_axis(["key", "value"], axis=1)), path,
                            layer=EXPORT_INFO_TABLE, driver="GPKG", append=path.exists(),
                            geometry_type=None,
                            layer_options={"ASPATIAL_VARIANT": "GPKG_ATTRIBUTES"})


def write_geojson(frames: dict[str, pd.DataFrame], folder: Path, info: pd.DataFrame) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        data = _ogr_frame(name, frame)
        pyogrio.write_dataframe(data, folder / f"{name}.geojson", driver="GeoJSON",
                                layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"})
    (folder / f"{EXPORT_INFO_SHEET}.csv").write_bytes(cells.csv_bytes(info, CSV_ENCODING))


def write_xlsx(frames: dict[str, pd.DataFrame], path: Path, info: pd.DataFrame) -> None:
    """One sheet per layer, then the export's own sheet (``EXPORT_INFO_SHEET``), in one pass."""
    with cells.excel_writer(path) as writer:
        for name, frame in frames.items():
            table = layer_table(name, with_local_times(name, frame), chinese=True,
                                split_wkt=True)
            cells.write_sheet(writer, table, sheet_name(name))
        cells.write_sheet(writer, info, EXPORT_INFO_SHEET)


def write_csv(frames: dict[str, pd.DataFrame], folder: Path, info: pd.DataFrame) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        table = layer_table(name, with_local_times(name, frame), chinese=True, split_wkt=True)
        (folder / f"{name}.csv").write_bytes(cells.csv_bytes(table, CSV_ENCODING))
    (folder / f"{EXPORT_INFO_SHEET}.csv").write_bytes(cells.csv_bytes(info, CSV_ENCODING))


def export_bytes(store, fmt: str, layers: list[str] | None = None,
                 can_see_personal: bool = False) -> tuple[bytes, str]:
    """The export as bytes and a file name (GeoJSON/CSV zipped), for download buttons."""
    name = export_name(fmt, can_see_personal)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_store(store, fmt, Path(tmp) / name, layers, can_see_personal)
        data = path.read_bytes()
    return data, name


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


WRITERS = {"gpkg": write_gpkg, "geojson": write_geojson, "xlsx": write_xlsx, "csv": write_csv}
