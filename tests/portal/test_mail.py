"""E-mail reach against a real SMTP server on loopback: immediate mails, digests, reminders, outbox.

The jobs run as cron would run them (``session_scope`` on the test database, their own
transactions); what arrives at the server is what a user would read.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal import clock
from portal.db import session_scope
from portal.domain.errors import PermissionDenied, RuleViolation, ValidationFailed
from portal.models import Notification, OutboxMessage, OutboxState
from portal.services import bids, digests, outbox, questions, scenarios, subscriptions
from tests.factories import bid_data, scenario_in
from tests.mailserver import MailServer


@pytest.fixture
def smtp(monkeypatch):
    with MailServer() as srv:
        monkeypatch.setenv("PORTAL_SMTP_URL", srv.url)
        monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.example.gov.cn")
        yield srv


def factory(engine):
    return lambda: session_scope(engine)


def set_email(session: Session, party, addr: str, **prefs) -> None:
    current = subscriptions.get_prefs(party.actor, session=session)
    subscriptions.save_prefs(
        party.actor,
        email=addr,
        channels=prefs.get("channels", current.channels),
        profile_sectors=prefs.get("profile_sectors", True),
        session=session,
    )
    session.commit()


def _text(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def _html(msg) -> str:
    return msg.get_body(("html",)).get_content()


def test_an_answer_reaches_the_asker_by_email_with_a_working_unsubscribe(engine, session, world, smtp):
    w = world
    set_email(session, w.vendor_x, "x@vendor.example.com")
    sc = scenario_in(session, w, "published", title="<b>远程影像</b>诊断服务")
    q = questions.ask_question(w.vendor_x.actor, sc.id, "是否需要对接省级影像中心？", session=session)
    session.commit()
    questions.answer_question(w.dept_a.actor, q.id, "需要，接口规范见附件。", session=session)
    session.commit()

    report = outbox.deliver_due(factory(engine))
    assert report.sent == 1
    [msg] = smtp.inbox.to("x@vendor.example.com")
    assert "远程影像" in msg["Subject"]
    assert "<b>远程影像</b>" in _text(msg)  # text part: as typed
    assert "&lt;b&gt;远程影像&lt;/b&gt;" in _html(msg)  # HTML part: escaped, never markup
    assert f"https://portal.example.gov.cn/scenario?id={sc.id}" in _text(msg)
    unsub = "".join(str(msg["List-Unsubscribe"]).split()).strip("<>")
    assert msg["List-Unsubscribe-Post"] is None  # no POST endpoint: the link (GET) is the one click
    assert unsub.startswith("https://portal.example.gov.cn/unsubscribe?t=") and unsub in _text(msg)

    token = unsub.split("t=", 1)[1]
    assert subscriptions.apply_unsubscribe(token, session=session) == "x@vendor.example.com"
    session.commit()
    q2 = questions.ask_question(w.vendor_x.actor, sc.id, "第二个问题：数据接口是否收费？", session=session)
    session.commit()
    questions.answer_question(w.dept_a.actor, q2.id, "不收费。", session=session)
    session.commit()
    assert outbox.deliver_due(factory(engine)).sent == 0  # paused: in-app only now
    assert session.exec(select(Notification).where(Notification.user_id == w.vendor_x.user.id)).all()


def test_a_tampered_or_foreign_token_is_refused(session, world, smtp):
    good = subscriptions.unsubscribe_token(session, world.vendor_x.user.id)
    uid, sig = good.split(".")
    for bad in (f"{uid}.{sig[:-1]}x", f"{world.vendor_y.user.id}.{sig}", "", "abc", f"{10**30}.{sig}"):
        with pytest.raises(RuleViolation) as err:
            subscriptions.apply_unsubscribe(bad, session=session)
        assert err.value.key == "error.unsubscribe_invalid"


def test_without_smtp_nothing_is_queued_and_the_action_still_works(engine, session, world, monkeypatch):
    monkeypatch.delenv("PORTAL_SMTP_URL", raising=False)
    set_email(session, world.vendor_x, "x@vendor.example.com")
    sc = scenario_in(session, world, "published")
    q = questions.ask_question(world.vendor_x.actor, sc.id, "请问预算是否含运维费用？", session=session)
    questions.answer_question(world.dept_a.actor, q.id, "含三年运维。", session=session)
    session.commit()
    assert session.exec(select(OutboxMessage)).all() == []
    assert outbox.deliver_due(factory(engine)).as_dict() == {
        "sent": 0,
        "retried": 0,
        "failed": 0,
        "skipped": 0,
    }


@pytest.mark.parametrize(
    "addr",
    [
        "not-an-address",
        "a@b",
        "x@vendor.example.com\r\nBcc: all@evil.example",
        "a..b@example.com",
        "x" * 250 + "@e.com",
    ],
)
def test_a_bad_email_address_is_refused_at_its_field(session, world, addr):
    with pytest.raises(ValidationFailed) as err:
        subscriptions.save_prefs(
            world.vendor_x.actor, email=addr, channels={}, profile_sectors=True, session=session
        )
    assert [(e.field, e.key) for e in err.value.errors] == [("email", "error.email_invalid")]


def test_a_failing_server_never_blocks_the_action_and_the_message_is_retried_then_kept(
    engine, session, world, smtp
):
    set_email(session, world.vendor_x, "x@vendor.example.com")
    sc = scenario_in(session, world, "published")
    smtp.inbox.refuse = True
    q = questions.ask_question(world.vendor_x.actor, sc.id, "请问是否接受联合体揭榜？", session=session)
    questions.answer_question(world.dept_a.actor, q.id, "接受。", session=session)
    session.commit()  # the answer is saved although the server refuses mail

    now = clock.now()
    first = outbox.deliver_due(factory(engine), now=now)
    assert first.retried == 1
    row = session.exec(select(OutboxMessage)).one()
    session.refresh(row)
    assert row.state == OutboxState.QUEUED and row.attempts == 1 and "451" in row.last_error
    assert outbox.deliver_due(factory(engine), now=now).as_dict()["retried"] == 0  # not due again yet
    later = now
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        later += timedelta(hours=7)
        outbox.deliver_due(factory(engine), now=later)
    session.refresh(row)
    assert row.state == OutboxState.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    [listed] = outbox.list_outbox(world.authority.actor, session=session, state="failed")
    assert (
        listed.to_addr == "x@vendor.example.com"
        and outbox.outbox_counts(world.authority.actor, session=session)["failed"] == 1
    )
    with pytest.raises(PermissionDenied):
        outbox.list_outbox(world.vendor_x.actor, session=session)

    smtp.inbox.refuse = False
    outbox.requeue(world.authority.actor, row.id, session=session)
    session.commit()
    assert outbox.deliver_due(factory(engine)).sent == 1
    assert len(smtp.inbox.to("x@vendor.example.com")) == 1


def test_the_daily_digest_lists_new_matching_scenarios_once_a_day(engine, session, world, smtp):
    w = world
    set_email(session, w.vendor_x, "x@vendor.example.com")  # profile sector: smart-health
    set_email(session, w.vendor_y, "y@vendor.example.com", profile_sectors=False)
    subscriptions.save_search(w.vendor_y.actor, "", {"regions": ["province"]}, session=session)
    session.commit()
    health = scenario_in(session, w, "published", title="乡镇卫生院远程影像诊断")
    scenario_in(
        session,
        w,
        "published",
        owner=w.dept_b,
        title="高速公路智慧收费稽核",
        sector="smart-transport",
        region="zunyi",
    )

    first = digests.send_digests(factory(engine), rank=False)
    outbox.deliver_due(factory(engine))
    [mx] = smtp.inbox.to("x@vendor.example.com")
    assert "乡镇卫生院远程影像诊断" in _text(mx) and "高速公路智慧收费稽核" not in _text(mx)
    assert "订阅的领域" in _text(mx)  # the reason it is in the digest
    assert f"/scenario?id={health.id}" in _text(mx)
    [my] = smtp.inbox.to("y@vendor.example.com")
    assert "乡镇卫生院远程影像诊断" in _text(my)  # saved search: region province
    assert "高速公路智慧收费稽核" not in _text(my)
    assert first.sent >= 2

    again = digests.send_digests(factory(engine), rank=False)
    outbox.deliver_due(factory(engine))
    assert again.sent == 0 and len(smtp.inbox.messages) == first.sent


def test_two_processes_running_the_digest_at_once_send_one_each(engine, session, world, smtp):
    set_email(session, world.vendor_x, "x@vendor.example.com")
    scenario_in(session, world, "published")
    barrier = threading.Barrier(2)
    results = []

    def job():
        barrier.wait()
        results.append(digests.send_digests(factory(engine), rank=False).sent)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    outbox.deliver_due(factory(engine))
    assert sorted(results) == [0, 1]
    assert len(smtp.inbox.to("x@vendor.example.com")) == 1


def test_reminders_go_to_followers_and_draft_bidders_and_never_twice(engine, session, world, smtp):
    w = world
    set_email(session, w.vendor_x, "x@vendor.example.com")
    today = clock.today()
    sc = scenario_in(session, w, "published")
    bids.save_bid(w.vendor_x.actor, sc.id, bid_data(), session=session)  # a draft, never submitted
    scenarios.follow_scenario(w.vendor_y.actor, sc.id, True, session=session)
    session.commit()
    closing = sc.closing_date
    three_days_before = closing - timedelta(days=3)

    r1 = digests.send_reminders(factory(engine), today=three_days_before)
    kinds = {
        (n.user_id, n.kind)
        for n in session.exec(select(Notification).where(Notification.kind.startswith("reminder"))).all()
    }
    assert (w.vendor_x.user.id, "reminder_closing") in kinds and (
        w.vendor_x.user.id,
        "reminder_draft_bid",
    ) in kinds
    assert (w.vendor_y.user.id, "reminder_closing") in kinds and (
        w.vendor_y.user.id,
        "reminder_draft_bid",
    ) not in kinds
    assert digests.send_reminders(factory(engine), today=three_days_before).sent == 0  # second run: nothing
    r3 = digests.send_reminders(factory(engine), today=closing - timedelta(days=1))  # the 1-day reminder
    assert r1.sent >= 3 and r3.sent == 2
    outbox.deliver_due(factory(engine))
    texts = [_text(m) for m in smtp.inbox.to("x@vendor.example.com")]
    assert any("尚未提交" in x for x in texts) and any(closing.isoformat() in x for x in texts)
    assert today < closing
