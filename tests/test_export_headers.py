"""Every column of a Chinese export or template has a Chinese header (issue #25, point 3:
the districts' city/province columns and the streets' district_id were exported as codes)."""

from __future__ import annotations

import re

import pytest

from geo import schema
from geo.importer.mapping import header, header_map
from geo.importer.templates import layer_table

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("layer", schema.DATA_LAYERS)
def test_every_field_has_a_chinese_header_that_reads_back(layer):
    fields = [f.name for f in schema.layer(layer).all_fields]
    latin = [f for f in fields if not CJK.search(header(layer, f))]
    assert not latin
    assert header_map(layer, [header(layer, f) for f in fields]) == {
        header(layer, f): f for f in fields}


def test_taizhou_districts_and_streets_export_in_chinese(taizhou_store_path):
    from geo.store import open_store

    store = open_store(taizhou_store_path)
    for layer in ("districts", "streets"):
        table = layer_table(layer, store.load(layer))
        assert not [c for c in table.columns if not CJK.search(str(c))], layer
