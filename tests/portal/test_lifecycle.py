"""Every legal and illegal state transition of every state machine.

For each machine and each (from, to) pair of its states:

* a legal edge succeeds through the real service (the door where no service exists), with the right
  actor and a reason where one is required; the status history row and the audit row are written in
  the same transaction: rolling it back removes both and restores the status;
* an illegal edge raises ``InvalidTransition`` naming the current and requested state in Chinese and
  English, and writes nothing.

The objects in every state are built once per module (``shared_db``); each test is rolled back.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from portal import clock
from portal.domain.errors import InvalidTransition, RuleViolation
from portal.domain.lifecycle import MACHINES
from portal.i18n import t
from portal.models import (
    AuditEvent,
    Bid,
    BidStatus,
    Call,
    CallStatus,
    Offer,
    OfferStatus,
    Organization,
    Scenario,
    ScenarioStatus,
    Showcase,
    ShowcaseStatus,
    StatusChange,
    Verification,
)
from portal.services import accounts, bids, calls, offers, outcomes, scenarios
from portal.services.door import transition
from tests.factories import World, after, bid_data, make_party, scenario_in
from tests.portal.fingerprint import changed_tables, db_fingerprint

S, B, SC, C, V = ScenarioStatus, BidStatus, ShowcaseStatus, CallStatus, Verification
MODELS = {
    "scenario": Scenario,
    "bid": Bid,
    "showcase": Showcase,
    "call": Call,
    "offer": Offer,
    "organization": Organization,
}
OF = OfferStatus
OFFER = {
    "title": "远程影像云平台",
    "description": "基于云原生架构的远程影像诊断平台，支持AI辅助阅片与分级诊疗协同。",
    "sectors": ["smart-health"],
    "regions": ["province"],
}
REASON = "业务调整，需要变更状态"


def _call_data(theme: str) -> dict[str, Any]:
    today = clock.today()
    return {"theme": theme, "opens_on": today - timedelta(days=5), "closes_on": today + timedelta(days=25)}


def _published_call(session: Session, w: World, theme: str) -> Call:
    """A call with one published scenario in it, closed (ready to publish its list)."""
    call = calls.create_call(w.authority.actor, _call_data(theme), session=session)
    session.commit()
    scenario_in(session, w, S.PUBLISHED, call_id=call.id)
    calls.close_call(w.authority.actor, call.id, session=session)
    session.commit()
    return call


@pytest.fixture(scope="module")
def objs(shared_session: Session, shared_world: World) -> dict[str, Any]:
    """Ids of objects in every state of every machine, plus the named ones the legal edges need."""
    s, w = shared_session, shared_world
    x, owner = w.vendor_x.actor, w.dept_a.actor
    out: dict[str, Any] = {name: {} for name in MACHINES}
    for status in S:
        out["scenario"][status] = scenario_in(s, w, status).id

    def open_bid(*steps: str) -> int:
        sc = scenario_in(s, w, S.PUBLISHED)
        bid = bids.save_bid(x, sc.id, bid_data(), session=s)
        for step in steps:
            getattr(bids, f"{step}_bid")(x, bid.id, session=s)
        s.commit()
        return bid.id

    out["bid"][B.DRAFT] = open_bid()
    out["bid"][B.SUBMITTED] = out["open_submitted"] = open_bid("submit")
    out["bid"][B.WITHDRAWN] = open_bid("submit", "withdraw")
    closed = scenario_in(s, w, S.CLOSED)
    out["closed_submitted"] = bids.my_bid(x, closed.id, session=s).id
    shortlist_sc = scenario_in(s, w, S.CLOSED)
    out["bid"][B.SHORTLISTED] = bids.my_bid(x, shortlist_sc.id, session=s).id
    bids.shortlist_bid(owner, out["bid"][B.SHORTLISTED], session=s)
    awarded = scenario_in(s, w, S.AWARDED)
    out["bid"][B.AWARDED] = bids.awarded_bid(s, awarded.id).id
    out["bid"][B.UNSUCCESSFUL] = bids.my_bid(x, awarded.id, session=s).id  # x priced higher: lost
    s.commit()

    story = {"title": "远程影像示范案例", "story": "平台覆盖88个乡镇卫生院，报告出具时间缩短至1.2小时。"}
    draft = outcomes.propose_showcase(owner, scenario_in(s, w, S.COMPLETED).id, story, session=s)
    review = outcomes.propose_showcase(owner, scenario_in(s, w, S.COMPLETED).id, story, session=s)
    outcomes.submit_showcase(owner, review.id, session=s)
    published = s.exec(select(Showcase).where(Showcase.scenario_id == out["scenario"][S.SHOWCASED])).one()
    out["showcase"] = {SC.DRAFT: draft.id, SC.IN_REVIEW: review.id, SC.PUBLISHED: published.id}
    s.commit()

    open_call = calls.create_call(w.authority.actor, _call_data("第一批公共数据应用场景征集"), session=s)
    s.commit()
    closed_call = _published_call(s, w, "第二批公共数据应用场景征集")
    published_call = _published_call(s, w, "第三批公共数据应用场景征集")
    calls.publish_call_list(w.authority.actor, published_call.id, session=s)
    out["call"] = {C.OPEN: open_call.id, C.CLOSED: closed_call.id, C.PUBLISHED: published_call.id}
    active = offers.create_offer(x, OFFER, session=s)
    retired = offers.create_offer(x, OFFER, session=s)
    offers.set_offer_active(x, retired.id, False, session=s)
    out["offer"] = {OF.ACTIVE: active.id, OF.RETIRED: retired.id}
    s.commit()

    vendors = {
        V.PENDING: make_party(s, "vendor", "六盘水待审科技有限公司", "lc_pending", verified=False, seed=91),
        V.VERIFIED: make_party(s, "vendor", "六盘水认证科技有限公司", "lc_verified", seed=92),
        V.REJECTED: make_party(s, "vendor", "六盘水驳回科技有限公司", "lc_rejected", verified=False, seed=93),
    }
    accounts.verify_vendor(w.authority.actor, vendors[V.REJECTED].org.id, False, REASON, session=s)
    s.commit()
    out["organization"] = {state: party.org.id for state, party in vendors.items()}
    out["org_actor"] = {state: party.actor for state, party in vendors.items()}
    return out


# ----------------------------------------------------------------------------- legal edges

Perform = Callable[[Session, World, dict[str, Any]], int]  # returns the id of the object that moved


def _sc(status: str, fn: Callable[[Session, World, int], Any]) -> Perform:
    def perform(s: Session, w: World, o: dict[str, Any]) -> int:
        fn(s, w, o["scenario"][status])
        return o["scenario"][status]

    return perform


def _close(s: Session, w: World, sid: int) -> None:
    scenario = s.get(Scenario, sid)
    with clock.frozen(after((scenario.closing_date - clock.today()).days + 1)):
        scenarios.close_scenario(w.dept_a.actor, sid, session=s)


def _complete(s: Session, w: World, sid: int) -> None:
    outcomes.record_outcome(w.dept_a.actor, sid, {"contract_value": 900_000, "summary": "已上线"}, session=s)
    outcomes.complete_scenario(w.dept_a.actor, sid, session=s)


def _showcase(s: Session, w: World, sid: int) -> None:
    data = {"title": "示范场景材料", "story": "平台已覆盖全省，成效显著，形成可复制推广的经验做法。"}
    shc = outcomes.propose_showcase(w.dept_a.actor, sid, data, session=s)
    outcomes.submit_showcase(w.dept_a.actor, shc.id, session=s)
    outcomes.publish_showcase(w.authority.actor, shc.id, session=s)


def _award_first(s: Session, w: World, sid: int) -> None:
    winner = bids.list_bids(w.dept_a.actor, sid, session=s)[0]
    bids.award_bid(w.dept_a.actor, winner.id, session=s)


def _withdraw(s: Session, w: World, sid: int) -> None:
    scenarios.withdraw_scenario(w.dept_a.actor, sid, REASON, session=s)


def _cancel(s: Session, w: World, sid: int) -> None:
    scenarios.cancel_scenario(w.dept_a.actor, sid, REASON, session=s)


def _bid(key: str, fn: Callable[[Session, World, int], Any]) -> Perform:
    def perform(s: Session, w: World, o: dict[str, Any]) -> int:
        bid_id = o[key] if isinstance(key, str) and key in o else o["bid"][key]
        fn(s, w, bid_id)
        return bid_id

    return perform


def _scenario_of(s: Session, bid_id: int) -> int:
    return s.get(Bid, bid_id).scenario_id


def _obj(machine: str, status: str, fn: Callable[[Session, World, int], Any]) -> Perform:
    def perform(s: Session, w: World, o: dict[str, Any]) -> int:
        fn(s, w, o[machine][status])
        return o[machine][status]

    return perform


def _own_org_edit(status: str, changes: dict[str, Any]) -> Perform:
    """The vendor edits its own profile (a rename, or a correction after a rejection)."""

    def perform(s: Session, w: World, o: dict[str, Any]) -> int:
        org_id = o["organization"][status]
        accounts.update_organization(
            o["org_actor"][status], org_id, changes, expected_version=None, session=s
        )
        return org_id

    return perform


def _state(obj: Any) -> str:
    """The machine's state of ``obj`` (``status``, or ``verification`` for an organisation)."""
    return getattr(obj, MACHINES[obj.__tablename__].field)


