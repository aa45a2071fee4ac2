"""Threaded stress test of the service layer: many users at once, then a consistency check.

Each thread plays a department or a vendor and runs a random mix of real use cases, each in its own
session and transaction (as a page does): create / edit / submit scenarios, the authority publishing,
vendors saving, submitting and withdrawing bids and asking questions, departments answering, closing
and awarding. A shared frozen clock moves forward a day every few hundred operations, so scenarios
pass their closing dates during the run and get closed and awarded while others are still bid on.

Refusals a user would see (``PortalError``: conflicts, deadlines, wrong states) are counted as
refusals; anything else (a crash, "database is locked", a constraint error) is an error. At the end
``tests.trust.dbcheck.consistency_problems`` must find nothing.

Usage::

    .venv/bin/python -m benchmarks.stress                       # SQLite file in a temp folder
    PORTAL_TEST_DATABASE_URL=postgresql+psycopg://… .venv/bin/python -m benchmarks.stress
    scripts/with-postgres.sh .venv/bin/python -m benchmarks.stress --threads 8 --ops 400

Prints one JSON object per backend: ops, ops_per_s, refusals by kind, errors, problems.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from portal import clock
from portal.db import make_engine, session_scope
from portal.domain.errors import PortalError
from portal.migrations_runner import upgrade_to_head
from portal.models import Bid, BidStatus, Question, Scenario, ScenarioStatus
from portal.permissions import SYSTEM, Actor, actor_for
from portal.services import accounts, bids, questions, scenarios

S = ScenarioStatus
PASSWORD = "stress-test-2026"


@dataclass
class Cast:
    authority: Actor
    departments: list[Actor]
    vendors: list[Actor]


@dataclass
class Tally:
    ops: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _uscc(seed: int) -> str:
    from portal.domain.uscc import check_char

    body = f"91520100MA{seed:07d}"
    return body + check_char(body)


def build_cast(engine: Engine, departments: int, vendors: int) -> Cast:
    """The authority, ``departments`` departments and ``vendors`` verified vendors (one user each),
    and one published scenario per department."""
    os.environ.setdefault("PORTAL_TEST_FAST_HASH", "1")  # accounts are not what is measured

    def party(s: Session, kind: str, name: str, username: str, seed: int) -> Actor:
        data: dict[str, Any] = {"kind": kind, "name": name, "region": "guiyang", "sectors": ["smart-health"]}
        if kind == "vendor":
            data["uscc"] = _uscc(seed)
        org = accounts.create_organization(SYSTEM, data, session=s, verified=True)
        user = accounts.create_user(
            SYSTEM, org_id=org.id, username=username, password=PASSWORD, display_name=name, session=s
        )
        return actor_for(user, org)

    with session_scope(engine) as s:
        cast = Cast(
            party(s, "authority", "贵州省大数据发展管理局", "authority", 0),
            [party(s, "department", f"压力测试部门{i:02d}", f"dept{i:02d}", 0) for i in range(departments)],
            [
                party(s, "vendor", f"压力测试科技有限公司{i:02d}", f"vendor{i:02d}", 100 + i)
                for i in range(vendors)
            ],
        )
        # An open market from the first operation on: vendor threads must not run out of work
        # before the department threads have published anything (that made bids a matter of luck).
        rng = random.Random(0)
        for i, dept in enumerate(cast.departments):
            sc = scenarios.create_scenario(dept, scenario_fields(rng, 90_000 + i), session=s)
            scenarios.submit_scenario(dept, sc.id, session=s)
            scenarios.publish_scenario(cast.authority, sc.id, session=s)
        s.commit()
    return cast


def scenario_fields(rng: random.Random, n: int) -> dict[str, Any]:
    closing = clock.today() + timedelta(days=rng.randint(2, 6))
    return {
        "title": f"压力测试场景需求{n:05d}",
        "summary": "用于并发压力测试的应用场景需求摘要，内容足够长。",
        "description": "用于并发压力测试的应用场景需求详细说明，描述业务痛点、数据资源与预期成效。",
        "sector": "smart-health",
        "region": "province",
        "budget_min": rng.randint(1, 50) * 10_000,
        "budget_max": rng.randint(60, 500) * 10_000,
        "question_deadline": closing - timedelta(days=1),
        "closing_date": closing,
    }


def bid_fields(rng: random.Random) -> dict[str, Any]:
    return {
        "approach": "采用云原生架构建设平台，分阶段交付并提供运维保障服务。" + str(rng.random()),
        "timeline": "合同签订后6个月内上线",
        "price": rng.randint(10, 500) * 10_000,
        "team": "项目经理1人、开发6人",
    }


def _pick(s: Session, model: Any, *where: Any, rng: random.Random) -> Any:
    rows = s.exec(select(model).where(*where).order_by(col(model.id).desc()).limit(20)).all()
    return rng.choice(rows) if rows else None


def department_step(cast: Cast, me: Actor, rng: random.Random, s: Session, n: int) -> str:
    mine = Scenario.org_id == me.org_id
    roll = rng.random()
    if roll < 0.25:
        scenarios.create_scenario(me, scenario_fields(rng, n), session=s)
        return "create_scenario"
    if roll < 0.40:
        sc = _pick(s, Scenario, mine, Scenario.status == S.DRAFT, rng=rng)
        if sc is None:
            return "idle"
        stale = rng.random() < 0.2  # an editor working from an old copy
        version = sc.version - 1 if stale and sc.version > 1 else sc.version
        scenarios.update_scenario(
            me, sc.id, {"summary": f"修改后的需求摘要，第{n}次编辑。"}, expected_version=version, session=s
        )
        return "update_scenario"
    if roll < 0.55:
        sc = _pick(s, Scenario, mine, Scenario.status == S.DRAFT, rng=rng)
        if sc is None:
            return "idle"
        scenarios.submit_scenario(me, sc.id, session=s)
        return "submit_scenario"
    if roll < 0.70:
        sc = _pick(s, Scenario, Scenario.status == S.SUBMITTED, rng=rng)
        if sc is None:
            return "idle"
        scenarios.publish_scenario(cast.authority, sc.id, session=s)
        return "publish_scenario"
    if roll < 0.80:
        q = _pick(s, Question, Question.answer == None, rng=rng)  # noqa: E711
        if q is None:
            return "idle"
        sc = s.get(Scenario, q.scenario_id)
        owner = next((d for d in cast.departments if d.org_id == sc.org_id), me)
        questions.answer_question(owner, q.id, "答复：接口采用国家标准。", session=s)
        return "answer_question"
    if roll < 0.90:
        sc = _pick(
            s, Scenario, mine, Scenario.status == S.PUBLISHED, Scenario.closing_date < clock.today(), rng=rng
        )
        if sc is None:
            return "idle"
        scenarios.close_scenario(me, sc.id, session=s)
        return "close_scenario"
    sc = _pick(s, Scenario, mine, Scenario.status == S.CLOSED, rng=rng)
    if sc is None:
        return "idle"
    offered = bids.list_bids(me, sc.id, session=s)
    if offered:
        bids.award_bid(me, rng.choice(offered).id, session=s)
        return "award_bid"
    bids.declare_none_suitable(me, sc.id, "没有收到合适的方案。", session=s)
    return "declare_none_suitable"


def vendor_step(cast: Cast, me: Actor, rng: random.Random, s: Session, n: int) -> str:
    roll = rng.random()
    open_now = (Scenario.status == S.PUBLISHED, Scenario.closing_date >= clock.today())
    if roll < 0.45:
        sc = _pick(s, Scenario, *open_now, rng=rng)
        if sc is None:
            return "idle"
        current = bids.my_bid(me, sc.id, session=s)
        bids.save_bid(
            me, sc.id, bid_fields(rng), expected_version=current.version if current else None, session=s
        )
        return "save_bid"
    if roll < 0.75:
        bid = _pick(s, Bid, Bid.vendor_org_id == me.org_id, Bid.status == BidStatus.DRAFT, rng=rng)
        if bid is None:
            return "idle"
        bids.submit_bid(me, bid.id, session=s)
        return "submit_bid"
    if roll < 0.85:
        bid = _pick(s, Bid, Bid.vendor_org_id == me.org_id, Bid.status == BidStatus.SUBMITTED, rng=rng)
        if bid is None:
            return "idle"
        bids.withdraw_bid(me, bid.id, session=s)
        return "withdraw_bid"
    sc = _pick(s, Scenario, *open_now, rng=rng)
    if sc is None:
        return "idle"
    questions.ask_question(me, sc.id, f"问题{n}：数据接口采用什么标准？", session=s)
    return "ask_question"


def worker(engine: Engine, cast: Cast, me: Actor, seed: int, ops: int, tally: Tally) -> None:
    rng = random.Random(seed)
    step = department_step if me.is_department else vendor_step
    for n in range(ops):
        name = "refused_before_named"
        try:
            with session_scope(engine) as s:
                name = step(cast, me, rng, s, seed * 100_000 + n)
                s.commit()
            with tally.lock:
                tally.ops[name] += 1
        except PortalError as err:
            with tally.lock:
                tally.ops[name] += 1
                tally.refusals[type(err).__name__] += 1
        except Exception as err:  # noqa: BLE001  (counted and reported: the point of the test)
            with tally.lock:
                tally.errors[f"{type(err).__name__}"] += 1
                if len(tally.samples) < 5:
                    tally.samples.append("".join(traceback.format_exception_only(err)).strip()[:300])


def run_stress(
    engine: Engine, *, threads: int = 8, ops: int = 100, seed: int = 2026, day_every: int = 150
) -> dict[str, Any]:
    """Run ``threads`` × ``ops`` use cases on a migrated, empty database; return the figures.

    Returns a dict with ``ops`` (all attempted use cases, idle picks excluded), ``ops_per_s``,
    ``refusals`` (by error class), ``errors`` (unexpected exceptions), ``problems`` (consistency).
    """
    from tests.trust.dbcheck import consistency_problems

    n_dept = max(1, threads // 2)
    cast = build_cast(engine, departments=n_dept, vendors=threads - n_dept)
    actors = cast.departments + cast.vendors
    tally = Tally()
    start_clock = clock.now()
    with clock.frozen(start_clock) as box:
        stop = threading.Event()

        def advance() -> None:  # a day passes every ``day_every`` operations (closing dates arrive)
            seen = 0
            while not stop.wait(0.01):
                done = sum(tally.ops.values())
                if done - seen >= day_every:
                    seen = done
                    box[0] = box[0] + timedelta(days=1)

        ticker = threading.Thread(target=advance, daemon=True)
        ticker.start()
        pool = [
            threading.Thread(target=worker, args=(engine, cast, a, seed + i, ops, tally))
            for i, a in enumerate(actors)
        ]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - t0
        stop.set()
        ticker.join()
    real = sum(v for k, v in tally.ops.items() if k != "idle")
    return {
        "backend": engine.dialect.name,
        "threads": len(actors),
        "ops": real,
        "seconds": round(elapsed, 2),
        "ops_per_s": round(real / elapsed, 1) if elapsed else 0.0,
        "by_op": dict(sorted(tally.ops.items())),
        "refusals": dict(tally.refusals),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "error_samples": tally.samples,
        "problems": consistency_problems(engine),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--ops", type=int, default=300, help="use cases per thread")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        if url:
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            engine = make_engine(f"sqlite:///{tmp}/stress.db")
        upgrade_to_head(engine)
        result = run_stress(engine, threads=args.threads, ops=args.ops, seed=args.seed)
        engine.dispose()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
