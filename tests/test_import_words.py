"""Import words a new user writes (issue #25, point 4): the template's example row gives ids in
each layer's real format, and coded fields take their Chinese words (点, 规划) as well."""

from __future__ import annotations

import re

import pandas as pd

from geo.importer import import_files
from geo.importer.mapping import IMPORTABLE_LAYERS, VALUE_ALIASES, header
from geo.importer.sheets import EXAMPLE_MARK
from geo.importer.templates import example_row, template_fields, template_headers


def _shape(value: str) -> str:
    return re.sub(r"\d", "9", str(value))


def test_example_rows_use_each_layers_own_id_format(sample_store):
    formats = {layer: _shape(sample_store.load(layer)["id"].iloc[0])
               for layer in IMPORTABLE_LAYERS if layer in sample_store.layer_names()
               and len(sample_store.load(layer))}
    for layer in IMPORTABLE_LAYERS:
        row = dict(zip([f.name for f in template_fields(layer)], example_row(layer)))
        if layer in formats:
            assert _shape(str(row["id"]).removeprefix(EXAMPLE_MARK)) == formats[layer], layer
        for f in template_fields(layer):
            if f.ref in formats:
                assert _shape(row[f.name]) == formats[f.ref], (layer, f.name, row[f.name])


def test_positions_import_with_chinese_tier_and_status(small_store, tmp_path):
    layer = "service_positions"
    names = [f.name for f in template_fields(layer)]
    row = dict(zip(names, example_row(layer)[:len(names)]))
    street = small_store.load("streets")["id"].iloc[0]
    row.update({"id": "P77", "name": "新建小区阵地", "tier": "点", "status": "规划",
                "street_id": street})
    for name in names:  # other references: the small store's first row of that layer
        f = next(f for f in template_fields(layer) if f.name == name)
        if f.ref and f.ref != "streets" and f.ref in small_store.layer_names():
            ids = small_store.load(f.ref)["id"]
            row[name] = ids.iloc[0] if len(ids) else None
    point = small_store.load("compounds").geometry.iloc[0].representative_point()
    headers = template_headers(layer)
    values = [row.get(f.name) for f in template_fields(layer)] + [point.x, point.y]
    path = tmp_path / "阵地.csv"
    pd.DataFrame([values], columns=headers).to_csv(path, index=False, encoding="utf-8")
    plan, log_id = import_files(small_store, [path], layer=layer)
    assert log_id, [p.describe() for p in plan.problems]
    saved = small_store.load(layer).set_index("id").loc["P77"]
    assert (saved["tier"], saved["status"]) == (VALUE_ALIASES["tier"]["点"],
                                                VALUE_ALIASES["status"]["规划"])
    assert header(layer, "tier") in headers[names.index("tier")]
