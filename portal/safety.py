"""Start-up guard: refuse to serve in production mode while a published demo password still works.

Why a function of its own: every entry point that serves users (``streamlit_app.py``, ``python -m
portal check``, a container health check) must apply the same rule, and the rule must be testable
without a browser. The demo password is in the README, so an active demo account in production is
an open door.

Example (at the top of ``streamlit_app.py``)::

    from portal.safety import assert_safe_to_serve
    with session_scope() as s:
        assert_safe_to_serve(s)       # raises UnsafeToServe in production with demo accounts
"""

from __future__ import annotations

from sqlmodel import Session

from portal.config import Settings, load_settings
from portal.domain.errors import PortalError


class UnsafeToServe(PortalError):
    """The configuration must not serve users (the message says why and what to do)."""

    key = "error.unsafe_demo_accounts"


def unsafe_reasons(session: Session, settings: Settings | None = None) -> list[UnsafeToServe]:
    """Every reason not to serve (empty in demo mode, or in production without active demo accounts)."""
    from portal.services.accounts import active_demo_accounts

    settings = settings or load_settings()
    if settings.mode != "production":
        return []
    demo = active_demo_accounts(session)
    if not demo:
        return []
    names = ", ".join(demo[:5]) + (" …" if len(demo) > 5 else "")
    return [UnsafeToServe(count=len(demo), names=names)]


def assert_safe_to_serve(session: Session, settings: Settings | None = None) -> None:
    """Raise ``UnsafeToServe`` when the portal must not start (production mode with demo accounts).

    Raises:
        UnsafeToServe: ``PORTAL_MODE=production`` while demo accounts are active.
    """
    reasons = unsafe_reasons(session, settings)
    if reasons:
        raise reasons[0]
