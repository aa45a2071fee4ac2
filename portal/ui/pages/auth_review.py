"""The authority's review queue: publish a submitted scenario, or send it back with a message."""

import streamlit as st

from portal.i18n import format_date, format_datetime, label, t
from portal.services import matchmaking, scenarios
from portal.ui import components as ui
from portal.ui import state
from portal.views.authority import Do, review_page

actor, lang = state.guard("review")
view = ui.load(review_page, actor)
st.title(t("ui.review.title", lang))
st.caption(t("ui.review.count", lang, count=len(view.items)))
if not view.items:
    ui.empty(lang, "ui.review.none")
for item in view.items:
    sc = item.scenario
    with st.container(border=True, key=f"rev_{sc.id}"):
        st.markdown(f"**{ui.safe(sc.title)}**")
        st.caption(
            ui.safe(sc.org_name)
            + " · "
            + ui.scenario_meta(sc, lang)
            + " · "
            + t("ui.review.submitted_at", lang, at=format_datetime(item.submitted_at, lang))
        )
        with st.expander(t("ui.review.details", lang)):
            st.markdown(ui.safe(sc.summary))
            st.markdown(ui.safe(sc.description))
            if sc.data_resources:
                st.markdown("\n".join(f"- {ui.safe(r)}" for r in sc.data_resources))
            ui.indicators(sc.indicators, lang, ("name", "target"))
            st.caption(
                f"{t('field.question_deadline', lang)}: {format_date(sc.question_deadline, lang)} · "
                f"{t(f'eligibility.{sc.eligibility}', lang)} · {label('status', sc.status, lang)}"
            )
        c1, c2 = st.columns([1, 3])
        if item.can(Do.PUBLISH):
            if c1.button(t("ui.review.publish", lang), key=f"rev_publish_{sc.id}", type="primary"):
                ui.act(matchmaking.publish_and_announce, actor, sc.id, done=t("ui.review.published", lang))
        elif item.publish_refused is not None:
            c1.caption(ui.safe(item.publish_refused.message(lang)))
        if item.can(Do.REQUEST_CHANGES):
            message = c2.text_input(t("ui.review.message", lang), key=f"rev_msg_{sc.id}")
            if c2.button(t("ui.review.request_changes", lang), key=f"rev_changes_{sc.id}"):
                ui.act(scenarios.request_changes, actor, sc.id, message, done=t("ui.review.returned", lang))
