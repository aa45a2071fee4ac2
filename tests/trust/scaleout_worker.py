"""One portal process of the scale-out test: its own matching engine, the shared database.

Run as ``python -m tests.trust.scaleout_worker`` with ``PORTAL_DATABASE_URL`` and its own
``PORTAL_VAR_DIR``. It warms its engine, prints ``READY``, then answers one JSON command per stdin line:

* ``{"op": "create", "title": …}`` → department A creates, submits; the authority publishes; commit.
  Answers ``{"id": …}``.
* ``{"op": "cancel", "id": …}`` → department A cancels the published scenario; commit.
* ``{"op": "wait", "query": …, "id": …, "present": true|false, "timeout": 10}`` → search every
  0.1 s through ``matchmaking.search_scenarios`` (the page's code path, which applies the change log)
  until the scenario is (or is no longer) among the hits. Answers ``{"ok": …, "seconds": …}``.
"""

from __future__ import annotations

import json
import sys
import time

from sqlmodel import select

from portal.db import session_scope
from portal.models import Organization, User
from portal.permissions import ANONYMOUS, Actor, actor_for
from portal.services import matchmaking, scenarios
from tests.factories import scenario_data


def _actor(session, username: str) -> Actor:  # type: ignore[no-untyped-def]
    user = session.exec(select(User).where(User.username == username)).one()
    return actor_for(user, session.get(Organization, user.org_id))


def handle(cmd: dict) -> dict:
    with session_scope() as s:
        if cmd["op"] == "create":
            dept, authority = _actor(s, "dept_a"), _actor(s, "authority")
            sc = scenarios.create_scenario(
                dept, scenario_data(title=cmd["title"], summary=cmd["title"] + "：场景摘要说明"), session=s
            )
            scenarios.submit_scenario(dept, sc.id, session=s)
            scenarios.publish_scenario(authority, sc.id, session=s)
            s.commit()
            return {"id": sc.id}
        if cmd["op"] == "cancel":
            scenarios.cancel_scenario(_actor(s, "dept_a"), cmd["id"], "需求调整，取消发布", session=s)
            s.commit()
            return {"ok": True}
    start = time.monotonic()
    while True:
        with session_scope() as s:
            hits = matchmaking.search_scenarios(ANONYMOUS, cmd["query"], session=s, k=50)
        found = cmd["id"] in [h.scenario.id for h in hits]
        elapsed = time.monotonic() - start
        if found == cmd["present"] or elapsed > cmd.get("timeout", 10):
            return {"ok": found == cmd["present"], "seconds": round(elapsed, 3)}
        time.sleep(0.1)


def main() -> None:
    with session_scope() as s:
        matchmaking.search_scenarios(
            ANONYMOUS, "预热", session=s, k=1
        )  # builds and syncs this process's index
    print("READY", flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(handle(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
