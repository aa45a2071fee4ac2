"""Scheduled chores that every serving process runs now and then (no cron needed for a demo).

Why: a scenario whose closing date has passed must close (unsealing its bids for the department)
even if nobody clicks "close"; ended login sessions are purged on the same occasion. ``python -m portal close-due`` does it from cron in production; the
app also runs the same sweep at most every ``INTERVAL`` seconds per process. Two processes racing
on one scenario are harmless: the loser gets a conflict or an invalid transition and gives up.
"""

from __future__ import annotations

import logging
import threading
import time

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.permissions import SYSTEM
from portal.services.scenarios import close_due_scenarios
from portal.services.sessions import purge_ended

log = logging.getLogger(__name__)
INTERVAL = 600.0
_last = 0.0
_lock = threading.Lock()


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
