"""Import log and rollback: restored exactly, never over an edit made after the import."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from make_bad_files import (
    GOOD_MEMBER,
    GOOD_MEMBER_2,
    MEMBER_HEADER,
    build_tiny_store,
)

from geo.importer import (
    ROLLED_BACK,
    ImportRefused,
    RollbackConflict,
    import_files,
    import_log,
    rollback_import,
)
from geo.store.base import frame_digest


def test_rollback_restores_the_touched_layers(small_store, tmp_path):
    before = small_store.checksum()
    members_before = small_store.load("members")
    path = tmp_path / "members.xlsx"
    frame = pd.DataFrame([r.split(",") for r in (GOOD_MEMBER.replace("张三明", "张三"),
                                                 GOOD_MEMBER_2.replace("M2,", "M3,"))],
                         columns=MEMBER_HEADER.split(","))
    frame.to_excel(path, sheet_name="在职党员", index=False)
    plan, log_id = import_files(small_store, [path])
    assert log_id and plan.tables[0].sheet == "在职党员" and len(small_store.load("members")) == 3
    restored = rollback_import(small_store, log_id, account="org1")
    assert restored == {"members": {"removed": 1, "restored": 1}}
    after = small_store.load("members").sort_values("id").reset_index(drop=True)
    cols = ["id", "name", "grid_id", "reported_on"]
    pd.testing.assert_frame_equal(after[cols].sort_values("id").reset_index(drop=True),
                                  members_before[cols].sort_values("id").reset_index(drop=True))
    # M1 went 1 -> 2 (import) -> 3 (restored): versions never go back, so an editor who read
    # the imported row gets a conflict instead of silently editing the restored one
    assert after.set_index("id").loc["M1", "version"] == 3
    assert after.geometry.geom_equals_exact(members_before.geometry, 1e-12).all()
    assert import_log(small_store).loc[0, "status"] == ROLLED_BACK
    assert small_store.load("audit")["action"].tolist() == ["import", "rollback_import"]
    with pytest.raises(ImportRefused):
        rollback_import(small_store, log_id)
    data_layers = ["members", "grids", "compounds"]
    again = build_tiny_store(tmp_path / "again.gpkg")

    def content(store, name):
        return frame_digest(store.load(name).drop(columns="version"))

    assert {n: content(small_store, n) for n in data_layers} == {n: content(again, n)
                                                          for n in data_layers}
    assert before != small_store.checksum()  # the log and the audit rows remain


def _import_members(store, path, rows) -> str:
    frame = pd.DataFrame([r.split(",") for r in rows], columns=MEMBER_HEADER.split(","))
    frame.to_excel(path, sheet_name="在职党员", index=False)
    plan, log_id = import_files(store, [path])
    assert log_id, [p.describe() for p in plan.problems]
    return log_id


def test_rollback_refuses_to_overwrite_later_edits(small_store, tmp_path):
    log_id = _import_members(small_store, tmp_path / "m.xlsx", [
        GOOD_MEMBER.replace("张三明", "张三"), GOOD_MEMBER_2.replace("M2,", "M3,")])
    with small_store.transaction("grid1") as tx:  # a grid leader corrects the imported M1 afterwards
        tx.update("members", "M1", {"duty": "后来改的职责"})
    before = small_store.checksum()
    with pytest.raises(RollbackConflict) as caught:
        rollback_import(small_store, log_id)
    assert caught.value.conflicts == [("members", "M1", "changed")]
    assert "members M1" in str(caught.value) and "changed or deleted" in str(caught.value)
    assert small_store.checksum() == before  # refused: nothing written
    restored = rollback_import(small_store, log_id, keep_later_edits=True)
    assert restored == {"members": {"removed": 1, "restored": 0, "kept": 1}}
    members = small_store.load("members").set_index("id")
    assert "M3" not in members.index  # the added row is gone
    assert members.loc["M1", "duty"] == "后来改的职责" and members.loc["M1", "name"] == "张三"
    assert import_log(small_store).loc[0, "status"] == ROLLED_BACK


def test_rollback_of_an_earlier_import_waits_for_the_later_one(small_store, tmp_path):
    first = _import_members(small_store, tmp_path / "a.xlsx", [GOOD_MEMBER.replace("张三明", "张三")])
    second = _import_members(small_store, tmp_path / "b.xlsx", [GOOD_MEMBER.replace("张三明", "张叁")])
    with pytest.raises(RollbackConflict):
        rollback_import(small_store, first)
    rollback_import(small_store, second)
    assert small_store.load("members").set_index("id").loc["M1", "name"] == "张三"
    rollback_import(small_store, first)
    assert small_store.load("members").set_index("id").loc["M1", "name"] == "张三明"


def test_rollback_does_not_bring_back_a_row_deleted_later(small_store, tmp_path):
    log_id = _import_members(small_store, tmp_path / "m.xlsx", [GOOD_MEMBER.replace("张三明", "张三")])
    with small_store.transaction() as tx:
        tx.delete("members", ["M1"])
    with pytest.raises(RollbackConflict) as caught:
        rollback_import(small_store, log_id)
    assert caught.value.conflicts == [("members", "M1", "deleted")]
    assert rollback_import(small_store, log_id, keep_later_edits=True) == {
        "members": {"removed": 0, "restored": 0, "kept": 1}}
    assert "M1" not in set(small_store.load("members")["id"])


def test_data_io_page_lists_imports_and_rolls_one_back(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from components.session import ACCOUNT_KEY
    from geo import auth
    from geo.store import ENV_URL

    store = build_tiny_store(tmp_path / "page.gpkg")
    auth.add_user(store, "org1", "org", "secret-123", rounds=4)
    path = tmp_path / "members.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER_2.replace("M2,", "M6,")]),
                    encoding="utf-8")
    _, log_id = import_files(store, [path], account="org1")
    monkeypatch.setenv(ENV_URL, store.url)
    page = str(Path(__file__).resolve().parents[1] / "views" / "data_io.py")
    at = AppTest.from_file(page, default_timeout=60)
    at.session_state[ACCOUNT_KEY] = "org1"
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "数据导入导出"
    assert [tab.label for tab in at.tabs] == ["导入", "导入记录", "模板下载", "导出"]
    log_table = at.dataframe[0].value
    assert log_table["编号"].tolist() == [log_id] and log_table["状态"].tolist() == ["已导入"]
    at.button(key="io_rollback").click().run()
    assert not at.exception
    assert import_log(store).loc[0, "status"] == ROLLED_BACK
    assert "M6" not in store.load("members")["id"].tolist()


