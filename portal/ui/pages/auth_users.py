"""User accounts: find a user, deactivate the account (ending all its sessions) or reactivate it."""

import streamlit as st

from portal.i18n import format_datetime, t
from portal.services import accounts
from portal.ui import components as ui
from portal.ui import state
from portal.views.accounts import Do, users_page

actor, lang = state.guard("users")
st.title(t("ui.users.title", lang))
st.caption(t("ui.users.intro", lang))
search = st.text_input(t("ui.users.search", lang), key="users_search", max_chars=60)
view = ui.load(users_page, actor, search)
if not view.users:
    ui.empty(lang)
if len(view.users) >= view.limit:
    st.caption(t("ui.users.more", lang, count=view.limit))
for user in view.users:
    with st.container(border=True, key=f"user_{user.id}"):
        head, side = st.columns([5, 1])
        head.markdown(
            f"**{ui.safe(user.display_name)}** · {ui.safe(user.username)} · {ui.safe(user.org_name)}"
        )
        facts_md = [t(f"role.{user.role}", lang)]
        facts_md.append(t("ui.users.last_login", lang, date=format_datetime(user.last_login_at, lang)))
        if user.locked_until is not None:
            facts_md.append(t("ui.users.locked", lang, date=format_datetime(user.locked_until, lang)))
        if user.is_demo:
            facts_md.append(t("ui.users.demo", lang))
        head.caption(" · ".join(facts_md))
        with side:
            st.badge(
                t("ui.users.active" if user.is_active else "ui.users.inactive", lang),
                color="green" if user.is_active else "gray",
            )
        if user.can(Do.DEACTIVATE):
            c1, c2 = st.columns([3, 1])
            reason = c1.text_input(t("ui.reason", lang), key=f"user_reason_{user.id}")
            if c2.button(t("ui.users.deactivate", lang), key=f"user_off_{user.id}"):
                ui.act(
                    accounts.deactivate_user,
                    actor,
                    user.id,
                    reason,
                    done=ui.tr("ui.users.deactivated", lang, name=user.username),
                )
        if user.can(Do.REACTIVATE) and st.button(t("ui.users.reactivate", lang), key=f"user_on_{user.id}"):
            ui.act(
                accounts.reactivate_user,
                actor,
                user.id,
                done=ui.tr("ui.users.reactivated", lang, name=user.username),
            )
