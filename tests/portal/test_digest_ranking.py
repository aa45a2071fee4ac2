"""The daily digest ranks the new scenarios by the real matching engine and says why.

The vendor's offer is about adaptive traffic signals; it follows both sectors, so both new
scenarios are in its digest. The traffic scenario was published first: newest-first order would
list the elderly-care one on top, so the order in the body is the engine's.
"""

from __future__ import annotations

import pytest

from portal.db import session_scope
from portal.i18n import t
from portal.models import ScenarioStatus
from portal.services import digests, offers, outbox, subscriptions
from tests.factories import scenario_in
from tests.mailserver import MailServer
from tests.portal.test_matchmaking import ELDERLY, OFFER_TRAFFIC, TRAFFIC


@pytest.fixture
def smtp(monkeypatch):
    with MailServer() as srv:
        monkeypatch.setenv("PORTAL_SMTP_URL", srv.url)
        yield srv


@pytest.fixture
def digest_of_x(engine, session, world, smtp) -> str:
    """Vendor X's digest body (text part), sent through the loopback server."""
    x = world.vendor_x.actor
    prefs = subscriptions.get_prefs(x, session=session)
    subscriptions.save_prefs(
        x, email="x@vendor.example.com", channels=prefs.channels, profile_sectors=False, session=session
    )
    for sector in ("smart-transport", "smart-elderly"):
        subscriptions.subscribe(x, "sector", sector, session=session)
    offers.create_offer(x, OFFER_TRAFFIC, session=session)
    session.commit()
    scenario_in(session, world, ScenarioStatus.PUBLISHED, owner=world.dept_b, **TRAFFIC)
    scenario_in(session, world, ScenarioStatus.PUBLISHED, **ELDERLY)  # newer: first without ranking

    report = digests.send_digests(lambda: session_scope(engine))
    assert report.sent == 1
    assert outbox.deliver_due(lambda: session_scope(engine)).sent == 1
    [msg] = smtp.inbox.to("x@vendor.example.com")
    return msg.get_body(("plain",)).get_content()


def test_the_better_match_comes_first_with_the_engines_reason(digest_of_x):
    body = digest_of_x
    a, b = body.index(TRAFFIC["title"]), body.index(ELDERLY["title"])
    assert a < b  # ranked by the engine, not by recency
    line_a = next(line for line in body.splitlines() if TRAFFIC["title"] in line)
    sector = t("mail.reason.sector", "zh", sector="智慧交通")  # why it is in the digest at all
    content = [t(f"match.{k}", "zh", score="").strip("（）() ") for k in ("semantic", "lexical")]
    assert sector in line_a
    assert any(c in line_a for c in content), line_a  # and the engine's reason for its rank
