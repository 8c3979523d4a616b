"""Package data: ``vendor/`` holds the map's scripts, style sheets and icon fonts, taken from
pinned, hash-checked npm packages by ``scripts/vendor_assets.py`` (with ``LICENSES.md``), served
at ``/hongtu/assets`` and carried by the wheel."""
