"""Unmasked exports (names and phones) are readable by their owner only, whatever the umask
(issue #28.6); masked exports keep the umask's mode."""

from __future__ import annotations

import os
import stat

import pytest

from geo.exporter import export_store


@pytest.mark.parametrize("fmt,name", [("xlsx", "out.xlsx"), ("csv", "out_csv"),
                                      ("csv", "out.zip")])
def test_an_unmasked_export_is_0600_in_a_0700_folder(small_store, tmp_path, fmt, name):
    old = os.umask(0o022)
    try:
        out = export_store(small_store, fmt, tmp_path / name, can_see_personal=True)
    finally:
        os.umask(old)
    if out.is_dir():
        assert stat.S_IMODE(out.stat().st_mode) == 0o700
        files = list(out.iterdir())
        assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    else:
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
