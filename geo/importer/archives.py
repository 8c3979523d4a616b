"""Zip archives (zipped Shapefiles and .xlsx workbooks) opened without trusting their sizes.

A zip bomb is a small file that inflates to gigabytes. Before anything is read, the central
directory is checked: total uncompressed size and each member's compression ratio. The sizes
there can lie, so members are then extracted in chunks with a running count that stops at the
same limits (Python's zipfile also never inflates a member past its declared size)."""

from __future__ import annotations

import zipfile
from pathlib import Path

UNZIPPED_FACTOR = 4  # uncompressed total at most 4x the upload size limit (200 MB by default)
MAX_RATIO = 100  # deflate reaches ~1000:1 on a bomb; real CSV/Shapefile stay far below 100:1
RATIO_FLOOR = 1024 * 1024  # members smaller than this are not ratio-checked (tiny .cpg, .prj)
CHUNK = 1024 * 1024


class ArchiveRefused(ValueError):
    """The archive would inflate past the limits; ``code`` and ``fmt`` name the cause."""

    def __init__(self, code: str, **fmt):
        self.code, self.fmt = code, fmt
        super().__init__(f"{code}: {fmt}")


def unzipped_limit(size_limit: int) -> int:
    return size_limit * UNZIPPED_FACTOR


def check_members(archive: zipfile.ZipFile, limit: int) -> None:
    """Refuse an archive whose central directory declares too much or too compressed data."""
    total = 0
    for member in archive.infolist():
        total += member.file_size
        if total > limit:
            raise ArchiveRefused("zip_too_large", limit=f"{limit / 1048576:g}",
                                 member=member.filename)
        compressed = max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and member.file_size / compressed > MAX_RATIO:
            raise ArchiveRefused("zip_ratio", member=member.filename,
                                 ratio=f"{member.file_size / compressed:.0f}", max=MAX_RATIO)


def extract_flat(archive: zipfile.ZipFile, folder: Path, limit: int) -> list[Path]:
    """Every file member written into ``folder`` under its base name (no path traversal),
    streamed in chunks, stopping at ``limit`` bytes in all even if the headers lie."""
    check_members(archive, limit)
    written, paths = 0, []
    for member in archive.infolist():
        if member.is_dir():
            continue
        target = folder / Path(member.filename).name
        with archive.open(member) as source, open(target, "wb") as sink:
            inflated = 0
            while chunk := source.read(CHUNK):
                inflated += len(chunk)
                written += len(chunk)
                if written > limit:
                    raise ArchiveRefused("zip_too_large", limit=f"{limit / 1048576:g}",
                                         member=member.filename)
                if inflated > RATIO_FLOOR and inflated / max(member.compress_size, 1) > MAX_RATIO:
                    raise ArchiveRefused("zip_ratio", member=member.filename,
                                         ratio=f">{MAX_RATIO}", max=MAX_RATIO)
                sink.write(chunk)
        paths.append(target)
    return paths


def check_workbook(path: Path, limit: int) -> None:
    """An .xlsx is a zip of XML: the same limits before openpyxl inflates it."""
    with zipfile.ZipFile(path) as archive:
        check_members(archive, limit)
