"""Two browsers in different languages reloading pages at the same time never see each
other's language (the language once lived in one module variable for the whole server).

Real server, real Chromium: a Chinese and an English browser reload the same page (the big
screen, then in another test the overview) in parallel, RELOADS times each, and every heading
must be in its own language."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from fixtures_browser import CHROMIUM, CHROMIUM_ARGS, RUNNING_ICONS, VIEWPORT

from components.i18n import LANGS, TEXT

pytestmark = pytest.mark.browser

RELOADS = 7  # per page and browser: the two browsers' runs overlap on every load (the module
# variable of old mixed the languages within the first few; 13 took twice the suite's time)
TIMEOUT_MS = 120_000
PATHS = ("big_screen", "overview")
HEADLINE_KEYS = ("head.compounds", "head.grids", "head.members", "head.positions",
                 "head.floor_area", "head.events", "head.disclosure", "head.satisfaction",
                 "head.complaints", "head.meetings")
SCREEN_SECTION_KEYS = ("screen.network", "screen.outcomes", "screen.spotlight",
                       "screen.trend_complaints", "screen.trend_satisfaction",
                       "screen.trend_disclosure")
FINISHED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app !== null && app.dataset.testConnectionState === 'CONNECTED'
        && app.dataset.testScriptState === 'notRunning'
        && document.querySelector(RUNNING_ICONS) === null;
}""".replace("RUNNING_ICONS", repr(RUNNING_ICONS))
HEADINGS = {  # page -> (selector of its headings, the translation keys they show)
    "overview": ('[data-testid="stMetricLabel"]', HEADLINE_KEYS),
    # the title is the unit's name, these words and its network ("黄岩区城市小区党建 · 一核...")
    "big_screen": (".hongtu-title, .hongtu-section", ("screen.title_words", *SCREEN_SECTION_KEYS)),
}


def texts(keys, lang: str) -> set[str]:
    return {TEXT[key][LANGS.index(lang)] for key in keys}


async def headings(page, base: str, path: str, lang: str) -> list[str]:
    selector = HEADINGS[path][0]
    await page.goto(f"{base}/{path}" + ("?lang=en" if lang == "en" else ""))
    await page.wait_for_function(f"() => document.querySelectorAll({selector!r}).length >= 3",
                                 timeout=TIMEOUT_MS)
    await page.wait_for_function(FINISHED, timeout=TIMEOUT_MS)
    found = [t.strip() for t in await page.locator(selector).all_inner_texts()]
    return [t.split("\n")[0] for t in found]  # the big screen's title carries its badge


async def reload_many(browser, base: str, path: str,
                      lang: str) -> list[tuple[str, int, list[str]]]:
    """Every load of ``path`` whose headings are not all in ``lang``: (page, load, headings)."""
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = await context.new_page()
    wrong = []
    try:
        for load in range(RELOADS):
            found = await headings(page, base, path, lang)
            own = texts(HEADINGS[path][1], lang)
            if not found or any(not any(t in h for t in own) for h in found):
                wrong.append((path, load, found))
    finally:
        await context.close()
    return wrong


async def race(base: str, path: str) -> dict[str, list]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            zh, en = await asyncio.gather(reload_many(browser, base, path, "zh"),
                                          reload_many(browser, base, path, "en"))
        finally:
            await browser.close()
    return {"zh": zh, "en": en}


@pytest.mark.parametrize("path", PATHS)
def test_two_languages_reloading_in_parallel_never_mix(path, streamlit_app, sample_store_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium")
    assert texts(HEADLINE_KEYS, "zh").isdisjoint(texts(HEADLINE_KEYS, "en"))
    base = streamlit_app.start(sample_store_path)
    # a thread of its own: another browser test's sync Playwright may keep an event loop
    # running in this thread, where asyncio.run() refuses to start another
    with ThreadPoolExecutor(1) as pool:
        wrong = pool.submit(asyncio.run, race(base, path)).result()
    assert wrong == {"zh": [], "en": []}, wrong
