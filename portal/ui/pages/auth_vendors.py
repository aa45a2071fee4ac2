"""Vendor verification: approve a registered market entity, reject it with a reason, or revoke a badge."""

import streamlit as st

from portal.i18n import format_datetime, label, t
from portal.services import accounts
from portal.ui import components as ui
from portal.ui import files, state
from portal.views.accounts import Do, vendors_page

actor, lang = state.guard("vendors")
st.title(t("ui.vendors.title", lang))
states = ["pending", "verified", "rejected", ""]
shown = st.selectbox(
    t("ui.vendors.filter", lang),
    states,
    format_func=lambda s: label("verification", s, lang) if s else t("ui.vendors.all", lang),
    key="ven_filter",
)
view = ui.load(vendors_page, actor, shown)
if not view.vendors:
    ui.empty(lang, "ui.vendors.none" if view.verification == "pending" else "ui.none")
for org in view.vendors:
    with st.container(border=True, key=f"ven_{org.id}"):
        head, side = st.columns([5, 1])
        head.markdown(f"**{ui.safe(org.name)}** {ui.safe(org.name_en)}")
        with side:
            ui.status_badge("verification", org.verification, lang)
        st.caption(
            " · ".join(
                [t("field.uscc", lang) + " " + ui.safe(org.uscc), label("region", org.region, lang)]
                + [label("sector", c, lang) for c in org.sectors]
                + [format_datetime(org.registered_at, lang)]
            )
        )
        if org.description:
            st.markdown(ui.safe(org.description))
        if org.contact:
            st.caption(ui.safe(org.contact))
        if org.licence:
            st.markdown(f"**{t('ui.files.licence', lang)}**")
            files.file_list(org.licence, actor, lang, key=f"ven_lic_{org.id}", remove=False)
        c1, c2 = st.columns([1, 3])
        if org.can(Do.APPROVE) and c1.button(
            t("ui.vendors.approve", lang), key=f"ven_ok_{org.id}", type="primary"
        ):
            ui.act(accounts.verify_vendor, actor, org.id, True, done=t("ui.vendors.approved", lang))
        if org.can(Do.REJECT):
            reason = c2.text_input(t("ui.reason", lang), key=f"ven_reason_{org.id}")
            revoke = org.verification == "verified"
            if c2.button(
                t("ui.vendors.revoke" if revoke else "ui.vendors.reject", lang), key=f"ven_no_{org.id}"
            ):
                ui.act(
                    accounts.verify_vendor, actor, org.id, False, reason, done=t("ui.vendors.rejected", lang)
                )
