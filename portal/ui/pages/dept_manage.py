"""A department's scenario: submit, answer questions, recommended vendors, compare and decide bids,
record the outcome and propose a showcase. The read model says which parts and buttons apply now."""

from datetime import date

import streamlit as st

from portal.i18n import format_cny, format_date, format_datetime, label, t
from portal.services import bids, outcomes, questions, scenarios
from portal.ui import components as ui
from portal.ui import files, matches, state
from portal.views.manage import Do, manage_page

actor, lang = state.guard("manage")
scenario_id = state.query_int("id")
if scenario_id is None:
    st.info(t("ui.scenario.pick", lang))
    st.stop()
view = ui.load(manage_page, actor, scenario_id)
sc = view.scenario
done_md = t("ui.done", lang)

st.title(ui.safe(sc.title))
ui.status_badge("status", sc.status, lang)
count_md = " · " + t("ui.dept.bid_count", lang, count=view.bid_count) if view.bid_count is not None else ""
st.caption(ui.scenario_meta(sc, lang) + count_md)
if view.can(Do.PUBLIC_PAGE) and st.button(t("ui.manage.public_page", lang), key="mg_public"):
    state.go("scenario", id=sc.id)
if view.changes_requested:
    st.warning(t("ui.manage.changes_requested", lang) + " " + ui.safe(view.changes_requested))

# ------------------------------------------------------------------------------ draft stage
c1, c2 = st.columns(2)
if view.can(Do.EDIT) and c1.button(t("ui.manage.edit", lang), key="mg_edit", icon=":material/edit:"):
    state.go("edit-scenario", id=sc.id)
if view.can(Do.SUBMIT) and c2.button(t("ui.manage.submit", lang), key="mg_submit", type="primary"):
    ui.act(scenarios.submit_scenario, actor, sc.id, done=t("ui.edit.submitted", lang))
for note in view.notices:
    st.info(t(note, lang))
if view.can(Do.WITHDRAW):
    with st.expander(t("ui.manage.withdraw", lang)):
        reason = st.text_input(t("ui.reason", lang), key="mg_withdraw_reason")
        if st.button(t("ui.manage.withdraw", lang), key="mg_withdraw"):
            ui.act(scenarios.withdraw_scenario, actor, sc.id, reason, done=done_md)

# --------------------------------------------------------------------------- questions
if view.can(Do.ANSWER):
    st.subheader(t("ui.manage.questions", lang, count=view.unanswered))
    if not view.questions:
        st.caption(t("ui.qa.none", lang))
    for q in view.questions:
        with st.container(border=True, key=f"q_{q.id}"):
            st.markdown(f"**{t('ui.qa.q', lang)}** " + ui.safe(q.text))
            st.caption(format_datetime(q.asked_at, lang))
            form = f"ans{q.id}"
            version, rendered = ui.form_snapshot(form, q.version, {"answer": q.answer or ""})
            answer = st.text_area(t("field.answer", lang), value=rendered["answer"], key=f"ans_{q.id}")
            if st.button(t("ui.qa.answer_submit", lang), key=f"ans_submit_{q.id}"):
                ui.act(
                    questions.answer_question,
                    actor,
                    q.id,
                    answer,
                    expected_version=version,
                    form=form,
                    done=t("ui.qa.answered", lang),
                )

# ------------------------------------------------------------------- published: matches
if view.open_for_bids:
    st.subheader(t("ui.manage.recommended", lang))
    if view.matches_loading:
        matches.loading_note(lang)
    elif view.matches is not None:
        matches.offer_matches(view.matches, lang, actor=actor, scenario_id=sc.id, key="mg")
if view.can(Do.CLOSE) or view.can(Do.CANCEL):
    st.divider()
    c1, c2 = st.columns(2)
    with c1:
        if view.open_for_bids:
            st.caption(t("ui.manage.close_hint", lang, date=format_date(sc.closing_date, lang)))
        if view.can(Do.CLOSE) and st.button(t("ui.manage.close", lang), key="mg_close"):
            ui.act(scenarios.close_scenario, actor, sc.id, done=done_md)
    if view.can(Do.CANCEL):
        with c2, st.expander(t("ui.manage.cancel", lang)):
            reason = st.text_input(t("ui.reason", lang), key="mg_cancel_reason")
            if st.button(t("ui.manage.cancel", lang), key="mg_cancel"):
                ui.act(scenarios.cancel_scenario, actor, sc.id, reason, done=done_md)

# --------------------------------------------------------------------- closed: decide
if view.bids:
    st.subheader(t("ui.manage.bids", lang, count=len(view.bids)))
    per_row = 3
    for start in range(0, len(view.bids), per_row):
        cols = st.columns(per_row)
        for col, b in zip(cols, view.bids[start : start + per_row], strict=False):
            with col, st.container(border=True, key=f"bid_{b.id}"):
                st.markdown(f"**{ui.safe(b.vendor_name)}**")
                st.badge(label("bid_status", b.status, lang))
                st.metric(t("field.price", lang), format_cny(b.price, lang))
                st.markdown(f"**{t('field.timeline', lang)}** " + ui.safe(b.timeline))
                st.markdown(f"**{t('field.approach', lang)}**\n\n" + ui.safe(b.approach))
                st.markdown(f"**{t('field.team', lang)}** " + ui.safe(b.team))
                if b.files:
                    st.markdown(f"**{t('ui.files.bid_files', lang)}**")
                    files.file_list(b.files, actor, lang, key=f"bid_files_{b.id}", remove=False)
                if b.can("shortlist") and st.button(t("ui.manage.shortlist", lang), key=f"bid_short_{b.id}"):
                    ui.act(bids.shortlist_bid, actor, b.id, True, done=done_md)
                if b.can("unshortlist") and st.button(
                    t("ui.manage.unshortlist", lang), key=f"bid_short_{b.id}"
                ):
                    ui.act(bids.shortlist_bid, actor, b.id, False, done=done_md)
                if b.can("award") and st.button(
                    t("ui.manage.award", lang), key=f"bid_award_{b.id}", type="primary"
                ):
                    reason = st.session_state.get("mg_award_reason", "")
                    ui.act(bids.award_bid, actor, b.id, reason, done=t("ui.manage.awarded", lang))
    if any(b.can("award") for b in view.bids):
        st.text_input(t("ui.manage.award_reason", lang), key="mg_award_reason")
