"""End to end in a real headless Chromium (Debian's, driven by Playwright) against `streamlit run`.

Main steps of the journey: the public list and a scenario page; the department submits its draft;
the authority publishes it; a vendor asks a question and submits a bid; the public showcase gallery.
Screenshots of the main pages go to ``artifacts/screenshots/`` (gitignored; CI keeps them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.models import ScenarioStatus
from portal.services import offers
from tests.factories import PASSWORD, scenario_in

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/system-deps.sh)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(engine, session, world, tmp_path):
    """`streamlit run` on a free loopback port over this test's database (small world + scenarios)."""
    if os.environ.get("PORTAL_TEST_DATABASE_URL"):
        pytest.skip("the browser test runs on the SQLite suite only")
    draft = scenario_in(session, world, ScenarioStatus.DRAFT, title="城区主干道交通信号智能配时优化")
    published = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    scenario_in(session, world, ScenarioStatus.SHOWCASED, title="基层远程影像诊断示范项目")
    offers.create_offer(
        world.vendor_x.actor,
        {
            "title": "远程影像AI辅助诊断平台",
            "description": "云端影像存储与AI肺结节辅助诊断，已在30家县医院部署。",
            "sectors": ["smart-health"],
            "regions": ["province"],
        },
        session=session,
    )
    session.commit()
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={port}",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.3)
        yield base, {"draft": draft, "published": published}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if (tmp_path / "streamlit.log").exists():
            SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / "streamlit.log", SHOTS / "streamlit.log")


def _key(page, key: str, inner: str = ""):
    return page.locator(f".st-key-{key} {inner}".strip()).first


def _login(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{base}/login")
    _key(page, "login_username", "input").fill(username)
    _key(page, "login_password", "input").fill(PASSWORD)
    _key(page, "login_submit", "button").click()
    page.get_by_text("欢迎").first.wait_for()
    return context, page


def _shot(page, name: str) -> None:
    page.wait_for_timeout(400)  # let the last delta paint
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_main_journey_in_chromium(server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    base, made = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    draft, published = made["draft"], made["published"]
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            # Public: the list (landing page) and a scenario page.
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(base)
            page.get_by_role("heading", name="场景通 · 应用场景供需对接平台").wait_for()
            _shot(page, "00-public-landing")
            page.goto(f"{base}/scenarios")  # a direct link to the list
            page.get_by_role("heading", name="场景清单").wait_for()
            _shot(page, "01-public-scenario-list")
            _key(page, f"open_list_{published.id}", "button").click()
            page.get_by_role("heading", name=published.title).wait_for()
            page.get_by_text("登录后可查看联系人信息").first.wait_for()
            _shot(page, "02-public-scenario-detail")
            context.close()

            # Department: submit the draft for review.
            context, page = _login(browser, base, "dept_a")
            page.get_by_role("heading", name="我的场景").wait_for()
            _shot(page, "03-department-my-scenarios")
            _key(page, f"manage_{draft.id}", "button").click()
            _key(page, "mg_submit", "button").click()
            page.get_by_text("等待数据主管部门审核").first.wait_for()
            _shot(page, "04-department-submitted")
            context.close()

            # Authority: publish it from the review queue.
            context, page = _login(browser, base, "authority")
            page.get_by_role("heading", name="审核队列").wait_for()
            _shot(page, "05-authority-review-queue")
            _key(page, f"rev_publish_{draft.id}", "button").click()
            page.get_by_text("场景已发布").first.wait_for()
            context.close()

            # Vendor: open the new scenario from the public list, ask, bid.
            context, page = _login(browser, base, "vendor_x")
            page.get_by_role("link", name="场景清单").first.click()
            _key(page, f"open_list_{draft.id}", "button").click()
            page.get_by_role("heading", name="城区主干道交通信号智能配时优化").wait_for()
            _key(page, "ask_text", "textarea").fill("现有信号机是否支持联网远程配时？")
            _key(page, "ask_submit", "button").click()
            page.get_by_text("问题已提交").first.wait_for()
            _key(page, f"bid{draft.id}__approach", "textarea").fill(
                "部署自适应信号控制系统，基于视频与地磁检测实现干线绿波协调，分两期上线。"
            )
            _key(page, f"bid{draft.id}__timeline", "input").fill("合同签订后5个月")
            _key(page, f"bid{draft.id}__price", "input").fill("2400000")
            _key(page, f"bid{draft.id}__team", "textarea").fill("项目经理1人、交通工程师4人、开发6人")
            _key(page, "bid_save_submit", "button").click()
            page.get_by_text("揭榜方案已提交").first.wait_for()
            _shot(page, "06-vendor-bid-submitted")
            page.get_by_role("link", name="我的揭榜").first.click()
            page.get_by_role("heading", name="我的揭榜").wait_for()
            _shot(page, "07-vendor-my-bids")
            context.close()

            # Public: the showcase gallery, in English.
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{base}/showcases")
            page.get_by_role("heading", name="示范场景").first.wait_for()
            page.get_by_text("基层远程影像诊断示范").first.wait_for()
            _shot(page, "08-public-showcases")
            page.get_by_text("English").first.click()
            page.get_by_role("heading", name="Showcases").first.wait_for()
            _shot(page, "09-public-showcases-en")
            context.close()
        finally:
            browser.close()
    assert (SHOTS / "01-public-scenario-list.png").stat().st_size > 10_000
