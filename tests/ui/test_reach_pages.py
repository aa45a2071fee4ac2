"""The reach pages on the seam: notification settings persist and are audited, subscriptions are added
and removed, the unsubscribe link works logged out (a forged one changes nothing), and the outbox is
the authority's: a vendor is refused, a failed e-mail is requeued."""

from __future__ import annotations

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from portal.domain.errors import PermissionDenied
from portal.i18n import messages
from portal.models import AuditEvent, MailSettings, OutboxMessage, OutboxState, Subscription
from portal.services import subscriptions
from portal.views.reach import Do, outbox_page, subscriptions_page
from tests.ui.conftest import ROOT, TIMEOUT, login_state, no_errors, page_file, texts


def plain(at) -> str:
    """The page's texts without Markdown escapes (user text is shown escaped)."""
    return texts(at).replace("\\", "")


def _events(session, name: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.event == name)).all())


def test_saving_the_address_and_channels_persists_and_is_audited(app, session, world):
    at = app(world.dept_a, "subscriptions")
    no_errors(at)
    at.text_input(key="mail_prefs__email").input("dept.a@example.com")
    at.selectbox(key="mail_prefs__channel_invited").set_value("digest")
    at.selectbox(key="mail_prefs__channel_new_scenarios").set_value("in_app")
    at.button(key="mail_prefs__save").click().run()
    no_errors(at)
    session.expire_all()
    row = session.get(MailSettings, world.dept_a.user.id)
    assert row is not None and row.channels == {"invited": "digest", "new_scenarios": "in_app"}
    session.refresh(world.dept_a.user)
    assert world.dept_a.user.email == "dept.a@example.com"
    assert len(_events(session, "mail.settings_saved")) == 1
    # a fresh visit shows the saved choices
    again = app(world.dept_a, "subscriptions")
    assert again.selectbox(key="mail_prefs__channel_invited").value == "digest"
    assert again.text_input(key="mail_prefs__email").value == "dept.a@example.com"


def test_a_bad_address_is_refused_at_its_field_and_nothing_is_saved(app, session, world):
    at = app(world.dept_a, "subscriptions", lang="en")
    at.text_input(key="mail_prefs__email").input("not an address")
    at.button(key="mail_prefs__save").click().run()
    assert not at.exception
    assert "Enter a valid e-mail address" in "\n".join(e.value for e in at.error).replace("\\", "")
    session.expire_all()
    assert session.get(MailSettings, world.dept_a.user.id) is None
    assert not _events(session, "mail.settings_saved")


def test_adding_and_removing_subscriptions(app, session, world):
    at = app(world.dept_a, "subscriptions")
    at.selectbox(key="sub_add_region__value").set_value("zunyi")
    at.button(key="sub_add_region__add").click().run()
    no_errors(at)
    at.text_input(key="sub_add_search__query").input("智慧停车")
    at.multiselect(key="sub_add_search__sectors").set_value(["smart-transport"])
    at.button(key="sub_add_search__add").click().run()
    no_errors(at)
    session.expire_all()
    rows = session.exec(select(Subscription).where(Subscription.user_id == world.dept_a.user.id)).all()
    assert {(r.kind, r.value) for r in rows} == {("region", "zunyi"), ("search", "智慧停车")}
    search = next(r for r in rows if r.kind == "search")
    assert search.filters == {"sectors": ["smart-transport"], "regions": []}
    assert "智慧停车" in plain(at) and "遵义" in plain(at)
    at.button(key=f"sub_remove_{search.id}").click().run()
    no_errors(at)
    session.expire_all()
    left = session.exec(select(Subscription).where(Subscription.user_id == world.dept_a.user.id)).all()
    assert [(r.kind, r.value) for r in left] == [("region", "zunyi")]
    assert len(_events(session, "subscription.created")) == 2
    assert len(_events(session, "subscription.deleted")) == 1


