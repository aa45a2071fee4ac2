"""Vendor self-registration: the organization starts pending verification by the authority.

Every problem of the form is shown at once: listed at the top and again under its own field.
"""

import streamlit as st

from portal.i18n import label, t
from portal.services import accounts, sessions
from portal.taxonomy import regions
from portal.ui import components as ui
from portal.ui import routes, state
from portal.views.accounts import Do, register_page

actor, lang = state.guard("register")
view = ui.load(register_page, actor)
st.title(t("ui.register.title", lang))
st.caption(t("ui.register.intro", lang))
if not view.can(Do.REGISTER):
    st.stop()
slots: dict[str, object] = {ui.SUMMARY: st.empty()}
with st.form("reg_form"):
    c1, c2 = st.columns(2)
    name = c1.text_input(t("field.name", lang), key="reg_name")
    slots["name"] = c1.empty()
    name_en = c2.text_input(t("field.name_en", lang), key="reg_name_en")
    slots["name_en"] = c2.empty()
    uscc = c1.text_input(t("field.uscc", lang), key="reg_uscc", max_chars=18)
    slots["uscc"] = c1.empty()
    region = c2.selectbox(
        t("field.region", lang),
        list(regions()),
        format_func=lambda c: label("region", c, lang),
        key="reg_region",
    )
    slots["region"] = c2.empty()
    pick_sectors = ui.taxonomy_multiselect("sector", "sectors", lang, key="reg_sectors")
    slots["sectors"] = st.empty()
    served = ui.taxonomy_multiselect("region", "service_regions", lang, key="reg_service_regions")
    slots["service_regions"] = st.empty()
    description = st.text_area(t("field.description", lang), key="reg_description")
    slots["description"] = st.empty()
    c3, c4, c5 = st.columns(3)
    contact_name = c3.text_input(t("field.contact_name", lang), key="reg_contact_name")
    contact_phone = c4.text_input(t("field.contact_phone", lang), key="reg_contact_phone")
    contact_email = c5.text_input(t("field.contact_email", lang), key="reg_contact_email")
    slots["contact_name"], slots["contact_phone"], slots["contact_email"] = c3.empty(), c4.empty(), c5.empty()
    st.divider()
    c6, c7 = st.columns(2)
    username = c6.text_input(t("field.username", lang), key="reg_username")
    slots["username"] = c6.empty()
    display_name = c7.text_input(t("field.display_name", lang), key="reg_display_name")
    slots["display_name"] = c7.empty()
    password = c6.text_input(t("field.password", lang), type="password", key="reg_password")
    slots["password"] = c6.empty()
    password2 = c7.text_input(t("ui.register.password2", lang), type="password", key="reg_password2")
    slots["password_repeat"] = c7.empty()
    st.caption(t("ui.profile.password_hint", lang))
    submitted = st.form_submit_button(t("ui.register.submit", lang), key="reg_submit", type="primary")
if submitted:
    data = {
        "name": name,
        "name_en": name_en,
        "uscc": uscc,
        "region": region,
        "sectors": pick_sectors,
        "service_regions": served,
        "description": description,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
    }
    registered = ui.act(
        accounts.register_vendor,
        data,
        username=username,
        password=password,
        password_repeat=password2,
        display_name=display_name,
        language=lang,
        fields=slots,
        rerun=False,
    )
    if registered is not None:
        signed = ui.act(sessions.sign_in, username, password, rerun=False)
        if signed is not None:
            state.login(signed)
            state.flash(t("ui.register.done", lang))
            state.go(routes.home_of(signed.actor))
