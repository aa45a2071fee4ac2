"""Fixtures of the portal tests that share one prepared database per module.

``PORTAL_TEST_FAST_HASH=1`` lowers the argon2 costs for the test accounts (see
``portal.services.accounts._hasher``); it must be set before the first password is hashed.

``shared_db`` builds the world once per module (fresh SQLite file, or the PostgreSQL test database
truncated) and rolls back after every test, so a module of hundreds of small cases pays for the
world once. Modules that use it must not also use the function-scoped ``engine``/``session``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from portal.db import make_engine
from portal.migrations_runner import upgrade_to_head
from tests.factories import World, build_world

os.environ.setdefault("PORTAL_TEST_FAST_HASH", "1")


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory, pg_engine):
    if pg_engine is not None:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with pg_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield pg_engine
        return
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('shared') / 'portal.db'}")
    upgrade_to_head(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def shared_session(shared_engine) -> Iterator[Session]:
    with Session(shared_engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="module")
def shared_world(shared_session) -> World:
    return build_world(shared_session)


@pytest.fixture
def db(shared_session, shared_world) -> Iterator[Session]:
    """The module's session; whatever a test writes is rolled back afterwards."""
    shared_session.rollback()
    yield shared_session
    shared_session.rollback()
