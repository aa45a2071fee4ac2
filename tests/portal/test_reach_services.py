"""The small service additions behind the reach pages: the profile-sector opt-out, the read-only
unsubscribe check, and the pure checks the read models probe (room for a subscription, requeue)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.domain.errors import PermissionDenied, RuleViolation
from portal.models import AuditEvent, MailSettings, OutboxState
from portal.services import outbox, subscriptions


def test_a_vendor_follows_its_profile_sectors_until_it_opts_out_and_each_change_is_audited(session, world):
    vendor = world.vendor_x
    prefs = subscriptions.get_prefs(vendor.actor, session=session)
    assert prefs.profile_sectors and prefs.profile_sector_codes == ("smart-health",)
    assert subscriptions.set_profile_sectors(vendor.actor, False, session=session).profile_sectors is False
    assert not subscriptions.follows_profile_sectors(session, vendor.user.id)
    assert subscriptions.set_profile_sectors(vendor.actor, True, session=session).profile_sectors is True
    events = session.exec(select(AuditEvent).where(AuditEvent.event == "mail.settings_saved")).all()
    assert [e.payload["profile_sectors"] for e in events] == [False, True]


def test_the_unsubscribe_check_changes_nothing_and_refuses_a_forged_token(session, world):
    world.vendor_y.user.email = "yy@example.com"
    token = subscriptions.unsubscribe_token(session, world.vendor_y.user.id)
    target = subscriptions.unsubscribe_target(token, session=session)
    assert target.email_hint == "y***@example.com" and target.paused is False
    assert session.get(MailSettings, world.vendor_y.user.id) is None
    for bad in ("", "abc", token + "x", f"{world.vendor_x.user.id}.{token.partition('.')[2]}"):
        with pytest.raises(RuleViolation):
            subscriptions.unsubscribe_target(bad, session=session)
    subscriptions.apply_unsubscribe(token, session=session)
    assert subscriptions.unsubscribe_target(token, session=session).paused is True


def test_the_pure_checks_the_pages_probe(world):
    subscriptions.check_room(subscriptions.MAX_SUBSCRIPTIONS - 1)
    with pytest.raises(RuleViolation):
        subscriptions.check_room(subscriptions.MAX_SUBSCRIPTIONS)
    outbox.check_requeue(world.authority.actor, str(OutboxState.FAILED))
    with pytest.raises(RuleViolation):
        outbox.check_requeue(world.authority.actor, str(OutboxState.QUEUED))
    with pytest.raises(PermissionDenied):
        outbox.check_requeue(world.vendor_x.actor, str(OutboxState.FAILED))