A = "authority"
LEGAL: dict[tuple[str, str, str], Perform] = {
    ("scenario", S.DRAFT, S.SUBMITTED): _sc(
        S.DRAFT, lambda s, w, i: scenarios.submit_scenario(w.dept_a.actor, i, session=s)
    ),
    ("scenario", S.DRAFT, S.WITHDRAWN): _sc(S.DRAFT, _withdraw),
    ("scenario", S.SUBMITTED, S.PUBLISHED): _sc(
        S.SUBMITTED, lambda s, w, i: scenarios.publish_scenario(w.authority.actor, i, session=s)
    ),
    ("scenario", S.SUBMITTED, S.CHANGES_REQUESTED): _sc(
        S.SUBMITTED, lambda s, w, i: scenarios.request_changes(w.authority.actor, i, REASON, session=s)
    ),
    ("scenario", S.SUBMITTED, S.WITHDRAWN): _sc(S.SUBMITTED, _withdraw),
    ("scenario", S.CHANGES_REQUESTED, S.SUBMITTED): _sc(
        S.CHANGES_REQUESTED, lambda s, w, i: scenarios.submit_scenario(w.dept_a.actor, i, session=s)
    ),
    ("scenario", S.CHANGES_REQUESTED, S.WITHDRAWN): _sc(S.CHANGES_REQUESTED, _withdraw),
    ("scenario", S.PUBLISHED, S.CLOSED): _sc(S.PUBLISHED, _close),
    ("scenario", S.PUBLISHED, S.CANCELLED): _sc(S.PUBLISHED, _cancel),
    ("scenario", S.CLOSED, S.AWARDED): _sc(S.CLOSED, _award_first),
    ("scenario", S.CLOSED, S.NONE_SUITABLE): _sc(
        S.CLOSED, lambda s, w, i: bids.declare_none_suitable(w.dept_a.actor, i, REASON, session=s)
    ),
    ("scenario", S.CLOSED, S.CANCELLED): _sc(S.CLOSED, _cancel),
    ("scenario", S.AWARDED, S.IN_IMPLEMENTATION): _sc(
        S.AWARDED, lambda s, w, i: outcomes.start_implementation(w.dept_a.actor, i, session=s)
    ),
    ("scenario", S.AWARDED, S.CANCELLED): _sc(S.AWARDED, _cancel),
    ("scenario", S.IN_IMPLEMENTATION, S.COMPLETED): _sc(S.IN_IMPLEMENTATION, _complete),
    ("scenario", S.IN_IMPLEMENTATION, S.CANCELLED): _sc(S.IN_IMPLEMENTATION, _cancel),
    ("scenario", S.COMPLETED, S.SHOWCASED): _sc(S.COMPLETED, _showcase),
    ("bid", B.DRAFT, B.SUBMITTED): _bid(
        B.DRAFT, lambda s, w, i: bids.submit_bid(w.vendor_x.actor, i, session=s)
    ),
    ("bid", B.DRAFT, B.WITHDRAWN): _bid(
        B.DRAFT, lambda s, w, i: bids.withdraw_bid(w.vendor_x.actor, i, session=s)
    ),
    ("bid", B.SUBMITTED, B.WITHDRAWN): _bid(
        "open_submitted", lambda s, w, i: bids.withdraw_bid(w.vendor_x.actor, i, session=s)
    ),
    ("bid", B.WITHDRAWN, B.DRAFT): _bid(
        B.WITHDRAWN, lambda s, w, i: bids.save_bid(w.vendor_x.actor, _scenario_of(s, i), {}, session=s)
    ),
    ("bid", B.SUBMITTED, B.SHORTLISTED): _bid(
        "closed_submitted", lambda s, w, i: bids.shortlist_bid(w.dept_a.actor, i, session=s)
    ),
    ("bid", B.SHORTLISTED, B.SUBMITTED): _bid(
        B.SHORTLISTED, lambda s, w, i: bids.shortlist_bid(w.dept_a.actor, i, False, session=s)
    ),
    ("bid", B.SUBMITTED, B.AWARDED): _bid(
        "closed_submitted", lambda s, w, i: bids.award_bid(w.dept_a.actor, i, session=s)
    ),
    ("bid", B.SHORTLISTED, B.AWARDED): _bid(
        B.SHORTLISTED, lambda s, w, i: bids.award_bid(w.dept_a.actor, i, session=s)
    ),
    ("bid", B.SUBMITTED, B.UNSUCCESSFUL): _bid(
        "closed_submitted",
        lambda s, w, i: bids.declare_none_suitable(w.dept_a.actor, _scenario_of(s, i), REASON, session=s),
    ),
    ("bid", B.SHORTLISTED, B.UNSUCCESSFUL): _bid(
        B.SHORTLISTED,
        lambda s, w, i: bids.declare_none_suitable(w.dept_a.actor, _scenario_of(s, i), REASON, session=s),
    ),
    ("showcase", SC.DRAFT, SC.IN_REVIEW): _obj(
        "showcase", SC.DRAFT, lambda s, w, i: outcomes.submit_showcase(w.dept_a.actor, i, session=s)
    ),
    ("showcase", SC.IN_REVIEW, SC.DRAFT): _obj(
        "showcase",
        SC.IN_REVIEW,
        lambda s, w, i: outcomes.return_showcase(w.authority.actor, i, REASON, session=s),
    ),
    ("showcase", SC.IN_REVIEW, SC.PUBLISHED): _obj(
        "showcase", SC.IN_REVIEW, lambda s, w, i: outcomes.publish_showcase(w.authority.actor, i, session=s)
    ),
    ("showcase", SC.PUBLISHED, SC.DRAFT): _obj(
        "showcase",
        SC.PUBLISHED,
        lambda s, w, i: outcomes.return_showcase(w.authority.actor, i, REASON, session=s),
    ),
    ("call", C.OPEN, C.CLOSED): _obj(
        "call", C.OPEN, lambda s, w, i: calls.close_call(w.authority.actor, i, session=s)
    ),
    ("organization", V.PENDING, V.VERIFIED): _obj(
        "organization",
        V.PENDING,
        lambda s, w, i: accounts.verify_vendor(w.authority.actor, i, True, session=s),
    ),
    ("organization", V.PENDING, V.REJECTED): _obj(
        "organization",
        V.PENDING,
        lambda s, w, i: accounts.verify_vendor(w.authority.actor, i, False, REASON, session=s),
    ),
    ("organization", V.VERIFIED, V.REJECTED): _obj(
        "organization",
        V.VERIFIED,
        lambda s, w, i: accounts.verify_vendor(w.authority.actor, i, False, REASON, session=s),
    ),
    ("organization", V.REJECTED, V.VERIFIED): _obj(
        "organization",
        V.REJECTED,
        lambda s, w, i: accounts.verify_vendor(w.authority.actor, i, True, session=s),
    ),
    ("organization", V.VERIFIED, V.PENDING): _own_org_edit(V.VERIFIED, {"name": "六盘水更名科技有限公司"}),
    ("organization", V.REJECTED, V.PENDING): _own_org_edit(
        V.REJECTED, {"description": "补充了营业执照说明。"}
    ),
    # No service reopens a call (an administrator's correction): the door itself is the interface.
    ("call", C.CLOSED, C.OPEN): _obj(
        "call",
        C.CLOSED,
        lambda s, w, i: transition(s, s.get(Call, i), C.OPEN, actor=w.authority.actor, reason=REASON),
    ),
    ("call", C.CLOSED, C.PUBLISHED): _obj(
        "call", C.CLOSED, lambda s, w, i: calls.publish_call_list(w.authority.actor, i, session=s)
    ),
    ("offer", OF.ACTIVE, OF.RETIRED): _obj(
        "offer", OF.ACTIVE, lambda s, w, i: offers.set_offer_active(w.vendor_x.actor, i, False, session=s)
    ),
    ("offer", OF.RETIRED, OF.ACTIVE): _obj(
        "offer", OF.RETIRED, lambda s, w, i: offers.set_offer_active(w.vendor_x.actor, i, True, session=s)
    ),
}

