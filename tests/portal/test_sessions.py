"""Server-side login sessions (the ``sb_session`` cookie's token): open, resume, expire, revoke.

Runs on the module's shared database (``db``); every test is rolled back afterwards.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from portal import clock
from portal.config import load_settings
from portal.models import AuditEvent, LoginSession
from portal.services import sessions

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _idle() -> timedelta:
    return timedelta(minutes=load_settings().session_timeout_minutes)


def test_open_then_resume_gives_the_user(db, shared_world):
    user = shared_world.dept_a.user
    with clock.frozen(T0):
        token = sessions.open_session(user.id, session=db)
        actor = sessions.resume(token, session=db)
    assert actor is not None
    assert actor.user_id == user.id
    assert actor.role == user.role
    row = db.exec(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    assert row.created_at == row.last_seen_at == T0
    assert row.expires_at == T0 + sessions.MAX_AGE
    assert row.revoked_at is None


def test_token_is_random_and_stored_only_as_its_hash(db, shared_world):
    first = sessions.open_session(shared_world.dept_a.user.id, session=db)
    second = sessions.open_session(shared_world.dept_a.user.id, session=db)
    assert first != second
    assert len(first) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", first)
    rows = db.exec(select(LoginSession)).all()
    stored = {r.token_hash for r in rows}
    assert stored == {sessions.hash_token(first), sessions.hash_token(second)}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)
    for row in rows:  # the raw token is in no column
        assert first not in repr(row.model_dump()) and second not in repr(row.model_dump())


def test_unknown_empty_and_oversized_tokens_resume_nothing(db, shared_world):
    sessions.open_session(shared_world.vendor_x.user.id, session=db)
    assert sessions.resume("not-a-token", session=db) is None
    assert sessions.resume("", session=db) is None
    assert sessions.resume(None, session=db) is None
    assert sessions.resume("x" * 10_000, session=db) is None
    sessions.close_session("not-a-token", session=db)  # ignored, no error


def test_idle_session_expires(db, shared_world):
    with clock.frozen(T0) as box:
        token = sessions.open_session(shared_world.dept_a.user.id, session=db)
        box[0] = T0 + _idle() - timedelta(seconds=1)
        assert sessions.resume(token, session=db) is not None  # used: last_seen moves on
        box[0] = T0 + 2 * _idle() - timedelta(seconds=2)
        assert sessions.resume(token, session=db) is not None
        box[0] = T0 + 3 * _idle()
        assert sessions.resume(token, session=db) is None


def test_last_seen_is_written_at_most_once_a_minute(db, shared_world):
    with clock.frozen(T0) as box:
        token = sessions.open_session(shared_world.dept_a.user.id, session=db)
        row = db.exec(select(LoginSession)).one()
        box[0] = T0 + timedelta(seconds=30)
        sessions.resume(token, session=db)
        assert row.last_seen_at == T0
        box[0] = T0 + timedelta(seconds=61)
        sessions.resume(token, session=db)
        assert row.last_seen_at == T0 + timedelta(seconds=61)


def test_absolute_cap_ends_an_active_session(db, shared_world):
    with clock.frozen(T0) as box:
        token = sessions.open_session(shared_world.dept_a.user.id, session=db)
        step = _idle() / 2
        while box[0] + step < T0 + sessions.MAX_AGE:
            box[0] += step
            assert sessions.resume(token, session=db) is not None
        box[0] = T0 + sessions.MAX_AGE
        assert sessions.resume(token, session=db) is None


def test_closed_session_is_revoked_and_audited(db, shared_world):
    user = shared_world.vendor_x.user
    with clock.frozen(T0):
        token = sessions.open_session(user.id, session=db)
        sessions.close_session(token, session=db)
        sessions.close_session(token, session=db)  # twice: no second event
        assert sessions.resume(token, session=db) is None
    row = db.exec(select(LoginSession)).one()
    assert row.revoked_at == T0
    events = db.exec(select(AuditEvent).where(AuditEvent.event == "user.logout")).all()
    assert [(e.actor_id, e.object_id) for e in events] == [(user.id, user.id)]


def test_inactive_user_is_not_resumed(db, shared_world):
    user = shared_world.dept_b.user
    token = sessions.open_session(user.id, session=db)
    user.is_active = False
    db.add(user)
    db.flush()
    assert sessions.resume(token, session=db) is None


def test_other_sessions_of_the_user_stay_valid(db, shared_world):
    user = shared_world.dept_a.user
    one = sessions.open_session(user.id, session=db)
    two = sessions.open_session(user.id, session=db)
    sessions.close_session(one, session=db)
    assert sessions.resume(one, session=db) is None
    assert sessions.resume(two, session=db) is not None


def test_ended_login_sessions_are_purged_after_a_week(session, world):
    from tests.factories import after

    revoked = sessions.open_session(world.vendor_x.user.id, session=session)
    sessions.close_session(revoked, session=session)
    sessions.open_session(world.vendor_y.user.id, session=session)  # left idle
    session.commit()
    assert sessions.purge_ended(session=session) == 0  # ended today: kept for a week
    with clock.frozen(after(8)):
        current = sessions.open_session(world.vendor_y.user.id, session=session)
        assert sessions.purge_ended(session=session) == 2  # the revoked one and the long-idle one
        assert sessions.resume(current, session=session) is not None
    assert len(session.exec(select(LoginSession)).all()) == 1
