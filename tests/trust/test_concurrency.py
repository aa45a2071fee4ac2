"""Concurrency: two editors on every editable object, many vendors bidding at once, a threaded stress run.

Two editors: the second save gets ``Conflict`` (translated), the first edit is kept: both when the
second editor sends the version it loaded (``expected_version``) and when the two saves interleave
inside open sessions (SQLAlchemy's version counter; ``session_scope`` turns it into ``Conflict``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from benchmarks.stress import run_stress
from portal import clock
from portal.db import session_scope
from portal.domain.errors import Conflict, PortalError
from portal.models import Bid, BidStatus, Call, Offer, Organization, Outcome, Question, Scenario, Showcase
from portal.permissions import SYSTEM, actor_for
from portal.services import accounts, bids, calls, offers, outcomes, questions, scenarios
from tests.factories import bid_data, scenario_in, uscc
from tests.trust.conftest import BACKEND
from tests.trust.dbcheck import consistency_problems

SHOWCASE = {"title": "远程影像示范", "story": "平台覆盖88个乡镇卫生院，报告出具时间缩短至1.2小时。"}
OFFER = {
    "title": "远程影像云平台",
    "description": "基于云原生架构的远程影像诊断平台，支持AI辅助阅片与分级诊疗协同。",
    "sectors": ["smart-health"],
    "regions": ["province"],
}


@dataclass
class Editable:
    """How to edit one kind of object: its model, its id, the edit and the field it changes."""

    model: type
    obj_id: int
    edit: Callable[[Session, str, int | None], Any]
    read: Callable[[Any], str]


def _editables(session: Session, w) -> dict[str, Editable]:  # type: ignore[no-untyped-def]
    s, dept, vx, auth = session, w.dept_a.actor, w.vendor_x.actor, w.authority.actor
    draft = scenario_in(s, w, "draft")
    published = scenario_in(s, w, "published")
    implementing = scenario_in(s, w, "in_implementation")
    completed = scenario_in(s, w, "completed")
    offer = offers.create_offer(vx, OFFER, session=s)
    bid = bids.save_bid(vx, published.id, bid_data(), session=s)
    question = questions.ask_question(vx, published.id, "数据接口采用什么标准？", session=s)
    questions.answer_question(dept, question.id, "初步答复：待定。", session=s)
    outcome = outcomes.record_outcome(dept, implementing.id, {"summary": "初步成效"}, session=s)
    showcase = outcomes.propose_showcase(dept, completed.id, SHOWCASE, session=s)
    call = calls.create_call(
        auth,
        {
            "theme": "2027年度应用场景征集",
            "opens_on": clock.today(),
            "closes_on": clock.today() + timedelta(days=60),
        },
        session=s,
    )
    s.commit()
    summary = "修改后的需求摘要：{}，共十个字以上。"
    return {
        "scenario": Editable(
            Scenario,
            draft.id,
            lambda s, v, ver: scenarios.update_scenario(
                dept, draft.id, {"summary": summary.format(v)}, expected_version=ver, session=s
            ),
            lambda o: o.summary,
        ),
        "offer": Editable(
            Offer,
            offer.id,
            lambda s, v, ver: offers.update_offer(
                vx, offer.id, {"title": f"远程影像方案{v}"}, expected_version=ver, session=s
            ),
            lambda o: o.title,
        ),
        "bid": Editable(
            Bid,
            bid.id,
            lambda s, v, ver: bids.save_bid(
                vx, published.id, {"team": f"项目团队{v}成员"}, expected_version=ver, session=s
            ),
            lambda o: o.team,
        ),
        "organization": Editable(
            Organization,
            w.vendor_x.org.id,
            lambda s, v, ver: accounts.update_organization(
                vx, w.vendor_x.org.id, {"description": f"简介{v}"}, expected_version=ver, session=s
            ),
            lambda o: o.description,
        ),
        "question": Editable(
            Question,
            question.id,
            lambda s, v, ver: questions.answer_question(
                dept, question.id, f"答复{v}", expected_version=ver, session=s
            ),
            lambda o: o.answer,
        ),
        "outcome": Editable(
            Outcome,
            outcome.id,
            lambda s, v, ver: outcomes.record_outcome(
                dept, implementing.id, {"summary": f"成效{v}"}, expected_version=ver, session=s
            ),
            lambda o: o.summary,
        ),
        "showcase": Editable(
            Showcase,
            showcase.id,
            lambda s, v, ver: outcomes.update_showcase(
                dept, showcase.id, {"title": f"远程影像示范{v}"}, expected_version=ver, session=s
            ),
            lambda o: o.title,
        ),
        "call": Editable(
            Call,
            call.id,
            lambda s, v, ver: calls.update_call(
                auth, call.id, {"description": f"说明{v}"}, expected_version=ver, session=s
            ),
            lambda o: o.description,
        ),
    }


KINDS = ["scenario", "offer", "bid", "organization", "question", "outcome", "showcase", "call"]


def _assert_conflict(err: Conflict, kind: str) -> None:
    assert err.params["what"] == f"object.{kind}"  # the table name: the message names the object
    zh, en = err.message("zh"), err.message("en")
    assert "重新加载" in zh and "Reload" in en and "{" not in zh + en
    # The other person's change is named, with its value now (never silently overwritten).
    assert err.by, "who saved first is named"
    assert any("甲" in change.value for change in err.changes), err.changes


@pytest.mark.parametrize("kind", KINDS)
def test_second_editor_with_stale_version_gets_conflict(engine, session, world, kind):
    ed = _editables(session, world)[kind]
    with session_scope(engine) as s1, session_scope(engine) as s2:
        v1 = s1.get(ed.model, ed.obj_id).version
        v2 = s2.get(ed.model, ed.obj_id).version
        assert v1 == v2
        ed.edit(s1, "甲", v1)
        s1.commit()
        with pytest.raises(Conflict) as info:
            ed.edit(s2, "乙", v2)
        s2.rollback()
    _assert_conflict(info.value, kind)
    with session_scope(engine) as s:
        obj = s.get(ed.model, ed.obj_id)
        assert "甲" in ed.read(obj) and "乙" not in ed.read(obj)
        assert obj.version == v1 + 1


@pytest.mark.parametrize("kind", KINDS)
def test_interleaved_saves_lose_no_update(engine, session, world, kind):
    """Editor 2 loaded the object before editor 1 committed and saves with the version it saw: the
    version counter refuses the UPDATE and ``session_scope`` reports a ``Conflict``."""
    ed = _editables(session, world)[kind]
    with pytest.raises(Conflict) as info, session_scope(engine) as s2:
        seen = s2.get(ed.model, ed.obj_id)
        version = seen.version
        with session_scope(engine) as s1:
            ed.edit(s1, "甲", version)
            s1.commit()
        ed.edit(s2, "乙", version)  # passes the version check on its stale copy …
        s2.commit()  # … but the UPDATE … WHERE version = … matches nothing
    _assert_conflict(info.value, kind)
    with session_scope(engine) as s:
        obj = s.get(ed.model, ed.obj_id)
        assert "甲" in ed.read(obj) and "乙" not in ed.read(obj)


def test_many_vendors_bid_at_once(engine, session, world):
    """12 vendors, each in two browser tabs at once: one bid each, all submitted, nothing lost."""
    sc = scenario_in(session, world, "published")
    vendors = []
    for i in range(12):
        org = accounts.create_organization(
            SYSTEM,
            {
                "kind": "vendor",
                "name": f"并发投标科技有限公司{i:02d}",
                "region": "guiyang",
                "sectors": ["smart-health"],
                "uscc": uscc(500 + i),
            },
            session=session,
            verified=True,
        )
        user = accounts.create_user(
            SYSTEM,
            org_id=org.id,
            username=f"bidder{i:02d}",
            password="bidder-pass-2026",
            display_name="投标人",
            session=session,
        )
        vendors.append(actor_for(user, org))
    session.commit()
    outcomes_: Counter[str] = Counter()
    unexpected: list[str] = []
    barrier = threading.Barrier(len(vendors) * 2)
    lock = threading.Lock()

    def tab(actor, price: int) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            with session_scope(engine) as s:
                bid = bids.save_bid(actor, sc.id, bid_data(price=price), session=s)
                bids.submit_bid(actor, bid.id, session=s)
                s.commit()
            result = "submitted"
        except PortalError as err:
            result = type(err).__name__
        except Exception as err:  # noqa: BLE001
            result = "unexpected"
            unexpected.append(repr(err)[:200])
        with lock:
            outcomes_[result] += 1

    threads = [
        threading.Thread(target=tab, args=(a, 100_000 + i * 1000 + t))
        for i, a in enumerate(vendors)
        for t in (0, 1)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert unexpected == []
    with session_scope(engine) as s:
        rows = s.exec(select(Bid).where(Bid.scenario_id == sc.id)).all()
    assert sorted(b.vendor_org_id for b in rows) == sorted(a.org_id for a in vendors)
    assert all(b.status == BidStatus.SUBMITTED for b in rows)
    # Each vendor's second tab either edited the same bid (then tried to submit it again) or got a conflict.
    assert outcomes_["submitted"] >= len(vendors)
    assert set(outcomes_) <= {"submitted", "Conflict", "InvalidTransition"}
    assert consistency_problems(engine) == []


@pytest.mark.slow
def test_threaded_stress_on_the_service_layer(engine, capsys):
    """A short version of ``benchmarks/stress.py``: no unexpected error, a consistent database."""
    threads, ops = 6, 80
    result = run_stress(engine, threads=threads, ops=ops, seed=7, day_every=60)
    with capsys.disabled():
        print(
            f"\nstress[{BACKEND}]: {result['ops']} ops, {result['ops_per_s']} ops/s, "
            f"{result['errors']} errors, refusals {result['refusals']}"
        )
    assert result["errors"] == 0, result["error_samples"]
    assert result["problems"] == []
    assert result["ops"] >= threads * ops * 0.15  # the rest found nothing to do in their state
    assert result["by_op"].get("create_scenario", 0) > 0 and result["by_op"].get("save_bid", 0) > 0
