"""Re-importing an export (issue 24): an unchanged row is left as it is (no new version, no
undo copy, the store file untouched), the check says "N unchanged, M changed, K new", a
masked export is refused, and an export's folder imports as it is (the command line too)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo import clock
from geo.exporter import export_store
from geo.importer import import_files, import_log, plan_import, rollback_import
from geo.store import open_store

LAYERS = ["districts", "grids", "party_instructors", "service_orders"]
OUTPUTS = {"gpkg": "out.gpkg", "geojson": "out_geojson.zip", "xlsx": "out.xlsx",
           "csv": "out_csv.zip", "geojson folder": "geojson", "csv folder": "csv"}


def store_state(store) -> tuple:
    """What an unchanged import must leave exactly as it was."""
    path = Path(store.path)
    wal = Path(f"{path}-wal")
    versions = {n: store.load(n).set_index("id")["version"].to_dict() for n in LAYERS}
    return (path.stat().st_size, wal.stat().st_size if wal.exists() else 0, store.revision(),
            store.checksum(), versions)


def totals(plan) -> dict:
    return {k: sum(c[k] for c in plan.counts.values()) for k in ("unchanged", "changed", "new")}


@pytest.mark.parametrize("form", list(OUTPUTS))
def test_an_unchanged_export_imports_as_zero_changed(form, writable_sample_store, tmp_path):
    store = writable_sample_store
    fmt = form.split()[0]
    out = export_store(store, fmt, tmp_path / OUTPUTS[form], layers=LAYERS,
                       can_see_personal=True)
    before = store_state(store)
    rows = sum(len(store.load(n)) for n in LAYERS)
    plan, log_id = import_files(store, [out])
    assert plan.ok, [p.describe() for p in plan.problems[:5]]
    assert totals(plan) == {"unchanged": rows, "changed": 0, "new": 0}
    assert log_id is None and store_state(store) == before  # nothing written, not even a log
    assert import_log(store).empty


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "xlsx", "csv"])
def test_a_masked_export_is_refused(fmt, writable_sample_store, tmp_path):
    store = writable_sample_store
    out = export_store(store, fmt, tmp_path / OUTPUTS[fmt],
                       layers=["party_instructors", "party_branches"])
    before = store_state(store)
    plan, log_id = import_files(store, [out])
    assert log_id is None and not plan.ok
    assert "masked_export" in {p.code for p in plan.problems}
    assert store_state(store) == before


def test_changed_rows_alone_are_written_and_aware_times_stored_in_utc(writable_sample_store,
                                                                     tmp_path):
    store = writable_sample_store
    folder = export_store(store, "csv", tmp_path / "csv", layers=["members", "service_orders"],
                          can_see_personal=True)
    members = pd.read_csv(folder / "members.csv", dtype=str, encoding="utf-8-sig",
                          keep_default_na=False)
    member_id = members.loc[0, "编号"]
    members.loc[0, "职责"] = "改过的职责"
    members.to_csv(folder / "members.csv", index=False, encoding="utf-8-sig")
    orders = pd.read_csv(folder / "service_orders.csv", dtype=str, encoding="utf-8-sig",
                         keep_default_na=False)
    order_id = orders.loc[0, "编号"]
    orders.loc[0, "下单时间"] = "2021-04-24T12:34:56+08:00"
    orders.to_csv(folder / "service_orders.csv", index=False, encoding="utf-8-sig")
    versions = store.load("members").set_index("id")["version"]
    plan = plan_import([folder], store)
    assert plan.ok, [p.describe() for p in plan.problems[:5]]
    assert plan.counts["members"] == {"rows": len(members), "new": 0, "changed": 1,
                                      "unchanged": len(members) - 1}
    assert plan.counts["service_orders"]["changed"] == 1
    plan, log_id = import_files(store, [folder])
    assert log_id
    after = store.load("members").set_index("id")["version"]
    assert after[member_id] == versions[member_id] + 1
    assert (after.drop(member_id) == versions.drop(member_id)).all()
    order = store.load("service_orders").set_index("id").loc[order_id]
    assert order["created_at"] == pd.Timestamp("2021-04-24 04:34:56")  # stored in UTC
    assert clock.local_text(order["created_at"]) == "2021-04-24 12:34"
    undo = json.loads(store.load("import_log")["backup"].iloc[0])
    assert {n: len(u["replaced"]) for n, u in undo.items()} == {"members": 1,
                                                                "service_orders": 1}
    rollback_import(store, log_id)
    assert store.load("members").set_index("id").loc[member_id, "duty"] != "改过的职责"


def hongtu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_command_line_imports_an_export_folder(writable_sample_store, tmp_path):
    store = writable_sample_store
    assert len(store.load("roads")) == 0  # its export file holds a header only
    folder = export_store(store, "csv", tmp_path / "csv_unmasked", can_see_personal=True,
                          layers=["roads", "grids", "party_instructors"])
    assert (folder / "roads.csv").exists() and (folder / "导出说明.csv").exists()
    done = hongtu("import", str(folder), "--dry-run", "--store", str(store.path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    instructors = len(store.load("party_instructors"))
    assert f"In all: {381 + instructors} unchanged, 0 changed, 0 new" in done.stdout
    assert f"合计:{381 + instructors} 条未变、0 条有变化、0 条新增" in done.stdout
    assert "网格:381 条未变、0 条有变化、0 条新增 | grids: 381 unchanged" in done.stdout
    applied = hongtu("import", str(folder), "--store", str(store.path))
    assert applied.returncode == 0 and "nothing was written" in applied.stdout


def test_a_folder_without_data_is_refused_in_one_line(small_store, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "notes.docx").write_bytes(b"not data")
    for target in (empty, tmp_path / "missing"):
        done = hongtu("import", str(target), "--dry-run", "--store", str(small_store.path))
        assert done.returncode == 1 and "Traceback" not in done.stderr
        lines = [line for line in done.stdout.splitlines() if target.name in line]
        assert len(lines) == 1, done.stdout
    plan = plan_import([empty], small_store)
    assert [p.code for p in plan.problems] == ["no_known_file"]
    assert "文件夹中没有可导入的文件" in plan.problems[0].message_zh
    assert open_store(small_store.path).layer_names() == small_store.layer_names()


def test_an_exports_files_given_one_by_one(writable_sample_store, tmp_path):
    """``hongtu import out/csv/*.csv``: the empty layer and the info file are no data."""
    store = writable_sample_store
    folder = export_store(store, "csv", tmp_path / "csv", layers=["roads", "party_instructors"],
                          can_see_personal=True)
    files = sorted(folder.glob("*.csv"))
    assert [f.name for f in files] == ["party_instructors.csv", "roads.csv", "导出说明.csv"]
    plan = plan_import(files, store)
    assert plan.ok, [p.describe() for p in plan.problems]
    assert plan.counts == {"party_instructors": {"rows": 45, "new": 0, "changed": 0,
                                                 "unchanged": 45}}
    skipped = {r.file: r.notes for r in plan.tables if r.rows == 0}
    assert set(skipped) == {"roads.csv", "导出说明.csv"}
    assert all("no records, skipped" in n[0] for n in skipped.values())
    only_empty = plan_import([folder / "roads.csv"], store)
    assert [p.code for p in only_empty.problems] == ["empty_file"]
    masked = export_store(store, "csv", tmp_path / "masked", layers=["party_instructors"])
    refused = plan_import(sorted(masked.glob("*.csv")), store)
    assert "masked_export" in {p.code for p in refused.problems}
