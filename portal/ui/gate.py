"""What answers at a page's url when the actor may not open it.

Why: every page is registered on every run (``portal.ui.nav``), so a bookmark, a deep link or a
link in an e-mail never meets Streamlit's English "Page not found". An anonymous visitor gets the
login form right there and, once logged in, the same url renders the page it asked for (query
parameters such as ``?id=85`` kept). A logged-in user of another role is told it is not for them.
"""

from __future__ import annotations

import streamlit as st

from portal.i18n import t
from portal.permissions import Actor
from portal.ui import auth, routes, state


def render(spec: routes.PageSpec, actor: Actor, lang: str) -> None:
    """Render the gate of ``spec`` for ``actor`` (the caller stops the page afterwards)."""
    st.title(t(spec.title_key, lang))
    home = state.page(routes.home_of(actor))
    if actor.is_anonymous:
        st.info(t("ui.gate.login_needed", lang), icon=":material/lock:")
        auth.login_form(lang)
        register = state.page("register")
        if register is not None:
            st.caption(t("ui.login.register_hint", lang))
            st.page_link(register, label=t("ui.nav.register", lang), icon=":material/person_add:")
        return
    if spec.audience == (routes.ANON,):
        st.info(t("ui.login.already", lang))
    else:
        st.error(t("ui.gate.not_for_role", lang, role=f"role.{actor.role}"))
    if home is not None:
        st.page_link(home, label=t("ui.gate.go_home", lang), icon=":material/home:")


def page(spec: routes.PageSpec):  # type: ignore[no-untyped-def]
    """A page callable for ``st.Page`` that renders this spec's gate."""

    def gate() -> None:
        state.show_flash()
        render(spec, state.current_actor(), state.lang())

    gate.__name__ = f"gate_{spec.url_path.replace('-', '_')}"
    return gate
