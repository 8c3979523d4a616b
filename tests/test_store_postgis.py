"""The PostGIS backend's own behaviour: column types, indexes and migrations, refusing
duplicate ids without a change, and the CLI's migrate and load-sample. The shared store
contract, run on both backends, is in test_store.py."""

from __future__ import annotations

import pandas as pd
import pytest
from store_dataset import dataset

from geo import schema
from geo.store import StoreError
from geo.store.postgis import PostGISStore


def _sql(store, statement: str, **params) -> list[tuple]:
    from sqlalchemy import text

    with store.engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return [tuple(r) for r in result] if result.returns_rows else []


@pytest.mark.postgis
def test_postgis_schema_types_indexes_and_migrations(postgis_store):
    assert postgis_store.layer_names() == []  # opening created the schema
    assert _sql(postgis_store, "SELECT version FROM hongtu.hongtu_schema_version "
                               "ORDER BY version") == [(1,), (2,), (3,), (4,)]
    assert postgis_store.migrate() == []  # already current
    types = dict(_sql(postgis_store, "SELECT table_name || '.' || column_name, data_type FROM "
                                     "information_schema.columns WHERE table_schema = 'hongtu'"))
    assert types["grids.households"] == "bigint" and types["grids.id"] == "text"
    assert types["hongtu_layers.revision"] == "bigint"  # the revision that last changed it
    assert types["property_firms.score"] == "double precision"
    assert types["property_firms.red_property"] == "boolean"
    assert types["members.reported_on"] == "date" and types["scenarios.payload"] == "text"
    assert types["service_orders.created_at"] == "timestamp without time zone"
    assert _sql(postgis_store, "SELECT type, srid FROM geometry_columns WHERE "
                               "f_table_schema = 'hongtu' AND f_table_name = 'members'") \
        == [("POINT", 4326)]
    with postgis_store.transaction() as tx:
        tx.replace("members", dataset()["members"])
        tx.replace("members", dataset()["members"].iloc[:1])  # replace keeps table and indexes
    indexes = dict(_sql(postgis_store, "SELECT indexname, indexdef FROM pg_indexes "
                                       "WHERE schemaname = 'hongtu' AND tablename = 'members'"))
    assert "USING gist (geometry)" in indexes["members_geometry_gist"]
    assert {"members_pkey", "members_grid_id_idx", "members_compound_id_idx",
            "members_volunteer_team_id_idx"} <= set(indexes)
    assert postgis_store.load("members")["id"].tolist() == ["m1"]


@pytest.mark.postgis
def test_postgis_refuses_duplicate_ids_and_changes_nothing(postgis_store):
    postgis_store.write_layers({"grids": dataset()["grids"]})
    revision = postgis_store.revision()
    twice = pd.concat([dataset()["members"], dataset()["members"].iloc[:1]])
    with pytest.raises(StoreError, match="members_pkey"), postgis_store.transaction() as tx:
        tx.replace("grids", dataset()["grids"].iloc[:1])
        tx.replace("members", twice)
    assert postgis_store.revision() == revision and postgis_store.layer_names() == ["grids"]
    assert postgis_store.load("grids")["id"].tolist() == ["g1", "g2", "g3"]


@pytest.mark.postgis
def test_postgis_migrate_adds_what_the_schema_gained(postgis_store):
    postgis_store.write_layers({"compounds": dataset()["compounds"]})
    _sql(postgis_store, "ALTER TABLE hongtu.compounds DROP COLUMN practice")
    _sql(postgis_store, "DROP TABLE hongtu.roads")
    _sql(postgis_store, "UPDATE hongtu.hongtu_state SET fingerprint = 'older code'")
    done = postgis_store.migrate()
    assert len(done) == 1 and done[0].startswith("layers synchronised")
    compounds = postgis_store.load("compounds")
    assert compounds["practice"].isna().all()
    assert compounds["name"].tolist() == ["永悦华府", "书香园"]
    assert len(postgis_store.load("roads")) == 0


@pytest.mark.postgis
def test_cli_migrate_and_load_sample(fresh_postgis_url, capsys, monkeypatch):
    from geo.cli import main

    assert main(["migrate", "--store", fresh_postgis_url]) == 0
    assert "applied 1: postgis extension" in capsys.readouterr().out
    assert main(["migrate", "--store", fresh_postgis_url]) == 0
    assert "applied" not in capsys.readouterr().out
    frames = {"grids": dataset()["grids"], "meta": dataset()["meta"]}
    monkeypatch.setattr("geo.sample.generate", lambda seed, scale, region: frames)
    store = PostGISStore(fresh_postgis_url)
    store.write_layers({"accounts": pd.DataFrame([{"id": "u1", "name": "org", "role": "org",
                                                   "password_hash": "x", "disabled": False,
                                                   "failed_attempts": 0}]),
                        "members": dataset()["members"]})
    revision = store.revision()
    assert main(["load-sample", "--seed", "7", "--store", fresh_postgis_url]) == 0
    assert "grids 3" in capsys.readouterr().out
    assert store.revision() != revision
    assert store.load("grids")["id"].tolist() == ["g1", "g2", "g3"]
    assert len(store.load("members")) == 0  # data layers are the sample's
    assert store.load("accounts")["name"].tolist() == ["org"]  # accounts are kept
    assert set(store.layer_names()) == set(schema.LAYERS)
    store.dispose()


def test_connection_pool_size_is_set_per_server(monkeypatch):
    """10 kept and 10 more on a burst by default (100 sessions on one server ran out of 5 + 10);
    HONGTU_DB_POOL sets it. No connection is made."""
    from geo.store import postgis

    url = "postgresql://nobody@127.0.0.1:1/pool_size_test"
    monkeypatch.setattr(postgis, "_ENGINES", {})
    pool = postgis.engine_for(url).pool
    assert (pool.size(), pool._max_overflow) == (postgis.POOL_SIZE, postgis.POOL_SIZE)
    monkeypatch.setattr(postgis, "_ENGINES", {})
    monkeypatch.setenv(postgis.POOL_ENV, "3")
    pool = postgis.engine_for(url).pool
    assert (pool.size(), pool._max_overflow) == (3, 3)
