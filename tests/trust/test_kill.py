"""Durability: a process killed (SIGKILL) in the middle of multi-row use cases leaves a consistent database.

The victim (``kill_worker``) awards closed scenarios with many bids and publishes scenarios in
batches, one transaction each; it is killed at a random moment, ``ROUNDS`` times. After every kill
the database must pass ``consistency_problems`` (status = last history row, exactly one awarded bid
iff the scenario is awarded, no active bid on a decided scenario, an audit row per status change,
SQLite ``integrity_check`` and ``foreign_key_check``), and committed work must be there.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from portal import clock
from portal.models import Bid, BidStatus, Scenario, ScenarioStatus
from portal.permissions import SYSTEM, actor_for
from portal.services import accounts, bids, scenarios
from tests.factories import after, bid_data, scenario_data, uscc
from tests.trust.conftest import BACKEND
from tests.trust.dbcheck import consistency_problems

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("PORTAL_KILL_ROUNDS", "8"))
BIDDERS = 10


def _bidders(session: Session) -> list:
    out = []
    for i in range(BIDDERS):
        org = accounts.create_organization(
            SYSTEM,
            {
                "kind": "vendor",
                "name": f"投标科技有限公司{i:02d}",
                "region": "guiyang",
                "sectors": ["smart-health"],
                "uscc": uscc(900 + i),
            },
            session=session,
            verified=True,
        )
        user = accounts.create_user(
            SYSTEM,
            org_id=org.id,
            username=f"killbid{i:02d}",
            password="bidder-pass-2026",
            display_name="投标人",
            session=session,
        )
        out.append(actor_for(user, org))
    session.commit()
    return out


def _closed_scenarios(session: Session, w, vendors: list, count: int) -> None:  # type: ignore[no-untyped-def]
    dept = w.dept_a.actor
    made = []
    for _ in range(count):
        sc = scenarios.create_scenario(dept, scenario_data(), session=session)
        scenarios.submit_scenario(dept, sc.id, session=session)
        scenarios.publish_scenario(w.authority.actor, sc.id, session=session)
        for i, v in enumerate(vendors):
            b = bids.save_bid(v, sc.id, bid_data(price=500_000 + i * 10_000), session=session)
            bids.submit_bid(v, b.id, session=session)
        made.append(sc)
    with clock.frozen(after(31)):
        for sc in made:
            scenarios.close_scenario(dept, sc.id, session=session)
    session.commit()


@pytest.mark.slow
def test_sigkill_in_the_middle_leaves_the_database_consistent(engine, session, world, capsys):
    vendors = _bidders(session)
    rng = random.Random(int(os.environ.get("PORTAL_KILL_SEED", "0")) or None)
    commits = 0
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for round_ in range(ROUNDS):
        session.expire_all()
        if len(session.exec(select(Scenario).where(Scenario.status == ScenarioStatus.CLOSED)).all()) < 2:
            _closed_scenarios(session, world, vendors, 3)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.trust.kill_worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "READY"
        if round_ % 2 == 1:
            # On a loaded machine the first transaction can outlast the random delay; every other
            # round waits for one commit first, so "committed work survives" is always exercised.
            first = proc.stdout.readline()
            assert first.startswith("COMMIT"), first
            commits += 1
        time.sleep(rng.uniform(0.05, 0.8))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        commits += out.count("COMMIT")
        problems = consistency_problems(engine)
        assert problems == [], f"round {round_}: {problems}"
    session.expire_all()
    awarded = session.exec(select(Scenario).where(Scenario.status == ScenarioStatus.AWARDED)).all()
    for sc in awarded:
        states = [b.status for b in session.exec(select(Bid).where(Bid.scenario_id == sc.id))]
        assert states.count(BidStatus.AWARDED) == 1 and states.count(BidStatus.UNSUCCESSFUL) == BIDDERS - 1
    assert commits > 0
    with capsys.disabled():
        print(
            f"\nkill[{BACKEND}]: {ROUNDS} SIGKILLs, {commits} commits before them, {len(awarded)} awards, 0 problems"
        )
