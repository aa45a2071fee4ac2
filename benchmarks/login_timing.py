"""Refused-login timing: a known username with a wrong password vs a username that names no account.

Why: the lockout and the refusal must not tell an attacker which usernames exist, by their words or
by their time. Real argon2id costs (the test-only fast hash is off), attempts interleaved, each one
after every lock has expired. Run: ``.venv/bin/python -m benchmarks.login_timing``.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from datetime import timedelta


def main(rounds: int = 40) -> dict[str, float]:
    os.environ.pop("PORTAL_TEST_FAST_HASH", None)
    from sqlmodel import Session

    from portal import clock
    from portal.db import make_engine
    from portal.domain.errors import AuthError
    from portal.migrations_runner import upgrade_to_head
    from portal.services import accounts
    from tests.factories import build_world

    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/timing.db")
    upgrade_to_head(engine)
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    with Session(engine, expire_on_commit=False) as s:
        build_world(s)
        accounts._dummy_hash()
        for i in range(rounds):
            for kind, name in (("known", "dept_a"), ("unknown", "no-such-user")):
                with clock.frozen(clock.now() + timedelta(days=i + 1)), contextlib.suppress(AuthError):
                    start = time.perf_counter()
                    try:
                        accounts.authenticate(name, "wrong-password-x", session=s)
                    finally:
                        times[kind].append(time.perf_counter() - start)
    engine.dispose()
    medians = {kind: statistics.median(xs) * 1000 for kind, xs in times.items()}
    for kind, xs in times.items():
        xs.sort()
        print(f"{kind}: median {medians[kind]:.0f} ms, p10 {xs[len(xs) // 10] * 1000:.0f} ms, "
              f"p90 {xs[len(xs) * 9 // 10] * 1000:.0f} ms ({len(xs)} attempts)")  # fmt: skip
    return medians


if __name__ == "__main__":
    main()
