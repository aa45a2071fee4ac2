"""The one clock of the portal, injectable for tests.

Why: deadlines (question deadline, closing date, lockouts, session expiry) are rules; tests must be
able to move time instead of sleeping. All timestamps are timezone-aware UTC; calendar dates follow
China Standard Time (UTC+8) because deadlines are published as Beijing dates.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

CST = timedelta(hours=8)

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Current time (timezone-aware, UTC)."""
    return _now()


def today() -> date:
    """Today's date in China Standard Time."""
    return (now() + CST).date()


@contextmanager
def frozen(at: datetime):
    """Freeze the clock at ``at`` (aware UTC) inside the block; the yielded box lets a test move it."""
    global _now
    saved = _now
    box = [at]
    _now = lambda: box[0]  # noqa: E731
    try:
        yield box
    finally:
        _now = saved
