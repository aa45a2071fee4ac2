"""Account pages on the seam: the authority's users page (deactivation logs an open tab out), vendor
review and revocation, renaming on the profile page, password changes, registration errors at
their fields, and the manage page hiding decisions on an unverified bidder."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from portal.models import Bid, LoginSession, Organization, User, Verification
from portal.services import accounts, sessions
from tests.factories import PASSWORD, scenario_in, uscc
from tests.ui.conftest import APP, TIMEOUT, goto, login_state, no_errors, page_file, texts


def test_deactivating_a_user_logs_out_their_open_tab(app, session, world):
    tab = app(world.vendor_y, "offers")  # vendor Y is working in an open tab
    assert tab.session_state["user_id"] == world.vendor_y.user.id
    auth = app(world.authority, "users")
    auth.text_input(key="users_search").input("遵义").run()
    no_errors(auth)
    uid = world.vendor_y.user.id
    assert [c.key for c in auth.button if c.key.startswith("user_")] == [f"user_off_{uid}"]
    auth.text_input(key=f"user_reason_{uid}").input("合同到期")
    auth.button(key=f"user_off_{uid}").click().run()
    no_errors(auth)
    assert "已停用" in texts(auth)
    assert any(b.key == f"user_on_{uid}" for b in auth.button)  # the button flips to reactivate
    session.expire_all()
    assert session.get(User, uid).is_active is False
    tab.run()  # the open tab's next run
    assert "user_id" not in tab.session_state
    assert not any(b.key == "offer_new_save" for b in tab.button)


def test_the_authority_cannot_deactivate_itself_and_others_cannot_open_users(app, world):
    auth = app(world.authority, "users")
    assert not any(b.key == f"user_off_{world.authority.user.id}" for b in auth.button)
    assert any(b.key == f"user_off_{world.dept_a.user.id}" for b in auth.button)
    # The page run directly as a department: its own guard refuses (the gate answers at its url).
    page = str(APP).replace("streamlit_app.py", page_file("users"))
    dept = login_state(AppTest.from_file(page, default_timeout=TIMEOUT), world.dept_a).run()
    assert not dept.exception and dept.error
    assert not [b for b in dept.button if (b.key or "").startswith("user_")]


def test_the_authority_revokes_a_verification_with_a_reason(app, session, world):
    auth = app(world.authority, "vendors")
    auth.selectbox(key="ven_filter").select("verified").run()
    x = world.vendor_x.org.id
    assert not any(b.key == f"ven_ok_{x}" for b in auth.button)  # already verified: no approve button
    auth.button(key=f"ven_no_{x}").click().run()
    assert auth.error and "原因" in auth.error[0].value  # a reason is required
    auth.text_input(key=f"ven_reason_{x}").input("营业执照已吊销")
    auth.button(key=f"ven_no_{x}").click().run()
    no_errors(auth)
    session.refresh(world.vendor_x.org)
    assert world.vendor_x.org.verification == Verification.REJECTED


def test_a_verified_vendor_renaming_itself_is_reviewed_again_and_cannot_impersonate(app, session, world):
    at = app(world.vendor_x, "profile")
    form = f"org{world.vendor_x.org.id}"
    assert any("重新审核" in i.value for i in at.info)
    at.text_input(key=f"{form}__name").input(world.authority.org.name)
    at.button(key="org_save").click().run()
    assert any("已被另一家机构使用" in e.value for e in at.error)  # at the name field and in the list
    session.refresh(world.vendor_x.org)
    assert world.vendor_x.org.verification == Verification.VERIFIED
    at.text_input(key=f"{form}__name").input("黔云数智（集团）有限公司")
    at.button(key="org_save").click().run()
    no_errors(at)
    session.refresh(world.vendor_x.org)
    assert world.vendor_x.org.verification == Verification.PENDING
    assert "待认证" in texts(at)


def test_password_change_ends_the_other_sessions_and_explains_a_weak_one(app, session, world):
    other = sessions.open_session(world.dept_a.user.id, session=session)
    mine = sessions.open_session(world.dept_a.user.id, session=session)
    session.commit()
    at = app(world.dept_a, "profile")
    at.session_state["_login_ref"] = mine
    at.text_input(key="pw_old").input(PASSWORD)
    at.text_input(key="pw_new").input("password12")
    at.text_input(key="pw_new2").input("password12")
    at.button(key="pw_submit").click().run()
    assert any("常见" in e.value for e in at.error)
    at.text_input(key="pw_old").input(PASSWORD)
    at.text_input(key="pw_new").input("Lantern-Harbour-77")
    at.text_input(key="pw_new2").input("Lantern-Harbour-77")
    at.button(key="pw_submit").click().run()
    no_errors(at)
    assert "密码已修改" in texts(at)
    rows = {r.token_hash: r for r in session.exec(select(LoginSession)).all()}
    for r in rows.values():
        session.refresh(r)
    assert rows[sessions.hash_token(other)].revoked_at is not None
    assert rows[sessions.hash_token(mine)].revoked_at is None


def test_registration_shows_every_problem_at_its_field(app, world):
    at = app(None, "register")
    at.text_input(key="reg_name").input(world.authority.org.name)  # taken
    at.text_input(key="reg_uscc").input("123")
    at.text_input(key="reg_username").input("ab")
    at.text_input(key="reg_password").input("password12")
    at.text_input(key="reg_password2").input("password13")
    at.button(key="reg_submit").click().run()
    messages = [e.value for e in at.error]
    summary, fields = messages[0], messages[1:]
    for part in ("已被另一家机构使用", "统一社会信用代码", "用户名", "常见", "不一致"):
        assert part in summary
    assert len(fields) >= 6  # name, uscc, sectors, username, display name, password, repeat
    assert any("常见" in f and "不一致" not in f for f in fields)  # the password's own box
    assert any("不一致" in f and "常见" not in f for f in fields)  # the repeat's own box


def test_manage_page_hides_shortlist_and_award_for_an_unverified_bidder(app, session, world):
    sc = scenario_in(session, world, "closed")  # vendors X and Y bid
    accounts.verify_vendor(world.authority.actor, world.vendor_x.org.id, False, "资质过期", session=session)
    session.commit()
    x_bid = session.exec(select(Bid).where(Bid.vendor_org_id == world.vendor_x.org.id)).one()
    y_bid = session.exec(select(Bid).where(Bid.vendor_org_id == world.vendor_y.org.id)).one()
    at = app(world.dept_a, "manage", id=sc.id)
    no_errors(at)
    keys = {b.key for b in at.button}
    assert {f"bid_short_{y_bid.id}", f"bid_award_{y_bid.id}"} <= keys
    assert not {f"bid_short_{x_bid.id}", f"bid_award_{x_bid.id}"} & keys


def test_a_new_vendor_registers_with_a_unique_name(app, session, world):
    at = app(None, "register")
    at.text_input(key="reg_name").input("黔南数智信息技术有限公司")
    at.text_input(key="reg_uscc").input(uscc(78))
    at.multiselect(key="reg_sectors").select("smart-health")
    at.text_input(key="reg_username").input("qiannan_ops")
    at.text_input(key="reg_display_name").input("李娜")
    at.text_input(key="reg_password").input("Qiannan-2026x")
    at.text_input(key="reg_password2").input("Qiannan-2026x")
    at.button(key="reg_submit").click().run()
    no_errors(at)
    org = session.exec(select(Organization).where(Organization.name == "黔南数智信息技术有限公司")).one()
    assert org.verification == Verification.PENDING
    goto(at, "profile")
    no_errors(at)


def test_a_vendor_whose_verification_was_revoked_sees_no_bid_form(app, session, world):
    from portal.services import bids
    from tests.factories import bid_data

    sc = scenario_in(session, world, "published")
    bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    session.commit()
    at = app(world.vendor_x, "scenario", id=sc.id)
    assert any(b.key == "bid_save_submit" for b in at.button)
    accounts.verify_vendor(world.authority.actor, world.vendor_x.org.id, False, "资质过期", session=session)
    session.commit()
    at.run()
    no_errors(at)
    assert not any(b.key in ("bid_save", "bid_save_submit") for b in at.button)
