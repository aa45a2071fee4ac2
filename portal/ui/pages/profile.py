"""Account settings: password, and the organization profile (vendors and departments)."""

import streamlit as st

from portal.i18n import label, t
from portal.services import accounts
from portal.taxonomy import regions
from portal.ui import components as ui
from portal.ui import files, state
from portal.views.accounts import Do, profile_page

actor, lang = state.guard("profile")
view = ui.load(profile_page, actor)
st.title(t("ui.profile.title", lang))
st.caption(
    ui.safe(view.org_name)
    + " · "
    + t(f"role.{view.role}", lang)
    + (" · " + label("verification", view.verification, lang) if view.is_vendor else "")
)

if view.can(Do.EDIT_ORG):
    st.subheader(t("ui.profile.org", lang))
    if view.rename_reviews:
        st.info(t("ui.profile.rename_reviews", lang), icon=":material/verified_user:")
    form = f"org{view.org_id}"
    version, v = ui.form_snapshot(form, view.version, view.values)  # what this form was drawn from
    k = lambda name: ui.wkey(form, name)  # noqa: E731
    slots: dict[str, object] = {ui.SUMMARY: st.empty()}
    with st.form("org_form"):
        name = st.text_input(t("field.name", lang), value=v["name"], key=k("name"))
        slots["name"] = st.empty()
        name_en = st.text_input(t("field.name_en", lang), value=v["name_en"], key=k("name_en"))
        slots["name_en"] = st.empty()
        codes = list(regions())
        region = st.selectbox(
            t("field.region", lang),
            codes,
            index=codes.index(v["region"]) if v["region"] in codes else 0,
            format_func=lambda c: label("region", c, lang),
            key=k("region"),
        )
        pick = ui.taxonomy_multiselect("sector", "sectors", lang, key=k("sectors"), default=v["sectors"])
        slots["sectors"] = st.empty()
        served = ui.taxonomy_multiselect(
            "region", "service_regions", lang, key=k("service_regions"), default=v["service_regions"]
        )
        description = st.text_area(t("field.description", lang), value=v["description"], key=k("description"))
        slots["description"] = st.empty()
        c1, c2, c3 = st.columns(3)
        contact_name = c1.text_input(
            t("field.contact_name", lang), value=v["contact_name"], key=k("contact_name")
        )
        contact_phone = c2.text_input(
            t("field.contact_phone", lang), value=v["contact_phone"], key=k("contact_phone")
        )
        contact_email = c3.text_input(
            t("field.contact_email", lang), value=v["contact_email"], key=k("contact_email")
        )
        slots["contact_name"], slots["contact_phone"], slots["contact_email"] = (
            c1.empty(),
            c2.empty(),
            c3.empty(),
        )
        saved = st.form_submit_button(t("ui.save", lang), key="org_save", type="primary")
    if saved:
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
        ui.act(
            accounts.update_organization,
            actor,
            view.org_id,
            changes,
            expected_version=version,
            form=form,
            fields=slots,
            done=t("ui.saved", lang),
        )

if view.licence is not None:
    with st.container(border=True, key="licence_files"):
        st.subheader(t("ui.files.licence", lang))
        st.caption(t("ui.files.licence_help", lang))
        files.file_panel(view.licence, actor, lang, key="org_lic")

st.subheader(t("ui.profile.password", lang))
pw_slots: dict[str, object] = {}
with st.form("pw_form", clear_on_submit=True):
    old = st.text_input(t("ui.profile.old_password", lang), type="password", key="pw_old")
    new = st.text_input(t("ui.profile.new_password", lang), type="password", key="pw_new")
    pw_slots["password"] = st.empty()
    new2 = st.text_input(t("ui.register.password2", lang), type="password", key="pw_new2")
    pw_slots["password_repeat"] = st.empty()
    st.caption(t("ui.profile.password_hint", lang))
    changed = st.form_submit_button(t("ui.profile.change_password", lang), key="pw_submit")
if changed:
    ui.act(
        accounts.change_password,
        actor,
        old,
        new,
        repeat=new2,
        keep_token=state.login_token(),
        fields=pw_slots,
        done=t("ui.profile.password_changed", lang),
    )
