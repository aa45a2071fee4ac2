"""Session helpers: who is logged in, which language, inactivity expiry, and page guards.

Why: a hidden page is not a protected page. Every page script starts with ``guard(...)``, which
rebuilds the actor from the database on each run (role and verification may have changed) and
stops the page when the role does not fit. Only the user id lives in the Streamlit session.

A login survives a reload, a deep link and a new tab: ``login`` opens a server-side login session
(``portal.services.sessions``) and a small same-origin script stores its random token in the
``sb_session`` cookie; ``begin_run`` of a new Streamlit session resumes the login from that cookie.
Logout and inactivity expiry revoke the server session and clear the cookie. The token lives only in
the cookie, in this session's state and in that script, never in a URL or on a page.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import streamlit as st
import streamlit.components.v1 as components

from portal import clock
from portal.config import load_settings
from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from portal.permissions import ANONYMOUS, Actor
from portal.services import accounts, runner, sessions
from portal.ui import routes

USER_ID = "user_id"
LAST_ACTIVE = "last_active"
LANG = "lang"
FLASH = "flash"
PAGES = "pages"  # url_path -> st.Page, filled by ``portal.ui.nav`` each run
COOKIE = "sb_session"  # the login token cookie (Path=/, SameSite=Strict)
LOGIN_REF = "_login_ref"  # the raw token of this session's login (server keeps only its hash)
LOGIN_CHECKED = "_login_checked"  # when the server session was last checked (and touched)
COOKIE_TRIED = "_cookie_tried"  # the cookie value already tried by ``begin_run`` (tried once)
COOKIE_WRITE = "_cookie_write"  # pending cookie change, written by ``write_cookie`` this run
RUN = "_run"  # number of this session's current run (forms remember the run they were drawn in)


def run_number() -> int:
    """This session's run counter (``begin_run`` increments it)."""
    return int(st.session_state.get(RUN, 0))


