"""Builds ``st.navigation`` on every run, plus the sidebar chrome.

Why: what a role sees in the menu is rebuilt from the database each run (a verification or a
logout takes effect at once). Every page of ``routes.SPECS`` is registered on every run under its
own url path: pages the actor may open normally, the others through the gate (login form or
refusal), so direct links always work. Each page checks access again itself (``state.guard``).
"""

from __future__ import annotations

import streamlit as st

from portal.i18n import LANGUAGES, t
from portal.permissions import Actor
from portal.services import housekeeping, notifications, runner
from portal.ui import gate, matchmaking, routes, state
from portal.ui.routes import PAGES_DIR, SPECS


def _language_changed() -> None:
    choice = st.session_state.get("lang_select")
    if choice:
        state.set_lang(choice)


def _sidebar(actor: Actor, lang: str) -> None:
    with st.sidebar:
        st.markdown(f"**{t('app.title', lang)}**")
        choice = st.segmented_control(
            t("ui.language", lang),
            LANGUAGES,
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            key="lang_select",
            on_change=_language_changed,
        )
        del choice
        if actor.is_anonymous:
            return
        unread = runner.read(notifications.unread_count, actor)
        st.caption(t("ui.signed_in_as", lang, role=f"role.{actor.role}"))
        if unread:
            st.caption(t("ui.unread", lang, count=unread))
        if actor.is_vendor and not actor.verified:
            st.caption(t("ui.vendor_pending", lang))
        if st.button(t("ui.logout", lang), key="logout"):
            state.logout()
            state.flash(t("ui.logged_out", lang), "info")
            st.switch_page(st.session_state[state.PAGES]["home"])


def build() -> st.navigation:  # type: ignore[valid-type]
    """Start the matching warm-up, work out the actor and return this run's navigation."""
    matchmaking.start()
    housekeeping.run_due()  # closes overdue scenarios at most every 10 minutes per process
    housekeeping.start_sweep()  # mail, reminders, digests on a background thread (throttled)
    actor = state.begin_run()
    lang = state.lang()
    if st.session_state.get("lang_select") != lang:
        st.session_state["lang_select"] = lang
    registry: dict[str, st.Page] = {}
    sections: dict[str, list[st.Page]] = {}
    for spec in SPECS:
        allowed = routes.visible_to(spec, actor)
        landing = spec.url_path == "home"
        hidden = spec.hidden or not allowed or (landing and not actor.is_anonymous)
        page = st.Page(
            str(PAGES_DIR / spec.file) if allowed else gate.page(spec),
            title=t(spec.title_key, lang),
            icon=spec.icon,
            url_path=spec.url_path,
            default=landing,  # served at "/": the public landing, or a redirect to the role's start page
            visibility="hidden" if hidden else "visible",
        )
        registry[spec.url_path] = page
        sections.setdefault(t(f"ui.section.{spec.section}", lang), []).append(page)
    st.session_state[state.PAGES] = registry
    _sidebar(actor, lang)
    with st.sidebar:
        state.write_cookie()  # login token cookie set or cleared (invisible)
    return st.navigation(sections, expanded=True)  # no untranslated "View more" link
