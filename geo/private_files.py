"""Files that hold personal data or password hashes (backups, unmasked exports) are readable
by their owner only, whatever the process's umask: files 0600, folders 0700."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | os.PathLike) -> Path:
    """Create (or keep) folder ``path`` as 0700; returns it."""
    folder = Path(path)
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(folder, DIR_MODE)
    return folder


def make_private(path: str | os.PathLike) -> Path:
    """0600 for a file, 0700 for a folder and 0600 for every file inside it."""
    target = Path(path)
    if target.is_dir():
        os.chmod(target, DIR_MODE)
        for inner in target.rglob("*"):
            os.chmod(inner, DIR_MODE if inner.is_dir() else FILE_MODE)
    elif target.exists():
        os.chmod(target, FILE_MODE)
    return target


def write_private_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to a file created 0600 (never readable by others, not even briefly)."""
    target = Path(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(target, FILE_MODE)
    return target