def lang() -> str:
    """The UI language of this session (Chinese unless the visitor chose English)."""
    value = st.session_state.get(LANG, DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def lang_chosen() -> bool:
    """Whether this session's language was chosen (or remembered) rather than the default."""
    return LANG in st.session_state


def set_lang(value: str) -> None:
    """Switch the UI language; a logged-in user's choice is remembered in the database."""
    if value not in LANGUAGES:
        return
    st.session_state[LANG] = value
    actor = current_actor()
    if not actor.is_anonymous:
        runner.run(accounts.set_language, actor, value)


def flash(message: str, kind: str = "success") -> None:
    """Queue a message shown once at the top of the next page run (survives ``st.rerun``)."""
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(FLASH, None)
    if item:
        kind, message = item
        getattr(st, kind if kind in ("success", "info", "warning", "error") else "info")(message)


def _remember(user_id: int, language: str, token: str) -> None:
    st.session_state[USER_ID] = user_id
    st.session_state[LAST_ACTIVE] = clock.now()
    st.session_state[LOGIN_REF] = token
    st.session_state[LOGIN_CHECKED] = clock.now()
    st.session_state[LANG] = language if language in LANGUAGES else DEFAULT_LANGUAGE
    st.session_state.pop("_actor", None)


def login(signed: sessions.SignedIn) -> None:
    """Remember a login (from ``sessions.sign_in``) in this browser session and set its cookie."""
    assert signed.actor.user_id is not None
    _remember(signed.actor.user_id, signed.language, signed.token)
    st.session_state[COOKIE_WRITE] = (signed.token, int(sessions.MAX_AGE.total_seconds()))


def logout() -> None:
    """End the login: revoke the server session and clear the cookie (on the next ``write_cookie``)."""
    token = st.session_state.pop(LOGIN_REF, None)
    if token:
        runner.run(sessions.close_session, token)
        st.session_state[COOKIE_WRITE] = ("", 0)
    for key in (USER_ID, LAST_ACTIVE, "_actor", LOGIN_CHECKED):
        st.session_state.pop(key, None)


def login_token() -> str | None:
    """The raw token of this browser session's login, or None.

    A password change passes it to the service so that this session stays open while every other
    session of the user ends; it never reaches a page's output.
    """
    token = st.session_state.get(LOGIN_REF)
    return token if isinstance(token, str) else None


def _cookie_script(value: str, max_age: int) -> str:
    """The script that sets (or, with ``max_age`` 0, deletes) the login cookie on the app's origin.

    The component iframe is same-origin (``srcdoc`` with ``allow-same-origin``); the script writes
    through the parent document, which is the app page. ``Secure`` is added when the page was loaded
    over https, as the browser sees it (so also behind a TLS-terminating proxy).
    """
    return (
        "<script>(function(){var d=document,s='';"
        "try{d=window.parent.document;if(window.parent.location.protocol==='https:'){s='; Secure';}}catch(e){}"
        f"d.cookie={json.dumps(f'{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict')}+s;"
        "})();</script>"
    )


def write_cookie() -> None:
    """Apply a pending cookie change (login, logout, stale cookie) with an invisible component."""
    pending = st.session_state.pop(COOKIE_WRITE, None)
    if pending is not None:
        value, max_age = pending
        components.html(_cookie_script(value, max_age), height=0)


def _resume_from_cookie() -> None:
    """A new Streamlit session (reload, deep link, new tab) resumes the login of the cookie, once."""
    if st.session_state.get(USER_ID) is not None:
        return
    raw = st.context.cookies.get(COOKIE)
    if not raw or st.session_state.get(COOKIE_TRIED) == raw:
        return
    st.session_state[COOKIE_TRIED] = raw
    actor = runner.run(sessions.resume, raw)
    if actor is None or actor.user_id is None:
        st.session_state[COOKIE_WRITE] = ("", 0)  # expired or revoked: forget it
        return
    _remember(actor.user_id, actor.language, raw)


def _server_session_valid(now: datetime) -> bool:
    """Check the login session at most once a minute (keeps it alive; sees a logout in another tab)."""
    token = st.session_state.get(LOGIN_REF)
    checked = st.session_state.get(LOGIN_CHECKED)
    if not token or (checked is not None and now - checked < sessions.TOUCH_EVERY):
        return True
    actor = runner.run(sessions.resume, token)
    st.session_state[LOGIN_CHECKED] = now
    return actor is not None


def _timeout() -> timedelta:
    return timedelta(minutes=load_settings().session_timeout_minutes)


def current_actor() -> Actor:
    """The acting user of this run, rebuilt from the database once per run; expires when idle.

    After ``Settings.session_timeout_minutes`` without any interaction the session is logged out
    and a notice is queued. Every run counts as activity.
    """
    cached = st.session_state.get("_actor")
    if cached is not None and st.session_state.get("_actor_fresh"):
        return cached
    user_id = st.session_state.get(USER_ID)
    if user_id is None:
        return ANONYMOUS
    last = st.session_state.get(LAST_ACTIVE)
    now = clock.now()
    if (last is not None and now - last > _timeout()) or not _server_session_valid(now):
        logout()
        flash(t("ui.session_expired", lang()), "warning")
        return ANONYMOUS
    actor = runner.read(accounts.actor_from_user_id, user_id)
    if actor is None:
        logout()
        return ANONYMOUS
    st.session_state[LAST_ACTIVE] = now
    st.session_state["_actor"] = actor
    st.session_state["_actor_fresh"] = True
    return actor


def begin_run() -> Actor:
    """Called once at the top of every run (by the navigation): forget last run's actor.

    A new Streamlit session without a logged-in user resumes the login of the ``sb_session`` cookie.
    """
    st.session_state[RUN] = run_number() + 1
    st.session_state["_actor_fresh"] = False
    st.session_state.pop("_actor", None)
    _resume_from_cookie()
    return current_actor()


def guard(url_path: str) -> tuple[Actor, str]:
    """Check access at the top of a page (again: the navigation already gated it) and show flashes.

    The audience comes from ``routes.SPECS`` (the same table the navigation uses), so a page never
    names roles itself. A refused visitor gets the login form (anonymous) or a refusal, never the page.

    Returns:
        ``(actor, lang)`` for the page to use.
    """
    actor = current_actor()
    language = lang()
    show_flash()
    spec = routes.BY_PATH[url_path]
    if not routes.visible_to(spec, actor):
        from portal.ui import gate  # the gate renders the login form, which uses this module

        gate.render(spec, actor, language)
        st.stop()
    return actor, language


def page(url_path: str):  # type: ignore[no-untyped-def]
    """The ``st.Page`` registered under ``url_path`` this run (None when the role lacks it)."""
    return st.session_state.get(PAGES, {}).get(url_path)


def go(url_path: str, **query: object) -> None:
    """Switch to another page of this role, optionally with query parameters (e.g. ``id``)."""
    target = page(url_path)
    if target is None:
        st.error(t("error.permission_denied", lang()))
        st.stop()
    st.switch_page(target, query_params={k: str(v) for k, v in query.items()} or None)


def query_int(name: str) -> int | None:
    """An integer query parameter (``?id=12``), or None when absent or malformed."""
    raw = st.query_params.get(name)
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
