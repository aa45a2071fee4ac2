"""AppTest helpers: a fresh app per step, login through the session (or the real form), the real
matching engine warmed once per database (the model itself loads once per process)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from portal import clock
from portal.services import housekeeping
from portal.ui import matchmaking
from portal.ui.routes import SPECS, PageSpec
from tests.factories import Party

os.environ.setdefault("PORTAL_TEST_FAST_HASH", "1")
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 60  # the first run of a process imports everything; a model call may embed text


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """``st.cache_resource`` outlives an AppTest; each test starts from clean caches."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    matchmaking.join_warm_ups()  # the app's warm-up thread must finish before the engines are dropped
    housekeeping.join_sweep()  # and so must a background mail sweep (off unless a test turns it on)
    st.cache_resource.clear()


def page_file(url_path: str) -> str:
    spec: PageSpec = next(s for s in SPECS if s.url_path == url_path)
    return f"portal/ui/pages/{spec.file}"


def login_state(at: AppTest, party: Party | None) -> AppTest:
    """Log ``party`` in by session state (the real form is tested once, in test_pages)."""
    if party is not None:
        at.session_state["user_id"] = party.user.id
        at.session_state["last_active"] = clock.now()
    return at


@pytest.fixture
def app(engine) -> Callable[..., AppTest]:
    """``app(party, page="scenarios", **query)`` → an AppTest that has run that page."""

    def make(
        party: Party | None = None, page: str | None = None, lang: str | None = None, **query: object
    ) -> AppTest:
        at = login_state(AppTest.from_file(APP, default_timeout=TIMEOUT), party)
        if lang:
            at.session_state["lang"] = lang
        at.run()
        if page is not None:
            goto(at, page, **query)
        return at

    return make


def goto(at: AppTest, page: str, **query: object) -> AppTest:
    at.query_params.clear()
    for key, value in query.items():
        at.query_params[key] = str(value)
    at.switch_page(page_file(page)).run()
    # AppTest keeps requesting the switched-to page on every later run, so an in-app
    # ``st.switch_page`` (an "Open" button) would be undone by the next click. Follow the page the
    # run finished on instead, as a browser does.
    at._page_hash = ""
    return at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest) -> str:
    """Every markdown, caption, title, info, success and warning text of the run, joined."""
    parts = []
    for kind in ("markdown", "caption", "title", "subheader", "info", "success", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.fixture
def matching(engine):
    """The real matching engine synced with this test's database (model loaded once per process)."""
    from portal.db import session_scope
    from portal.services import matchmaking

    matchmaking.warm_up()
    matchmaking.portal_engine().engine.wait(120)

    def sync() -> None:
        """Apply what the test wrote since (pages also sync, but only every few seconds)."""
        with session_scope() as s:
            matchmaking.sync_changes(s)
        matchmaking.portal_engine().engine.wait(120)

    return sync
