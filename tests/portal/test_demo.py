"""The demo data set: big enough, diverse, consistent with the rules, and loaded idempotently."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from sqlmodel import Session, col, select

from portal import taxonomy
from portal.demo import DEMO_MAIL_DOMAIN, load_demo
from portal.domain.lifecycle import BID, SCENARIO
from portal.domain.uscc import is_valid_uscc
from portal.models import (
    Bid,
    BidStatus,
    Offer,
    OfferCreate,
    Organization,
    OrgKind,
    Outcome,
    Question,
    Scenario,
    ScenarioCreate,
    ScenarioStatus,
    Showcase,
    ShowcaseStatus,
    StatusChange,
    User,
)
from portal.services import offers as offer_service
from portal.services import scenarios as scenario_service
from portal.services import subscriptions
from tests.portal.fingerprint import changed_tables, db_fingerprint

S = ScenarioStatus
AWARDED_OR_LATER = {S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED, S.SHOWCASED}


@pytest.fixture(scope="module")
def demo(shared_session: Session) -> Session:
    report = load_demo(shared_session)
    shared_session.commit()
    assert report.total > 0
    return shared_session


def test_a_second_load_creates_nothing(demo):
    before = db_fingerprint(demo)
    report = load_demo(demo)
    assert (report.total, report.created) == (0, {})
    assert changed_tables(before, db_fingerprint(demo)) == []
    demo.rollback()


def test_sizes_meet_the_minimums(demo):
    scenarios = demo.exec(select(Scenario)).all()
    offers = demo.exec(select(Offer)).all()
    assert len(scenarios) >= 80
    assert len(offers) >= 150
    assert len({o.vendor_org_id for o in offers}) >= 50
    assert sum(o.language == "en" for o in offers) >= 0.10 * len(offers)
    assert len(demo.exec(select(Bid)).all()) >= 30
    assert len(demo.exec(select(Question).where(col(Question.answer).is_not(None))).all()) >= 10
    assert len(demo.exec(select(Outcome)).all()) >= 5
    published = demo.exec(select(Showcase).where(Showcase.status == ShowcaseStatus.PUBLISHED)).all()
    assert len(published) >= 8


def test_every_sector_region_and_status_is_used(demo):
    scenarios = demo.exec(select(Scenario)).all()
    assert {s.sector for s in scenarios} == set(taxonomy.sectors())
    assert {s.region for s in scenarios} == set(taxonomy.regions())
    assert {s.status for s in scenarios} == set(S)


def test_demo_content_passes_the_services_validation(demo):
    for sc in demo.exec(select(Scenario)).all():
        data = {name: getattr(sc, name) for name in ScenarioCreate.model_fields}
        scenario_service.validate_scenario(data, demo)
    for offer in demo.exec(select(Offer)).all():
        offer_service.validate_offer({name: getattr(offer, name) for name in OfferCreate.model_fields})
    vendors = demo.exec(select(Organization).where(Organization.kind == OrgKind.VENDOR)).all()
    bad = [v.name for v in vendors if not is_valid_uscc(v.uscc or "")]
    assert bad == []


def _paths(demo: Session, kind: str) -> dict[int, list[StatusChange]]:
    rows = demo.exec(
        select(StatusChange)
        .where(StatusChange.object_type == kind)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    out: dict[int, list[StatusChange]] = defaultdict(list)
    for row in rows:
        out[row.object_id].append(row)
    return out


@pytest.mark.parametrize(("kind", "model", "machine"), [("scenario", Scenario, SCENARIO), ("bid", Bid, BID)])
def test_every_status_history_is_a_legal_path(demo, kind, model, machine):
    paths = _paths(demo, kind)
    problems = []
    for obj in demo.exec(select(model)).all():
        current = "draft"
        for step in paths.get(obj.id, []):
            if step.from_status != current or (step.from_status, step.to_status) not in machine.transitions:
                problems.append(f"{kind} {obj.id}: {step.from_status} -> {step.to_status} after {current}")
            current = step.to_status
        if current != obj.status:
            problems.append(f"{kind} {obj.id}: history ends at {current}, status is {obj.status}")
    assert problems == []


def test_awards_outcomes_and_showcases_are_consistent(demo):
    scenarios = {s.id: s for s in demo.exec(select(Scenario)).all()}
    awarded = Counter(
        b.scenario_id for b in demo.exec(select(Bid).where(Bid.status == BidStatus.AWARDED)).all()
    )
    for sc in scenarios.values():
        assert awarded[sc.id] == (1 if sc.status in AWARDED_OR_LATER else 0), (sc.demo_key, sc.status)
    for outcome in demo.exec(select(Outcome)).all():
        assert scenarios[outcome.scenario_id].status in AWARDED_OR_LATER
        winner = demo.get(Bid, outcome.bid_id)
        assert winner is not None and winner.status == BidStatus.AWARDED
    for showcase in demo.exec(select(Showcase)).all():
        expected = S.SHOWCASED if showcase.status == ShowcaseStatus.PUBLISHED else S.COMPLETED
        assert scenarios[showcase.scenario_id].status == expected
    for bid in demo.exec(select(Bid)).all():  # no bid on a scenario that was never published
        assert scenarios[bid.scenario_id].published_at is not None


def test_only_verified_vendors_bid_in_the_demo(demo):
    """Verification holds at every bid step: a pending vendor has no bid, let alone a shortlisted one."""
    vendors = {o.id: o for o in demo.exec(select(Organization).where(Organization.kind == OrgKind.VENDOR))}
    unverified = {i for i, o in vendors.items() if o.verification != "verified"}
    assert unverified  # the vendors page has someone to review
    assert [b.id for b in demo.exec(select(Bid)).all() if b.vendor_org_id in unverified] == []


def test_every_demo_user_has_an_address_of_a_reserved_domain(demo):
    users = demo.exec(select(User).where(User.is_demo == True)).all()  # noqa: E712
    addresses = [u.email for u in users]
    assert len(users) >= 80 and len(set(addresses)) == len(users)
    for user in users:
        assert user.email == f"{user.username}@{DEMO_MAIL_DOMAIN}"
        assert subscriptions.check_email(user.email) == user.email
