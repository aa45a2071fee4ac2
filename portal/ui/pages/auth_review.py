"""The authority's review queue: publish a submitted scenario, or send it back with a message."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_date, format_datetime, label, t
from portal.services import matchmaking as core_matchmaking
from portal.services import scenarios
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("review")
st.title(t("ui.review.title", lang))
with session_scope() as s:
    queue = scenarios.list_review_queue(actor, session=s)
    names = scenarios.org_names(s, {sc.org_id for sc in queue})
st.caption(t("ui.review.count", lang, count=len(queue)))
if not queue:
    ui.empty(lang, "ui.review.none")
for sc in queue:
    with st.container(border=True, key=f"rev_{sc.id}"):
        st.markdown(f"**{ui.safe(sc.title)}**")
        st.caption(
            ui.safe(names.get(sc.org_id, ""))
            + " · "
            + ui.scenario_meta(sc, lang)
            + " · "
            + t("ui.review.submitted_at", lang, at=format_datetime(sc.updated_at, lang))
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
        if c1.button(t("ui.review.publish", lang), key=f"rev_publish_{sc.id}", type="primary"):
            ui.run_action(
                lambda s, i=sc.id: (
                    scenarios.publish_scenario(actor, i, session=s),
                    core_matchmaking.announce_published(actor, i, session=s),
                ),
                lang,
                t("ui.review.published", lang),
            )
        message = c2.text_input(t("ui.review.message", lang), key=f"rev_msg_{sc.id}")
        if c2.button(t("ui.review.request_changes", lang), key=f"rev_changes_{sc.id}"):
            ui.run_action(
                lambda s, i=sc.id, m=message: scenarios.request_changes(actor, i, m, session=s),
                lang,
                t("ui.review.returned", lang),
            )
