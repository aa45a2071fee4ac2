"""The portal's front door at ``/``: what it is and what is open now; members go to their start page."""

import streamlit as st

from portal.i18n import t
from portal.ui import components as ui
from portal.ui import routes, state
from portal.views import public

actor, lang = state.guard("home")
if not actor.is_anonymous:
    state.go(routes.home_of(actor))
view = ui.load(public.home_page, actor)

st.title(t("app.title", lang))
st.markdown(t("ui.home.intro", lang))
c1, c2, c3 = st.columns(3)
c1.metric(t("ui.home.open", lang), view.open_count)
c2.metric(t("ui.home.matched", lang), view.matched_count)
c3.metric(t("ui.home.showcases", lang), view.showcase_count)
b1, b2, b3 = st.columns(3)
b1.page_link(state.page("scenarios"), label=t("ui.home.browse", lang), icon=":material/list_alt:")
b2.page_link(state.page("register"), label=t("ui.home.register", lang), icon=":material/person_add:")
b3.page_link(state.page("login"), label=t("ui.nav.login", lang), icon=":material/login:")

st.subheader(t("ui.home.latest", lang))
if not view.latest:
    ui.empty(lang, "ui.scenarios.none")
for sc in view.latest:
    ui.scenario_card(sc, lang, key="home")
if view.showcases:
    st.subheader(t("ui.home.showcase_head", lang))
    for sh in view.showcases:
        with st.container(border=True, key=f"home_showcase_{sh.id}"):
            st.markdown(f"**{ui.safe(ui.title_of(sh, lang))}**")
            st.caption(ui.safe(sh.org_name))
    st.page_link(state.page("showcases"), label=t("ui.nav.showcases", lang), icon=":material/star:")
