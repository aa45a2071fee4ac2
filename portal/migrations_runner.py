"""Schema management entry point used by the CLI, the app and the tests.

Why one function: the schema must come from one place, the Alembic history in ``portal/migrations``.
``upgrade_to_head`` runs ``alembic upgrade head`` on the given engine. A database created before the
history existed (tables made by ``create_all``, no ``alembic_version`` table) is completed with any
missing tables and stamped as head, so it joins the history without losing data.

Migration authors: ``.venv/bin/alembic -c portal/alembic.ini revision --autogenerate -m "…"``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from portal import models  # noqa: F401  (registers the tables)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
INI_PATH = Path(__file__).resolve().parent / "alembic.ini"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the portal's history, optionally bound to an open connection."""
    cfg = Config(str(INI_PATH))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision of the history (what ``upgrade_to_head`` brings a database to)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migration history is empty"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is stamped with (``None``: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _is_legacy(conn: Connection) -> bool:
    """Tables of the portal exist, but no Alembic stamp: made by ``create_all`` before the history."""
    names = set(inspect(conn).get_table_names())
    return "alembic_version" not in names and bool(names & set(SQLModel.metadata.tables))


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema up to date (idempotent): ``alembic upgrade head``."""
    with engine.begin() as conn:
        if _is_legacy(conn):
            SQLModel.metadata.create_all(conn)
            command.stamp(alembic_config(conn), "head")
            return
        command.upgrade(alembic_config(conn), "head")


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Undo migrations down to ``revision`` (``base``: drop every table of the history)."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)
