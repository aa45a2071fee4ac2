"""A department's scenario: submit, answer questions, recommended vendors, compare and decide bids,
record the outcome and propose a showcase. Which part shows depends on the scenario's status."""

from datetime import date

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import PermissionDenied, PortalError
from portal.i18n import format_cny, format_date, format_datetime, label, t
from portal.models import BidStatus, Role, ScenarioStatus, ShowcaseStatus
from portal.services import bids, outcomes, questions, scenarios
from portal.ui import components as ui
from portal.ui import matches, matchmaking, state

S = ScenarioStatus
actor, lang = state.guard({Role.DEPARTMENT})
scenario_id = state.query_int("id")
if scenario_id is None:
    st.info(t("ui.scenario.pick", lang))
    st.stop()
try:
    with session_scope() as s:
        sc = scenarios.get_scenario(actor, scenario_id, session=s)
        if sc.org_id != actor.org_id:
            raise PermissionDenied()
        history = scenarios.status_history(actor, sc.id, session=s)
        qa = questions.list_questions(actor, sc.id, session=s)
        bid_rows = (
            bids.list_bids(actor, sc.id, session=s)
            if sc.status not in (S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.WITHDRAWN, S.PUBLISHED)
            else []
        )
        vendors = scenarios.org_names(s, {b.vendor_org_id for b in bid_rows})
        outcome = outcomes.get_outcome(s, sc.id)
        showcase = next(
            (x for x in outcomes.list_showcases(actor, session=s) if x.scenario_id == sc.id), None
        )
        n_bids = bids.bid_count(s, sc.id)
except PortalError as err:
    ui.show_error(err, lang)
    st.stop()

st.title(ui.safe(sc.title))
ui.status_badge("status", sc.status, lang)
st.caption(ui.scenario_meta(sc, lang) + " · " + t("ui.dept.bid_count", lang, count=n_bids))
public = sc.status in (S.PUBLISHED, S.CLOSED, S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED, S.SHOWCASED)
if public and st.button(t("ui.manage.public_page", lang), key="mg_public"):
    state.go("scenario", id=sc.id)
last = history[-1] if history else None
if sc.status == S.CHANGES_REQUESTED and last is not None and last.reason:
    st.warning(t("ui.manage.changes_requested", lang) + " " + ui.safe(last.reason))

# ------------------------------------------------------------------------------ draft stage
if sc.status in (S.DRAFT, S.CHANGES_REQUESTED):
    c1, c2 = st.columns(2)
    if c1.button(t("ui.manage.edit", lang), key="mg_edit", icon=":material/edit:"):
        st.session_state.pop("ed_loaded", None)
        state.go("edit-scenario", id=sc.id)
    if c2.button(t("ui.manage.submit", lang), key="mg_submit", type="primary"):
        ui.run_action(
            lambda s: scenarios.submit_scenario(actor, sc.id, session=s), lang, t("ui.edit.submitted", lang)
        )
if sc.status == S.SUBMITTED:
    st.info(t("ui.manage.awaiting_review", lang))
if sc.status in (S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED):
    with st.expander(t("ui.manage.withdraw", lang)):
        reason = st.text_input(t("ui.reason", lang), key="mg_withdraw_reason")
        if st.button(t("ui.manage.withdraw", lang), key="mg_withdraw"):
            ui.run_action(
                lambda s: scenarios.withdraw_scenario(actor, sc.id, reason, session=s),
                lang,
                t("ui.done", lang),
            )

# --------------------------------------------------------------------------- questions
if sc.status in (S.PUBLISHED, S.CLOSED):
    st.subheader(t("ui.manage.questions", lang, count=sum(1 for q in qa if not q.answer)))
    if not qa:
        st.caption(t("ui.qa.none", lang))
    for q in qa:
        with st.container(border=True, key=f"q_{q.id}"):
            st.markdown(f"**{t('ui.qa.q', lang)}** " + ui.safe(q.text))
            st.caption(format_datetime(q.created_at, lang))
            answer = st.text_area(t("field.answer", lang), value=q.answer or "", key=f"ans_{q.id}")
            if st.button(t("ui.qa.answer_submit", lang), key=f"ans_submit_{q.id}"):
                ui.run_action(
                    lambda s, q=q, a=answer: questions.answer_question(
                        actor, q.id, a, expected_version=q.version, session=s
                    ),
                    lang,
                    t("ui.qa.answered", lang),
                )