if view.can(Do.NONE_SUITABLE):
    with st.expander(t("ui.manage.none_suitable", lang)):
        reason = st.text_area(t("ui.reason", lang), key="mg_none_reason")
        if st.button(t("ui.manage.none_suitable", lang), key="mg_none"):
            ui.act(bids.declare_none_suitable, actor, sc.id, reason, done=done_md)

# -------------------------------------------------------------------- delivery: outcome
if view.can(Do.START) and st.button(t("ui.manage.start", lang), key="mg_start", type="primary"):
    ui.act(outcomes.start_implementation, actor, sc.id, done=done_md)
if view.outcome is not None:
    st.subheader(t("ui.manage.outcome", lang))
    o = view.outcome
    cols3 = ("name", "target", "achieved")
    form = f"out{sc.id}"
    version, v = ui.form_snapshot(
        form,
        o.version,
        {
            "contract_value": o.contract_value,
            "start": o.start_date,
            "end": o.end_date,
            "summary": o.summary,
            "indicators": ui.indicator_text(list(o.achieved_indicators), cols3),
        },
    )
    with st.form("outcome_form"):
        c1, c2, c3 = st.columns(3)
        value = c1.number_input(
            t("field.contract_value", lang),
            min_value=0,
            step=10_000,
            value=v["contract_value"],
            key=ui.wkey(form, "contract_value"),
        )
        start = c2.date_input(t("field.start_date", lang), value=v["start"], key=ui.wkey(form, "start"))
        end = c3.date_input(t("field.end_date", lang), value=v["end"], key=ui.wkey(form, "end"))
        summary = st.text_area(
            t("ui.manage.outcome_summary", lang), value=v["summary"], key=ui.wkey(form, "summary")
        )
        ind = st.text_area(
            t("field.achieved_indicators", lang),
            value=v["indicators"],
            help=t("ui.manage.outcome_help", lang),
            key=ui.wkey(form, "indicators"),
        )
        saved = st.form_submit_button(
            t("ui.save", lang), key="out_save", type="primary", disabled=not view.can(Do.OUTCOME)
        )
    if saved:
        data = {
            "contract_value": int(value) if value is not None else None,
            "start_date": start if isinstance(start, date) else None,
            "end_date": end if isinstance(end, date) else None,
            "summary": summary,
            "achieved_indicators": ui.indicator_rows(ind, cols3),
        }
        ui.act(
            outcomes.record_outcome,
            actor,
            sc.id,
            data,
            expected_version=version,
            form=form,
            done=t("ui.saved", lang),
        )
if view.can(Do.COMPLETE) and st.button(t("ui.manage.complete", lang), key="mg_complete"):
    ui.act(outcomes.complete_scenario, actor, sc.id, done=done_md)

# ------------------------------------------------------------------------- showcase
if view.showcase is not None:
    show = view.showcase
    st.subheader(t("ui.manage.showcase", lang))
    if show.status is not None:
        st.badge(label("showcase_status", show.status, lang))
    if view.can(Do.SHOWCASE_EDIT):
        form = f"shc{sc.id}"
        version, v = ui.form_snapshot(
            form,
            show.version,
            {
                "title": show.title,
                "title_en": show.title_en,
                "story": show.story,
                "indicators": ui.indicator_text(list(show.indicators), ("name", "value")),
            },
        )
        with st.form("showcase_form"):
            stitle = st.text_input(t("field.title", lang), value=v["title"], key=ui.wkey(form, "title"))
            stitle_en = st.text_input(
                t("field.title_en", lang), value=v["title_en"], key=ui.wkey(form, "title_en")
            )
            story = st.text_area(t("field.story", lang), value=v["story"], key=ui.wkey(form, "story"))
            sind = st.text_area(
                t("field.indicators", lang),
                value=v["indicators"],
                help=t("ui.manage.showcase_help", lang),
                key=ui.wkey(form, "indicators"),
            )
            saved = st.form_submit_button(t("ui.save", lang), key="shc_save", type="primary")
        if saved:
            data = {
                "title": stitle,
                "title_en": stitle_en,
                "story": story,
                "indicators": ui.indicator_rows(sind, ("name", "value")),
            }
            if show.id is None:
                ui.act(outcomes.propose_showcase, actor, sc.id, data, form=form, done=t("ui.saved", lang))
            else:
                ui.act(
                    outcomes.update_showcase,
                    actor,
                    show.id,
                    data,
                    expected_version=version,
                    form=form,
                    done=t("ui.saved", lang),
                )
    if view.can(Do.SHOWCASE_SUBMIT) and st.button(t("ui.manage.showcase_submit", lang), key="shc_submit"):
        ui.act(outcomes.submit_showcase, actor, show.id, done=done_md)

with st.expander(t("ui.scenario.tab_history", lang)):
    ui.history(view.history, lang)
