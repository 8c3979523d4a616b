"""Pages per role: sign-in gate, session expiry, demo banner, and no unmasked personal data
anywhere in any page rendered as the viewer or the planner."""

import base64
import re
import shutil
import time

import pytest
from streamlit.testing.v1 import AppTest

from components import session
from geo import auth, schema
from geo.store import open_store

PASSWORD = "password-1"
KNOWN_NAME, KNOWN_PHONE = "张三丰", "13812345678"
PAGE_FILES = {
    "overview": "views/overview.py", "compound": "views/compound.py",
    "planner": "views/planner.py", "grids": "views/grids.py", "orders": "views/orders.py",
    "data_io": "views/data_io.py", "audit": "views/audit.py",
    "big_screen": "views/big_screen.py",
}
ACCOUNTS = {"zuzhi": "org", "guihua": "planner", "kan": "viewer", "dapin": "big_screen"}


def _app(account=None, timeout=120):
    at = AppTest.from_file("../app.py", default_timeout=timeout)
    if account is not None:
        at.session_state[session.ACCOUNT_KEY] = account
    return at


# ------------------------------------------------------------------------ scanning
def _tree_text(at) -> str:
    """Every byte the app sent (markdown, dataframes as Arrow, component arguments such as
    folium HTML), with JSON \\u escapes and base64 data URIs (folium iframes) decoded."""
    chunks = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            chunks.append(proto.SerializeToString())
        children = getattr(node, "children", None) or {}
        for child in children.values():
            walk(child)

    walk(at._tree)
    text = b"\n".join(chunks).decode("utf-8", errors="ignore")
    text += re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    for payload in re.findall(r"base64,([A-Za-z0-9+/=]{8,})", text):
        try:
            text += base64.b64decode(payload).decode("utf-8", errors="ignore")
        except ValueError:
            continue
    return text


def _personal_values(store) -> set[str]:
    """Every personal value in the store (three characters or more, to avoid chance hits)."""
    values = set()
    for name in schema.DATA_LAYERS:
        for column in schema.layer(name).personal_fields:
            frame = store.load(name)
            if column in frame.columns:
                values |= {str(v) for v in frame[column].dropna() if len(str(v)) >= 3}
    return values


def test_scanner_finds_raw_values_in_markdown_tables_and_components():
    def leaky():
        import pandas as pd
        import streamlit as st
        import streamlit.components.v1 as components

        st.dataframe(pd.DataFrame({"name": ["张三丰"]}))
        st.markdown("tel 13812345678")
        components.html('<div>{"n": "\\u674e\\u56db\\u5149"}</div>')

    text = _tree_text(AppTest.from_function(leaky).run())
    assert KNOWN_NAME in text and KNOWN_PHONE in text and "李四光" in text


# ------------------------------------------------------------------------ stores
@pytest.fixture(scope="module")
def people_store(sample_store_path, tmp_path_factory):
    """The sample district with one known member (张三丰, 13812345678) and four accounts."""
    path = tmp_path_factory.mktemp("roles") / "roles.gpkg"
    shutil.copyfile(sample_store_path, path)
    store = open_store(path)
    member = store.load("members").iloc[0]["id"]
    with store.transaction() as tx:
        tx.update("members", member, {"name": KNOWN_NAME, "phone": KNOWN_PHONE})
    for name, role in ACCOUNTS.items():
        auth.add_user(store, name, role, PASSWORD, rounds=4)
    return store


@pytest.fixture
def use_store(monkeypatch):
    def use(store):
        monkeypatch.setenv("HONGTU_DATABASE_URL", str(store.url))
        return store
    return use


@pytest.fixture
def empty_store(tmp_path, use_store):
    return use_store(open_store(tmp_path / "empty.gpkg"))


@pytest.fixture
def accounts_store(tmp_path, use_store):
    store = open_store(tmp_path / "acc.gpkg")
    for name, role in ACCOUNTS.items():
        auth.add_user(store, name, role, PASSWORD, rounds=4)
    return use_store(store)


# ------------------------------------------------------------------------ visibility
def _visible(account=None):
    """The titles of the pages navigation.visible_pages() lets through (stand-ins titled by
    key; the sign-in form is titled 登录), without the hidden pages refusing the others."""
    def script():
        import streamlit as st

        from components import navigation

        keys = ["overview", "compound", "planner", "grids", "orders", "data_io", "audit",
                "big_screen"]
        pages = {k: st.Page(lambda: None, title=k, url_path=k) for k in keys}
        st.text(",".join(p.title for p in navigation.visible_pages(pages)
                         if not getattr(p._page, "__name__", "").startswith("refused_")))

    at = AppTest.from_function(script, default_timeout=30)
    if account is not None:
        at.session_state[session.ACCOUNT_KEY] = account
    at.run()
    assert not at.exception
    return at.text[0].value.split(",")


def test_demo_mode_pages_and_banner(empty_store):
    assert _visible() == ["overview", "compound", "planner", "grids", "orders", "big_screen"]
    at = _app().run()
    assert any("本地演示模式" in w.value for w in at.warning)


LOGIN_ONLY = ["登录"] * 7 + ["big_screen"]  # the sign-in form under every url but the screen


