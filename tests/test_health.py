"""/hongtu/health (issue #28.7): ok only for a store that opens and holds the schema; nothing
about the revision or the database's address, and no error text, to an anonymous caller."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest

from components.web import health


def _answer(monkeypatch, url) -> tuple[int, dict]:
    """The endpoint's answer, run in a thread of its own: this pytest process may already run
    an event loop in its main thread (Playwright's, once a browser test ran here)."""
    monkeypatch.setenv("HONGTU_DATABASE_URL", str(url))
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, health.health(None)).result()
    return response.status_code, json.loads(response.body)


def test_a_store_with_its_schema_is_ok_and_says_nothing_more(small_store, monkeypatch):
    status, body = _answer(monkeypatch, small_store.path)
    assert status == 200 and body["status"] == "ok" and body["store"] == "gpkg"
    assert "revision" not in body and str(small_store.path) not in json.dumps(body)


@pytest.mark.parametrize("spoil", ["missing", "wiped", "not_sqlite"])
def test_a_missing_or_wiped_store_is_not_ok(tmp_path, monkeypatch, spoil, caplog):
    path = tmp_path / "store.gpkg"
    if spoil == "wiped":
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE hongtu_state (key TEXT, value TEXT)")
    elif spoil == "not_sqlite":
        path.write_bytes(b"not a database" * 100)
    status, body = _answer(monkeypatch, path)
    assert status == 503 and body == {"status": "error"}
    assert "health check failed" in caplog.text


@pytest.mark.postgis
def test_a_wrong_postgis_password_tells_the_caller_nothing(postgis_cluster, monkeypatch):
    url = postgis_cluster.url("hongtu_nosuchdb").replace("postgres@", "postgres:wrong@")
    status, body = _answer(monkeypatch, url)
    assert status == 503 and body == {"status": "error"}
    assert "127.0.0.1" not in json.dumps(body) and "postgres" not in json.dumps(body)