ALL_PAIRS = [
    (name, frm, to)
    for name, m in MACHINES.items()
    for frm, to in itertools.product(sorted(m.states()), repeat=2)
]
ILLEGAL = [(name, frm, to) for name, frm, to in ALL_PAIRS if (frm, to) not in MACHINES[name].transitions]
REASONED = [
    (name, frm, to)
    for name, m in MACHINES.items()
    for (frm, to), r in m.transitions.items()
    if r.reason_required
]


def _pid(case: tuple[str, str, str]) -> str:
    return f"{case[0]}:{case[1]}->{case[2]}"


def test_every_legal_edge_has_a_case_and_every_state_an_object(objs):
    declared = {(name, frm, to) for name, m in MACHINES.items() for (frm, to) in m.transitions}
    assert declared == {(n, str(f), str(t_)) for n, f, t_ in LEGAL}
    for name, machine in MACHINES.items():
        assert set(machine.states()) <= set(objs[name]), name


def _history(s: Session, kind: str, obj_id: int, frm: str, to: str) -> list[StatusChange]:
    return list(
        s.exec(
            select(StatusChange).where(
                StatusChange.object_type == kind,
                StatusChange.object_id == obj_id,
                StatusChange.from_status == frm,
                StatusChange.to_status == to,
            )
        ).all()
    )


