"""Schema changes go through Alembic: the history yields exactly the models' schema, on both backends.

``tests/conftest.py`` builds each test database with ``upgrade_to_head`` (the real migrations); these
tests prove the properties the rest of the suite relies on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from portal.db import make_engine
from portal.migrations_runner import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    upgrade_to_head,
)
from portal.models import Organization
from tests.factories import build_world

MODEL_TABLES = set(SQLModel.metadata.tables)


def schema_diff(engine) -> list:
    """What autogenerate would still write (empty: the database has exactly the models' schema)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(ctx, SQLModel.metadata)


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_on_empty_database_yields_the_models_schema(new_database):
    engine = make_engine(new_database())
    try:
        assert tables(engine) == set()
        upgrade_to_head(engine)
        assert current_revision(engine) == head_revision()
        assert tables(engine) == MODEL_TABLES | {"alembic_version"}
        assert schema_diff(engine) == []
        upgrade_to_head(engine)  # idempotent
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_every_revision_downgrades_and_upgrades_again(new_database):
    """Walk the history one step at a time down to an empty database, then back up to head."""
    engine = make_engine(new_database())
    revisions = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    try:
        upgrade_to_head(engine)
        for rev in revisions:  # newest first
            assert current_revision(engine) == rev
            downgrade(engine, "-1")
        assert current_revision(engine) is None
        assert tables(engine) <= {"alembic_version"}
        upgrade_to_head(engine)
        assert current_revision(engine) == head_revision()
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_data_survives_upgrade_of_a_database_made_by_create_all(new_database):
    """A database created before the history (create_all, no stamp) is completed and stamped, not wiped."""
    engine = make_engine(new_database())
    try:
        SQLModel.metadata.create_all(engine)
        with Session(engine) as s:
            build_world(s)
        assert current_revision(engine) is None
        upgrade_to_head(engine)
        assert current_revision(engine) == head_revision()
        assert schema_diff(engine) == []
        with Session(engine) as s:
            assert len(s.exec(select(Organization)).all()) == 6
    finally:
        engine.dispose()


def test_legacy_database_with_a_missing_table_gets_it(new_database):
    engine = make_engine(new_database())
    try:
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE change_log"))
        upgrade_to_head(engine)
        assert "change_log" in tables(engine)
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_cli_migrate_creates_and_reports(new_database, tmp_path):
    url = new_database()
    env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_VAR_DIR=str(tmp_path / "var"))
    for command in ("migrate", "init-db"):
        done = subprocess.run(
            [sys.executable, "-m", "portal", command], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert head_revision() in done.stdout
    engine = make_engine(url)
    try:
        assert schema_diff(engine) == []
    finally:
        engine.dispose()


def test_history_is_linear_and_revisions_import_sqlmodel():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    for rev in script.walk_revisions():
        source = Path(rev.path).read_text(encoding="utf-8")
        assert "import sqlmodel" in source, rev.path
