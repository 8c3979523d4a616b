"""The audit trail: rows written with the change they describe, filters, export, the page."""

import contextvars
import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.session import ACCOUNT_KEY
from geo import audit, auth, clock
from geo.store import open_store

AT = pd.Timestamp("2024-03-01 09:30:00")


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "a.gpkg")


def test_record_writes_one_row_in_the_transaction(store):
    with clock.frozen(AT), store.transaction("alice") as tx:
        row_id = audit.record(tx, "alice", "members.move", "members", "M1",
                              before={"grid_id": "G1"}, after={"grid_id": "G2", "at": AT},
                              reason="调整网格")
    rows = audit.load_audit(store)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["id"] == row_id and row_id.startswith("audit-20240301T093000-")
    assert (row["at"], row["account"], row["action"]) == (AT, "alice", "members.move")
    assert (row["object_layer"], row["object_id"], row["outcome"]) == ("members", "M1", "ok")
    assert row["before"] == '{"grid_id": "G1"}'
    assert row["after"] == '{"at": "2024-03-01 09:30:00", "grid_id": "G2"}'
    assert row["reason"] == "调整网格"


def test_audit_row_is_not_written_when_the_change_fails(store):
    with pytest.raises(RuntimeError), store.transaction("alice") as tx:
        audit.record(tx, "alice", "members.move", "members", "M1")
        raise RuntimeError("the write failed")
    assert audit.load_audit(store).empty


def test_record_refusal_and_outcome_check(store):
    with clock.frozen(AT):
        audit.record_refusal(store, "bob", "import", "import_log", reason="无权限")
    row = audit.load_audit(store).iloc[0]
    assert (row["account"], row["action"], row["outcome"]) == ("bob", "import", "refused")
    with pytest.raises(ValueError, match="outcome"), store.transaction() as tx:
        audit.record(tx, "bob", "import", outcome="maybe")


def _frame():
    with clock.frozen("2024-03-01 08:00"):
        rows = [audit.audit_row("alice", "import", "import_log", "imp-1")]
    with clock.frozen("2024-03-02 10:00"):
        rows.append(audit.audit_row("bob", "members.move", "members", "M1", {"grid_id": "G1"},
                                    {"grid_id": "G2"}, "搬家"))
    with clock.frozen("2024-03-03 23:59"):
        rows.append(audit.audit_row("bob", "import", "import_log", reason="无权限",
                                    outcome="refused"))
    return pd.DataFrame(rows)


def test_filters():
    frame = _frame()
    assert list(audit.filter_audit(frame)["at"].dt.day) == [3, 2, 1]  # newest first
    assert list(audit.filter_audit(frame, accounts=["bob"])["action"]) == [
        "import", "members.move"]
    assert list(audit.filter_audit(frame, actions=["import"])["account"]) == ["bob", "alice"]
    assert list(audit.filter_audit(frame, outcome="refused")["account"]) == ["bob"]
    assert list(audit.filter_audit(frame, object_layer="members")["object_id"]) == ["M1"]
    days = audit.filter_audit(frame, since=pd.Timestamp("2024-03-02").date(),
                              until=pd.Timestamp("2024-03-03").date())
    assert list(days["at"].dt.day) == [3, 2]  # until a date includes that whole day
    assert list(audit.filter_audit(frame, text="g2")["object_id"]) == ["M1"]
    assert list(audit.filter_audit(frame, text="搬家")["account"]) == ["bob"]


def test_csv_and_excel_export():
    frame = _frame()
    headers = {"at": "时间", "account": "账号"}
    data = audit.to_csv_bytes(frame, headers)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese text
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(table.columns[:3]) == ["时间", "账号", "action"]
    assert list(table["账号"]) == ["alice", "bob", "bob"]
    assert table.loc[1, "时间"] == "2024-03-02 18:00:00"  # stored UTC, shown Asia/Shanghai
    sheet = pd.read_excel(io.BytesIO(audit.to_xlsx_bytes(frame, headers)))
    assert list(sheet["账号"]) == ["alice", "bob", "bob"] and len(sheet.columns) == 9


def test_export_times_follow_the_configured_zone(monkeypatch):
    monkeypatch.setenv(clock.ENV_ZONE, "UTC")
    assert audit.export_table(_frame())["at"].tolist()[1] == "2024-03-02 10:00:00"
    monkeypatch.setenv(clock.ENV_ZONE, "Europe/Berlin")
    assert audit.export_table(_frame())["at"].tolist()[1] == "2024-03-02 11:00:00"


def test_the_audit_time_is_the_server_clock_not_a_time_given_by_the_caller(store):
    """A back-dated business time never reaches the audit row: it has no time parameter."""
    with pytest.raises(TypeError):
        audit.audit_row("alice", "x", at="2020-01-01")
    with clock.frozen("2024-05-06 07:08:09"):
        audit.record_refusal(store, "bob", "import")
    assert audit.load_audit(store)["at"].tolist() == [pd.Timestamp("2024-05-06 07:08:09")]


