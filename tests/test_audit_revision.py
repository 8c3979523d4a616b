"""An audit row alone (an export, a refusal, an unmasked view) leaves the store's revision as
it was, on both backends, so it does not empty every user's cached layers and map files; a
write of any other layer, with or without its audit row, makes a new revision. The audit page
still shows the new row at once (it reads the audit layer afresh)."""

from __future__ import annotations

import pandas as pd
import test_store
from streamlit.testing.v1 import AppTest

from components.session import ACCOUNT_KEY
from geo import audit, auth
from geo.store import open_store

# test_store's filled stores (both backends), as fixtures of this module too
filled_gpkg = test_store.filled_gpkg
filled_postgis_url = test_store.filled_postgis_url
filled_store = test_store.filled_store


def test_an_audit_row_alone_keeps_the_revision(filled_store):
    before = filled_store.revision()
    audit.record_refusal(filled_store, "kan", "import", reason="无权限")
    with filled_store.transaction("zuzhi") as tx:
        audit.record(tx, "zuzhi", audit.EXPORT_ACTION, "members", reason="导出")
    assert filled_store.revision() == before
    rows = filled_store.load(audit.AUDIT)
    assert {"import", audit.EXPORT_ACTION} <= set(rows["action"])


def test_a_layer_write_with_its_audit_row_makes_a_new_revision(filled_store):
    before = filled_store.revision()
    with filled_store.transaction("zuzhi") as tx:
        tx.update("grids", "g2", {"households": 7})
        audit.record(tx, "zuzhi", "grids.edit", "grids", "g2", reason="核对")
    assert filled_store.revision() != before
    after_edit = filled_store.revision()
    with filled_store.transaction("zuzhi") as tx:
        tx.append("meta", pd.DataFrame([{"id": "k", "key": "k", "value": "v"}]))
    assert filled_store.revision() != after_edit


def test_the_audit_page_shows_a_row_written_after_it_was_drawn(tmp_path, monkeypatch):
    store = open_store(tmp_path / "page.gpkg")
    auth.add_user(store, "zuzhi", "org", "password-1", rounds=4)
    monkeypatch.setenv("HONGTU_DATABASE_URL", str(store.url))
    at = AppTest.from_file("../views/audit.py", default_timeout=60)
    at.session_state[ACCOUNT_KEY] = "zuzhi"
    at.run()
    assert not at.exception
    shown = len(at.dataframe[0].value)
    revision = store.revision()
    audit.record_refusal(store, "kan", "import", reason="无权限")
    assert store.revision() == revision  # the cached layers stay valid ...
    at.run()
    table = at.dataframe[0].value
    assert len(table) == shown + 1 and "kan" in set(table["账号"])  # ... and the row shows
