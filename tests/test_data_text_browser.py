"""Markdown and HTML typed into every text field of the data are shown as text (issue #28):
on every page, as org (unmasked) in real Chromium, the page makes 0 requests outside loopback
(the ``page`` fixture blocks, records and fails on them) and shows 0 links or images that
point outside. The payloads are the issue's: a fake "session expired" link and a tracking
pixel in Markdown, an <img>/<a> in HTML, a bare www address."""

from __future__ import annotations

import shutil

import pytest
from fixtures_browser import sign_in, wait_for_app

from components.web.session_cookie import COOKIE_NAME
from geo import auth, schema
from geo.store import open_store
from geo.text_rules import is_key

pytestmark = pytest.mark.browser

EVIL = "evil.example"
MARKDOWN = [f"[会话已过期,请点此重新登录](http://{EVIL}/login) ![x](http://{EVIL}/pixel.png)",
            f"![x](http://{EVIL}/p.png)", f"[a](http://{EVIL})"]
HTML = [f'<img src="http://{EVIL}/i.png"><a href="http://{EVIL}/a">点此</a>',
        f'<img src="http://{EVIL}/i.png">', f"<a href=//{EVIL}>a</a>", f"www.{EVIL}"]
# every field people type free text into (codes, months and the workflow's states are not:
# they have formats and vocabularies of their own, checked elsewhere)
FREE_TEXT = {"name", "practice", "organisation", "rating", "topic", "title", "text", "note",
             "work_unit", "post", "duty", "functions", "opening_hours", "departments",
             "platforms", "brand", "pinyin", "secretary_name", "director_name", "requester_name",
             "requester_phone", "phone", "city", "province"}
ORG, PASSWORD = "org_admin", "org-password-1"
PAGES = ("overview?compound={compound}", "compound?id={compound}", "grids?grid={grid}",
         "orders", "planner", "big_screen", "data", "audit")
SHOWS_PAYLOAD = ("overview?compound={compound}", "compound?id={compound}", "grids?grid={grid}",
                 "big_screen")
SLOW_MS = 150_000  # two shared cores under a full suite
OUTSIDE = """(evil) => {
    const links = Array.from(document.querySelectorAll('a[href], area[href]'))
        .filter((a) => a.href.includes(evil)).length;
    const images = Array.from(document.querySelectorAll('img[src], image, source, iframe[src]'))
        .filter((e) => (e.src || e.getAttribute('href') || '').includes(evil)).length;
    return [links, images];
}"""


def _payload(limit: int | None, row: int) -> str:
    options = MARKDOWN if row % 2 == 0 else HTML
    return next((p for p in options if limit is None or len(p) <= limit), f"www.{EVIL}")


def _poisoned(frame, name: str):
    out = frame.copy()
    for f in schema.layer(name).fields:
        if f.name not in FREE_TEXT or f.unique or is_key(f) or f.name not in out.columns:
            continue
        out[f.name] = [_payload(f.length_limit, i) for i in range(len(out))]
    return out


@pytest.fixture(scope="module")
def poisoned_store(sample_store_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("mdtext") / "md.gpkg"
    shutil.copyfile(sample_store_path, path)
    store = open_store(path)
    names = [n for n in schema.DATA_LAYERS if n in store.layer_names()]
    frames = {n: _poisoned(store.load(n), n) for n in names}
    with store.transaction() as tx:
        for name, frame in frames.items():
            tx.replace(name, frame)
    auth.add_user(store, ORG, "org", PASSWORD, rounds=4)
    compound = frames["compounds"].iloc[0]
    return path, compound["id"], compound["grid_id"]


def _shown(page, text: str) -> None:
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=text,
                           timeout=SLOW_MS)


def test_markdown_and_html_in_every_text_field_stay_text_on_every_page(
        streamlit_app, page, poisoned_store, blocked_requests):
    path, compound, grid = poisoned_store
    base = streamlit_app.start(path)
    page.goto(f"{base}/overview")
    wait_for_app(page, SLOW_MS)
    sign_in(page, ORG, PASSWORD)
    _shown(page, ORG)
    for _ in range(SLOW_MS // 200):  # the session cookie carries the sign-in to the next pages
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            break
        page.wait_for_timeout(200)
    seen = {}
    for template in PAGES:
        page.goto(f"{base}/{template.format(compound=compound, grid=grid)}")
        wait_for_app(page, SLOW_MS)
        if template != "big_screen":
            _shown(page, ORG)  # still signed in: the page is the org's, not the sign-in form
        if template in SHOWS_PAYLOAD:  # the payload is on the page, as text
            _shown(page, f"{EVIL}/")
        counts = [frame.evaluate(OUTSIDE, EVIL) for frame in page.frames]
        seen[template] = (sum(c[0] for c in counts), sum(c[1] for c in counts))
        assert page.get_by_text("Traceback").count() == 0, template
    assert seen == {template: (0, 0) for template in PAGES}
    assert blocked_requests == []