# ------------------------------------------------------------------- published: matches
if sc.status == S.PUBLISHED:
    st.subheader(t("ui.manage.recommended", lang))
    if matches.loading_note(lang):
        with session_scope() as s:
            hits = matchmaking.call("recommend_offers", actor, sc.id, session=s, k=8) or []
            invited = matches.invited_ids(s, sc.id, hits)
        matches.offer_hits(hits, lang, actor=actor, scenario_id=sc.id, key="mg", invite=True, invited=invited)
    st.divider()
    c1, c2 = st.columns(2)
    with c1:
        st.caption(t("ui.manage.close_hint", lang, date=format_date(sc.closing_date, lang)))
        if st.button(t("ui.manage.close", lang), key="mg_close"):
            ui.run_action(
                lambda s: scenarios.close_scenario(actor, sc.id, session=s), lang, t("ui.done", lang)
            )
    with c2, st.expander(t("ui.manage.cancel", lang)):
        reason = st.text_input(t("ui.reason", lang), key="mg_cancel_reason")
        if st.button(t("ui.manage.cancel", lang), key="mg_cancel"):
            ui.run_action(
                lambda s: scenarios.cancel_scenario(actor, sc.id, reason, session=s), lang, t("ui.done", lang)
            )

# --------------------------------------------------------------------- closed: decide
if bid_rows:
    st.subheader(t("ui.manage.bids", lang, count=len(bid_rows)))
    per_row = 3
    for start in range(0, len(bid_rows), per_row):
        cols = st.columns(per_row)
        for col, b in zip(cols, bid_rows[start : start + per_row], strict=False):
            with col, st.container(border=True, key=f"bid_{b.id}"):
                st.markdown(f"**{ui.safe(vendors.get(b.vendor_org_id, ''))}**")
                st.badge(label("bid_status", b.status, lang))
                st.metric(t("field.price", lang), format_cny(b.price, lang))
                st.markdown(f"**{t('field.timeline', lang)}** " + ui.safe(b.timeline))
                st.markdown(f"**{t('field.approach', lang)}**\n\n" + ui.safe(b.approach))
                st.markdown(f"**{t('field.team', lang)}** " + ui.safe(b.team))
                if sc.status == S.CLOSED and b.status in (BidStatus.SUBMITTED, BidStatus.SHORTLISTED):
                    short = b.status == BidStatus.SHORTLISTED
                    if st.button(
                        t("ui.manage.unshortlist" if short else "ui.manage.shortlist", lang),
                        key=f"bid_short_{b.id}",
                    ):
                        ui.run_action(
                            lambda s, b=b, short=short: bids.shortlist_bid(actor, b.id, not short, session=s),
                            lang,
                            t("ui.done", lang),
                        )
                    if st.button(t("ui.manage.award", lang), key=f"bid_award_{b.id}", type="primary"):
                        ui.run_action(
                            lambda s, b=b: bids.award_bid(
                                actor, b.id, st.session_state.get("mg_award_reason", ""), session=s
                            ),
                            lang,
                            t("ui.manage.awarded", lang),
                        )
    if sc.status == S.CLOSED:
        st.text_input(t("ui.manage.award_reason", lang), key="mg_award_reason")
if sc.status == S.CLOSED:
    with st.expander(t("ui.manage.none_suitable", lang)):
        reason = st.text_area(t("ui.reason", lang), key="mg_none_reason")
        if st.button(t("ui.manage.none_suitable", lang), key="mg_none"):
            ui.run_action(
                lambda s: bids.declare_none_suitable(actor, sc.id, reason, session=s),
                lang,
                t("ui.done", lang),
            )

# -------------------------------------------------------------------- delivery: outcome
if sc.status == S.AWARDED and st.button(t("ui.manage.start", lang), key="mg_start", type="primary"):
    ui.run_action(lambda s: outcomes.start_implementation(actor, sc.id, session=s), lang, t("ui.done", lang))