def _audit(s: Session, kind: str, obj_id: int, frm: str, to: str) -> list[AuditEvent]:
    rows = s.exec(
        select(AuditEvent).where(
            AuditEvent.event == f"{kind}.{to}", AuditEvent.object_type == kind, AuditEvent.object_id == obj_id
        )
    ).all()
    return [r for r in rows if r.payload.get("from_status") == frm]


@pytest.mark.parametrize("case", list(LEGAL), ids=_pid)
def test_legal_transition_writes_status_history_and_audit_in_one_transaction(db, shared_world, objs, case):
    kind, frm, to = case
    model = MODELS[kind]
    obj_id = LEGAL[case](db, shared_world, objs)
    db.flush()
    obj = db.get(model, obj_id)
    assert _state(obj) == to
    changes = _history(db, kind, obj_id, frm, to)
    assert len(changes) == 1
    assert changes[0].actor_id is not None
    if MACHINES[kind].transitions[(frm, to)].reason_required:
        assert changes[0].reason == REASON
    assert len(_audit(db, kind, obj_id, frm, to)) == 1

    db.rollback()
    assert _state(db.get(model, obj_id)) == frm
    assert _history(db, kind, obj_id, frm, to) == []
    assert _audit(db, kind, obj_id, frm, to) == []


@pytest.mark.parametrize("case", ILLEGAL, ids=_pid)
def test_illegal_transition_is_refused_by_name_and_writes_nothing(db, shared_world, objs, case):
    kind, frm, to = case
    obj = db.get(MODELS[kind], objs[kind][frm])
    before = db_fingerprint(db)
    with pytest.raises(InvalidTransition) as info:
        transition(db, obj, to, actor=shared_world.authority.actor, reason=REASON)
    labels = MACHINES[kind].labels
    for lang in ("zh", "en"):
        message = info.value.message(lang)
        assert t(f"{labels}.{frm}", lang) in message
        assert t(f"{labels}.{to}", lang) in message
        assert t(f"object.{kind}", lang) in message
        assert f"{labels}." not in message  # every label is translated, none shown as a raw key
    assert str(info.value) == info.value.message("en")
    assert changed_tables(before, db_fingerprint(db)) == []
    assert _state(db.get(MODELS[kind], objs[kind][frm])) == frm


