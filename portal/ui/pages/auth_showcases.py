"""Showcase curation: draft (for completed scenarios), review, publish or send back."""

import streamlit as st

from portal.i18n import format_datetime, label, t
from portal.services import outcomes
from portal.ui import components as ui
from portal.ui import state
from portal.views.curation import TABS, Do, curation_page

actor, lang = state.guard("curation")
view = ui.load(curation_page, actor)
st.title(t("ui.curation.title", lang))

tabs = st.tabs([label("showcase_status", s, lang) for s in TABS] + [t("ui.curation.candidates", lang)])
for tab, status in zip(tabs, TABS, strict=False):
    with tab:
        rows = view.in_status(status)
        if not rows:
            st.caption(t("ui.none", lang))
        for sh in rows:
            with st.container(border=True, key=f"cur_{sh.id}"):
                st.markdown(f"**{ui.safe(ui.title_of(sh, lang))}**")
                st.caption(ui.safe(sh.scenario_title) + " · " + format_datetime(sh.updated_at, lang))
                st.markdown(ui.safe(sh.story))
                ui.indicators(list(sh.indicators), lang, ("name", "value"))
                if sh.can(Do.PUBLISH) and st.button(
                    t("ui.curation.publish", lang), key=f"cur_publish_{sh.id}", type="primary"
                ):
                    ui.act(outcomes.publish_showcase, actor, sh.id, done=t("ui.curation.published", lang))
                if sh.can(Do.SUBMIT) and st.button(
                    t("ui.manage.showcase_submit", lang), key=f"cur_submit_{sh.id}"
                ):
                    ui.act(outcomes.submit_showcase, actor, sh.id, done=t("ui.done", lang))
                if sh.can(Do.RETURN):
                    reason = st.text_input(t("ui.reason", lang), key=f"cur_reason_{sh.id}")
                    if st.button(t("ui.curation.return", lang), key=f"cur_return_{sh.id}"):
                        ui.act(outcomes.return_showcase, actor, sh.id, reason, done=t("ui.done", lang))
with tabs[-1]:
    if not view.candidates:
        st.caption(t("ui.none", lang))
    for sc in view.candidates:
        with st.container(border=True, key=f"cand_{sc.scenario_id}"):
            st.markdown(f"**{ui.safe(sc.title)}**")
            if not sc.can(Do.DRAFT):
                continue
            with st.form(f"cand_form_{sc.scenario_id}"):
                title = st.text_input(
                    t("field.title", lang), value=sc.title, key=f"cand_title_{sc.scenario_id}"
                )
                story = st.text_area(t("field.story", lang), key=f"cand_story_{sc.scenario_id}")
                ind = st.text_area(
                    t("field.indicators", lang),
                    help=t("ui.manage.showcase_help", lang),
                    key=f"cand_ind_{sc.scenario_id}",
                )
                if st.form_submit_button(t("ui.curation.draft", lang), key=f"cand_save_{sc.scenario_id}"):
                    data = {
                        "title": title,
                        "story": story,
                        "indicators": ui.indicator_rows(ind, ("name", "value")),
                    }
                    ui.act(outcomes.propose_showcase, actor, sc.scenario_id, data, done=t("ui.saved", lang))