if sc.status in (S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED):
    st.subheader(t("ui.manage.outcome", lang))
    cols3 = ("name", "target", "achieved")
    with st.form("outcome_form"):
        c1, c2, c3 = st.columns(3)
        value = c1.number_input(
            t("field.contract_value", lang),
            min_value=0,
            step=10_000,
            value=outcome.contract_value if outcome and outcome.contract_value is not None else None,
            key="out_contract_value",
        )
        start = c2.date_input(
            t("field.start_date", lang), value=outcome.start_date if outcome else None, key="out_start"
        )
        end = c3.date_input(
            t("field.end_date", lang), value=outcome.end_date if outcome else None, key="out_end"
        )
        summary = st.text_area(
            t("ui.manage.outcome_summary", lang), value=outcome.summary if outcome else "", key="out_summary"
        )
        default_rows = (
            outcome.achieved_indicators
            if outcome
            else [{"name": i.get("name", ""), "target": i.get("target", "")} for i in sc.indicators]
        )
        ind = st.text_area(
            t("field.achieved_indicators", lang),
            value=ui.indicator_text(default_rows, cols3),
            help=t("ui.manage.outcome_help", lang),
            key="out_indicators",
        )
        if st.form_submit_button(t("ui.save", lang), key="out_save", type="primary"):
            data = {
                "contract_value": int(value) if value is not None else None,
                "start_date": start if isinstance(start, date) else None,
                "end_date": end if isinstance(end, date) else None,
                "summary": summary,
                "achieved_indicators": ui.indicator_rows(ind, cols3),
            }
            ui.run_action(
                lambda s: outcomes.record_outcome(
                    actor, sc.id, data, expected_version=outcome.version if outcome else None, session=s
                ),
                lang,
                t("ui.saved", lang),
            )
if sc.status == S.IN_IMPLEMENTATION and st.button(t("ui.manage.complete", lang), key="mg_complete"):
    ui.run_action(lambda s: outcomes.complete_scenario(actor, sc.id, session=s), lang, t("ui.done", lang))

# ------------------------------------------------------------------------- showcase
if sc.status in (S.COMPLETED, S.SHOWCASED) or showcase is not None:
    st.subheader(t("ui.manage.showcase", lang))
    if showcase is not None:
        st.badge(label("showcase_status", showcase.status, lang))
    if showcase is None or showcase.status == ShowcaseStatus.DRAFT:
        with st.form("showcase_form"):
            stitle = st.text_input(
                t("field.title", lang), value=showcase.title if showcase else sc.title, key="shc_title"
            )
            stitle_en = st.text_input(
                t("field.title_en", lang),
                value=showcase.title_en if showcase else sc.title_en,
                key="shc_title_en",
            )
            story = st.text_area(
                t("field.story", lang),
                value=showcase.story if showcase else (outcome.summary if outcome else ""),
                key="shc_story",
            )
            default = (
                showcase.indicators
                if showcase
                else [
                    {"name": r.get("name", ""), "value": r.get("achieved", "")}
                    for r in (outcome.achieved_indicators if outcome else [])
                ]
            )
            sind = st.text_area(
                t("field.indicators", lang),
                value=ui.indicator_text(default, ("name", "value")),
                help=t("ui.manage.showcase_help", lang),
                key="shc_indicators",
            )
            if st.form_submit_button(t("ui.save", lang), key="shc_save", type="primary"):
                data = {
                    "title": stitle,
                    "title_en": stitle_en,
                    "story": story,
                    "indicators": ui.indicator_rows(sind, ("name", "value")),
                }
                if showcase is None:
                    fn = lambda s: outcomes.propose_showcase(actor, sc.id, data, session=s)  # noqa: E731
                else:
                    fn = lambda s: outcomes.update_showcase(  # noqa: E731
                        actor, showcase.id, data, expected_version=showcase.version, session=s
                    )
                ui.run_action(fn, lang, t("ui.saved", lang))
        if showcase is not None and st.button(t("ui.manage.showcase_submit", lang), key="shc_submit"):
            ui.run_action(
                lambda s: outcomes.submit_showcase(actor, showcase.id, session=s), lang, t("ui.done", lang)
            )

with st.expander(t("ui.scenario.tab_history", lang)):
    for h in history:
        line = f"{format_datetime(h.at, lang)} · {label('status', h.to_status, lang)}"
        st.markdown("- " + line + (" · " + ui.safe(h.reason) if h.reason else ""))
