"""Engine and session factory.

Why: SQLite needs WAL, foreign keys and a busy timeout on every connection to behave like a
multi-user database; PostgreSQL gets a pre-ping pool. Services never open sessions themselves:
the caller (a page, the CLI, a test) opens one with ``session_scope`` and the use case commits once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, create_engine

from portal import models  # noqa: F401  (registers the tables)
from portal.config import Settings, load_settings
from portal.domain.errors import Conflict

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the settings each backend needs."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine(settings: Settings | None = None) -> Engine:
    """Return the process-wide engine for the configured database URL (one per URL)."""
    url = (settings or load_settings()).database_url
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests, backup/restore)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def create_schema(engine: Engine) -> None:
    """Create all tables that do not exist yet."""
    SQLModel.metadata.create_all(engine)


def _unique_violation_table(exc: IntegrityError) -> str | None:
    """The table of a unique-constraint violation (None for other integrity errors)."""
    diag = getattr(exc.orig, "diag", None)
    if getattr(exc.orig, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        return getattr(diag, "table_name", None) or "generic"
    found = re.search(r"UNIQUE constraint failed: (\w+)\.", str(exc.orig))
    return found.group(1) if found else None


def _stale_rows(session: Session, table: str) -> list[tuple[type, int]]:
    """``(model, id)`` of the rows of ``table`` in a session whose flush failed (read from the instance
    state only: touching an attribute now would need a rollback)."""
    rows = []
    for state in list(session.identity_map.all_states()):
        obj = state.obj()
        if obj is not None and getattr(obj, "__tablename__", None) == table and state.identity:
            rows.append((type(obj), int(state.identity[0])))
    return rows


def _explain_stale(engine: Engine | None, stale: list[tuple[type, int]]) -> None:
    """Re-read a row that lost an optimistic-lock race and raise the conflict naming the latest change.

    The failed flush has forgotten which version the loser had loaded; the race is between two saves,
    so the change that won is the row's latest one.
    """
    if len(stale) != 1:
        return
    from portal.services.door import check_version  # the door knows how to describe a change

    model, obj_id = stale[0]
    with Session(engine or get_engine(), expire_on_commit=False) as fresh:
        current = fresh.get(model, obj_id)
        if current is not None and isinstance(getattr(current, "version", None), int) and current.version > 1:
            check_version(current, current.version - 1)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """Open a session; roll back on any exception so nothing is half-written."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
    except StaleDataError as exc:
        # The optimistic lock caught a concurrent save between load and flush: a user-facing conflict.
        table = re.search(r"table '(\w+)'", str(exc))
        name = table.group(1) if table else "generic"
        stale = _stale_rows(session, name)
        session.rollback()
        _explain_stale(engine, stale)  # raises the detailed conflict when the row can be read again
        raise Conflict(what=f"object.{name}") from exc
    except IntegrityError as exc:
        session.rollback()
        table = _unique_violation_table(exc)
        if table is None:
            raise
        # Two saves raced to create the same unique row (e.g. one vendor's bid from two tabs).
        raise Conflict(what=f"object.{table}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
