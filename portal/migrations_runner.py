"""Schema management entry point used by the CLI, the app and the tests.

Why one function: the schema must come from one place. Until the Alembic history lands this
creates missing tables from the models; afterwards it runs ``alembic upgrade head``.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from portal.db import create_schema


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema up to date (idempotent)."""
    create_schema(engine)
