"""The pieces behind a sign-in that lasts across reloads: the server-side registry (idle
timeout, sign-out, disabled accounts, one-time nonces), the signed cookie, the secret, the
layer revisions served, and the language kept per session outside a script run."""

from __future__ import annotations

import contextvars
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer

from components import i18n
from components.layer_files import GRACE_SECONDS, Revisions, revision_dir_name
from components.web import session_cookie, state
from components.web.session_registry import NONCE_SECONDS, SessionRegistry, Status

ROOT = Path(__file__).resolve().parents[1]
IDLE = 30 * 60.0
LIFETIME = 12 * 3600.0


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def registry(clock):
    return SessionRegistry(clock=clock)


def test_nonce_is_exchanged_once_for_the_token(registry):
    token, nonce = registry.create("zuzhi", LIFETIME)
    assert registry.nonce_pending(nonce)
    claimed = registry.claim(nonce)
    assert claimed is not None and claimed[0] == token
    assert not registry.nonce_pending(nonce)
    assert registry.claim(nonce) is None
    assert registry.claim("made-up") is None


def test_nonce_times_out(registry, clock):
    _token, nonce = registry.create("zuzhi", LIFETIME)
    clock.now += NONCE_SECONDS + 1
    assert registry.claim(nonce) is None


def test_idle_timeout_counts_from_the_last_touch_of_any_tab(registry, clock):
    token, _ = registry.create("zuzhi", LIFETIME)
    clock.now += IDLE - 60
    assert registry.status(token, IDLE, touch=True) == Status.ACTIVE  # one tab ran
    clock.now += IDLE - 60
    assert registry.account(token, IDLE) == "zuzhi"  # a request: not activity
    clock.now += 61
    assert registry.status(token, IDLE) == Status.EXPIRED
    assert registry.status(token, IDLE) == Status.ENDED  # expired once, then gone


def test_absolute_lifetime(registry, clock):
    token, _ = registry.create("zuzhi", 3600)
    for _ in range(3):
        clock.now += 1000
        assert registry.status(token, IDLE, touch=True) == Status.ACTIVE
    clock.now += 1000  # active all along, but past its lifetime
    assert registry.status(token, IDLE) == Status.EXPIRED


def test_sign_out_and_disabling_end_every_token(registry):
    first, _ = registry.create("kan", LIFETIME)
    second, _ = registry.create("kan", LIFETIME)
    other, _ = registry.create("zuzhi", LIFETIME)
    registry.revoke(first)
    assert registry.status(first, IDLE) == Status.ENDED
    assert registry.status(second, IDLE) == Status.ACTIVE
    assert registry.revoke_account("kan") == 1
    assert registry.account(second, IDLE) is None
    assert registry.account(other, IDLE) == "zuzhi"
    assert registry.status(None, IDLE) == Status.ENDED


def test_cookie_signature_refuses_altered_and_forged_values(monkeypatch):
    monkeypatch.setenv(state.SECRET_ENV, "s" * 40)
    state.secret_key.cache_clear()
    try:
        value = session_cookie.cookie_value("the-token")
        assert session_cookie.token_of(value) == "the-token"
        altered = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
        assert session_cookie.token_of(altered) is None
        other = URLSafeTimedSerializer("x" * 40, salt=session_cookie.SALT).dumps("the-token")
        assert session_cookie.token_of(other) is None
        assert session_cookie.token_of("the-token") is None
        assert session_cookie.token_of("") is None
        assert session_cookie.token_of(None) is None
    finally:
        state.secret_key.cache_clear()


def test_generated_secret_is_private_and_stable(tmp_path, monkeypatch):
    monkeypatch.delenv(state.SECRET_ENV, raising=False)
    monkeypatch.setenv(state.STATE_DIR_ENV, str(tmp_path / "state"))
    state.secret_key.cache_clear()
    try:
        first = state.secret_key()
        path = tmp_path / "state" / state.SECRET_FILE
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        state.secret_key.cache_clear()
        assert state.secret_key() == first and len(first) >= state.MIN_SECRET_CHARS
        assert [p.name for p in path.parent.iterdir()] == [state.SECRET_FILE]  # no temp left
    finally:
        state.secret_key.cache_clear()


def test_short_secret_is_refused(monkeypatch):
    monkeypatch.setenv(state.SECRET_ENV, "short")
    state.secret_key.cache_clear()
    try:
        with pytest.raises(ValueError, match="HONGTU_SECRET_KEY"):
            state.secret_key()
    finally:
        state.secret_key.cache_clear()


def test_only_the_current_revision_is_served_and_the_previous_one_briefly():
    clock = Clock(0.0)
    revisions = Revisions(clock=clock)
    first, second = revision_dir_name("r1", "wgs84-zh"), revision_dir_name("r2", "wgs84-zh")
    revisions.note("r1")
    assert revisions.serves(first) and not revisions.serves(second)
    revisions.note("r2")
    assert revisions.serves(second) and revisions.serves(first)  # a map opened just before
    clock.now += GRACE_SECONDS + 1
    assert revisions.serves(second) and not revisions.serves(first)
    assert not revisions.serves(revision_dir_name("r0", "wgs84-zh"))


def test_every_revision_replaced_within_the_grace_is_served():
    """Several writes in a minute (a grid leader moving members): a map opened three revisions
    ago still gets its layers, until the grace after its revision was replaced."""
    clock = Clock(0.0)
    revisions = Revisions(clock=clock)
    folders = [revision_dir_name(f"r{k}", "wgs84-zh") for k in range(4)]
    for k in range(4):
        revisions.note(f"r{k}")
        clock.now += 10
    assert all(revisions.serves(folder) for folder in folders)
    clock.now = 10 + GRACE_SECONDS + 1  # r0 was replaced at 10 s, r1 at 20 s
    assert not revisions.serves(folders[0]) and revisions.serves(folders[1])
    revisions.note("r1")  # back to an older revision: current again, not "replaced"
    assert revisions.serves(folders[1]) and revisions.serves(folders[3])


def test_language_outside_a_script_run_is_per_context():
    """The CLI and the server's own threads: a context variable, never process-wide."""
    def in_english():
        i18n.set_lang("en")
        return i18n.t("page.overview"), i18n.get_lang()

    assert contextvars.copy_context().run(in_english) == ("Network map", "en")
    assert i18n.get_lang() == "zh"
    assert i18n.t("page.overview") == "网络总览"
    assert i18n.t("page.overview", lang="en") == "Network map"
    i18n.set_lang("xx")  # unknown: Chinese
    assert i18n.get_lang() == "zh"


def _modules_after(code: str) -> set[str]:
    code += "; import sys; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    return set(done.stdout.strip().splitlines()[-1].split())


def test_the_server_starts_light_and_imports_no_component_before_a_script_run():
    """asgi.py builds the routes and middleware before the server answers: nothing heavy (the
    store, pandas, geopandas) so that health answers at once. And the warm-up thread never
    imports a Streamlit component module (streamlit-folium): one imported outside a script run
    is never registered, its frame answers 404 and no map draws."""
    started = _modules_after("import asgi; from components import web; web.routes(); "
                             "web.middleware()")
    assert "asgi" in started and "components.web.gate" in started
    assert not {"geopandas", "components.data", "streamlit_folium"} & started
    warmed = _modules_after("from components.web import caches")
    assert "components.web.layers" in warmed and "geopandas" in warmed
    assert not {m for m in warmed if m.startswith("streamlit_folium")}
