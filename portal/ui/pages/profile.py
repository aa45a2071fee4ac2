"""Account settings: language, password, and the organization profile (vendors and departments)."""

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import FieldError, PortalError, ValidationFailed
from portal.i18n import label, t
from portal.models import Organization
from portal.services import accounts
from portal.taxonomy import regions
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("profile")
st.title(t("ui.profile.title", lang))
with session_scope() as s:
    org = s.get(Organization, actor.org_id)
st.caption(
    ui.safe(org.name)
    + " · "
    + t(f"role.{actor.role}", lang)
    + (" · " + t(f"verification.{org.verification}", lang) if actor.is_vendor else "")
)

if not actor.is_authority:
    st.subheader(t("ui.profile.org", lang))
    with st.form("org_form"):
        name = st.text_input(t("field.name", lang), value=org.name, key="org_name")
        name_en = st.text_input(t("field.name_en", lang), value=org.name_en, key="org_name_en")
        region = st.selectbox(
            t("field.region", lang),
            list(regions()),
            index=list(regions()).index(org.region),
            format_func=lambda c: label("region", c, lang),
            key="org_region",
        )
        pick = ui.taxonomy_multiselect("sector", "sectors", lang, key="org_sectors", default=org.sectors)
        served = ui.taxonomy_multiselect(
            "region", "service_regions", lang, key="org_service_regions", default=org.service_regions
        )
        description = st.text_area(t("field.description", lang), value=org.description, key="org_description")
        c1, c2, c3 = st.columns(3)
        contact_name = c1.text_input(
            t("field.contact_name", lang), value=org.contact_name, key="org_contact_name"
        )
        contact_phone = c2.text_input(
            t("field.contact_phone", lang), value=org.contact_phone, key="org_contact_phone"
        )
        contact_email = c3.text_input(
            t("field.contact_email", lang), value=org.contact_email, key="org_contact_email"
        )
        if st.form_submit_button(t("ui.save", lang), key="org_save", type="primary"):
            changes = {
                "name": name,
                "name_en": name_en,
                "region": region,
                "sectors": pick,
                "service_regions": served,
                "description": description,
                "contact_name": contact_name,
                "contact_phone": contact_phone,
                "contact_email": contact_email,
            }
            ui.run_action(
                lambda s: accounts.update_organization(
                    actor, org.id, changes, expected_version=org.version, session=s
                ),
                lang,
                t("ui.saved", lang),
            )

st.subheader(t("ui.profile.password", lang))
with st.form("pw_form", clear_on_submit=True):
    old = st.text_input(t("ui.profile.old_password", lang), type="password", key="pw_old")
    new = st.text_input(t("ui.profile.new_password", lang), type="password", key="pw_new")
    new2 = st.text_input(t("ui.register.password2", lang), type="password", key="pw_new2")
    if st.form_submit_button(t("ui.profile.change_password", lang), key="pw_submit"):
        try:
            if new != new2:
                raise ValidationFailed([FieldError("password", "ui.register.mismatch", {})])
            with session_scope() as s:
                accounts.change_password(actor, old, new, session=s)
                s.commit()
        except PortalError as err:
            ui.show_error(err, lang)
        else:
            st.success(t("ui.profile.password_changed", lang))
