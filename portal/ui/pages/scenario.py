"""Scenario detail (public), with the vendor's follow / question / bid actions on it."""

import streamlit as st

from portal.i18n import format_cny, format_date, format_datetime, label, t
from portal.services import bids, questions, scenarios
from portal.ui import components as ui
from portal.ui import files, state
from portal.views.scenario import Do, scenario_page

actor, lang = state.guard("scenario")
scenario_id = state.query_int("id")
if scenario_id is None:
    st.info(t("ui.scenario.pick", lang))
    st.page_link(state.page("scenarios"), label=t("ui.nav.scenarios", lang))
    st.stop()
view = ui.load(scenario_page, actor, scenario_id)
sc = view.scenario

st.title(ui.safe(ui.title_of(sc, lang)))
ui.status_badge("status", sc.status, lang)
st.caption(ui.safe(view.org_name) + " · " + ui.scenario_meta(sc, lang))
if sc.title_en and lang == "zh":
    st.caption(ui.safe(sc.title_en))
if view.can(Do.MANAGE) and st.button(t("ui.scenario.manage", lang), key="sc_manage", type="primary"):
    state.go("manage", id=sc.id)

tab_info, tab_qa, tab_history = st.tabs(
    [
        t("ui.scenario.tab_info", lang),
        t("ui.scenario.tab_qa", lang, count=len(view.questions)),
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
    c3.metric(
        t("ui.scenario.bids", lang),
        view.bid_count if view.bid_count is not None else t("ui.scenario.bids_sealed", lang),
        help=t("ui.scenario.bids_sealed_help", lang) if view.bid_count is None else None,
    )
    st.caption(t(f"eligibility.{sc.eligibility}", lang))
    if view.contact is not None:
        st.caption(t("ui.scenario.contact", lang) + " " + ui.safe(view.contact))
    st.subheader(t("ui.files.annexes", lang))
    files.file_list(view.annexes.items, actor, lang, key="sc_annex", remove=False)

with tab_qa:
    if not view.questions:
        st.caption(t("ui.qa.none", lang))
    for q in view.questions:
        with st.container(border=True):
            st.markdown(f"**{t('ui.qa.q', lang)}** " + ui.safe(q.text))
            if q.answer:
                st.markdown(f"**{t('ui.qa.a', lang)}** " + ui.safe(q.answer))
                st.caption(format_datetime(q.answered_at, lang))
            else:
                st.caption(t("ui.qa.pending", lang))

with tab_history:
    ui.history(view.history, lang)

for note in view.notices:
    st.info(t(note, lang))

if view.can(Do.CANCEL):
    with st.expander(t("ui.manage.cancel", lang)):  # the authority may stop any running scenario
        reason = st.text_input(t("ui.reason", lang), key="auth_cancel_reason")
        if st.button(t("ui.manage.cancel", lang), key="auth_cancel"):
            ui.act(scenarios.cancel_scenario, actor, sc.id, reason, done=t("ui.done", lang))

if not (view.can(Do.FOLLOW) or view.can(Do.UNFOLLOW) or view.can(Do.ASK) or view.bid is not None):
    st.stop()

# ------------------------------------------------------------------------- vendor actions
st.divider()
st.subheader(t("ui.vendor.actions", lang))
if view.can(Do.FOLLOW) and st.button(t("ui.follow", lang), key="sc_follow"):
    ui.act(scenarios.follow_scenario, actor, sc.id, True, done=t("ui.followed", lang))
if view.can(Do.UNFOLLOW) and st.button(t("ui.unfollow", lang), key="sc_follow"):
    ui.act(scenarios.follow_scenario, actor, sc.id, False, done=t("ui.unfollowed", lang))

if view.can(Do.ASK):
    with st.form("ask_form", clear_on_submit=True):
        text = st.text_area(t("ui.qa.ask", lang), key="ask_text", max_chars=2000)
        if st.form_submit_button(t("ui.qa.ask_submit", lang), key="ask_submit"):
            ui.act(questions.ask_question, actor, sc.id, text, done=t("ui.qa.asked", lang))


def show_proposals() -> None:
    """The vendor's proposal documents (sealed until closing; upload while the bid may change)."""
    if view.proposals is None:
        return
    with st.container(border=True, key="bid_files"):
        st.subheader(t("ui.files.proposals", lang))
        st.caption(t("ui.files.proposals_sealed", lang))
        files.file_panel(view.proposals, actor, lang, key="bid_prop")


bid = view.bid
if bid is None:
    st.stop()
st.subheader(t("ui.bid.title", lang))
if bid.status is not None:
    st.markdown(t("ui.bid.status", lang, status=label("bid_status", bid.status, lang)))
if not view.can(Do.BID):
    show_proposals()
    st.stop()
form = f"bid{sc.id}"
version, rendered = ui.form_snapshot(  # what this form was rendered from (a stale save is a conflict)
    form,
    bid.version,
    {
        "approach": bid.approach,
        "timeline": bid.timeline,
        "price": bid.price,
        "team": bid.team,
        "offer": bid.offer_id,
    },
)
choices = dict(view.offer_choices)
offer_ids = [None, *choices]
with st.form("bid_form"):
    approach = st.text_area(
        t("field.approach", lang), value=rendered["approach"], key=ui.wkey(form, "approach")
    )
    timeline = st.text_input(
        t("field.timeline", lang), value=rendered["timeline"], key=ui.wkey(form, "timeline")
    )
    price = st.number_input(
        t("field.price", lang), min_value=0, step=10_000, value=rendered["price"], key=ui.wkey(form, "price")
    )
    st.caption(format_cny(price, lang))
    team = st.text_area(t("field.team", lang), value=rendered["team"], key=ui.wkey(form, "team"))
    offer_id = st.selectbox(
        t("field.offer_id", lang),
        offer_ids,
        index=offer_ids.index(rendered["offer"]) if rendered["offer"] in offer_ids else 0,
        format_func=lambda i: t("ui.none", lang) if i is None else choices[i],
        key=ui.wkey(form, "offer"),
    )
    c1, c2 = st.columns(2)
    save = c1.form_submit_button(t("ui.bid.save", lang), key="bid_save")
    submit = view.can(Do.SUBMIT_BID) and c2.form_submit_button(
        t("ui.bid.submit", lang), key="bid_save_submit", type="primary"
    )
if save or submit:
    data = {
        "approach": approach,
        "timeline": timeline,
        "price": int(price),
        "team": team,
        "offer_id": offer_id,
    }
    ui.act(
        bids.save_and_submit_bid if submit else bids.save_bid,
        actor,
        sc.id,
        data,
        expected_version=version,
        form=form,
        done=t("ui.bid.submitted" if submit else "ui.bid.saved", lang),
    )
if view.can(Do.WITHDRAW_BID) and st.button(t("ui.bid.withdraw", lang), key="bid_withdraw"):
    ui.act(bids.withdraw_bid, actor, bid.id, form=form, done=t("ui.bid.withdrawn", lang))
show_proposals()
