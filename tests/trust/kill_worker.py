"""Victim of the kill test: multi-row use cases back to back until it is killed (SIGKILL).

Run as ``python -m tests.trust.kill_worker`` with ``PORTAL_DATABASE_URL``. Each use case is one
transaction: awarding a closed scenario (the winner, every other bid unsuccessful, notifications,
audit rows, the scenario's status) or creating, submitting and publishing five scenarios at once.
Prints ``READY`` once, then ``COMMIT <what>`` after each commit.
"""

from __future__ import annotations

import itertools

from sqlmodel import col, select

from portal.db import session_scope
from portal.models import Organization, Scenario, ScenarioStatus, User
from portal.permissions import actor_for
from portal.services import bids, scenarios
from tests.factories import scenario_data


def _actor(session, username: str):  # type: ignore[no-untyped-def]
    user = session.exec(select(User).where(User.username == username)).one()
    return actor_for(user, session.get(Organization, user.org_id))


def main() -> None:
    print("READY", flush=True)
    for n in itertools.count():
        with session_scope() as s:
            dept, authority = _actor(s, "dept_a"), _actor(s, "authority")
            closed = s.exec(
                select(Scenario).where(Scenario.status == ScenarioStatus.CLOSED).order_by(col(Scenario.id))
            ).first()
            if closed is not None and n % 2 == 0:
                offered = bids.list_bids(dept, closed.id, session=s)
                bids.award_bid(dept, offered[n % len(offered)].id, "综合评分最高", session=s)
                s.commit()
                print(f"COMMIT award {closed.id}", flush=True)
                continue
            for i in range(5):
                sc = scenarios.create_scenario(
                    dept, scenario_data(title=f"批量发布的场景需求{n:04d}-{i}"), session=s
                )
                scenarios.submit_scenario(dept, sc.id, session=s)
                scenarios.publish_scenario(authority, sc.id, session=s)
            s.commit()
            print(f"COMMIT publish {n}", flush=True)


if __name__ == "__main__":
    main()