@pytest.mark.parametrize(("account", "pages"), [
    (None, LOGIN_ONLY),
    ("zuzhi", ["overview", "compound", "planner", "grids", "orders", "data_io", "audit",
               "big_screen"]),
    ("guihua", ["overview", "compound", "planner", "grids", "orders", "big_screen"]),
    ("kan", ["overview", "compound", "grids", "orders", "big_screen"]),
    ("dapin", ["big_screen"]),
    ("nobody", LOGIN_ONLY),  # an unknown account name is no sign-in
])
def test_pages_per_role(accounts_store, account, pages):
    assert _visible(account) == pages


def test_big_screen_account_gets_its_screen_at_both_urls(accounts_store):
    """app.py serves the overview at / (a hidden default page): the big-screen account may not
    open it, so its screen answers at / and at /big_screen (not "Page not found")."""
    def script():
        import streamlit as st

        from components import navigation, session
        from geo.paths import APP_ROOT

        pages = {session.HOME_PAGE: st.Page(lambda: None, title="home", default=True,
                                            url_path=session.HOME_PAGE, visibility="hidden"),
                 "overview": st.Page(lambda: None, title="overview", url_path="overview"),
                 "big_screen": st.Page(APP_ROOT / "views" / "big_screen.py", title="big_screen",
                                       url_path="big_screen")}
        st.text("|".join(f"{p.title},{p.url_path},{p.visibility},{navigation.is_big_screen(p)}"
                         for p in navigation.visible_pages(pages)))

    at = AppTest.from_function(script, default_timeout=30)
    at.session_state[session.ACCOUNT_KEY] = "dapin"
    at.run()
    assert not at.exception
    assert at.text[0].value.split("|") == [
        "big_screen,,hidden,True", "big_screen,big_screen,visible,True",
        "overview,overview,hidden,False"]


def test_disabled_account_is_signed_out(accounts_store):
    auth.disable_user(accounts_store, "kan")
    assert _visible("kan") == LOGIN_ONLY


def test_sign_in_flow(accounts_store, app_first):
    at = _app(timeout=60).run()
    assert [t.value for t in at.title] == ["登录红图"]
    assert not any("本地演示模式" in w.value for w in at.warning)
    at.text_input(key="sign_in_name").input("kan")
    at.text_input(key="sign_in_password").input("wrong-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["账号或密码错误"]
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state[session.ACCOUNT_KEY] == "kan"
    assert "当前账号:kan(只读用户)" in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="sign_out").click().run()
    assert session.ACCOUNT_KEY not in at.session_state
    assert [t.value for t in at.title] == ["登录红图"]


def test_session_expires_after_inactivity(accounts_store, monkeypatch):
    monkeypatch.setenv("HONGTU_SESSION_MINUTES", "30")
    at = _app("kan", timeout=60)
    at.session_state[session.LAST_SEEN_KEY] = time.time() - 31 * 60
    at.run()
    assert session.ACCOUNT_KEY not in at.session_state
    assert [t.value for t in at.title] == ["登录红图"]
    assert "长时间未操作" in at.info[0].value
    fresh = _app("kan", timeout=60)
    fresh.session_state[session.LAST_SEEN_KEY] = time.time() - 29 * 60
    fresh.run()
    assert fresh.session_state[session.ACCOUNT_KEY] == "kan"


# ------------------------------------------------------------------------ masking on pages
@pytest.mark.parametrize("account", ["kan", "guihua"])
def test_no_unmasked_personal_data_on_any_page(people_store, use_store, app_first, account):
    use_store(people_store)
    secrets = _personal_values(people_store)
    assert {KNOWN_NAME, KNOWN_PHONE} <= secrets
    role = ACCOUNTS[account]
    at = _app(account).run()
    rendered = {}
    for key, path in PAGE_FILES.items():
        if key in session.ROLE_PAGES[role]:
            at.switch_page(path).run()
            page = at
        else:  # not in this role's navigation: run the file directly (defence in depth)
            page = AppTest.from_file(f"../{path}", default_timeout=120)
            page.session_state[session.ACCOUNT_KEY] = account
            page.run()
        assert not page.exception, (key, page.exception)
        text = _tree_text(page)
        rendered[key] = len(text)
        leaked = sorted(v for v in secrets if v in text)
        assert not leaked, f"{account} sees unmasked personal data on {key}: {leaked[:5]}"
    assert all(size > 0 for size in rendered.values())


@pytest.mark.parametrize("page", ["grids", "compound", "orders"])
def test_page_run_without_navigation_asks_for_sign_in(people_store, use_store, page):
    """Defence in depth: a page run without app.py stops at current_principal() with the
    sign-in form when nobody is signed in."""
    use_store(people_store)
    at = AppTest.from_file(f"../views/{page}.py", default_timeout=120).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["登录红图"] and not at.dataframe
    text = _tree_text(at)
    assert KNOWN_NAME not in text and KNOWN_PHONE not in text


def test_run_log_gets_one_line_per_page_run_only_when_asked(empty_store, monkeypatch, tmp_path):
    """HONGTU_RUN_LOG (benchmarks/bench_load.py): app.py appends the page and the server's own
    seconds for every run; unset, nothing is written."""
    run_log = tmp_path / "runs.log"
    _app().run()
    assert not run_log.exists()
    monkeypatch.setenv("HONGTU_RUN_LOG", str(run_log))
    at = _app().run()
    at.run()
    lines = run_log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    for line in lines:
        session_id, page, seconds = line.split()
        assert session_id != "-" and page == "/" and 0 < float(seconds) < 120  # the default page