def test_a_vendor_is_told_it_follows_its_profile_sectors_and_can_opt_out(app, session, world):
    at = app(world.vendor_x, "subscriptions", lang="en")
    no_errors(at)
    assert "You were subscribed to your profile's sectors" in texts(at)
    assert subscriptions.follows_profile_sectors(session, world.vendor_x.user.id) is True
    at.button(key="profile_unfollow").click().run()
    no_errors(at)
    session.expire_all()
    assert subscriptions.follows_profile_sectors(session, world.vendor_x.user.id) is False
    assert any(b.key == "profile_follow" for b in at.button)
    at.button(key="profile_follow").click().run()
    session.expire_all()
    assert subscriptions.follows_profile_sectors(session, world.vendor_x.user.id) is True
    # a department has no profile sectors to follow
    view = subscriptions_page(world.dept_a.actor, session=session)
    assert not view.can(Do.UNFOLLOW_PROFILE) and not view.can(Do.FOLLOW_PROFILE)


def test_unsubscribe_link_works_logged_out_and_offers_to_resubscribe(app, session, world):
    world.vendor_y.user.email = "y@example.com"
    session.add(world.vendor_y.user)
    token = subscriptions.unsubscribe_token(session, world.vendor_y.user.id)
    session.commit()
    at = app(None, "unsubscribe", t=token)
    no_errors(at)
    assert "y***@example.com" in plain(at)
    session.expire_all()
    assert session.get(MailSettings, world.vendor_y.user.id).paused is True
    assert len(_events(session, "mail.paused")) == 1
    at.run()  # a rerun does not apply it again
    assert len(_events(session, "mail.paused")) == 1
    at.button(key="unsubscribe_resume").click().run()
    no_errors(at)
    session.expire_all()
    assert session.get(MailSettings, world.vendor_y.user.id).paused is False
    assert len(_events(session, "mail.resumed")) == 1
    assert any(b.key == "unsubscribe_again" for b in at.button)


@pytest.mark.parametrize("forge", ["signature", "user", "empty"])
def test_a_forged_unsubscribe_token_is_refused_and_changes_nothing(app, session, world, forge):
    token = subscriptions.unsubscribe_token(session, world.vendor_y.user.id)
    session.commit()
    head, _, sig = token.partition(".")
    bad = {
        "signature": f"{head}.{sig[:-2]}xx",
        "user": f"{world.vendor_x.user.id}.{sig}",
        "empty": "",
    }[forge]
    at = app(None, "unsubscribe", lang="en", t=bad) if bad else app(None, "unsubscribe", lang="en")
    assert not at.exception
    assert "This unsubscribe link is invalid" in "\n".join(e.value for e in at.error).replace("\\", "")
    assert not any(b.key in ("unsubscribe_resume", "unsubscribe_again") for b in at.button)
    session.expire_all()
    assert session.exec(select(MailSettings)).all() == []
    assert not _events(session, "mail.paused")


def _message(session, world, key: str, state: OutboxState, error: str = "") -> OutboxMessage:
    row = OutboxMessage(
        key=key,
        user_id=world.vendor_x.user.id,
        to_addr="x@example.com",
        subject=f"【场景通】{key}",
        body_text="secret body",
        body_html="<p>secret body</p>",
        state=state,
        attempts=8 if state == OutboxState.FAILED else 1,
        last_error=error,
    )
    session.add(row)
    session.commit()
    return row


def test_outbox_is_refused_to_a_vendor(app, session, world):
    _message(session, world, "m-failed", OutboxState.FAILED, "SMTPServerDisconnected: gone")
    at = app(world.vendor_x)
    # the gate answers at the url (a callable page: AppTest's switch_page wants files)
    at._page_hash = next(h for h, i in at._registered_pages.items() if i.get("url_pathname") == "outbox")
    at.run()
    assert not at.exception
    assert at.error and "此页面不面向" in at.error[0].value, [e.value for e in at.error]
    assert not any((b.key or "").startswith("outbox_requeue_") for b in at.button)
    assert "m-failed" not in plain(at)
    # the page's own guard refuses too, when its file is run directly
    own = login_state(
        AppTest.from_file(str(ROOT / page_file("outbox")), default_timeout=TIMEOUT), world.vendor_x
    )
    own.run()
    assert not own.exception and own.error
    assert not any((b.key or "").startswith("outbox_requeue_") for b in own.button)
    with pytest.raises(PermissionDenied):
        outbox_page(world.vendor_x.actor, session=session)