@pytest.mark.parametrize("case", REASONED, ids=_pid)
@pytest.mark.parametrize("reason", ["", "   \n\t "])
def test_reason_required_edges_refuse_a_blank_reason(db, shared_world, objs, case, reason):
    kind, frm, to = case
    obj = db.get(MODELS[kind], objs[kind][frm])
    before = db_fingerprint(db)
    with pytest.raises(RuleViolation) as info:
        transition(db, obj, to, actor=shared_world.authority.actor, reason=reason)
    assert info.value.key == "error.reason_required"
    assert t(f"{MACHINES[kind].labels}.{to}", "zh") in info.value.message("zh")
    assert changed_tables(before, db_fingerprint(db)) == []


def test_a_reason_over_the_limit_is_refused(db, shared_world, objs):
    obj = db.get(Scenario, objs["scenario"][S.PUBLISHED])
    before = db_fingerprint(db)
    with pytest.raises(RuleViolation) as info:
        scenarios.cancel_scenario(shared_world.dept_a.actor, obj.id, "长" * 2001, session=db)
    assert info.value.key == "error.reason_too_long"
    assert changed_tables(before, db_fingerprint(db)) == []


def test_the_service_refuses_what_the_machine_refuses(db, shared_world, objs):
    """A service asked for an illegal step fails with the door's message, e.g. publish a draft."""
    with pytest.raises(InvalidTransition) as info:
        scenarios.publish_scenario(shared_world.authority.actor, objs["scenario"][S.DRAFT], session=db)
    assert info.value.message("en") == "Cannot change scenario from 'Draft' to 'Published (open)'."
    assert info.value.message("zh") == "无法将场景从“草稿”变更为“已发布（揭榜中）”。"
