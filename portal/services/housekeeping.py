"""Scheduled chores that every serving process runs now and then (no cron needed for a demo).

Why: a scenario whose closing date has passed must close (unsealing its bids for the department)
even if nobody clicks "close"; ended login sessions are purged on the same occasion. Queued
e-mails must go out, deadline reminders must reach followers and bidders, and subscribers get
their daily digest, also when nobody set up cron. ``python -m portal close-due`` /
``send-mail`` / ``send-reminders`` / ``send-digests`` do the same from cron in production.

Each chore has its own throttle per process (``SweepConfig``, from ``PORTAL_SWEEP_*_SECONDS``;
``0`` turns a chore off in the serving process, e.g. when cron runs it). The throttle marker is
in memory, like the close-due sweep always was: several processes on one database may each run a
chore, which is harmless because the jobs dedupe in the database (overdue closing through the
state machine, e-mail through the outbox's compare-and-set lease, digests and reminders through
the unique ``DeliveryLog`` key). The mail chores run on one background thread per process, so a
page run never waits for an SMTP server or the matching model; a chore that raises is logged and
waits for its next interval, and never stops the chores after it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.permissions import SYSTEM
from portal.services.scenarios import close_due_scenarios
from portal.services.sessions import purge_ended

log = logging.getLogger(__name__)
INTERVAL = 600.0  # close-due (and the session purge), seconds
_last = 0.0
_lock = threading.Lock()

#: The mail chores in the order a sweep runs them: reminders and digests queue mail that the
#: delivery right after them sends at once.
CHORES = ("reminders", "digests", "delivery")
DEFAULT_INTERVALS: dict[str, float] = {"reminders": 3600.0, "digests": 3600.0, "delivery": 60.0}
NEEDS_SMTP = frozenset({"digests", "delivery"})  # without PORTAL_SMTP_URL there is nothing to do


def run_due(force: bool = False) -> list[int]:
    """Close overdue scenarios if the last sweep of this process is older than ``INTERVAL``.

    Returns the ids closed by this call (empty when skipped).
    """
    global _last
    with _lock:
        if not force and time.monotonic() - _last < INTERVAL:
            return []
        _last = time.monotonic()
    try:
        with session_scope() as session:
            closed = close_due_scenarios(SYSTEM, session=session)
            purge_ended(session=session)  # login sessions that ended a week ago
            session.commit()
    except PortalError as err:  # another process closed one of them first: next sweep retries
        log.info("close-due sweep skipped: %s", err)
        return []
    if closed:
        log.info("closed %d overdue scenario(s): %s", len(closed), closed)
    return closed


# ------------------------------------------------------------------------------ mail chores


@dataclass(frozen=True)
class SweepConfig:
    """Seconds between two runs of each mail chore in one process (``0``: never from here).

    Example:
        >>> SweepConfig.from_env({"PORTAL_SWEEP_DELIVERY_SECONDS": "30"}).intervals["delivery"]
        30.0
    """

    intervals: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_INTERVALS))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SweepConfig:
        """Read ``PORTAL_SWEEP_REMINDERS_SECONDS``, ``…_DIGESTS_…`` and ``…_DELIVERY_…``.

        Raises:
            ValueError: a value that is not a number of seconds.
        """
        env = os.environ if env is None else env
        intervals = {}
        for name, default in DEFAULT_INTERVALS.items():
            raw = env.get(f"PORTAL_SWEEP_{name.upper()}_SECONDS", "").strip()
            try:
                intervals[name] = float(raw) if raw else default
            except ValueError:
                raise ValueError(
                    f"PORTAL_SWEEP_{name.upper()}_SECONDS must be a number of seconds, got {raw!r}"
                ) from None
        return cls(intervals)


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did: chores run (with their job reports), skipped, and failed (logged)."""

    ran: dict[str, dict[str, object]]
    skipped: tuple[str, ...]  # throttled, turned off, or no SMTP configured
    failed: tuple[str, ...]  # raised; the next interval tries again


def _deliver() -> dict[str, object]:
    from portal.services import outbox

    return dict(outbox.deliver_due(session_scope).as_dict())


def _reminders() -> dict[str, object]:
    from portal.services import digests

    return dict(digests.send_reminders(session_scope).as_dict())


def _digests() -> dict[str, object]:
    from portal.services import digests

    return dict(digests.send_digests(session_scope).as_dict())


#: What each chore calls (tests replace an entry to make a chore fail).
ACTIONS: dict[str, Callable[[], dict[str, object]]] = {
    "reminders": _reminders,
    "digests": _digests,
    "delivery": _deliver,
}
_marks: dict[str, float] = {}  # chore -> time.monotonic() of its last start in this process
_worker: threading.Thread | None = None


def _claim(name: str, interval: float, force: bool, now: float) -> bool:
    """Take this chore's turn if its interval has passed (the marker is set before it runs)."""
    with _lock:
        last = _marks.get(name)
        if interval <= 0 or (not force and last is not None and now - last < interval):
            return False
        _marks[name] = now
        return True


def _smtp() -> bool:
    from portal.services import outbox

    try:
        return outbox.enabled()
    except ValueError as err:  # a malformed PORTAL_SMTP_URL: in-app only until it is fixed
        log.warning("mail chores without e-mail: %s", err)
        return False


def sweep(config: SweepConfig | None = None, *, force: bool = False) -> SweepReport:
    """Run each mail chore whose interval has passed, in ``CHORES`` order; never raises.

    Args:
        config: the intervals (default ``SweepConfig.from_env()``).
        force: run every chore now, ignoring the throttle (not one turned off, nor without SMTP).

    Returns:
        The chores' reports (``outbox.DeliveryReport`` / ``digests.JobReport`` as dicts).
    """
    config = config or SweepConfig.from_env()
    smtp = _smtp()
    ran: dict[str, dict[str, object]] = {}
    skipped: list[str] = []
    failed: list[str] = []
    for name in CHORES:
        if (name in NEEDS_SMTP and not smtp) or not _claim(
            name, config.intervals.get(name, 0.0), force, time.monotonic()
        ):
            skipped.append(name)
            continue
        try:
            ran[name] = ACTIONS[name]()
        except Exception:  # noqa: BLE001 - one broken chore must not stop the others or the page
            log.exception("housekeeping chore %r failed; next try after its interval", name)
            failed.append(name)
    return SweepReport(ran, tuple(skipped), tuple(failed))


def start_sweep(config: SweepConfig | None = None) -> bool:
    """Run ``sweep`` on a background thread if a chore is due and none runs; True if one started.

    What the serving process calls on every page run: the page never waits for it.
    """
    global _worker
    config = config or SweepConfig.from_env()
    smtp = _smtp()
    now = time.monotonic()
    with _lock:
        due = any(
            interval > 0
            and (smtp or name not in NEEDS_SMTP)
            and (name not in _marks or now - _marks[name] >= interval)
            for name, interval in config.intervals.items()
        )
        if not due or (_worker is not None and _worker.is_alive()):
            return False
        _worker = threading.Thread(target=sweep, args=(config,), name="portal-sweep", daemon=True)
        _worker.start()
    return True


def join_sweep(timeout: float = 60.0) -> None:
    """Wait for this process's background sweep (tests, before the database goes away)."""
    worker = _worker
    if worker is not None:
        worker.join(timeout)


def reset_throttle() -> None:
    """Forget when each chore last ran in this process (tests)."""
    with _lock:
        _marks.clear()
