"""示范场景: the public gallery of published showcases, with indicators and outcomes."""

import streamlit as st

from portal.i18n import format_date, format_datetime, label, t
from portal.ui import components as ui
from portal.ui import state
from portal.views.lists import showcase_gallery

actor, lang = state.guard("showcases")
view = ui.load(showcase_gallery, actor)
st.title(t("ui.showcases.title", lang))
st.caption(t("ui.showcases.intro", lang))
if not view.showcases:
    ui.empty(lang, "ui.showcases.none")
for sh in view.showcases:
    with st.container(border=True, key=f"showcase_{sh.id}"):
        st.subheader(ui.safe(ui.title_of(sh, lang)))
        meta = [sh.org_name, label("sector", sh.sector, lang), label("region", sh.region, lang)]
        st.caption(" · ".join(ui.safe(m) for m in meta if m) + " · " + format_datetime(sh.published_at, lang))
        st.markdown(ui.safe(sh.story))
        st.markdown(f"**{t('ui.showcases.indicators', lang)}**")
        ui.indicators(list(sh.indicators), lang, ("name", "value"))
        if sh.outcome is not None:
            with st.expander(t("ui.showcases.outcome", lang)):
                if sh.outcome.summary:
                    st.markdown(ui.safe(sh.outcome.summary))
                st.caption(
                    t(
                        "ui.showcases.period",
                        lang,
                        start=format_date(sh.outcome.start_date, lang),
                        end=format_date(sh.outcome.end_date, lang),
                    )
                )
                ui.indicators(list(sh.outcome.achieved_indicators), lang, ("name", "target", "achieved"))
        if st.button(t("ui.showcases.scenario", lang), key=f"showcase_open_{sh.id}"):
            state.go("scenario", id=sh.scenario_id)
