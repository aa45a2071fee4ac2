"""Organizations, users, login throttle, vendor registration and verification, USCC check digits."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import clock
from portal.domain.errors import AuthError, RuleViolation, ValidationFailed
from portal.domain.uscc import check_char, is_valid_uscc
from portal.models import Notification, Verification
from portal.permissions import SYSTEM
from portal.services import accounts
from tests.factories import PASSWORD, after, uscc


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # published example code (GB 32100 annex)
        "91110000600037341L",
        "91520100MA0000001" + check_char("91520100MA0000001"),
        "91350100m000100y43",  # lower case is accepted and normalised
    ],
)
def test_valid_unified_social_credit_codes(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check digit
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19 characters
        "91350100MO00100Y43",  # O is not in the alphabet
        "9135010AM000100Y43",  # region code must be digits
        "",
    ],
)
def test_invalid_unified_social_credit_codes(code):
    assert not is_valid_uscc(code)


def test_vendor_registration_checks_the_code_and_waits_for_verification(session, world):
    data = {
        "name": "毕节云创科技",
        "region": "bijie",
        "sectors": ["digital-village"],
        "uscc": "91350100M000100Y44",
    }
    with pytest.raises(ValidationFailed) as info:  # every problem at once, each at its field
        accounts.register_vendor(data, username="bijie", password="weak", display_name="李", session=session)
    assert {(e.field, e.key) for e in info.value.errors} >= {
        ("uscc", "validation.uscc"),
        ("password", "validation.password_short"),
        ("password", "validation.password_weak"),
    }
    with pytest.raises(ValidationFailed) as info:
        accounts.register_vendor(
            data, username="bijie", password=PASSWORD, display_name="李", session=session
        )
    assert [(e.field, e.key) for e in info.value.errors] == [("uscc", "validation.uscc")]
    assert "check digit" in info.value.message("en")
    org, user = accounts.register_vendor(
        dict(data, uscc=uscc(50).lower()),
        username="bijie",
        password=PASSWORD,
        display_name="李",
        session=session,
    )
    assert (org.verification, org.uscc, user.role) == (Verification.PENDING, uscc(50), "vendor")
    kinds = session.exec(
        select(Notification.kind).where(Notification.user_id == world.authority.user.id)
    ).all()
    assert "vendor_registered" in kinds
    with pytest.raises(ValidationFailed) as info:
        accounts.register_vendor(
            dict(data, name="毕节云创科技二部", uscc=uscc(50)),
            username="bijie2",
            password=PASSWORD,
            display_name="王",
            session=session,
        )
    assert [(e.field, e.key) for e in info.value.errors] == [("uscc", "validation.uscc_taken")]


def test_rejecting_a_vendor_needs_a_reason_and_tells_it(session, world):
    with pytest.raises(RuleViolation):
        accounts.verify_vendor(world.authority.actor, world.vendor_p.org.id, False, "  ", session=session)
    accounts.verify_vendor(
        world.authority.actor, world.vendor_p.org.id, False, "营业执照不清晰", session=session
    )
    note = session.exec(select(Notification).where(Notification.user_id == world.vendor_p.user.id)).one()
    assert (note.kind, note.params["message"]) == ("vendor_rejected", "营业执照不清晰")
    assert world.vendor_p.org.verification == Verification.REJECTED
    with pytest.raises(RuleViolation) as info:
        accounts.verify_vendor(world.authority.actor, world.dept_a.org.id, True, session=session)
    assert info.value.key == "error.not_a_vendor"


def test_user_rules(session, world):
    with pytest.raises(ValidationFailed) as info:
        accounts.create_user(
            SYSTEM,
            org_id=world.dept_a.org.id,
            username="a b",
            password="dept_a2026xx",
            display_name="",
            session=session,
        )
    assert {(e.field, e.key) for e in info.value.errors} == {
        ("username", "validation.username"),
        ("display_name", "validation.required"),
    }
    with pytest.raises(ValidationFailed) as info:
        accounts.create_user(
            SYSTEM,
            org_id=world.dept_a.org.id,
            username="zhang",
            password="zhang-Lantern-2026",
            display_name="张",
            session=session,
        )
    assert [e.key for e in info.value.errors] == ["validation.password_username"]
    with pytest.raises(ValidationFailed) as info:
        accounts.create_user(
            SYSTEM,
            org_id=world.dept_a.org.id,
            username="dept_a",
            password=PASSWORD,
            display_name="张",
            session=session,
        )
    assert info.value.errors[0].message("en") == "This username is already taken."


def test_login_lockout_grows_and_is_audited(session, world):
    user, actor = accounts.authenticate("dept_a", PASSWORD, session=session)
    assert actor.org_id == world.dept_a.org.id and user.last_login_at is not None
    for _ in range(4):
        with pytest.raises(AuthError) as info:
            accounts.authenticate("dept_a", "wrong-password-1", session=session)
        assert info.value.key == "error.login_failed"
    with pytest.raises(AuthError) as info:
        accounts.authenticate("dept_a", "wrong-password-1", session=session)
    assert info.value.key == "error.account_locked"
    with pytest.raises(AuthError) as info:  # even the right password waits for the lock to expire
        accounts.authenticate("dept_a", PASSWORD, session=session)
    assert "1分钟" in info.value.message("zh") or "2分钟" in info.value.message("zh")
    with clock.frozen(after(1)):
        accounts.authenticate("dept_a", PASSWORD, session=session)
    with pytest.raises(AuthError) as info:
        accounts.authenticate("nobody", PASSWORD, session=session)
    assert info.value.message("en") == "Wrong username or password."
    assert [accounts.lock_delay(n).total_seconds() for n in (4, 5, 6, 12)] == [0, 60, 120, 3600]


def test_profile_edit_keeps_the_code_and_refuses_unknown_fields(session, world):
    org = accounts.update_organization(
        world.vendor_x.actor,
        world.vendor_x.org.id,
        {"service_regions": ["zunyi"]},
        expected_version=None,
        session=session,
    )
    assert org.service_regions == ["zunyi"]
    with pytest.raises(RuleViolation) as info:
        accounts.update_organization(
            world.vendor_x.actor,
            org.id,
            {"uscc": uscc(77), "verification": "verified"},
            expected_version=None,
            session=session,
        )
    assert info.value.key == "error.unknown_fields"
    with pytest.raises(ValidationFailed):
        accounts.update_organization(
            world.vendor_x.actor, org.id, {"contact_phone": "call me"}, expected_version=None, session=session
        )
