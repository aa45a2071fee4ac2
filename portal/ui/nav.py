"""Builds ``st.navigation`` for the session's role on every run, plus the sidebar chrome.

Why: what a role sees in the menu is rebuilt from the database each run (a verification or a
logout takes effect at once). The menu only hides pages; each page checks access again itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from portal.db import session_scope
from portal.i18n import LANGUAGES, t
from portal.models import Role
from portal.permissions import Actor
from portal.services import housekeeping, notifications
from portal.ui import matchmaking, state

PAGES_DIR = Path("portal/ui/pages")
ANON = "anonymous"
USER = "user"


@dataclass(frozen=True)
class PageSpec:
    url_path: str
    file: str
    title_key: str
    icon: str
    section: str
    audience: tuple[str, ...] | None = None  # None: everyone; roles, ANON or USER otherwise
    hidden: bool = False


SPECS: tuple[PageSpec, ...] = (
    PageSpec("scenarios", "scenarios.py", "ui.nav.scenarios", ":material/list_alt:", "public"),
    PageSpec("scenario", "scenario.py", "ui.nav.scenario", ":material/article:", "public", hidden=True),
    PageSpec("showcases", "showcases.py", "ui.nav.showcases", ":material/star:", "public"),
    PageSpec("lists", "call_lists.py", "ui.nav.lists", ":material/format_list_numbered:", "public"),
    PageSpec("login", "login.py", "ui.nav.login", ":material/login:", "account", (ANON,)),
    PageSpec("register", "register.py", "ui.nav.register", ":material/person_add:", "account", (ANON,)),
    PageSpec("inbox", "notifications.py", "ui.nav.inbox", ":material/notifications:", "account", (USER,)),
    PageSpec("profile", "profile.py", "ui.nav.profile", ":material/settings:", "account", (USER,)),
    PageSpec(
        "my-scenarios",
        "dept_scenarios.py",
        "ui.nav.my_scenarios",
        ":material/folder:",
        "work",
        (Role.DEPARTMENT,),
    ),
    PageSpec(
        "edit-scenario",
        "dept_edit.py",
        "ui.nav.new_scenario",
        ":material/edit_note:",
        "work",
        (Role.DEPARTMENT,),
    ),
    PageSpec(
        "manage",
        "dept_manage.py",
        "ui.nav.manage",
        ":material/tune:",
        "work",
        (Role.DEPARTMENT,),
        hidden=True,
    ),
    PageSpec(
        "recommended",
        "vendor_recommended.py",
        "ui.nav.recommended",
        ":material/recommend:",
        "work",
        (Role.VENDOR,),
    ),
    PageSpec("offers", "vendor_offers.py", "ui.nav.offers", ":material/inventory_2:", "work", (Role.VENDOR,)),
    PageSpec("my-bids", "vendor_bids.py", "ui.nav.my_bids", ":material/gavel:", "work", (Role.VENDOR,)),
    PageSpec("review", "auth_review.py", "ui.nav.review", ":material/fact_check:", "work", (Role.AUTHORITY,)),
    PageSpec("calls", "auth_calls.py", "ui.nav.calls", ":material/campaign:", "work", (Role.AUTHORITY,)),
    PageSpec(
        "vendors", "auth_vendors.py", "ui.nav.vendors", ":material/verified_user:", "work", (Role.AUTHORITY,)
    ),
    PageSpec("board", "auth_board.py", "ui.nav.board", ":material/hub:", "work", (Role.AUTHORITY,)),
    PageSpec(
        "curation",
        "auth_showcases.py",
        "ui.nav.curation",
        ":material/auto_awesome:",
        "work",
        (Role.AUTHORITY,),
    ),
    PageSpec(
        "dashboard",
        "auth_dashboard.py",
        "ui.nav.dashboard",
        ":material/monitoring:",
        "work",
        (Role.AUTHORITY,),
    ),
    PageSpec("audit", "auth_audit.py", "ui.nav.audit", ":material/history:", "work", (Role.AUTHORITY,)),
    PageSpec(
        "import", "auth_import.py", "ui.nav.import", ":material/upload_file:", "work", (Role.AUTHORITY,)
    ),
    PageSpec("export", "auth_export.py", "ui.nav.export", ":material/download:", "work", (Role.AUTHORITY,)),
)


#: The page a role lands on (after login, or when the requested page is not in its menu).
HOME = {Role.DEPARTMENT: "my-scenarios", Role.VENDOR: "recommended", Role.AUTHORITY: "review"}


def visible_to(spec: PageSpec, actor: Actor) -> bool:
    if spec.audience is None:
        return True
    if actor.is_anonymous:
        return ANON in spec.audience
    return USER in spec.audience or actor.role in spec.audience


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
        with session_scope() as s:
            unread = notifications.unread_count(actor, session=s)
        st.caption(t("ui.signed_in_as", lang, role=f"role.{actor.role}"))
        if unread:
            st.caption(t("ui.unread", lang, count=unread))
        if actor.is_vendor and not actor.verified:
            st.caption(t("ui.vendor_pending", lang))
        if st.button(t("ui.logout", lang), key="logout"):
            state.logout()
            state.flash(t("ui.logged_out", lang), "info")
            st.switch_page(st.session_state[state.PAGES]["scenarios"])


def build() -> st.navigation:  # type: ignore[valid-type]
    """Start the matching warm-up, work out the actor and return this run's navigation."""
    matchmaking.start()
    housekeeping.run_due()  # closes overdue scenarios at most every 10 minutes per process
    actor = state.begin_run()
    lang = state.lang()
    if st.session_state.get("lang_select") != lang:
        st.session_state["lang_select"] = lang
    home = HOME.get(actor.role, "scenarios") if not actor.is_anonymous else "scenarios"
    registry: dict[str, st.Page] = {}
    sections: dict[str, list[st.Page]] = {}
    for spec in SPECS:
        if not visible_to(spec, actor):
            continue
        page = st.Page(
            str(PAGES_DIR / spec.file),
            title=t(spec.title_key, lang),
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec.url_path == home,
            visibility="hidden" if spec.hidden else "visible",
        )
        registry[spec.url_path] = page
        sections.setdefault(t(f"ui.section.{spec.section}", lang), []).append(page)
    st.session_state[state.PAGES] = registry
    _sidebar(actor, lang)
    with st.sidebar:
        state.write_cookie()  # login token cookie set or cleared (invisible)
    return st.navigation(sections, expanded=True)  # no untranslated "View more" link
