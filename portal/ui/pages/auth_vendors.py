"""Vendor verification: approve a registered market entity, or reject it with a reason."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_datetime, label, t
from portal.services import accounts
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("vendors")
st.title(t("ui.vendors.title", lang))
with session_scope() as s:
    pending = accounts.pending_vendors(actor, session=s)
if not pending:
    ui.empty(lang, "ui.vendors.none")
for org in pending:
    with st.container(border=True, key=f"ven_{org.id}"):
        st.markdown(f"**{ui.safe(org.name)}** {ui.safe(org.name_en)}")
        st.caption(
            " · ".join(
                [t("field.uscc", lang) + " " + ui.safe(org.uscc), label("region", org.region, lang)]
                + [label("sector", c, lang) for c in org.sectors]
                + [format_datetime(org.created_at, lang)]
            )
        )
        if org.description:
            st.markdown(ui.safe(org.description))
        st.caption(
            ui.safe(" · ".join(x for x in (org.contact_name, org.contact_phone, org.contact_email) if x))
        )
        c1, c2 = st.columns([1, 3])
        if c1.button(t("ui.vendors.approve", lang), key=f"ven_ok_{org.id}", type="primary"):
            ui.run_action(
                lambda s, o=org.id: accounts.verify_vendor(actor, o, True, session=s),
                lang,
                t("ui.vendors.approved", lang),
            )
        reason = c2.text_input(t("ui.reason", lang), key=f"ven_reason_{org.id}")
        if c2.button(t("ui.vendors.reject", lang), key=f"ven_no_{org.id}"):
            ui.run_action(
                lambda s, o=org.id, r=reason: accounts.verify_vendor(actor, o, False, r, session=s),
                lang,
                t("ui.vendors.rejected", lang),
            )
