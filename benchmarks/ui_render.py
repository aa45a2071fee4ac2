"""Median server time to render portal pages with the demo data (Streamlit AppTest, no browser).

Measures one full script run (navigation + page) of: the public scenario list, a department's
"my scenarios" page and a department's scenario management page (a closed scenario with bids).
By default a fresh temporary SQLite database gets the demo data; ``--database-url`` reuses one.

    .venv/bin/python -m benchmarks.ui_render --runs 15
    {"public_list_ms": {...}, "department_list_ms": {...}, "department_scenario_ms": {...}, ...}
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _prepare(database_url: str | None) -> None:
    if database_url:
        os.environ["PORTAL_DATABASE_URL"] = database_url
        return
    tmp = Path(tempfile.mkdtemp(prefix="ui-bench-"))
    os.environ["PORTAL_VAR_DIR"] = str(tmp)
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{tmp / 'portal.db'}"
    from portal.db import get_engine, session_scope
    from portal.demo import load_demo
    from portal.migrations_runner import upgrade_to_head

    upgrade_to_head(get_engine())
    with session_scope() as s:
        load_demo(s)
        s.commit()


def _timed(at, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        samples.append((time.perf_counter() - start) * 1000)
        assert not at.exception, [e.value for e in at.exception]
    return {
        "median": round(statistics.median(samples), 1),
        "min": round(min(samples), 1),
        "max": round(max(samples), 1),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--department", default="dept01")
    parser.add_argument("--no-model", action="store_true", help="do not wait for the matching warm-up first")
    args = parser.parse_args(argv)
    _prepare(args.database_url)

    from sqlmodel import select
    from streamlit.testing.v1 import AppTest

    from portal import clock
    from portal.db import session_scope
    from portal.models import Bid, Organization, Scenario, User
    from portal.permissions import actor_for
    from portal.services import matchmaking

    if not args.no_model:
        start = time.perf_counter()
        matchmaking.warm_up()
        matchmaking.portal_engine().engine.wait(600)
        model_s = round(time.perf_counter() - start, 1)
    else:
        model_s = None

    with session_scope() as s:
        user = s.exec(select(User).where(User.username == args.department)).one()
        actor = actor_for(user, s.get(Organization, user.org_id))
        mine = s.exec(select(Scenario).where(Scenario.org_id == actor.org_id)).all()
        bid_counts = {sc.id: len(s.exec(select(Bid.id).where(Bid.scenario_id == sc.id)).all()) for sc in mine}
        # The heaviest department page: a published scenario (recommendations) or a closed one (bids).
        rank = {"published": 2, "closed": 1}
        target = max(mine, key=lambda sc: (rank.get(str(sc.status), 0), bid_counts[sc.id]))
        n_public = len(s.exec(select(Scenario.id).where(Scenario.status == "published")).all())

    app = str(ROOT / "streamlit_app.py")
    public = AppTest.from_file(app, default_timeout=120)
    public.run()  # first run: imports and caches (not measured)
    dept = AppTest.from_file(app, default_timeout=120)
    dept.session_state["user_id"] = user.id
    dept.session_state["last_active"] = clock.now()
    dept.run()
    dept.switch_page("portal/ui/pages/dept_scenarios.py").run()
    dept_list = _timed(dept, args.runs)
    manage = AppTest.from_file(app, default_timeout=120)
    manage.session_state["user_id"] = user.id
    manage.session_state["last_active"] = clock.now()
    manage.run()
    manage.query_params["id"] = str(target.id)
    manage.switch_page("portal/ui/pages/dept_manage.py").run()
    result = {
        "public_list_ms": _timed(public, args.runs),
        "department_list_ms": dept_list,
        "department_scenario_ms": _timed(manage, args.runs),
        "department_scenario": {"id": target.id, "status": str(target.status), "bids": bid_counts[target.id]},
        "published_scenarios": n_public,
        "model_warm_up_s": model_s,
        "python": sys.version.split()[0],
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
