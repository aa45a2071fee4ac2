"""Test data builders that go through the real services (no rows faked behind their back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from portal import clock
from portal.domain.uscc import check_char
from portal.models import Organization, ScenarioStatus, User
from portal.permissions import SYSTEM, Actor, actor_for
from portal.services import accounts, bids, outcomes, scenarios

PASSWORD = "correct-horse-42"
S = ScenarioStatus


def uscc(seed: int) -> str:
    """A valid unified social credit code derived from ``seed``."""
    body = f"91520100MA{seed:07d}"
    return body + check_char(body)


@dataclass
class Party:
    org: Organization
    user: User
    actor: Actor


@dataclass
class World:
    authority: Party
    dept_a: Party
    dept_b: Party
    vendor_x: Party
    vendor_y: Party
    vendor_p: Party  # pending verification

    def refresh(self, session: Session) -> None:
        for party in (self.authority, self.dept_a, self.dept_b, self.vendor_x, self.vendor_y, self.vendor_p):
            session.refresh(party.org)
            party.actor = actor_for(party.user, party.org)


def make_party(
    session: Session, kind: str, name: str, username: str, *, verified: bool = True, seed: int = 1, **org: Any
) -> Party:
    data: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "region": org.pop("region", "guiyang"),
        "sectors": org.pop("sectors", ["smart-health"]),
    }
    if kind == "vendor":
        data["uscc"] = uscc(seed)
        data["contact_phone"] = "13900000000"
        data["contact_email"] = f"{username}@example.com"
    data.update(org)
    o = accounts.create_organization(SYSTEM, data, session=session, verified=verified)
    u = accounts.create_user(
        SYSTEM, org_id=o.id, username=username, password=PASSWORD, display_name=name, session=session
    )
    return Party(o, u, actor_for(u, o))


def build_world(session: Session) -> World:
    w = World(
        authority=make_party(session, "authority", "贵州省大数据发展管理局", "authority", sectors=[]),
        dept_a=make_party(session, "department", "贵州省卫生健康委员会", "dept_a"),
        dept_b=make_party(session, "department", "贵州省交通运输厅", "dept_b", sectors=["smart-transport"]),
        vendor_x=make_party(session, "vendor", "贵州黔云数智科技有限公司", "vendor_x", seed=1),
        vendor_y=make_party(session, "vendor", "遵义数联科技有限公司", "vendor_y", seed=2, region="zunyi"),
        vendor_p=make_party(
            session, "vendor", "安顺新创信息技术有限公司", "vendor_p", verified=False, seed=3
        ),
    )
    session.commit()
    return w


def scenario_data(**overrides: Any) -> dict[str, Any]:
    today = clock.today()
    data: dict[str, Any] = {
        "title": "基层医疗机构远程影像诊断服务",
        "summary": "为全省乡镇卫生院提供远程影像诊断能力，缓解基层放射科医生短缺。",
        "description": "全省乡镇卫生院普遍缺少放射科医生，影像检查后需转诊至县级医院诊断。"
        "需要建设远程影像诊断平台，实现影像上传、专家阅片、AI辅助诊断和报告回传。",
        "sector": "smart-health",
        "region": "province",
        "data_resources": ["全省基层医疗机构名录", "近两年影像检查量统计"],
        "expected_outcomes": "基层影像诊断报告平均出具时间缩短至2小时以内。",
        "indicators": [{"name": "报告出具时间", "target": "≤2小时"}],
        "budget_min": 800_000,
        "budget_max": 1_500_000,
        "eligibility": "open",
        "question_deadline": today + timedelta(days=20),
        "closing_date": today + timedelta(days=30),
        "contact_name": "王磊",
        "contact_phone": "0851-86800000",
        "contact_email": "wanglei@example.gov.cn",
    }
    data.update(overrides)
    return data


def bid_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "approach": "基于云原生架构建设远程影像平台，部署AI肺结节辅助诊断模型，与省级影像中心对接。",
        "timeline": "合同签订后6个月内上线",
        "price": 1_200_000,
        "team": "项目经理1人、开发8人、医学顾问2人",
    }
    data.update(overrides)
    return data


def after(days: int) -> datetime:
    """A moment ``days`` days from the real now (for ``clock.frozen``)."""
    return clock.now() + timedelta(days=days)


def scenario_in(
    session: Session,
    w: World,
    status: str,
    *,
    owner: Party | None = None,
    confirm_pii: bool = False,
    **overrides: Any,
):
    """Create a scenario and drive it through the real services to ``status``.

    ``confirm_pii``: the department confirms whatever its text holds as "not personal data" (how
    tests plant personal data that public reads must still mask).

    Time-dependent steps (closing) run under a frozen clock past the closing date; the clock is
    restored afterwards, so the caller's "today" is still before the closing date for PUBLISHED.
    """
    owner = owner or w.dept_a
    data = scenario_data(**overrides)
    confirmed = {f: fp for f, (_, fp) in scenarios.personal_data(data).items()} if confirm_pii else None
    sc = scenarios.create_scenario(owner.actor, data, pii_confirmed=confirmed, session=session)
    steps = {
        S.DRAFT: [],
        S.SUBMITTED: ["submit"],
        S.CHANGES_REQUESTED: ["submit", "changes"],
        S.WITHDRAWN: ["withdraw"],
        S.PUBLISHED: ["submit", "publish"],
        S.CANCELLED: ["submit", "publish", "cancel"],
        S.CLOSED: ["submit", "publish", "bid", "close"],
        S.NONE_SUITABLE: ["submit", "publish", "bid", "close", "none"],
        S.AWARDED: ["submit", "publish", "bid", "close", "award"],
        S.IN_IMPLEMENTATION: ["submit", "publish", "bid", "close", "award", "implement"],
        S.COMPLETED: ["submit", "publish", "bid", "close", "award", "implement", "outcome", "complete"],
        S.SHOWCASED: [
            "submit",
            "publish",
            "bid",
            "close",
            "award",
            "implement",
            "outcome",
            "complete",
            "showcase",
        ],
    }[S(status)]
    closing: date = sc.closing_date
    for step in steps:
        if step == "submit":
            scenarios.submit_scenario(owner.actor, sc.id, session=session)
        elif step == "changes":
            scenarios.request_changes(w.authority.actor, sc.id, "请补充数据资源说明", session=session)
        elif step == "withdraw":
            scenarios.withdraw_scenario(owner.actor, sc.id, "需求已由其他项目覆盖", session=session)
        elif step == "publish":
            scenarios.publish_scenario(w.authority.actor, sc.id, session=session)
        elif step == "cancel":
            scenarios.cancel_scenario(owner.actor, sc.id, "预算调整", session=session)
        elif step == "bid":
            b = bids.save_bid(w.vendor_x.actor, sc.id, bid_data(), session=session)
            bids.submit_bid(w.vendor_x.actor, b.id, session=session)
            b2 = bids.save_bid(w.vendor_y.actor, sc.id, bid_data(price=990_000), session=session)
            bids.submit_bid(w.vendor_y.actor, b2.id, session=session)
        elif step == "close":
            with clock.frozen(after((closing - clock.today()).days + 1)):
                scenarios.close_scenario(owner.actor, sc.id, session=session)
        elif step == "none":
            bids.declare_none_suitable(owner.actor, sc.id, "方案均不满足等保三级要求", session=session)
        elif step == "award":
            winner = bids.list_bids(owner.actor, sc.id, session=session)[0]
            bids.award_bid(owner.actor, winner.id, session=session)
        elif step == "implement":
            outcomes.start_implementation(owner.actor, sc.id, session=session)
        elif step == "outcome":
            outcomes.record_outcome(
                owner.actor,
                sc.id,
                {
                    "contract_value": 990_000,
                    "summary": "平台已在88个乡镇卫生院上线。",
                    "achieved_indicators": [
                        {"name": "报告出具时间", "target": "≤2小时", "achieved": "1.2小时"}
                    ],
                },
                session=session,
            )
        elif step == "complete":
            outcomes.complete_scenario(owner.actor, sc.id, session=session)
        elif step == "showcase":
            shc = outcomes.propose_showcase(
                owner.actor,
                sc.id,
                {
                    "title": "基层远程影像诊断示范",
                    "story": "平台覆盖88个乡镇卫生院，报告出具时间缩短至1.2小时。",
                },
                session=session,
            )
            outcomes.submit_showcase(owner.actor, shc.id, session=session)
            outcomes.publish_showcase(w.authority.actor, shc.id, session=session)
    session.commit()
    assert sc.status == status, (sc.status, status)
    return sc
