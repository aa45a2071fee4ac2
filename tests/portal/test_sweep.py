"""The serving process's throttled mail chores, against a real SMTP server on loopback.

``housekeeping.sweep`` is what the app's background thread runs on page runs: reminders, digests,
then delivery, each at most once per its interval per process; a broken chore never stops the
others, and the page never waits for any of them.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import select

from portal import clock
from portal.models import Notification, OutboxMessage
from portal.services import housekeeping, questions, scenarios, subscriptions
from tests.factories import after, scenario_in
from tests.mailserver import MailServer

NO_DIGESTS = housekeeping.SweepConfig({"reminders": 3600.0, "digests": 0.0, "delivery": 60.0})


@pytest.fixture(autouse=True)
def _fresh_throttle():
    housekeeping.reset_throttle()
    yield
    housekeeping.join_sweep()
    housekeeping.reset_throttle()


@pytest.fixture
def smtp(monkeypatch):
    with MailServer() as srv:
        monkeypatch.setenv("PORTAL_SMTP_URL", srv.url)
        yield srv


def answered(session, world, text: str = "请问预算是否含运维费用？") -> None:
    """Vendor X (with an address) asks, department A answers: one immediate e-mail is queued."""
    party = world.vendor_x
    current = subscriptions.get_prefs(party.actor, session=session)
    subscriptions.save_prefs(
        party.actor,
        email="x@vendor.example.com",
        channels=current.channels,
        profile_sectors=True,
        session=session,
    )
    sc = scenario_in(session, world, "published")
    q = questions.ask_question(party.actor, sc.id, text, session=session)
    questions.answer_question(world.dept_a.actor, q.id, "含三年运维。", session=session)
    session.commit()


def test_a_sweep_delivers_a_queued_message(engine, session, world, smtp):
    answered(session, world)
    report = housekeeping.sweep(NO_DIGESTS)
    assert report.ran["delivery"]["sent"] == 1 and report.failed == ()
    assert "digests" in report.skipped and "reminders" in report.ran
    [msg] = smtp.inbox.to("x@vendor.example.com")
    assert "咨询问题已答复" in msg.get_body(("plain",)).get_content()


def test_a_second_sweep_within_the_interval_does_nothing(engine, session, world, smtp):
    answered(session, world)
    assert housekeeping.sweep(NO_DIGESTS).ran["delivery"]["sent"] == 1
    answered(session, world, "第二个问题：数据接口是否收费？")  # a new message is due now
    second = housekeeping.sweep(NO_DIGESTS)
    assert second.ran == {} and set(second.skipped) == set(housekeeping.CHORES)
    assert len(smtp.inbox.messages) == 1  # throttled: it waits for the next interval
    assert housekeeping.sweep(NO_DIGESTS, force=True).ran["delivery"]["sent"] == 1
    assert len(smtp.inbox.messages) == 2


def test_a_failing_chore_never_blocks_the_others(engine, session, world, smtp, monkeypatch):
    def broken() -> dict[str, object]:
        raise RuntimeError("reminders are broken")

    monkeypatch.setitem(housekeeping.ACTIONS, "reminders", broken)
    answered(session, world)
    report = housekeeping.sweep(NO_DIGESTS)
    assert report.failed == ("reminders",) and report.ran["delivery"]["sent"] == 1
    assert housekeeping.sweep(NO_DIGESTS).failed == ()  # the broken one waits for its interval too


def test_a_refusing_mail_server_is_retried_later_and_the_sweep_returns(engine, session, world, smtp):
    smtp.inbox.refuse = True
    answered(session, world)
    report = housekeeping.sweep(NO_DIGESTS)
    assert report.ran["delivery"]["retried"] == 1 and report.failed == ()
    assert smtp.inbox.messages == [] and session.exec(select(OutboxMessage)).one().attempts == 1


def test_the_page_run_never_waits_for_the_sweep(engine, session, world, monkeypatch):
    release, started = threading.Event(), threading.Event()

    def slow() -> dict[str, object]:
        started.set()
        release.wait(10)
        return {}

    monkeypatch.setitem(housekeeping.ACTIONS, "reminders", slow)
    t0 = time.monotonic()
    assert housekeeping.start_sweep(NO_DIGESTS) is True
    assert started.wait(5) and time.monotonic() - t0 < 1.0  # returned while the chore still runs
    assert housekeeping.start_sweep(NO_DIGESTS) is False  # one sweep per process at a time
    release.set()
    housekeeping.join_sweep()
    assert housekeeping.start_sweep(NO_DIGESTS) is False  # nothing due: no thread at all


def test_without_smtp_reminders_still_run_in_app_and_nothing_is_queued(engine, session, world, monkeypatch):
    monkeypatch.delenv("PORTAL_SMTP_URL", raising=False)
    sc = scenario_in(session, world, "published")
    scenarios.follow_scenario(world.vendor_y.actor, sc.id, True, session=session)
    session.commit()
    with clock.frozen(after((sc.closing_date - clock.today()).days - 1)):
        report = housekeeping.sweep(housekeeping.SweepConfig())
    assert set(report.skipped) == {"digests", "delivery"} and report.ran["reminders"]["sent"] >= 1
    kinds = session.exec(
        select(Notification.kind).where(Notification.user_id == world.vendor_y.user.id)
    ).all()
    assert "reminder_closing" in kinds
    assert session.exec(select(OutboxMessage)).all() == []


def test_intervals_come_from_the_environment_and_zero_turns_a_chore_off():
    cfg = housekeeping.SweepConfig.from_env(
        {"PORTAL_SWEEP_DELIVERY_SECONDS": "15", "PORTAL_SWEEP_DIGESTS_SECONDS": "0"}
    )
    assert cfg.intervals == {"reminders": 3600.0, "digests": 0.0, "delivery": 15.0}
    assert housekeeping.SweepConfig.from_env({}).intervals == housekeeping.DEFAULT_INTERVALS
    with pytest.raises(ValueError, match="PORTAL_SWEEP_REMINDERS_SECONDS"):
        housekeeping.SweepConfig.from_env({"PORTAL_SWEEP_REMINDERS_SECONDS": "hourly"})
