"""The permission matrix: each service action × each role × own / other organization's object.

Every cell asserts the outcome a user would see: an allowed call works (and, for a write, writes
something); a refused call raises ``PermissionDenied`` (``NotAuthenticated`` for anonymous visitors,
``NotFound`` where the object's existence must stay hidden) and writes nothing at all (full-database
fingerprint before and after). Each call must also have checked the named ``Action`` (datasette style).

Objects belong to department A (scenarios) and vendor X (bids, offers): "own" roles are
department A and vendor X, "other" roles department B and vendor Y.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from portal import clock
from portal.domain.errors import NotAuthenticated, NotFound, PermissionDenied
from portal.models import Scenario, ScenarioStatus
from portal.permissions import ANONYMOUS, Action, Actor, record_checks
from portal.services import accounts, bids, calls, notifications, offers, outcomes, questions, scenarios
from portal.services import attachments as att
from tests.factories import PASSWORD, World, after, bid_data, scenario_data, scenario_in, uscc
from tests.portal.fingerprint import changed_tables, db_fingerprint

S = ScenarioStatus
ROLES = ("anonymous", "authority", "dept_own", "dept_other", "vendor_own", "vendor_other", "vendor_pending")
ANON, AUTH, DOWN, DOTH, VOWN, VOTH, VPEN = ROLES
DEPTS = {DOWN, DOTH}
VENDORS = {VOWN, VOTH, VPEN}
LOGGED_IN = set(ROLES) - {ANON}


def actor_of(w: World, role: str) -> Actor:
    return {
        ANON: ANONYMOUS,
        AUTH: w.authority.actor,
        DOWN: w.dept_a.actor,
        DOTH: w.dept_b.actor,
        VOWN: w.vendor_x.actor,
        VOTH: w.vendor_y.actor,
        VPEN: w.vendor_p.actor,
    }[role]


OFFER = {
    "title": "远程影像云平台",
    "description": "基于云原生架构的远程影像诊断平台，支持AI辅助阅片与分级诊疗协同。",
    "sectors": ["smart-health"],
    "regions": ["province"],
}
SHOWCASE = {"title": "远程影像示范", "story": "平台覆盖88个乡镇卫生院，报告出具时间缩短至1.2小时。"}


@pytest.fixture(scope="module")
def mx(shared_session: Session, shared_world: World) -> dict[str, int]:
    """One object per precondition the matrix needs (ids), committed once for the module."""
    s, w = shared_session, shared_world
    x, owner = w.vendor_x.actor, w.dept_a.actor
    o: dict[str, int] = {}
    for status in (S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.CLOSED, S.AWARDED, S.COMPLETED):
        o[status] = scenario_in(s, w, status).id
    o["pub_draft_bid"] = scenario_in(s, w, S.PUBLISHED).id
    o["draft_bid"] = bids.save_bid(x, o["pub_draft_bid"], bid_data(), session=s).id
    o["pub_submitted_bid"] = scenario_in(s, w, S.PUBLISHED).id
    o["submitted_bid"] = bids.save_bid(x, o["pub_submitted_bid"], bid_data(), session=s).id
    bids.submit_bid(x, o["submitted_bid"], session=s)
    o["closed_bid"] = bids.my_bid(x, o[S.CLOSED], session=s).id
    o["question"] = questions.ask_question(x, o[S.PUBLISHED], "数据接口采用什么标准？", session=s).id
    o["implementing"] = scenario_in(s, w, S.IN_IMPLEMENTATION).id
    outcomes.record_outcome(owner, o["implementing"], {"contract_value": 900_000}, session=s)
    o["showcase_draft"] = outcomes.propose_showcase(
        owner, scenario_in(s, w, S.COMPLETED).id, SHOWCASE, session=s
    ).id
    o["showcase_review"] = outcomes.propose_showcase(
        owner, scenario_in(s, w, S.COMPLETED).id, SHOWCASE, session=s
    ).id
    outcomes.submit_showcase(owner, o["showcase_review"], session=s)
    o["offer"] = offers.create_offer(x, OFFER, session=s).id
    today = clock.today()
    call = calls.create_call(
        w.authority.actor,
        {"theme": "第一批场景征集", "opens_on": today, "closes_on": today + timedelta(days=20)},
        session=s,
    )
    o["call"] = call.id
    o["call_closed"] = calls.create_call(
        w.authority.actor,
        {"theme": "第二批场景征集", "opens_on": today, "closes_on": today + timedelta(days=20)},
        session=s,
    ).id
    s.commit()
    scenario_in(s, w, S.PUBLISHED, call_id=o["call_closed"])
    calls.close_call(w.authority.actor, o["call_closed"], session=s)
    s.commit()
    # attachments: an annex on a draft and on a published scenario, proposals sealed and unsealed, a licence
    pdf = b"%PDF-1.7\n% matrix\n"
    o["annex_draft"] = att.upload(owner, "scenario", o[S.DRAFT], "annex", "附件.pdf", pdf, session=s).id
    annexed = scenario_in(s, w, S.DRAFT).id
    o["annex_public"] = att.upload(owner, "scenario", annexed, "annex", "公开附件.pdf", pdf, session=s).id
    scenarios.submit_scenario(owner, annexed, session=s)
    scenarios.publish_scenario(w.authority.actor, annexed, session=s)
    o["proposal_sealed"] = att.upload(x, "bid", o["submitted_bid"], "proposal", "方案.pdf", pdf, session=s).id
    unsealed = scenario_in(s, w, S.PUBLISHED).id
    bid = bids.save_bid(x, unsealed, bid_data(), session=s)
    bids.submit_bid(x, bid.id, session=s)
    o["proposal_unsealed"] = att.upload(x, "bid", bid.id, "proposal", "方案.pdf", pdf, session=s).id
    with _past_closing(s, unsealed):
        scenarios.close_scenario(owner, unsealed, session=s)
    o["licence"] = att.upload(x, "organization", w.vendor_x.org.id, "licence", "执照.pdf", pdf, session=s).id
    s.commit()
    return o


def _past_closing(s: Session, scenario_id: int):  # type: ignore[no-untyped-def]
    closing = s.get(Scenario, scenario_id).closing_date
    return clock.frozen(after((closing - clock.today()).days + 1))


def _close(s: Session, w: World, o: dict[str, int], a: Actor) -> Any:
    with _past_closing(s, o[S.PUBLISHED]):
        return scenarios.close_scenario(a, o[S.PUBLISHED], session=s)


@dataclass(frozen=True)
class Case:
    name: str
    action: Action
    allowed: frozenset[str]
    run: Callable[[Session, World, dict[str, int], Actor], Any]
    writes: bool = True
    hidden: bool = False  # refused as NotFound: the object's existence is not revealed

    def __str__(self) -> str:
        return self.name


def case(name: str, action: Action, allowed: set[str], run: Callable, **kw: Any) -> Case:  # type: ignore[type-arg]
    return Case(name, action, frozenset(allowed), run, **kw)


_PDF = b"%PDF-1.7\n% cell\n"


def _version(s: Session, model: type, obj_id: int) -> int:
    return s.get(model, obj_id).version


CASES = [
    # ------------------------------------------------------------------ scenarios
    case(
        "create_scenario",
        Action.SCENARIO_CREATE,
        DEPTS,
        lambda s, w, o, a: scenarios.create_scenario(a, scenario_data(), session=s),
    ),
    case(
        "update_scenario",
        Action.SCENARIO_EDIT,
        {DOWN},
        lambda s, w, o, a: scenarios.update_scenario(
            a,
            o[S.DRAFT],
            {"title": "新标题：远程影像"},
            expected_version=_version(s, Scenario, o[S.DRAFT]),
            session=s,
        ),
    ),
    case(
        "submit_scenario",
        Action.SCENARIO_SUBMIT,
        {DOWN},
        lambda s, w, o, a: scenarios.submit_scenario(a, o[S.DRAFT], session=s),
    ),
    case(
        "withdraw_scenario",
        Action.SCENARIO_WITHDRAW,
        {DOWN},
        lambda s, w, o, a: scenarios.withdraw_scenario(a, o[S.DRAFT], "不再需要", session=s),
    ),
    case(
        "publish_scenario",
        Action.SCENARIO_REVIEW,
        {AUTH},
        lambda s, w, o, a: scenarios.publish_scenario(a, o[S.SUBMITTED], session=s),
    ),
    case(
        "request_changes",
        Action.SCENARIO_REVIEW,
        {AUTH},
        lambda s, w, o, a: scenarios.request_changes(a, o[S.SUBMITTED], "请补充数据资源", session=s),
    ),
    case("close_scenario", Action.SCENARIO_CLOSE, {AUTH, DOWN}, _close),
    case(
        "cancel_scenario",
        Action.SCENARIO_CANCEL,
        {AUTH, DOWN},
        lambda s, w, o, a: scenarios.cancel_scenario(a, o[S.PUBLISHED], "预算调整", session=s),
    ),
    case(
        "invite_vendor",
        Action.SCENARIO_INVITE,
        {AUTH, DOWN},
        lambda s, w, o, a: scenarios.invite_vendor(a, o[S.PUBLISHED], w.vendor_y.org.id, session=s),
    ),
    case(
        "follow_scenario",
        Action.SCENARIO_FOLLOW,
        VENDORS,
        lambda s, w, o, a: scenarios.follow_scenario(a, o[S.PUBLISHED], session=s),
    ),
    case(
        "view_draft_scenario",
        Action.SCENARIO_VIEW,
        {AUTH, DOWN},
        lambda s, w, o, a: scenarios.get_scenario(a, o[S.DRAFT], session=s),
        writes=False,
        hidden=True,
    ),
    case(
        "list_review_queue",
        Action.SCENARIO_REVIEW,
        {AUTH},
        lambda s, w, o, a: scenarios.list_review_queue(a, session=s),
        writes=False,
    ),
    case(
        "list_my_scenarios",
        Action.SCENARIO_CREATE,
        DEPTS,
        lambda s, w, o, a: scenarios.list_my_scenarios(a, session=s),
        writes=False,
    ),
    case(
        "list_all_scenarios",
        Action.DASHBOARD_VIEW,
        {AUTH},
        lambda s, w, o, a: scenarios.list_all_scenarios(a, session=s),
        writes=False,
    ),
    # ------------------------------------------------------------------ questions
    case(
        "ask_question",
        Action.QUESTION_ASK,
        VENDORS,
        lambda s, w, o, a: questions.ask_question(a, o[S.PUBLISHED], "是否提供测试数据？", session=s),
    ),
    case(
        "answer_question",
        Action.QUESTION_ANSWER,
        {DOWN},
        lambda s, w, o, a: questions.answer_question(a, o["question"], "采用国家卫健委标准。", session=s),
    ),
    # ------------------------------------------------------------------------ bids
    case(
        "save_bid",
        Action.BID_CREATE,
        {VOWN, VOTH},
        lambda s, w, o, a: bids.save_bid(a, o[S.PUBLISHED], bid_data(), session=s),
    ),
    case(
        "submit_bid",
        Action.BID_EDIT,
        {VOWN},
        lambda s, w, o, a: bids.submit_bid(a, o["draft_bid"], session=s),
    ),
    case(
        "withdraw_bid",
        Action.BID_EDIT,
        {VOWN},
        lambda s, w, o, a: bids.withdraw_bid(a, o["submitted_bid"], session=s),
    ),
    case(
        "list_bids_sealed",
        Action.BID_VIEW_ALL,
        {AUTH},
        lambda s, w, o, a: bids.list_bids(a, o["pub_submitted_bid"], session=s),
        writes=False,
    ),
    case(
        "list_bids_after_closing",
        Action.BID_VIEW_ALL,
        {AUTH, DOWN},
        lambda s, w, o, a: bids.list_bids(a, o[S.CLOSED], session=s),
        writes=False,
    ),
    case(
        "get_bid_sealed",
        Action.BID_VIEW,
        {AUTH, VOWN},
        lambda s, w, o, a: bids.get_bid(a, o["submitted_bid"], session=s),
        writes=False,
    ),
    case(
        "get_bid_after_closing",
        Action.BID_VIEW,
        {AUTH, DOWN, VOWN},
        lambda s, w, o, a: bids.get_bid(a, o["closed_bid"], session=s),
        writes=False,
    ),
    case(
        "shortlist_bid",
        Action.SCENARIO_DECIDE,
        {DOWN},
        lambda s, w, o, a: bids.shortlist_bid(a, o["closed_bid"], session=s),
    ),
    case(
        "award_bid",
        Action.SCENARIO_DECIDE,
        {DOWN},
        lambda s, w, o, a: bids.award_bid(a, o["closed_bid"], session=s),
    ),
    case(
        "declare_none_suitable",
        Action.SCENARIO_DECIDE,
        {DOWN},
        lambda s, w, o, a: bids.declare_none_suitable(a, o[S.CLOSED], "均不满足要求", session=s),
    ),
    # ---------------------------------------------------------------------- offers
    case(
        "create_offer",
        Action.OFFER_CREATE,
        VENDORS,
        lambda s, w, o, a: offers.create_offer(a, OFFER, session=s),
    ),
    case(
        "update_offer",
        Action.OFFER_EDIT,
        {VOWN},
        lambda s, w, o, a: offers.update_offer(
            a, o["offer"], {"title": "远程影像云平台2.0"}, expected_version=None, session=s
        ),
    ),
    case(
        "retire_offer",
        Action.OFFER_EDIT,
        {VOWN},
        lambda s, w, o, a: offers.set_offer_active(a, o["offer"], False, session=s),
    ),
    case(
        "list_offers",
        Action.OFFER_VIEW,
        LOGGED_IN,
        lambda s, w, o, a: offers.list_offers(a, session=s),
        writes=False,
    ),
    # ------------------------------------------------------------------ organizations
    case(
        "update_vendor_organization",
        Action.ORG_EDIT,
        {VOWN},
        lambda s, w, o, a: accounts.update_organization(
            a, w.vendor_x.org.id, {"description": "专注医疗影像"}, expected_version=None, session=s
        ),
    ),
    case(
        "update_department_organization",
        Action.ORG_EDIT,
        {DOWN},
        lambda s, w, o, a: accounts.update_organization(
            a, w.dept_a.org.id, {"contact_name": "张三"}, expected_version=None, session=s
        ),
    ),
    case(
        "verify_vendor",
        Action.VENDOR_VERIFY,
        {AUTH},
        lambda s, w, o, a: accounts.verify_vendor(a, w.vendor_p.org.id, True, session=s),
    ),
    case(
        "pending_vendors",
        Action.VENDOR_VERIFY,
        {AUTH},
        lambda s, w, o, a: accounts.pending_vendors(a, session=s),
        writes=False,
    ),
    case(
        "list_users",
        Action.USER_MANAGE,
        {AUTH},
        lambda s, w, o, a: accounts.list_users(a, session=s),
        writes=False,
    ),
    case(
        "deactivate_user",
        Action.USER_MANAGE,
        {AUTH},
        lambda s, w, o, a: accounts.deactivate_user(a, w.dept_b.user.id, "离职", session=s),
    ),
    case(
        "reset_password",
        Action.USER_MANAGE,
        {AUTH},
        lambda s, w, o, a: accounts.reset_password(a, w.dept_b.user.id, "Lantern-Harbour-77", session=s),
    ),
    case(
        "list_vendors",
        Action.VENDOR_VERIFY,
        {AUTH},
        lambda s, w, o, a: accounts.list_vendors(a, session=s),
        writes=False,
    ),
    case(
        "create_user",
        Action.USER_MANAGE,
        {AUTH},
        lambda s, w, o, a: accounts.create_user(
            a,
            org_id=w.dept_b.org.id,
            username="new_user",
            password=PASSWORD,
            display_name="新用户",
            session=s,
        ),
    ),
    case(
        "create_organization",
        Action.USER_MANAGE,
        {AUTH},
        lambda s, w, o, a: accounts.create_organization(
            a,
            {
                "kind": "vendor",
                "name": "六盘水智联科技",
                "region": "liupanshui",
                "sectors": ["smart-health"],
                "uscc": uscc(99),
            },
            session=s,
        ),
    ),
    case(
        "list_organizations",
        Action.USER_MANAGE,
        {AUTH},
        lambda s, w, o, a: accounts.list_organizations(a, session=s),
        writes=False,
    ),
    # ----------------------------------------------------------- outcomes, showcases
    case(
        "start_implementation",
        Action.SCENARIO_DECIDE,
        {DOWN},
        lambda s, w, o, a: outcomes.start_implementation(a, o[S.AWARDED], session=s),
    ),
    case(
        "record_outcome",
        Action.OUTCOME_RECORD,
        {DOWN},
        lambda s, w, o, a: outcomes.record_outcome(a, o[S.AWARDED], {"contract_value": 950_000}, session=s),
    ),
    case(
        "complete_scenario",
        Action.OUTCOME_RECORD,
        {DOWN},
        lambda s, w, o, a: outcomes.complete_scenario(a, o["implementing"], session=s),
    ),
    case(
        "propose_showcase",
        Action.SHOWCASE_PROPOSE,
        {AUTH, DOWN},
        lambda s, w, o, a: outcomes.propose_showcase(a, o[S.COMPLETED], SHOWCASE, session=s),
    ),
    case(
        "update_showcase",
        Action.SHOWCASE_EDIT,
        {AUTH, DOWN},
        lambda s, w, o, a: outcomes.update_showcase(
            a, o["showcase_draft"], {"title": "远程影像示范（修订）"}, expected_version=None, session=s
        ),
    ),
    case(
        "submit_showcase",
        Action.SHOWCASE_EDIT,
        {AUTH, DOWN},
        lambda s, w, o, a: outcomes.submit_showcase(a, o["showcase_draft"], session=s),
    ),
    case(
        "publish_showcase",
        Action.SHOWCASE_PUBLISH,
        {AUTH},
        lambda s, w, o, a: outcomes.publish_showcase(a, o["showcase_review"], session=s),
    ),
    case(
        "return_showcase",
        Action.SHOWCASE_PUBLISH,
        {AUTH},
        lambda s, w, o, a: outcomes.return_showcase(a, o["showcase_review"], "请补充指标", session=s),
    ),
    case(
        "view_draft_showcase",
        Action.SHOWCASE_VIEW,
        {AUTH, DOWN},
        lambda s, w, o, a: outcomes.get_showcase(a, o["showcase_draft"], session=s),
        writes=False,
        hidden=True,
    ),
    # ------------------------------------------------------------------------ calls
    case(
        "create_call",
        Action.CALL_MANAGE,
        {AUTH},
        lambda s, w, o, a: calls.create_call(
            a, {"theme": "第三批场景征集", "opens_on": clock.today(), "closes_on": clock.today()}, session=s
        ),
    ),
    case(
        "update_call",
        Action.CALL_MANAGE,
        {AUTH},
        lambda s, w, o, a: calls.update_call(
            a, o["call"], {"theme": "第一批场景征集（延期）"}, expected_version=None, session=s
        ),
    ),
    case(
        "close_call",
        Action.CALL_MANAGE,
        {AUTH},
        lambda s, w, o, a: calls.close_call(a, o["call"], session=s),
    ),
    case(
        "publish_call_list",
        Action.CALL_MANAGE,
        {AUTH},
        lambda s, w, o, a: calls.publish_call_list(a, o["call_closed"], session=s),
    ),
    case(
        "call_submissions",
        Action.CALL_MANAGE,
        {AUTH},
        lambda s, w, o, a: calls.submissions(a, o["call_closed"], session=s),
        writes=False,
    ),
    # ------------------------------------------------------------------ attachments
    case(
        "upload_annex",
        Action.ATTACHMENT_UPLOAD,
        {DOWN},
        lambda s, w, o, a: att.upload(a, "scenario", o[S.DRAFT], "annex", "a.pdf", _PDF, session=s),
    ),
    case(
        "remove_annex",
        Action.ATTACHMENT_UPLOAD,
        {DOWN},
        lambda s, w, o, a: att.remove(a, o["annex_draft"], session=s),
    ),
    case(
        "upload_proposal",
        Action.ATTACHMENT_UPLOAD,
        {VOWN},
        lambda s, w, o, a: att.upload(a, "bid", o["draft_bid"], "proposal", "p.pdf", _PDF, session=s),
    ),
    case(
        "upload_licence",
        Action.ATTACHMENT_UPLOAD,
        {VOWN},
        lambda s, w, o, a: att.upload(
            a, "organization", w.vendor_x.org.id, "licence", "l.pdf", _PDF, session=s
        ),
    ),
    case(  # an unpublished scenario's annex: hidden like the scenario
        "download_draft_annex",
        Action.SCENARIO_VIEW,
        {AUTH, DOWN},
        lambda s, w, o, a: att.download(a, o["annex_draft"], session=s),
        hidden=True,
    ),
    case(  # downloads write their audit row
        "download_public_annex",
        Action.ATTACHMENT_VIEW,
        set(ROLES),
        lambda s, w, o, a: att.download(a, o["annex_public"], session=s),
    ),
    case(
        "download_sealed_proposal",
        Action.ATTACHMENT_VIEW,
        {VOWN},
        lambda s, w, o, a: att.download(a, o["proposal_sealed"], session=s),
    ),
    case(
        "download_unsealed_proposal",
        Action.ATTACHMENT_VIEW,
        {VOWN, AUTH, DOWN},
        lambda s, w, o, a: att.download(a, o["proposal_unsealed"], session=s),
    ),
    case(
        "download_licence",
        Action.ATTACHMENT_VIEW,
        {VOWN, AUTH},
        lambda s, w, o, a: att.download(a, o["licence"], session=s),
    ),
]


def test_case_names_are_unique():
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("cell", CASES, ids=str)
def test_permission_matrix(db, shared_world, mx, cell: Case, role: str):
    actor = actor_of(shared_world, role)
    before = db_fingerprint(db)
    with record_checks() as checks:
        if role in cell.allowed:
            cell.run(db, shared_world, mx, actor)
            written = changed_tables(before, db_fingerprint(db))
            assert bool(written) == cell.writes, written
        else:
            expected = NotFound if cell.hidden else NotAuthenticated if role == ANON else PermissionDenied
            with pytest.raises(PermissionDenied if not cell.hidden else NotFound) as info:
                cell.run(db, shared_world, mx, actor)
            assert isinstance(info.value, expected)
            if role != ANON and not cell.hidden:
                assert not isinstance(info.value, NotAuthenticated)
            assert changed_tables(before, db_fingerprint(db)) == []
    assert cell.action in {action for action, _obj in checks}


# ---------------------------------------------------------------------- sealed bids


def test_bids_stay_sealed_until_the_scenario_closes(db, shared_world, mx):
    w, sid = shared_world, mx["pub_submitted_bid"]
    for actor in (w.dept_a.actor, w.dept_b.actor, w.vendor_y.actor):
        with pytest.raises(PermissionDenied):
            bids.list_bids(actor, sid, session=db)
        with pytest.raises(PermissionDenied):
            bids.get_bid(actor, mx["submitted_bid"], session=db)
    with pytest.raises(NotAuthenticated):
        bids.list_bids(ANONYMOUS, sid, session=db)

    with _past_closing(db, sid):
        scenarios.close_scenario(w.dept_a.actor, sid, session=db)
    seen = bids.list_bids(w.dept_a.actor, sid, session=db)
    assert [b.id for b in seen] == [mx["submitted_bid"]]
    assert bids.get_bid(w.dept_a.actor, mx["submitted_bid"], session=db).price == bid_data()["price"]
    for actor in (w.dept_b.actor, w.vendor_y.actor):  # another department, another vendor: never
        with pytest.raises(PermissionDenied):
            bids.get_bid(actor, mx["submitted_bid"], session=db)
    with pytest.raises(NotAuthenticated):
        bids.get_bid(ANONYMOUS, mx["submitted_bid"], session=db)


def test_the_daily_sweep_closes_as_the_system(db, shared_world, mx):
    from portal.permissions import SYSTEM

    with _past_closing(db, mx[S.PUBLISHED]):
        closed = scenarios.close_due_scenarios(SYSTEM, session=db)
    assert mx[S.PUBLISHED] in closed
    assert db.get(Scenario, mx[S.PUBLISHED]).status == S.CLOSED


def test_anonymous_visitors_see_published_scenarios_without_personal_contact(db, mx):
    public = scenarios.list_public_scenarios(session=db)
    ids = {p.id for p in public}
    assert mx[S.PUBLISHED] in ids and mx[S.DRAFT] not in ids
    dumped = [p.model_dump() for p in public]
    assert all(
        "contact_phone" not in d and "contact_email" not in d and "contact_name" not in d for d in dumped
    )


def test_notifications_need_a_login(db, shared_world):
    with pytest.raises(NotAuthenticated):
        notifications.list_notifications(ANONYMOUS, session=db)
    assert notifications.unread_count(ANONYMOUS, session=db) == 0
