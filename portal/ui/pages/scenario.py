"""Scenario detail (public), with the vendor's follow / question / bid actions on it."""

import streamlit as st

from portal import clock
from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.domain.lifecycle import SCENARIO as SCENARIO_MACHINE
from portal.i18n import format_cny, format_date, format_datetime, label, t
from portal.models import BidStatus, ScenarioStatus
from portal.permissions import Action, can
from portal.services import bids, offers, questions, scenarios
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard()
scenario_id = state.query_int("id")
if scenario_id is None:
    st.info(t("ui.scenario.pick", lang))
    st.page_link(state.page("scenarios"), label=t("ui.nav.scenarios", lang))
    st.stop()

try:
    with session_scope() as s:
        sc = scenarios.get_scenario(actor, scenario_id, session=s)
        org = scenarios.org_names(s, {sc.org_id}).get(sc.org_id, "")
        history = scenarios.status_history(actor, sc.id, session=s)
        qa = questions.list_questions(actor, sc.id, session=s)
        following = scenarios.is_following(actor, sc.id, session=s)
        bid = bids.my_bid(actor, sc.id, session=s)
        my_offers = offers.list_my_offers(actor, session=s) if actor.is_vendor else []
        n_bids = bids.bid_count(s, sc.id)
except PortalError as err:
    ui.show_error(err, lang)
    st.stop()

st.title(ui.safe(ui.title_of(sc, lang)))
ui.status_badge("status", sc.status, lang)
st.caption(ui.safe(org) + " · " + ui.scenario_meta(sc, lang))
if sc.title_en and lang == "zh":
    st.caption(ui.safe(sc.title_en))

own = actor.is_department and actor.org_id == sc.org_id
if own and st.button(t("ui.scenario.manage", lang), key="sc_manage", type="primary"):
    state.go("manage", id=sc.id)
if actor.is_authority and sc.status == ScenarioStatus.SUBMITTED:
    st.info(t("ui.scenario.awaiting_review", lang))

tab_info, tab_qa, tab_history = st.tabs(
    [
        t("ui.scenario.tab_info", lang),
        t("ui.scenario.tab_qa", lang, count=len(qa)),
        t("ui.scenario.tab_history", lang),
    ]
)
with tab_info:
    st.subheader(t("field.summary", lang))
    st.markdown(ui.safe(sc.summary))
    st.subheader(t("field.description", lang))
    st.markdown(ui.safe(sc.description))
    if sc.data_resources:
        st.subheader(t("field.data_resources", lang))
        st.markdown("\n".join(f"- {ui.safe(r)}" for r in sc.data_resources))
    if sc.expected_outcomes:
        st.subheader(t("field.expected_outcomes", lang))
        st.markdown(ui.safe(sc.expected_outcomes))
    st.subheader(t("field.indicators", lang))
    ui.indicators(sc.indicators, lang, ("name", "target"))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("field.question_deadline", lang), format_date(sc.question_deadline, lang))
    c2.metric(t("field.closing_date", lang), format_date(sc.closing_date, lang))
    c3.metric(t("ui.scenario.bids", lang), n_bids)
    st.caption(t(f"eligibility.{sc.eligibility}", lang))
    if can(actor, Action.SCENARIO_VIEW_CONTACT, sc):
        st.caption(
            t("ui.scenario.contact", lang)
            + " "
            + ui.safe(
                " · ".join(x for x in (sc.contact_name, sc.contact_phone, sc.contact_email) if x) or "—"
            )
        )
    elif actor.is_anonymous:
        st.caption(t("ui.scenario.contact_login", lang))

with tab_qa:
    if not qa:
        st.caption(t("ui.qa.none", lang))
    for q in qa:
        with st.container(border=True):
            st.markdown(f"**{t('ui.qa.q', lang)}** " + ui.safe(q.text))
            if q.answer:
                st.markdown(f"**{t('ui.qa.a', lang)}** " + ui.safe(q.answer))
                st.caption(format_datetime(q.answered_at, lang))
            else:
                st.caption(t("ui.qa.pending", lang))

with tab_history:
    for h in history:
        line = f"{format_datetime(h.at, lang)} · {label('status', h.to_status, lang)}"
        if h.reason:
            line += " · " + ui.safe(h.reason)
        st.markdown("- " + line)

