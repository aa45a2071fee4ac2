"""The inbox: notifications in the reader's language, unread counts, marking read."""

from __future__ import annotations

from portal.services import notifications, scenarios
from tests.factories import scenario_in


def test_inbox_renders_in_the_readers_language_and_marks_read(session, world):
    sc = scenario_in(session, world, "submitted")
    scenarios.request_changes(world.authority.actor, sc.id, "请补充预算依据", session=session)
    scenarios.submit_scenario(world.dept_a.actor, sc.id, session=session)
    scenarios.publish_scenario(world.authority.actor, sc.id, session=session)
    actor = world.dept_a.actor
    inbox = notifications.list_notifications(actor, session=session)
    assert [n.kind for n in inbox] == ["scenario_published", "changes_requested"]
    assert notifications.unread_count(actor, session=session) == 2
    assert notifications.render(inbox[1], "zh") == f"场景“{sc.title}”被退回修改：请补充预算依据"
    assert notifications.render(inbox[0], "en") == f"Your scenario '{sc.title}' has been published."
    assert notifications.mark_read(actor, [inbox[0].id], session=session) == 1
    assert [n.kind for n in notifications.list_notifications(actor, session=session, unread_only=True)] == [
        "changes_requested"
    ]
    assert notifications.mark_read(actor, session=session) == 1
    assert notifications.unread_count(actor, session=session) == 0
    assert notifications.list_notifications(world.dept_b.actor, session=session) == []


def test_bid_status_parameter_is_translated(session, world):
    sc = scenario_in(session, world, "awarded")
    note = notifications.list_notifications(world.vendor_x.actor, session=session)[0]
    assert notifications.render(note, "zh") == f"您在场景“{sc.title}”的揭榜方案状态变为：未中选"
    assert notifications.render(note, "en").endswith("is now: Unsuccessful")
