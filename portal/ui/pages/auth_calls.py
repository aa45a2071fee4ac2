"""Collection calls (征集批次): open a call, see what departments submitted, publish its numbered list."""

from datetime import timedelta

import streamlit as st

from portal.i18n import format_date, label, t
from portal.services import calls
from portal.ui import components as ui
from portal.ui import downloads, state
from portal.views.collection import Do, calls_page

actor, lang = state.guard("calls")
view = ui.load(calls_page, actor)
st.title(t("ui.calls.title", lang))

with st.expander(t("ui.calls.new", lang)), st.form("call_form", clear_on_submit=True):
    theme = st.text_input(t("field.theme", lang), key="call_theme")
    theme_en = st.text_input(t("field.theme_en", lang), key="call_theme_en")
    description = st.text_area(t("field.description", lang), key="call_description")
    pick = ui.taxonomy_multiselect("sector", "sectors", lang, key="call_sectors")
    c1, c2 = st.columns(2)
    opens = c1.date_input(t("field.opens_on", lang), value=view.today, key="call_opens")
    closes = c2.date_input(
        t("field.closes_on", lang), value=view.today + timedelta(days=30), key="call_closes"
    )
    if st.form_submit_button(t("ui.calls.create", lang), key="call_create", type="primary"):
        data = {
            "theme": theme,
            "theme_en": theme_en,
            "description": description,
            "sectors": pick,
            "opens_on": opens,
            "closes_on": closes,
        }
        ui.act(calls.create_call, actor, data, done=t("ui.saved", lang))

if not view.calls:
    ui.empty(lang, "ui.calls.none")
for call in view.calls:
    with st.container(border=True, key=f"call_{call.id}"):
        head = ui.title_of_call(call, lang)
        if call.batch_number:
            head = t("ui.lists.batch", lang, n=call.batch_number, theme=head)
        st.markdown(f"**{ui.safe(head)}**")
        st.caption(
            label("call_status", call.status, lang)
            + " · "
            + t(
                "ui.lists.period",
                lang,
                start=format_date(call.opens_on, lang),
                end=format_date(call.closes_on, lang),
            )
        )
        rows = call.submissions
        st.markdown(t("ui.calls.submissions", lang, count=len(rows)))
        if rows:
            st.dataframe(
                [
                    {
                        t("ui.calls.col_no", lang): sc.list_number or "",
                        t("field.title", lang): sc.title,
                        t("ui.calls.col_org", lang): sc.org_name,
                        t("field.sector", lang): label("sector", sc.sector, lang),
                        t("ui.calls.col_status", lang): label("status", sc.status, lang),
                    }
                    for sc in rows
                ],
                hide_index=True,
                width="stretch",
            )
        c1, c2, c3 = st.columns(3)
        if call.can(Do.CLOSE) and c1.button(t("ui.calls.close", lang), key=f"call_close_{call.id}"):
            ui.act(calls.close_call, actor, call.id, done=t("ui.done", lang))
        if call.can(Do.PUBLISH) and c2.button(
            t("ui.calls.publish", lang), key=f"call_publish_{call.id}", type="primary"
        ):
            ui.act(calls.publish_call_list, actor, call.id, done=t("ui.calls.published", lang))
        elif call.publish_refused is not None:
            c2.caption(ui.safe(call.publish_refused.message(lang)))
        if call.can(Do.VIEW_LIST):
            if c3.button(t("ui.calls.view_list", lang), key=f"call_view_{call.id}"):
                st.session_state["lists_call"] = call.id
                state.go("lists")
            downloads.call_list_downloads(call.id, lang, key="calls")
