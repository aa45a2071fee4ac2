"""Every page renders for every role; guards, login form, language, expiry and hostile input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from portal import clock
from portal.models import ScenarioStatus
from portal.permissions import ANONYMOUS
from portal.services import offers
from portal.ui.routes import SPECS, visible_to
from tests.factories import PASSWORD, scenario_in
from tests.ui.conftest import APP, TIMEOUT, goto, login_state, no_errors, page_file, texts

S = ScenarioStatus


@pytest.fixture
def stocked(session, world):
    """A scenario in each interesting status, an offer, so every page has something to draw."""
    made = {
        st: scenario_in(session, world, st)
        for st in (S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.CLOSED, S.SHOWCASED)
    }
    offers.create_offer(
        world.vendor_x.actor,
        {
            "title": "远程影像AI辅助诊断平台",
            "description": "云端影像存储与AI肺结节辅助诊断，已在30家县医院部署。",
            "sectors": ["smart-health"],
            "regions": ["province"],
            "maturity": "deployed",
        },
        session=session,
    )
    session.commit()
    return made


@pytest.mark.parametrize("who", ["anonymous", "dept_a", "vendor_x", "vendor_p", "authority"])
def test_every_page_renders_for_every_role(app, world, stocked, who):
    party = None if who == "anonymous" else getattr(world, who)
    actor = ANONYMOUS if party is None else party.actor
    at = app(party)
    no_errors(at)
    rendered = 0
    for spec in SPECS:
        if not visible_to(spec, actor):
            continue
        query = {}
        if spec.url_path in ("scenario", "manage"):
            query = {"id": stocked[S.CLOSED if spec.url_path == "manage" else S.PUBLISHED].id}
        goto(at, spec.url_path, **query)
        assert not at.exception, (spec.url_path, [e.value for e in at.exception])
        assert at.title, spec.url_path
        rendered += 1
    assert rendered >= 6


def test_department_page_for_each_status(app, world, stocked):
    at = app(world.dept_a)
    for status, sc in stocked.items():
        goto(at, "manage", id=sc.id)
        no_errors(at)
        assert at.title[0].value == sc.title, status
    goto(at, "manage", id=stocked[S.CLOSED].id)
    assert len([b for b in at.button if (b.key or "").startswith("bid_award_")]) == 2  # side by side


def test_hidden_page_is_still_protected(world, engine):
    """Running an authority page directly as a vendor: the page's own guard refuses."""
    at = login_state(
        AppTest.from_file(str(APP).replace("streamlit_app.py", page_file("review")), default_timeout=TIMEOUT),
        world.vendor_x,
    )
    at.run()
    assert not at.exception
    assert at.error and "市场主体" in at.error[0].value  # "not for vendor accounts"
    assert not at.button  # nothing of the queue was drawn
    anon = AppTest.from_file(
        str(APP).replace("streamlit_app.py", page_file("my-scenarios")), default_timeout=TIMEOUT
    ).run()
    assert anon.info and "登录" in anon.info[0].value
    assert anon.text_input(key="login_username")  # the login form, right on the page's url


def test_other_department_cannot_manage_a_scenario(app, world, stocked):
    at = app(world.dept_b, "manage", id=stocked[S.PUBLISHED].id)
    assert at.error and not [b for b in at.button if (b.key or "").startswith("mg_")]


def test_login_form_logs_in_and_lands_on_role_home(app, world):
    at = app(None, "login")
    at.text_input(key="login_username").input("dept_a")
    at.text_input(key="login_password").input("wrong-password-1")
    at.button(key="login_submit").click().run()
    assert at.error and "用户名或密码错误" in at.error[0].value
    assert "user_id" not in at.session_state
    at.text_input(key="login_username").input("dept_a")
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    no_errors(at)
    assert at.session_state["user_id"] == world.dept_a.user.id
    assert at.title[0].value == "我的场景"
    at.button(key="logout").click().run()
    assert "user_id" not in at.session_state
    assert at.title[0].value == "场景通 · 应用场景供需对接平台"  # the public landing page


def test_language_switch_translates_pages_and_formats(app, world, stocked):
    at = app(None, "scenarios")
    assert at.title[0].value == "场景清单"
    assert "年" in texts(at) and "万元" in texts(at)
    at.segmented_control(key="lang_select").set_value("en").run()
    no_errors(at)
    assert at.title[0].value == "Scenario list"
    body = texts(at)
    assert "CNY" in body and "万元" not in body
    assert "Smart healthcare" in body


def test_language_choice_is_remembered_for_a_user(app, world, session):
    at = app(world.vendor_x)
    at.segmented_control(key="lang_select").set_value("en").run()
    session.refresh(world.vendor_x.user)
    assert world.vendor_x.user.language == "en"
    again = app(None, "login")
    again.text_input(key="login_username").input("vendor_x")
    again.text_input(key="login_password").input(PASSWORD)
    again.button(key="login_submit").click().run()
    assert again.title[0].value == "Recommended for you"


def test_idle_session_expires(app, world):
    at = app(world.dept_a, "my-scenarios")
    assert at.title[0].value == "我的场景"
    at.session_state["last_active"] = clock.now() - timedelta(minutes=31)
    at.run()
    assert "user_id" not in at.session_state
    assert any("未操作" in w.value for w in at.warning)


def test_hostile_text_renders_inert(app, session, world):
    evil = "<script>alert(1)</script> **粗体** ![x](http://evil.example/x.png) [点我](javascript:alert(1))"
    sc = scenario_in(
        session, world, S.PUBLISHED, title="恶意标题<img src=x onerror=alert(1)>", summary=evil * 2
    )
    at = app(None, "scenario", id=sc.id)
    no_errors(at)
    for el in list(at.markdown) + list(at.caption) + list(at.title):
        assert not getattr(el, "allow_html", False)
        value = str(el.value)
        assert not re.search(r"(?<!\\)<", value), value  # every "<" is escaped
        assert "![x](" not in value and "](javascript" not in value
    assert r"\<script\>" in texts(at)
    assert at.title[0].value.startswith("恶意标题\\<img")  # escaped, never markup


def test_validation_errors_are_listed_per_field(app, world):
    at = app(world.dept_a, "edit-scenario")
    at.text_input(key="ed0__title").input("短")
    at.text_area(key="ed0__summary").input("太短")
    at.button(key="ed_save").click().run()
    assert at.error
    message = at.error[0].value
    assert "标题" in message and "摘要" in message and "详细描述" in message