# ------------------------------------------------------------------------ the page
@pytest.fixture
def app_store(tmp_path, monkeypatch):
    store = open_store(tmp_path / "page.gpkg")
    auth.add_user(store, "zuzhi", "org", "password-1", rounds=4)
    auth.add_user(store, "guihua", "planner", "password-1", rounds=4)
    auth.add_user(store, "kan", "viewer", "password-1", rounds=4)
    with clock.frozen(AT):
        audit.record_refusal(store, "kan", "import", reason="无权限")
    monkeypatch.setenv("HONGTU_DATABASE_URL", str(store.url))
    return store


def _page(account):
    at = AppTest.from_file("../views/audit.py", default_timeout=60)
    at.session_state[ACCOUNT_KEY] = account
    return at.run()


def test_audit_page_for_the_org_department(app_store):
    at = _page("zuzhi")
    assert not at.exception
    assert [t.value for t in at.title] == ["审计日志"]
    table = at.dataframe[0].value
    assert len(table) == 4  # three accounts added, one refusal
    assert sorted(table["操作"]) == sorted(["账号变更"] * 3 + ["导入数据"])  # in words, not codes
    at.selectbox[0].select("refused").run()
    table = at.dataframe[0].value
    assert list(table["账号"]) == ["kan"] and list(table["结果"]) == ["被拒绝"]
    assert [b.proto.label for b in at.get("download_button")] == ["导出 CSV", "导出 Excel"]


@pytest.mark.parametrize("account", ["guihua", "kan"])
def test_audit_page_refused_to_other_roles_and_audited(app_store, account):
    at = _page(account)
    assert not at.exception and not at.dataframe and not at.title
    assert at.error[0].value == "当前账号无权打开此页面"
    refused = audit.load_audit(app_store, accounts=[account], actions=["open_page"])
    assert list(refused[["object_id", "outcome"]].itertuples(index=False, name=None)) == [
        ("audit", "refused")]


def test_audit_action_refused_and_audited(app_store):
    """The page's own check (reached even if page access were widened): view_audit refused."""
    with pytest.raises(auth.PermissionDenied, match="may not view the audit log"):
        auth.require(auth.Principal("kan", auth.Role.VIEWER), "view_audit", store=app_store)
    refused = audit.load_audit(app_store, accounts=["kan"], actions=["view_audit"])
    assert list(refused["outcome"]) == ["refused"]


# ------------------------------------------------------------------------ words (issue #25)
CODE_OR_JSON = r"[{}\[\]\"]|\b[a-z]+_[a-z_]+\b"  # JSON, or a snake_case code


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_audit_page_shows_words_not_codes_or_json(app_store, lang):
    """A printed map sheet, a page refused to the big screen (the reason as written before it
    was bilingual, and as written now) and account changes read as words in each language."""
    from components.audit_values import audit_detail
    from components.i18n import set_lang, t

    with app_store.transaction("zuzhi") as tx:
        audit.record(tx, "zuzhi", "print_map", "districts", "331003", after={
            "format": "pdf", "size": "A4", "orientation": "portrait", "basemap": "offline",
            "bytes": 12, "sha256": "ab", "notes": None})
    audit.record_refusal(app_store, "dapin", "open_page", object_id="data_io",
                         reason="page not allowed for role big_screen")
    audit.record_refusal(app_store, "dapin", "open_page", object_id="audit",
                         reason="大屏无权打开此页面 | page not allowed for a big screen")
    at = AppTest.from_file("../views/audit.py", default_timeout=60)
    at.session_state[ACCOUNT_KEY] = "zuzhi"
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    col = {c: t(f"audit.col.{c}", lang) for c in ("action", "object_id", "reason", "after")}
    shown = table[list(col.values())].astype(str)
    for column in shown.columns:
        bad = shown[column][shown[column].str.contains(CODE_OR_JSON, regex=True)]
        assert bad.empty, (column, bad.tolist())
    assert t("audit.action.print_map", lang) in set(table[col["action"]])
    assert {t("page.data_io", lang), t("page.audit", lang)} <= set(table[col["object_id"]])
    reasons = set(table[col["reason"]])
    assert t("audit.reason.page", lang, role=t("role.big_screen", lang)) in reasons
    if lang == "zh":
        assert "大屏无权打开此页面" in reasons
    added = table[table[col["action"]] == t("polish.audit.action.account_change", lang)]
    stored = '{"change": "add", "disabled": false, "grids": null, "name": "kan", "role": "viewer"}'
    in_lang = contextvars.copy_context().run(lambda: (set_lang(lang), audit_detail(stored))[1])
    assert in_lang in set(added[col["after"]])
    assert any(t("role.viewer", lang) in text and t("audit.change.add", lang) in text
               for text in added[col["after"]])
