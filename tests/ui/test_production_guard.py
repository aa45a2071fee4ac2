"""Production mode: the app itself refuses to serve while a demo account is still active."""

from portal.permissions import SYSTEM
from portal.services import accounts


def test_app_refuses_to_serve_with_active_demo_account(app, session, world, monkeypatch):
    accounts.create_user(
        SYSTEM,
        org_id=world.authority.org.id,
        username="demo-admin",
        password="demo-2026",
        display_name="演示账号",
        is_demo=True,
        session=session,
    )
    session.commit()
    monkeypatch.setenv("PORTAL_MODE", "production")
    at = app()
    assert at.error and "demo-admin" in at.error[0].value
    assert not at.text_input  # no login form, no page at all


def test_app_serves_in_production_without_demo_accounts(app, world, monkeypatch):
    monkeypatch.setenv("PORTAL_MODE", "production")
    at = app()
    assert not at.exception and not at.error
