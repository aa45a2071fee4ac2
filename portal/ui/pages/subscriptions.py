"""Notification settings (通知设置): the e-mail address, the channel per kind, subscriptions."""

import streamlit as st

from portal.i18n import label, t
from portal.services import subscriptions
from portal.taxonomy import regions, sectors
from portal.ui import components as ui
from portal.ui import state
from portal.views.reach import Do, subscriptions_page

actor, lang = state.guard("subscriptions")
view = ui.load(subscriptions_page, actor)
st.title(t("ui.reach.title", lang))
st.caption(t("ui.reach.intro", lang))
if not view.mail_enabled:
    st.info(t("ui.reach.mail_off", lang), icon=":material/mail_lock:")

# --- the sectors of one's own profile (vendors follow them from the start)
codes_md = t("ui.reach.list_separator", lang).join(
    label("sector", c, lang) for c in view.profile_sector_codes
)
if view.can(Do.UNFOLLOW_PROFILE):
    with st.container(border=True, key="profile_sectors"):
        st.info(t("ui.reach.profile_followed", lang, sectors=codes_md), icon=":material/auto_awesome:")
        if st.button(t("ui.reach.remove", lang), key="profile_unfollow"):
            ui.act(subscriptions.set_profile_sectors, actor, False, done=t("ui.reach.profile_removed", lang))
elif view.can(Do.FOLLOW_PROFILE):
    with st.container(border=True, key="profile_sectors"):
        st.caption(t("ui.reach.profile_not_followed", lang, sectors=codes_md))
        if st.button(t("ui.reach.follow_profile", lang), key="profile_follow"):
            ui.act(subscriptions.set_profile_sectors, actor, True, done=t("ui.saved", lang))

# --- delivery: address and channel per kind
st.subheader(t("ui.reach.delivery", lang))
FORM = "mail_prefs"
_version, values = ui.form_snapshot(FORM, 0, view.values)  # no version column: the last save wins
with st.form(f"{FORM}_form"):
    email = st.text_input(
        t("ui.reach.email", lang),
        value=values["email"],
        key=ui.wkey(FORM, "email"),
        max_chars=254,
        help=t("ui.reach.email_help", lang),
    )
    slots = {"email": st.empty()}
    chosen: dict[str, str] = {}
    cols = st.columns(2)
    for i, kind in enumerate(view.kinds):
        current = values["channels"].get(kind, view.channels[0])
        chosen[kind] = cols[i % 2].selectbox(
            t(f"ui.reach.kind.{kind}", lang),
            list(view.channels),
            index=view.channels.index(current) if current in view.channels else 0,
            format_func=lambda c: t(f"ui.reach.channel.{c}", lang),
            key=ui.wkey(FORM, f"channel_{kind}"),
        )
    paused = st.checkbox(t("ui.reach.paused", lang), value=values["paused"], key=ui.wkey(FORM, "paused"))
    if st.form_submit_button(t("ui.save", lang), key=ui.wkey(FORM, "save"), type="primary") and view.can(
        Do.SAVE
    ):
        ui.act(
            subscriptions.save_prefs,
            actor,
            email=email,
            channels=chosen,
            profile_sectors=view.profile_sectors,
            paused=paused,
            done=t("ui.saved", lang),
            form=FORM,
            fields=slots,
        )

# --- what one follows
st.subheader(t("ui.reach.subscriptions", lang))
if not view.subscriptions:
    ui.empty(lang, "ui.reach.no_subscriptions")
for s in view.subscriptions:
    with st.container(border=True, key=f"sub_{s.id}"):
        c1, c2 = st.columns([5, 1])
        if s.kind == "search":
            parts_md = [ui.safe(s.value)] if s.value else []
            parts_md += [label("sector", c, lang) for c in s.sectors] + [
                label("region", c, lang) for c in s.regions
            ]
            c1.markdown(t(f"ui.reach.sub_kind.{s.kind}", lang) + ": " + " · ".join(parts_md))
        else:
            c1.markdown(t(f"ui.reach.sub_kind.{s.kind}", lang) + ": " + label(s.kind, s.value, lang))
        if s.can(Do.REMOVE) and c2.button(t("ui.reach.remove", lang), key=f"sub_remove_{s.id}"):
            ui.act(subscriptions.remove_subscription, actor, s.id, done=t("ui.reach.removed", lang))

if view.can(Do.SUBSCRIBE):
    with st.expander(t("ui.reach.add", lang), expanded=not view.subscriptions):
        c1, c2 = st.columns(2)
        with c1.form("sub_add_sector_form"):
            sector = st.selectbox(
                t("field.sector", lang),
                list(sectors()),
                format_func=lambda c: label("sector", c, lang),
                key="sub_add_sector__value",
            )
            if st.form_submit_button(t("ui.reach.add_sector", lang), key="sub_add_sector__add"):
                ui.act(subscriptions.subscribe, actor, "sector", sector, done=t("ui.reach.added", lang))
        with c2.form("sub_add_region_form"):
            region = st.selectbox(
                t("field.region", lang),
                list(regions()),
                format_func=lambda c: label("region", c, lang),
                key="sub_add_region__value",
            )
            if st.form_submit_button(t("ui.reach.add_region", lang), key="sub_add_region__add"):
                ui.act(subscriptions.subscribe, actor, "region", region, done=t("ui.reach.added", lang))
        with st.form("sub_add_search_form"):
            query = st.text_input(
                t("ui.reach.search_query", lang), key="sub_add_search__query", max_chars=200
            )
            f1, f2 = st.columns(2)
            pick = ui.taxonomy_multiselect("sector", "sectors", lang, key="sub_add_search__sectors", where=f1)
            where = ui.taxonomy_multiselect(
                "region", "regions", lang, key="sub_add_search__regions", where=f2
            )
            if st.form_submit_button(t("ui.reach.add_search", lang), key="sub_add_search__add"):
                ui.act(
                    subscriptions.save_search,
                    actor,
                    query,
                    {"sectors": pick, "regions": where},
                    done=t("ui.reach.added", lang),
                )
else:
    st.caption(t("ui.reach.limit_reached", lang))
