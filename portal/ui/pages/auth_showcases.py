"""Showcase curation: draft (for completed scenarios), review, publish or send back."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_datetime, label, t
from portal.models import ScenarioStatus, ShowcaseStatus
from portal.services import outcomes, scenarios
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("curation")
st.title(t("ui.curation.title", lang))
with session_scope() as s:
    shows = outcomes.list_showcases(actor, session=s)
    completed = scenarios.list_all_scenarios(actor, session=s, status=ScenarioStatus.COMPLETED)
    with_show = {sh.scenario_id for sh in shows}
    candidates = [sc for sc in completed if sc.id not in with_show]
    titles = {sc.id: sc.title for sc in completed}
    for sh in shows:
        if sh.scenario_id not in titles:
            titles[sh.scenario_id] = scenarios.get_scenario(actor, sh.scenario_id, session=s).title

order = {ShowcaseStatus.IN_REVIEW: 0, ShowcaseStatus.DRAFT: 1, ShowcaseStatus.PUBLISHED: 2}
tabs = st.tabs(
    [f"{label('showcase_status', st_, lang)}" for st_ in order] + [t("ui.curation.candidates", lang)]
)
for tab, status in zip(tabs, order, strict=False):
    with tab:
        rows = [sh for sh in shows if sh.status == status]
        if not rows:
            st.caption(t("ui.none", lang))
        for sh in rows:
            with st.container(border=True, key=f"cur_{sh.id}"):
                st.markdown(f"**{ui.safe(ui.title_of(sh, lang))}**")
                st.caption(
                    ui.safe(titles.get(sh.scenario_id, "")) + " · " + format_datetime(sh.updated_at, lang)
                )
                st.markdown(ui.safe(sh.story))
                ui.indicators(sh.indicators, lang, ("name", "value"))
                if status == ShowcaseStatus.IN_REVIEW and st.button(
                    t("ui.curation.publish", lang), key=f"cur_publish_{sh.id}", type="primary"
                ):
                    ui.run_action(
                        lambda s, i=sh.id: outcomes.publish_showcase(actor, i, session=s),
                        lang,
                        t("ui.curation.published", lang),
                    )
                if status == ShowcaseStatus.DRAFT and st.button(
                    t("ui.manage.showcase_submit", lang), key=f"cur_submit_{sh.id}"
                ):
                    ui.run_action(
                        lambda s, i=sh.id: outcomes.submit_showcase(actor, i, session=s),
                        lang,
                        t("ui.done", lang),
                    )
                if status in (ShowcaseStatus.IN_REVIEW, ShowcaseStatus.PUBLISHED):
                    reason = st.text_input(t("ui.reason", lang), key=f"cur_reason_{sh.id}")
                    if st.button(t("ui.curation.return", lang), key=f"cur_return_{sh.id}"):
                        ui.run_action(
                            lambda s, i=sh.id, r=reason: outcomes.return_showcase(actor, i, r, session=s),
                            lang,
                            t("ui.done", lang),
                        )
with tabs[-1]:
    if not candidates:
        st.caption(t("ui.none", lang))
    for sc in candidates:
        with st.container(border=True, key=f"cand_{sc.id}"):
            st.markdown(f"**{ui.safe(sc.title)}**")
            with st.form(f"cand_form_{sc.id}"):
                title = st.text_input(t("field.title", lang), value=sc.title, key=f"cand_title_{sc.id}")
                story = st.text_area(t("field.story", lang), key=f"cand_story_{sc.id}")
                ind = st.text_area(
                    t("field.indicators", lang),
                    help=t("ui.manage.showcase_help", lang),
                    key=f"cand_ind_{sc.id}",
                )
                if st.form_submit_button(t("ui.curation.draft", lang), key=f"cand_save_{sc.id}"):
                    data = {
                        "title": title,
                        "story": story,
                        "indicators": ui.indicator_rows(ind, ("name", "value")),
                    }
                    ui.run_action(
                        lambda s, i=sc.id, d=data: outcomes.propose_showcase(actor, i, d, session=s),
                        lang,
                        t("ui.saved", lang),
                    )
