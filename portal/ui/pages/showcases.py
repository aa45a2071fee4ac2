"""示范场景: the public gallery of published showcases, with indicators and outcomes."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_date, format_datetime, label, t
from portal.models import ShowcaseStatus
from portal.services import outcomes, scenarios
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("showcases")
st.title(t("ui.showcases.title", lang))
st.caption(t("ui.showcases.intro", lang))
with session_scope() as s:
    rows = outcomes.list_showcases(actor, session=s, status=ShowcaseStatus.PUBLISHED)
    details = []
    for sh in rows:
        sc = s.get(scenarios.Scenario, sh.scenario_id)
        details.append((sh, sc, outcomes.get_outcome(s, sh.scenario_id)))
    names = scenarios.org_names(s, {sh.org_id for sh in rows})
if not details:
    ui.empty(lang, "ui.showcases.none")
for sh, sc, outcome in details:
    with st.container(border=True, key=f"showcase_{sh.id}"):
        st.subheader(ui.safe(ui.title_of(sh, lang)))
        meta = [names.get(sh.org_id, ""), label("sector", sc.sector, lang), label("region", sc.region, lang)]
        st.caption(" · ".join(ui.safe(m) for m in meta if m) + " · " + format_datetime(sh.published_at, lang))
        st.markdown(ui.safe(sh.story))
        st.markdown(f"**{t('ui.showcases.indicators', lang)}**")
        ui.indicators(sh.indicators, lang, ("name", "value"))
        if outcome is not None:
            with st.expander(t("ui.showcases.outcome", lang)):
                if outcome.summary:
                    st.markdown(ui.safe(outcome.summary))
                st.caption(
                    t(
                        "ui.showcases.period",
                        lang,
                        start=format_date(outcome.start_date, lang),
                        end=format_date(outcome.end_date, lang),
                    )
                )
                ui.indicators(outcome.achieved_indicators, lang, ("name", "target", "achieved"))
        if st.button(t("ui.showcases.scenario", lang), key=f"showcase_open_{sh.id}"):
            state.go("scenario", id=sc.id)
