"""Fixtures of the trust tests: empty databases on the active backend, and consistency checks.

The backend is SQLite unless ``PORTAL_TEST_DATABASE_URL`` points at a PostgreSQL server (see
``scripts/with-postgres.sh``); then every fixture here creates its own PostgreSQL database, so
migrations, restores and subprocesses never touch the per-worker test database of ``tests/conftest.py``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text

from portal.db import make_engine

os.environ.setdefault("PORTAL_TEST_FAST_HASH", "1")

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
BACKEND = "postgresql" if PG_URL else "sqlite"
_counter = itertools.count()


def _admin_execute(sql: str) -> None:
    root = PG_URL.rpartition("/")[0]
    admin = make_engine(f"{root}/postgres")
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


@pytest.fixture
def new_database(tmp_path) -> Iterator[Callable[[], str]]:
    """A factory of URLs of new, empty databases (SQLite files, or PostgreSQL databases dropped after)."""
    made: list[str] = []

    def make() -> str:
        n = next(_counter)
        if not PG_URL:
            return f"sqlite:///{tmp_path / f'empty-{n}.db'}"
        name = f"portal_trust_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}_{n}"
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin_execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{PG_URL.rpartition('/')[0]}/{name}"

    yield make
    for name in made:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_bin() -> str | None:
    """Folder of the PostgreSQL client programs used by backup/restore (None: take them from PATH)."""
    return os.environ.get("PORTAL_TEST_PG_BIN") or None
