"""The authority sees this process's matching index and can reconcile it with the database."""


def test_dashboard_shows_the_index_and_rebuilds_it(app, world):
    from portal.ui import matchmaking

    at = app(world.authority, page="dashboard")
    matchmaking.join_warm_ups()
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert "已索引场景" in metrics and "已索引解决方案" in metrics
    at.button(key="index_rebuild").click().run()
    assert not at.exception
    assert any("索引已按数据库核对" in s.value for s in at.success)
