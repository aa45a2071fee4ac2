"""Backup and restore of the whole portal database.

Why here: sealed bids and unpublished demands exist nowhere else, so an operator must be able to take
a consistent copy while the portal serves, and put it back. SQLite uses its online backup API (a
consistent snapshot even while other connections write; WAL content included). PostgreSQL uses
``pg_dump -Fc`` and ``pg_restore --clean --single-transaction`` (all or nothing). A restore checks the
file first (format, integrity) and brings the restored schema up to the newest migration.

The PostgreSQL client programs are looked up in ``$PORTAL_PG_BIN``, ``$PORTAL_TEST_PG_BIN``, ``PATH``,
then Debian's ``/usr/lib/postgresql/<n>/bin`` (newest first); their major version must be at least
the server's.

Example::

    report = backup_database("sqlite:///var/portal.db", Path("var/backups/portal.db"))
    restore_database("sqlite:///var/portal.db", report.path)
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from portal.domain.errors import PortalError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
_TIMEOUT_S = 3600


class BackupError(PortalError):
    """A backup or restore could not be done; the database is unchanged."""

    key = "error.backup_failed"


@dataclass(frozen=True)
class BackupReport:
    """What a backup or restore did: the file, the backend, the file size."""

    path: Path
    backend: str
    size_bytes: int


def backend_of(url: str) -> str:
    """``sqlite`` or ``postgresql`` (anything else is refused)."""
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError("error.backup_backend", backend=name)
    return name


def default_backup_path(var_dir: Path, url: str, now: datetime | None = None) -> Path:
    """``<var>/backups/portal-YYYYmmdd-HHMMSS.db`` (SQLite) or ``….dump`` (PostgreSQL custom format)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = ".db" if backend_of(url) == "sqlite" else ".dump"
    return var_dir / "backups" / f"portal-{stamp}{suffix}"


def backup_database(url: str, dest: Path) -> BackupReport:
    """Write a consistent copy of the database at ``url`` to ``dest`` (replaced atomically).

    Raises:
        BackupError: the database cannot be read or the dump program fails or is missing.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    backend = backend_of(url)
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if backend == "sqlite":
            _sqlite_copy(_sqlite_path(url), tmp, must_exist=True)
        else:
            _run_pg("pg_dump", ["--format=custom", "--no-owner", "--no-acl", "--file", str(tmp)], url)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupReport(dest, backend, dest.stat().st_size)


def restore_database(url: str, src: Path) -> BackupReport:
    """Replace the content of the database at ``url`` with the backup ``src``, then migrate to head.

    The file is checked before anything is written (it must exist, match the backend and, for SQLite,
    pass ``PRAGMA integrity_check``); PostgreSQL restores in one transaction. Pooled connections of
    this process are closed first; other processes should be stopped during a restore.

    Raises:
        BackupError: missing, foreign or corrupt file, or the restore program fails (nothing changed).
    """
    from portal.db import dispose_engines, make_engine
    from portal.migrations_runner import upgrade_to_head

    src = Path(src)
    backend = backend_of(url)
    _check_file(src, backend)
    dispose_engines()
    if backend == "sqlite":
        _sqlite_copy(src, _sqlite_path(url), must_exist=False)
    else:
        _run_pg(
            "pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"],
            url,
            target=str(src),
        )
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    return BackupReport(src, backend, src.stat().st_size)


# ------------------------------------------------------------------------------------------ SQLite


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("error.backup_backend", backend="sqlite :memory:")
    return Path(database)


def _sqlite_copy(src: Path, dest: Path, *, must_exist: bool) -> None:
    """Copy ``src`` into ``dest`` page by page with SQLite's online backup API."""
    if must_exist and not src.exists():
        raise BackupError("error.backup_not_found", path=str(src))
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=30)
        try:
            target = sqlite3.connect(dest, timeout=30)
            try:
                target.execute("PRAGMA busy_timeout=30000")
                source.backup(target, pages=1024)
                if target.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError("error.backup_failed", detail=str(exc)) from exc


def _check_file(src: Path, backend: str) -> None:
    if not src.is_file():
        raise BackupError("error.backup_not_found", path=str(src))
    with open(src, "rb") as fh:
        head = fh.read(16)
    expected = SQLITE_MAGIC if backend == "sqlite" else PGDUMP_MAGIC
    if not head.startswith(expected):
        raise BackupError("error.backup_format", path=str(src), backend=backend)
    if backend == "sqlite":
        try:
            conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
            try:
                verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise BackupError("error.backup_corrupt", path=str(src), detail=str(exc)) from exc
        if verdict != "ok":
            raise BackupError("error.backup_corrupt", path=str(src), detail=verdict[:200])
        if "alembic_version" not in names:
            raise BackupError("error.backup_corrupt", path=str(src), detail="no alembic_version table")


# -------------------------------------------------------------------------------------- PostgreSQL


def pg_tool(name: str) -> str:
    """Path of a PostgreSQL client program (see the module docstring for the search order)."""
    for folder in (os.environ.get("PORTAL_PG_BIN"), os.environ.get("PORTAL_TEST_PG_BIN")):
        if folder and (Path(folder) / name).exists():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if found:
        return found
    debian = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]), reverse=True
    )
    if debian:
        return debian[0]
    raise BackupError("error.backup_tool_missing", tool=name)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password (passed in ``PGPASSWORD``, not on the command line)."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    plain = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run_pg(tool: str, args: list[str], url: str, target: str | None = None) -> None:
    uri, env = _libpq(url)
    cmd = [pg_tool(tool), *args, f"--dbname={uri}"]
    if target is not None:
        cmd.append(target)
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError("error.backup_failed", detail=str(exc)) from exc
    if done.returncode != 0:
        raise BackupError("error.backup_failed", detail=(done.stderr or done.stdout).strip()[-500:])
