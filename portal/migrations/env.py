"""Alembic environment of the portal: the target schema is ``SQLModel.metadata`` (``portal.models``).

The database comes from the connection handed in by ``portal.migrations_runner`` (``config.attributes
["connection"]``) or, for the plain ``alembic -c portal/alembic.ini …`` command line, from
``PORTAL_DATABASE_URL`` through ``portal.db.make_engine`` (so SQLite gets its pragmas). SQLite cannot
ALTER most things, so migrations run in batch mode there (``render_as_batch``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from portal import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from portal.config import load_settings
from portal.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) without a database."""
    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