if actor.is_authority and "cancelled" in SCENARIO_MACHINE.targets(sc.status):
    with st.expander(t("ui.manage.cancel", lang)):  # the authority may stop any running scenario
        reason = st.text_input(t("ui.reason", lang), key="auth_cancel_reason")
        if st.button(t("ui.manage.cancel", lang), key="auth_cancel"):
            ui.run_action(
                lambda s: scenarios.cancel_scenario(actor, sc.id, reason, session=s), lang, t("ui.done", lang)
            )

if not actor.is_vendor:
    if actor.is_anonymous and sc.status == ScenarioStatus.PUBLISHED:
        st.info(t("ui.scenario.login_to_bid", lang))
    st.stop()

# ------------------------------------------------------------------------- vendor actions
st.divider()
st.subheader(t("ui.vendor.actions", lang))
if st.button(t("ui.unfollow" if following else "ui.follow", lang), key="sc_follow"):
    ui.run_action(
        lambda s: scenarios.follow_scenario(actor, sc.id, not following, session=s),
        lang,
        t("ui.unfollowed" if following else "ui.followed", lang),
    )

is_open = sc.status == ScenarioStatus.PUBLISHED
if is_open and clock.today() <= sc.question_deadline:
    with st.form("ask_form", clear_on_submit=True):
        text = st.text_area(t("ui.qa.ask", lang), key="ask_text", max_chars=2000)
        if st.form_submit_button(t("ui.qa.ask_submit", lang), key="ask_submit"):
            ui.run_action(
                lambda s: questions.ask_question(actor, sc.id, text, session=s), lang, t("ui.qa.asked", lang)
            )

st.subheader(t("ui.bid.title", lang))
if bid is not None:
    st.markdown(t("ui.bid.status", lang, status=label("bid_status", bid.status, lang)))
if not actor.verified:
    st.info(t("ui.vendor_pending", lang))
    st.stop()
if not is_open or clock.today() > sc.closing_date:
    st.caption(t("ui.bid.closed", lang))
    st.stop()
editable = bid is None or bid.status in (BidStatus.DRAFT, BidStatus.SUBMITTED, BidStatus.WITHDRAWN)
if not editable:
    st.stop()
offer_ids = [None] + [o.id for o in my_offers]
offer_titles = {o.id: o.title for o in my_offers}
with st.form("bid_form"):
    approach = st.text_area(t("field.approach", lang), value=bid.approach if bid else "", key="bid_approach")
    timeline = st.text_input(t("field.timeline", lang), value=bid.timeline if bid else "", key="bid_timeline")
    price = st.number_input(
        t("field.price", lang), min_value=0, step=10_000, value=bid.price if bid else 0, key="bid_price"
    )
    st.caption(format_cny(price, lang))
    team = st.text_area(t("field.team", lang), value=bid.team if bid else "", key="bid_team")
    offer_id = st.selectbox(
        t("field.offer_id", lang),
        offer_ids,
        index=offer_ids.index(bid.offer_id) if bid and bid.offer_id in offer_ids else 0,
        format_func=lambda i: t("ui.none", lang) if i is None else offer_titles[i],
        key="bid_offer",
    )
    c1, c2 = st.columns(2)
    save = c1.form_submit_button(t("ui.bid.save", lang), key="bid_save")
    submit = c2.form_submit_button(t("ui.bid.submit", lang), key="bid_save_submit", type="primary")
if save or submit:
    data = {
        "approach": approach,
        "timeline": timeline,
        "price": int(price),
        "team": team,
        "offer_id": offer_id,
    }

    def _save(s):  # type: ignore[no-untyped-def]
        saved = bids.save_bid(actor, sc.id, data, expected_version=bid.version if bid else None, session=s)
        if submit and saved.status == BidStatus.DRAFT:
            bids.submit_bid(actor, saved.id, session=s)
        return saved

    ui.run_action(_save, lang, t("ui.bid.submitted" if submit else "ui.bid.saved", lang))
withdrawable = bid is not None and bid.status in (BidStatus.DRAFT, BidStatus.SUBMITTED)
if withdrawable and st.button(t("ui.bid.withdraw", lang), key="bid_withdraw"):
    ui.run_action(lambda s: bids.withdraw_bid(actor, bid.id, session=s), lang, t("ui.bid.withdrawn", lang))