def test_the_authority_sees_the_outbox_and_requeues_a_failed_message(app, session, world):
    failed = _message(session, world, "m-failed", OutboxState.FAILED, "SMTPServerDisconnected: gone")
    queued = _message(session, world, "m-queued", OutboxState.QUEUED)
    _message(session, world, "m-sent", OutboxState.SENT)
    at = app(world.authority, "outbox", lang="en")
    no_errors(at)
    page = plain(at)
    assert "m-failed" in page and "m-queued" in page and "m-sent" not in page
    assert "SMTPServerDisconnected" in page and "secret body" not in page
    assert {m.label: m.value for m in at.metric} == {"Queued": "1", "Sent": "1", "Failed": "1"}
    assert not any(b.key == f"outbox_requeue_{queued.id}" for b in at.button)
    at.button(key=f"outbox_requeue_{failed.id}").click().run()
    no_errors(at)
    session.refresh(failed)
    assert failed.state == OutboxState.QUEUED and failed.attempts == 0
    assert len(_events(session, "mail.requeued")) == 1
    assert not any(b.key == f"outbox_requeue_{failed.id}" for b in at.button)


def test_every_kind_channel_and_state_has_a_label_in_both_languages():
    catalogue = messages()
    keys = [f"ui.reach.kind.{k}" for k in subscriptions.DEFAULT_CHANNELS]
    keys += [f"ui.reach.channel.{c}" for c in ("in_app", "immediate", "digest")]
    keys += [f"ui.reach.sub_kind.{k}" for k in subscriptions.SUB_KINDS]
    keys += [f"ui.outbox.state.{s}" for s in OutboxState]
    for key in keys:
        assert catalogue.get(key, {}).get("zh") and catalogue[key].get("en"), key


@pytest.mark.parametrize("who", ["anonymous", "dept_a", "vendor_x", "vendor_p", "authority"])
def test_the_reach_pages_render_for_every_role_in_both_languages(app, world, who):
    party = None if who == "anonymous" else getattr(world, who)
    for lang in ("zh", "en"):
        at = app(party, lang=lang)
        for path in ("subscriptions", "unsubscribe", "outbox"):
            at._page_hash = next(h for h, i in at._registered_pages.items() if i.get("url_pathname") == path)
            at.run()
            assert not at.exception, (who, lang, path, [e.value for e in at.exception])
            assert at.title, (who, lang, path)


def test_the_pages_say_when_the_portal_sends_no_email(app, world, monkeypatch):
    monkeypatch.delenv("PORTAL_SMTP_URL", raising=False)
    assert "本平台目前未配置邮件发送" in texts(app(world.dept_a, "subscriptions"))
    assert "未配置邮件服务器" in texts(app(world.authority, "outbox"))
    monkeypatch.setenv("PORTAL_SMTP_URL", "smtp://127.0.0.1:2525?starttls=0")
    assert "本平台目前未配置邮件发送" not in texts(app(world.dept_a, "subscriptions"))
    assert "未配置邮件服务器" not in texts(app(world.authority, "outbox"))


def test_the_unsubscribe_page_speaks_the_language_of_the_email(app, session, world):
    world.vendor_y.user.language = "en"
    session.add(world.vendor_y.user)
    token = subscriptions.unsubscribe_token(session, world.vendor_y.user.id)
    session.commit()
    at = app(None, "unsubscribe", t=token)
    no_errors(at)
    assert "will receive no more e-mail" in plain(at)
    assert any(b.key == "unsubscribe_resume" and b.label == "Resubscribe to e-mail" for b in at.button)
    assert len(_events(session, "mail.paused")) == 1  # the language switch's rerun applies nothing again
