"""The seam in real Chromium: two browser sessions editing one scenario and one bid, and direct links.

- Two separate browser contexts (two people, or one person in two browsers) open the same draft and
  the same bid; the first saves, the second saves from its stale form: it is refused with the
  translated conflict message showing the first save's value, and the first save stays intact.
- Every page of every role answers at its own url: an anonymous visit to a member page shows the
  login form there (never Streamlit's "Page not found"), and logging in renders the page asked for,
  query parameters included.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Bid, Scenario, ScenarioStatus
from portal.services import bids
from portal.ui.routes import SPECS
from tests.factories import PASSWORD, bid_data, scenario_in
from tests.ui.test_e2e_browser import ARGS, CHROMIUM, _key, _login, _shot, server  # noqa: F401

pytestmark = [pytest.mark.slow]


def _settled(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=30_000)


def test_two_browsers_editing_one_draft_and_one_bid(server, session, world):  # noqa: F811
    playwright_api = pytest.importorskip("playwright.sync_api")
    base, made = server
    draft = made["draft"]
    open_sc = scenario_in(session, world, ScenarioStatus.PUBLISHED, title="基层慢病随访数据共享平台")
    bids.save_bid(world.vendor_x.actor, open_sc.id, bid_data(price=1_000_000), session=session)
    session.commit()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            # ---- the same draft in two browsers of the department
            ctx_a, tab_a = _login(browser, base, "dept_a")
            ctx_b, tab_b = _login(browser, base, "dept_a")
            form = f"ed{draft.id}"
            for tab in (tab_a, tab_b):
                tab.goto(f"{base}/edit-scenario?id={draft.id}")
                _key(tab, f"{form}__title", "input").wait_for()
            _key(tab_a, f"{form}__title", "input").fill("甲保存的新标题：主干道信号配时优化")
            _key(tab_a, "ed_save", "button").click()
            tab_a.get_by_role(
                "heading", name="甲保存的新标题：主干道信号配时优化"
            ).wait_for()  # on its manage page
            _key(tab_b, f"{form}__summary", "textarea").fill("乙从旧页面保存的摘要，不应覆盖甲的标题。")
            _key(tab_b, "ed_save", "button").click()
            tab_b.get_by_text("您的修改未保存").first.wait_for()
            tab_b.get_by_text(
                "甲保存的新标题：主干道信号配时优化"
            ).first.wait_for()  # the other change, shown
            _shot(tab_b, "10-conflict-scenario-draft")
            ctx_a.close()
            ctx_b.close()
            session.expire_all()
            saved = session.get(Scenario, draft.id)
            assert saved.title == "甲保存的新标题：主干道信号配时优化"
            assert not saved.summary.startswith("乙从旧页面")

            # ---- the same bid in two browsers of the vendor
            ctx_a, tab_a = _login(browser, base, "vendor_x")
            ctx_b, tab_b = _login(browser, base, "vendor_x")
            form = f"bid{open_sc.id}"
            for tab in (tab_a, tab_b):
                tab.goto(f"{base}/scenario?id={open_sc.id}")
                _key(tab, f"{form}__price", "input").wait_for()
            _key(tab_a, f"{form}__price", "input").fill("1500000")
            _key(tab_a, "bid_save", "button").click()
            tab_a.get_by_text("揭榜方案已保存").first.wait_for()
            _key(tab_b, f"{form}__timeline", "input").fill("乙：合同签订后8个月")
            _key(tab_b, "bid_save", "button").click()
            tab_b.get_by_text("您的修改未保存").first.wait_for()
            _shot(tab_b, "11-conflict-bid")
            ctx_a.close()
            ctx_b.close()
            bid = session.exec(select(Bid).where(Bid.scenario_id == open_sc.id)).one()
            session.refresh(bid)
            assert bid.price == 1_500_000 and not bid.timeline.startswith("乙")
        finally:
            browser.close()


def test_every_page_answers_at_its_url_and_login_returns_there(server, session, world):  # noqa: F811
    playwright_api = pytest.importorskip("playwright.sync_api")
    base, made = server
    draft = made["draft"]
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(30_000)
            for spec in SPECS:
                if spec.url_path == "home":
                    continue  # served at "/"
                page.goto(f"{base}/{spec.url_path}")
                _settled(page)
                body = page.inner_text("body")
                assert "Page not found" not in body and "页面不存在" not in body, spec.url_path
                assert page.url.rstrip("/").endswith("/" + spec.url_path), (spec.url_path, page.url)
                if spec.audience is not None and "anonymous" not in spec.audience:
                    _key(page, "login_username", "input").wait_for()  # the login form, on that url
            # A deep link from a notification, logged out: log in right there and land on the page.
            page.goto(f"{base}/manage?id={draft.id}")
            _key(page, "login_username", "input").fill("dept_a")
            _key(page, "login_password", "input").fill(PASSWORD)
            _key(page, "login_submit", "button").click()
            page.get_by_role("heading", name=draft.title).wait_for()
            assert f"manage?id={draft.id}" in page.url
            _shot(page, "12-deep-link-after-login")
            # Another role's page: a translated refusal, not the page and not "Page not found".
            page.goto(f"{base}/review")
            page.get_by_text("此页面不面向行业主管部门账号").first.wait_for()
            context.close()
        finally:
            browser.close()
