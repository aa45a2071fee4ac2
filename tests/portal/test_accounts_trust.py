"""Accounts under attack: sessions end with a password change, reset or deactivation; the password
form is no oracle; lockouts do not reveal usernames; weak passwords are refused with reasons; names
and credit codes cannot be borrowed; verification changes go through the door and hold for bids."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import clock
from portal.domain.errors import AuthError, PermissionDenied, RuleViolation, ValidationFailed
from portal.models import AuditEvent, BidStatus, LoginSession, Notification, StatusChange, User, Verification
from portal.permissions import SYSTEM
from portal.services import accounts, bids, sessions
from tests.factories import PASSWORD, after, bid_data, scenario_in, uscc

S = "closed"


def _open(session, user_id: int, n: int = 1) -> list[str]:
    tokens = [sessions.open_session(user_id, session=session) for _ in range(n)]
    session.commit()
    return tokens


def _events(session, user_id: int) -> list[str]:
    rows = session.exec(
        select(AuditEvent).where(AuditEvent.object_type == "user", AuditEvent.object_id == user_id)
    ).all()
    return [r.event for r in rows]


def _kinds(session, user_id: int) -> list[str]:
    return list(session.exec(select(Notification.kind).where(Notification.user_id == user_id)).all())


# ------------------------------------------------------------------------- sessions end (1, 3)


def test_password_change_ends_every_other_session_and_keeps_the_current_one(session, world):
    user = world.dept_a.user
    current, other1, other2 = _open(session, user.id, 3)
    ended = accounts.change_password(
        world.dept_a.actor, PASSWORD, "Lantern-Harbour-77", keep_token=current, session=session
    )
    session.commit()
    assert ended == 2
    assert sessions.resume(current, session=session) is not None
    assert sessions.resume(other1, session=session) is None
    assert sessions.resume(other2, session=session) is None
    audit = session.exec(select(AuditEvent).where(AuditEvent.event == "user.password_changed")).one()
    assert audit.payload["sessions_ended"] == 2


def test_password_reset_ends_all_sessions_and_tells_the_user(session, world):
    user = world.vendor_x.user
    tokens = _open(session, user.id, 2)
    assert accounts.reset_password(world.authority.actor, user.id, "Lantern-Harbour-77", session=session) == 2
    session.commit()
    assert all(sessions.resume(t, session=session) is None for t in tokens)
    assert "password_reset" in _kinds(session, user.id)
    assert "user.password_reset" in _events(session, user.id)
    accounts.authenticate(user.username, "Lantern-Harbour-77", session=session)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(world.vendor_y.actor, user.id, "Lantern-Harbour-78", session=session)


def test_deactivation_ends_sessions_refuses_login_and_can_be_undone(session, world):
    user = world.vendor_y.user
    tokens = _open(session, user.id, 2)
    ended = accounts.deactivate_user(world.authority.actor, user.id, "离职", session=session)
    session.commit()
    assert ended == 2
    assert all(sessions.resume(t, session=session) is None for t in tokens)
    assert accounts.actor_from_user_id(user.id, session=session) is None  # an open tab logs out
    with pytest.raises(AuthError) as info:
        accounts.authenticate(user.username, PASSWORD, session=session)
    assert info.value.key == "error.account_inactive"
    row = session.exec(select(AuditEvent).where(AuditEvent.event == "user.deactivated")).one()
    assert row.payload == {"reason": "离职", "sessions_ended": 2, "version": row.payload["version"]}
    with pytest.raises(RuleViolation):
        accounts.deactivate_user(world.authority.actor, user.id, session=session)  # already
    accounts.reactivate_user(world.authority.actor, user.id, session=session)
    session.commit()
    accounts.authenticate(user.username, PASSWORD, session=session)


def test_only_the_authority_deactivates_and_never_itself(session, world):
    with pytest.raises(PermissionDenied):
        accounts.deactivate_user(world.dept_a.actor, world.dept_b.user.id, session=session)
    with pytest.raises(RuleViolation) as info:
        accounts.deactivate_user(world.authority.actor, world.authority.user.id, session=session)
    assert info.value.key == "error.deactivate_self"
    accounts.deactivate_user(SYSTEM, world.dept_b.user.id, session=session)  # the CLI


def test_list_users_searches_names_literally(session, world):
    rows = accounts.list_users(world.authority.actor, search="卫生健康", session=session)
    assert [u.username for u, _org in rows] == ["dept_a"]
    assert accounts.list_users(world.authority.actor, search="%", session=session) == []
    everyone = accounts.list_users(world.authority.actor, session=session)
    assert len(everyone) == 6
    with pytest.raises(PermissionDenied):
        accounts.list_users(world.vendor_x.actor, session=session)


# --------------------------------------------------------------- the password form is no oracle (2)


def test_wrong_current_passwords_count_toward_the_login_lockout_and_are_audited(session, world):
    actor, user = world.dept_a.actor, world.dept_a.user
    for _ in range(2):  # two failed logins …
        with pytest.raises(AuthError):
            accounts.authenticate(user.username, "wrong-password-1", session=session)
    for _ in range(2):  # … and two failed changes
        with pytest.raises(AuthError) as info:
            accounts.change_password(actor, "wrong-password-2", "Lantern-Harbour-77", session=session)
        assert info.value.key == "error.wrong_password"
    with pytest.raises(AuthError) as info:  # the fifth failure locks the account
        accounts.change_password(actor, "wrong-password-3", "Lantern-Harbour-77", session=session)
    assert info.value.key == "error.account_locked"
    with pytest.raises(AuthError) as info:  # locked: even the right password is refused, here and at login
        accounts.change_password(actor, PASSWORD, "Lantern-Harbour-77", session=session)
    assert info.value.key == "error.account_locked"
    with pytest.raises(AuthError) as info:
        accounts.authenticate(user.username, PASSWORD, session=session)
    assert info.value.key == "error.account_locked"
    session.rollback()
    events = _events(session, user.id)
    assert events.count("user.password_change_failed") == 3 and events.count("user.locked") == 1
    with clock.frozen(after(1)):
        accounts.change_password(actor, PASSWORD, "Lantern-Harbour-77", session=session)


def test_a_weak_new_password_is_refused_with_translated_reasons(session, world):
    with pytest.raises(ValidationFailed) as info:
        accounts.change_password(world.dept_a.actor, PASSWORD, "password12", session=session)
    keys = [e.key for e in info.value.errors]
    assert keys[0] == "validation.password_weak" and "validation.pw_common" in keys
    assert "常见" in info.value.message("zh") and "1/4" in info.value.message("zh")
    assert "very common password" in info.value.message("en")


def test_a_long_passphrase_without_digits_is_strong_enough():
    assert accounts.password_problems("purple elephant dancing", "newclerk") == []
    assert accounts.password_problems("x" * 100 + "Lantern-Harbour-77") == []  # longer than zxcvbn takes
    assert accounts.password_problems("x" * 200)[0].key == "validation.password_weak"
    assert accounts.password_problems("x" * 300)[0].key == "validation.password_long"


# ------------------------------------------------------------------ no username enumeration (4)


def test_unknown_usernames_lock_exactly_like_real_ones(session, world):
    answers = {}
    for name in (world.vendor_x.user.username, "no-such-user"):
        seen = []
        for attempt in range(6):
            with pytest.raises(AuthError) as info:
                accounts.authenticate(name, f"wrong-{attempt}-password", session=session)
            seen.append((info.value.key, info.value.params, info.value.message("zh")))
        answers[name] = seen
    assert answers[world.vendor_x.user.username] == answers["no-such-user"]
    assert answers["no-such-user"][4][0] == "error.account_locked"
    # The unknown name's counter keeps no trace of the name itself.
    from portal.models import LoginThrottle

    rows = session.exec(select(LoginThrottle)).all()
    assert len(rows) == 1 and "no-such-user" not in rows[0].key_hash and rows[0].failed == 5
    with clock.frozen(after(1)), pytest.raises(AuthError) as info:
        accounts.authenticate("no-such-user", "wrong-password", session=session)
    assert info.value.key == "error.account_locked" and info.value.params == {"minutes": 2}


# ------------------------------------------------------------------------ impersonation (6, 7)


def test_renaming_a_verified_vendor_sends_it_back_to_review(session, world):
    x = world.vendor_x
    org = accounts.update_organization(
        x.actor, x.org.id, {"name": "黔云数智（更名）科技有限公司"}, expected_version=None, session=session
    )
    session.commit()
    assert org.verification == Verification.PENDING
    change = session.exec(
        select(StatusChange).where(
            StatusChange.object_type == "organization", StatusChange.object_id == org.id
        )
    ).one()
    assert (change.from_status, change.to_status) == ("verified", "pending")
    assert "vendor_review_again" in _kinds(session, x.user.id)
    assert "vendor_to_review" in _kinds(session, world.authority.user.id)
    audit = session.exec(select(AuditEvent).where(AuditEvent.event == "organization.pending")).one()
    assert audit.payload["fields"] == ["name"]
    # Other edits of a verified vendor keep the badge.
    y = accounts.update_organization(
        world.vendor_y.actor, world.vendor_y.org.id, {"description": "新简介"}, expected_version=None,
        session=session,
    )  # fmt: skip
    assert y.verification == Verification.VERIFIED


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "贵州省大数据发展管理局"},  # the authority's name
        {"name": "贵州省 大数据发展管理局"},  # … with a space
        {"name_en": "遵义数联科技有限公司"},  # another verified vendor's name, as the English name
        {"name": "遵义数联科技有限公司"},
    ],
)
def test_a_vendor_cannot_take_another_active_organisations_name(session, world, changes):
    with pytest.raises(ValidationFailed) as info:
        accounts.update_organization(
            world.vendor_x.actor, world.vendor_x.org.id, changes, expected_version=None, session=session
        )
    assert [(e.field, e.key) for e in info.value.errors] == [(next(iter(changes)), "validation.name_taken")]


def test_names_compare_by_width_case_and_whitespace_and_codes_are_unique(session, world):
    accounts.update_organization(
        world.vendor_y.actor, world.vendor_y.org.id, {"name_en": "Zunyi Shulian Tech"}, expected_version=None,
        session=session,
    )  # fmt: skip
    data = {"region": "guiyang", "sectors": ["smart-health"], "uscc": uscc(60)}
    with pytest.raises(ValidationFailed) as info:
        accounts.register_vendor(
            dict(data, name="新公司", name_en="ＺＵＮＹＩ  shulian tech"),  # full-width, other case
            username="newco", password=PASSWORD, display_name="新", session=session,
        )  # fmt: skip
    assert [(e.field, e.key) for e in info.value.errors] == [("name_en", "validation.name_taken")]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in world.vendor_x.org.uscc)
    with pytest.raises(ValidationFailed) as info:
        accounts.register_vendor(
            dict(data, name="新公司", uscc=full_width),
            username="newco", password=PASSWORD, display_name="新", session=session,
        )  # fmt: skip
    assert [(e.field, e.key) for e in info.value.errors] == [("uscc", "validation.uscc_taken")]
    # A rejected registration does not hold its name hostage.
    accounts.verify_vendor(world.authority.actor, world.vendor_p.org.id, False, "材料不全", session=session)
    accounts.register_vendor(
        dict(data, name=world.vendor_p.org.name),
        username="newco", password=PASSWORD, display_name="新", session=session,
    )  # fmt: skip
    with pytest.raises(ValidationFailed):  # … but approving it again would now duplicate the name
        accounts.verify_vendor(world.authority.actor, world.vendor_p.org.id, True, session=session)


def test_verification_goes_through_the_door(session, world):
    accounts.verify_vendor(world.authority.actor, world.vendor_p.org.id, True, session=session)
    row = session.exec(
        select(StatusChange).where(StatusChange.object_type == "organization")
    ).one()  # fmt: skip
    assert (row.from_status, row.to_status, row.actor_id) == ("pending", "verified", world.authority.user.id)
    assert "vendor_verified" in _kinds(session, world.vendor_p.user.id)


# --------------------------------------------------------------------------- bids (8)


def test_a_vendor_rejected_after_drafting_cannot_submit(session, world):
    sc = scenario_in(session, world, "published")
    bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    accounts.verify_vendor(world.authority.actor, world.vendor_x.org.id, False, "资质过期", session=session)
    with pytest.raises(PermissionDenied) as info:  # the actor still says "verified": the database decides
        bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    assert info.value.key == "error.vendor_not_verified" and "认证未通过" in info.value.message("zh")
    with pytest.raises(PermissionDenied):  # nor resubmit through an edit
        bids.save_and_submit_bid(world.vendor_x.actor, sc.id, {"price": 1}, session=session)
    assert "vendor_rejected" in _kinds(session, world.vendor_x.user.id)


def test_a_bid_of_an_unverified_vendor_cannot_be_shortlisted_or_awarded(session, world):
    sc = scenario_in(session, world, S)  # vendors X and Y bid, then it closed
    x_bid = bids.my_bid(world.vendor_x.actor, sc.id, session=session)
    bids.shortlist_bid(world.dept_a.actor, x_bid.id, session=session)
    accounts.verify_vendor(world.authority.actor, world.vendor_x.org.id, False, "资质过期", session=session)
    with pytest.raises(RuleViolation) as info:
        bids.award_bid(world.dept_a.actor, x_bid.id, session=session)
    assert info.value.key == "error.bidder_not_verified"
    bids.shortlist_bid(world.dept_a.actor, x_bid.id, False, session=session)  # taking it off is allowed
    with pytest.raises(RuleViolation):
        bids.shortlist_bid(world.dept_a.actor, x_bid.id, session=session)
    y_bid = bids.my_bid(world.vendor_y.actor, sc.id, session=session)
    bids.award_bid(world.dept_a.actor, y_bid.id, session=session)
    assert (x_bid.status, y_bid.status) == (BidStatus.UNSUCCESSFUL, BidStatus.AWARDED)


# --------------------------------------------------------------------- registration at once (9)


def test_registration_reports_every_problem_at_once(session, world):
    with pytest.raises(ValidationFailed) as info:
        accounts.register_vendor(
            {"name": "黔", "region": "guiyang", "sectors": [], "uscc": "123", "contact_email": "x@"},
            username="ab",
            password="password12",
            password_repeat="password13",
            display_name="",
            session=session,
        )
    fields = {e.field for e in info.value.errors}
    assert fields == {
        "name", "sectors", "uscc", "contact_email", "username", "display_name", "password", "password_repeat"
    }  # fmt: skip
    assert session.exec(select(User).where(User.username == "ab")).first() is None
    assert session.exec(select(LoginSession)).all() == []
