"""A login survives a reload and a deep link in a new tab; logout ends it (real Chromium).

The login token lives in the ``sb_session`` cookie set by a same-origin component script; a new
Streamlit session (reload, new tab) resumes the login from it (``portal.ui.state.begin_run``).
"""

from __future__ import annotations

import time

import pytest

from tests.ui.test_e2e_browser import ARGS, CHROMIUM, _key, _login, server  # noqa: F401

pytestmark = [pytest.mark.slow]


def _cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == "sb_session"), None)


def _wait_cookie(context, present: bool, timeout: float = 15.0) -> dict | None:
    deadline = time.monotonic() + timeout
    while True:
        found = _cookie(context)
        if (found is not None) == present:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"sb_session cookie {'never set' if present else 'not cleared'}: {context.cookies()}")
        time.sleep(0.2)


def test_login_survives_reload_and_deep_link_until_logout(server):  # noqa: F811
    playwright_api = pytest.importorskip("playwright.sync_api")
    base, made = server
    published = made["published"]
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context, page = _login(browser, base, "dept_a")
            cookie = _wait_cookie(context, present=True)
            assert cookie["path"] == "/"
            assert cookie["sameSite"] == "Strict"
            assert cookie["expires"] > time.time() + 11 * 3600  # the 12 h absolute cap
            token = cookie["value"]
            assert len(token) >= 43 and token not in page.url

            # A reload starts a new Streamlit session: still logged in, on the role's home page.
            page.reload()
            page.get_by_role("heading", name="我的场景").wait_for()
            _key(page, "logout", "button").wait_for()

            # A deep link in a new tab of the same browser: still logged in.
            tab = context.new_page()
            tab.set_default_timeout(30_000)
            tab.goto(f"{base}/scenario?id={published.id}")
            tab.get_by_role("heading", name=published.title).wait_for()
            _key(tab, "logout", "button").wait_for()
            assert token not in tab.url

            # Logout revokes the server session and clears the cookie; a reload is anonymous.
            _key(tab, "logout", "button").click()
            tab.get_by_text("已退出登录").first.wait_for()
            _wait_cookie(context, present=False)
            tab.reload()
            tab.get_by_role(
                "heading", name="场景通 · 应用场景供需对接平台"
            ).wait_for()  # logout lands on the public home
            tab.get_by_role("link", name="登录").first.wait_for()
            assert _key(tab, "logout", "button").count() == 0

            # The revoked token does not log anyone in, even when a browser replays it.
            context.add_cookies([{"name": "sb_session", "value": token, "url": base}])
            tab.goto(f"{base}/my-scenarios")
            _key(tab, "login_username", "input").wait_for()  # the gate's login form, at the page's url
            assert _key(tab, "logout", "button").count() == 0
            context.close()
        finally:
            browser.close()
