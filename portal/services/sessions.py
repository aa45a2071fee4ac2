"""Server-side login sessions: a login that survives a reload, a deep link or a new tab.

Why: Streamlit keeps its session state per browser connection, so a reload used to log the user
out. After a successful login the UI opens a ``LoginSession`` and stores the returned random token in
the ``sb_session`` cookie; a new Streamlit session resumes the login from that cookie. Only the
SHA-256 of the token is stored (a database copy cannot be replayed as a login). A session ends at
logout (revoked), after ``Settings.session_timeout_minutes`` without use, at its absolute cap
(``MAX_AGE`` after login), when the account is deactivated, or when its password is changed or reset
(``accounts.end_sessions``: a change keeps only the session that made it).

Services flush; the caller commits (``resume`` writes ``last_seen_at`` at most once a minute).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from portal import audit, clock
from portal.audit import EventType
from portal.config import load_settings
from portal.models import LoginSession, LoginThrottle
from portal.permissions import Actor
from portal.services import accounts

#: Absolute lifetime of a login session (and the cookie's Max-Age), however active the user is.
MAX_AGE = timedelta(hours=12)
#: ``last_seen_at`` is written at most this often (a page run is not a database write).
TOUCH_EVERY = timedelta(minutes=1)
#: Longest token accepted (``token_urlsafe(32)`` gives 43 characters); longer input is not hashed.
_MAX_TOKEN_LEN = 100


def hash_token(token: str) -> str:
    """SHA-256 hex of a raw token (what ``LoginSession.token_hash`` holds)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(user_id: int, *, session: Session) -> str:
    """Start a login session for ``user_id`` (after a successful ``accounts.authenticate``).

    Returns:
        The raw token for the cookie; it is not stored anywhere on the server.

    Example:
        >>> token = open_session(user.id, session=s); s.commit()
    """
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = LoginSession(
        user_id=user_id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + MAX_AGE,
    )
    session.add(row)
    session.flush()
    return token


@dataclass(frozen=True)
class SignedIn:
    """A successful login: who, in which language, and the raw token for the cookie."""

    actor: Actor
    token: str
    language: str
    display_name: str


def sign_in(username: str, password: str, *, session: Session) -> SignedIn:
    """Check the credentials (``accounts.authenticate``) and open a login session, in one use case."""
    user, actor = accounts.authenticate(username, password, session=session)
    assert user.id is not None
    token = open_session(user.id, session=session)
    return SignedIn(actor=actor, token=token, language=user.language, display_name=user.display_name)


def _find(token: str | None, session: Session) -> LoginSession | None:
    if not token or not isinstance(token, str) or len(token) > _MAX_TOKEN_LEN:
        return None
    return session.exec(select(LoginSession).where(LoginSession.token_hash == hash_token(token))).first()


def resume(token: str | None, *, session: Session) -> Actor | None:
    """The actor of a valid login session, or None.

    Valid means: the token is known, not revoked, used within ``session_timeout_minutes``, not past
    ``expires_at``, and the user is still active. A valid session's ``last_seen_at`` is moved to now
    at most once a minute (flushed; the caller commits).
    """
    row = _find(token, session)
    if row is None or row.revoked_at is not None:
        return None
    now = clock.now()
    idle = timedelta(minutes=load_settings().session_timeout_minutes)
    if now >= row.expires_at or now - row.last_seen_at > idle:
        return None
    actor = accounts.actor_from_user_id(row.user_id, session=session)
    if actor is None:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return actor


def close_session(token: str | None, *, session: Session) -> None:
    """Revoke the login session of ``token`` (logout); an unknown or revoked token is ignored."""
    row = _find(token, session)
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = clock.now()
    session.add(row)
    actor = accounts.actor_from_user_id(row.user_id, session=session)
    if actor is not None:
        audit.record(session, actor, EventType.USER_LOGOUT, "user", row.user_id)
    session.flush()


def purge_ended(*, session: Session, keep: timedelta = timedelta(days=7)) -> int:
    """Delete login sessions that ended more than ``keep`` ago (logins themselves stay in the audit log).

    Returns how many rows were deleted.
    """
    cutoff = clock.now() - keep
    idle = timedelta(minutes=load_settings().session_timeout_minutes)
    ended = or_(
        LoginSession.expires_at < cutoff,
        LoginSession.revoked_at < cutoff,
        LoginSession.last_seen_at < cutoff - idle,
    )
    result = session.execute(delete(LoginSession).where(ended))
    # Failure counters of unknown usernames: kept while a lock can still matter, then forgotten.
    session.execute(delete(LoginThrottle).where(LoginThrottle.updated_at < cutoff))
    session.flush()
    return int(result.rowcount or 0)
