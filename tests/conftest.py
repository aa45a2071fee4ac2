"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
``PORTAL_TEST_DATABASE_URL`` is set) and a small world of organizations, users and actors."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from portal.db import make_engine
from portal.migrations_runner import upgrade_to_head
from tests.factories import World, build_world

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
# Real embeddings, remembered by text across tests and workers (see matching/cache.py).
os.environ.setdefault("PORTAL_TEST_FAST_HASH", "1")  # minimum argon2 cost in tests (ignored in production)
# The serving process's background mail chores stay off in tests (tests/portal/test_sweep.py runs them).
for _chore in ("REMINDERS", "DIGESTS", "DELIVERY"):
    os.environ.setdefault(f"PORTAL_SWEEP_{_chore}_SECONDS", "0")
os.environ.setdefault("PORTAL_EMBED_CACHE", f"/tmp/scenario-bridge-tests-{os.getuid()}/embed-cache.sqlite")


@pytest.fixture(autouse=True)
def _fresh_matching_engines():
    """Each test's database gets its own matching engine; drop them afterwards."""
    yield
    from portal.services import matchmaking

    matchmaking.reset_engines()


def _worker_url(base: str) -> str:
    """One PostgreSQL database per xdist worker (created on first use)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"portal_test_{worker}"
    root, _, _db = base.rpartition("/")
    admin = make_engine(f"{root}/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{root}/{name}"


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    if not PG_URL:
        yield None
        return
    engine = make_engine(_worker_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(tmp_path, pg_engine, monkeypatch) -> Iterator[Engine]:
    """A fresh, empty, migrated database for each test; also set as the app's database."""
    if pg_engine is not None:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with pg_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        monkeypatch.setenv("PORTAL_DATABASE_URL", pg_engine.url.render_as_string(hide_password=False))
        yield pg_engine
        return
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "var"))
    eng = make_engine(url)
    upgrade_to_head(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def world(session) -> World:
    """Authority, departments A and B, verified vendors X and Y, a pending vendor P (all committed)."""
    return build_world(session)
