"""The login form, shared by the login page and the direct-link gate."""

from __future__ import annotations

import streamlit as st

from portal.i18n import t
from portal.services import sessions
from portal.ui import components as ui
from portal.ui import routes, state


def login_form(lang: str, *, then: str | None = None) -> None:
    """Username and password; on success log in and go to ``then`` (None: stay on this url).

    The gate passes None: after the login the same url (``/manage?id=85``) renders the real page.
    """
    with st.form("login_form"):
        username = st.text_input(t("field.username", lang), key="login_username", autocomplete="username")
        password = st.text_input(
            t("field.password", lang), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("ui.login.submit", lang), key="login_submit", type="primary")
    if not submitted:
        return
    signed = ui.act(sessions.sign_in, username, password, rerun=False)
    if signed is None:
        return
    state.login(signed)
    state.flash(ui.tr("ui.login.welcome", signed.language, name=signed.display_name))
    if then is None:
        st.rerun()
    state.go(routes.home_of(signed.actor) if then == "home" else then)
