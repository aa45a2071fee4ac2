"""Backup and restore round-trips on the active backend (SQLite online backup; pg_dump / pg_restore).

Each round-trip compares a full dump of every table before the backup and after the restore; a
damaged or foreign file is refused with a translated message and leaves the database unchanged.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading

import pytest
from sqlmodel import Session

from portal.db import make_engine
from portal.migrations_runner import upgrade_to_head
from portal.models import Scenario
from portal.services import scenarios
from portal.services.backup import BackupError, backup_database, restore_database
from tests.factories import build_world, scenario_data, scenario_in
from tests.trust.conftest import BACKEND
from tests.trust.dbcheck import consistency_problems, full_dump


@pytest.fixture
def populated(new_database):
    """A migrated database with the world and scenarios in several states (bids, awards, history)."""
    url = new_database()
    engine = make_engine(url)
    upgrade_to_head(engine)
    with Session(engine, expire_on_commit=False) as s:
        w = build_world(s)
        for status in ("draft", "published", "awarded", "showcased", "none_suitable"):
            scenario_in(s, w, status, title=f"场景状态测试：{status}")
    yield url, engine, w
    engine.dispose()


def _add_scenario(engine, w, title: str) -> int:
    with Session(engine, expire_on_commit=False) as s:
        sc = scenarios.create_scenario(w.dept_b.actor, scenario_data(title=title), session=s)
        s.commit()
        return sc.id


def test_round_trip_restores_every_row(populated, tmp_path):
    url, engine, w = populated
    before = full_dump(engine)
    assert sum(map(len, before.values())) > 100
    report = backup_database(url, tmp_path / "b" / "portal.bak")
    assert report.size_bytes > 0 and report.backend == BACKEND
    _add_scenario(engine, w, "备份之后新增的场景需求")
    with engine.begin() as conn:  # and damage what was there
        conn.exec_driver_sql("DELETE FROM notification")
    assert full_dump(engine) != before
    engine.dispose()
    restore_database(url, report.path)
    after_engine = make_engine(url)
    try:
        assert full_dump(after_engine) == before
        assert consistency_problems(after_engine) == []
        id_col = [c.name for c in Scenario.__table__.columns].index("id")
        old_ids = {row[id_col] for row in before["scenario"]}
        new_id = _add_scenario(after_engine, w, "恢复之后新增的场景需求")  # ids continue after the restore
        assert new_id not in old_ids and new_id > 0
    finally:
        after_engine.dispose()


def test_cli_backup_and_restore(populated, tmp_path):
    url, engine, w = populated
    before = full_dump(engine)
    env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_VAR_DIR=str(tmp_path / "var"))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portal", *args], env=env, capture_output=True, text=True, timeout=300
        )

    done = cli("backup")
    assert done.returncode == 0, done.stderr
    written = list((tmp_path / "var" / "backups").iterdir())
    assert len(written) == 1 and done.stdout.startswith("backup written")
    _add_scenario(engine, w, "备份之后新增的场景需求")
    engine.dispose()
    refused = cli("restore", str(written[0]))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    done = cli("restore", str(written[0]), "--yes")
    assert done.returncode == 0, done.stderr
    assert full_dump(engine) == before
    missing = cli("--lang", "en", "restore", str(tmp_path / "nope.bak"), "--yes")
    assert missing.returncode == 2 and "File not found" in missing.stderr


def _garbage_files(tmp_path, good):
    yield "text file", tmp_path / "notes.txt", b"this is not a backup\n" * 50
    yield "empty file", tmp_path / "empty.bak", b""
    data = good.read_bytes()
    yield "truncated backup", tmp_path / "truncated.bak", data[: len(data) // 2]
    other = b"PGDMP" + b"\0" * 100 if BACKEND == "sqlite" else b"SQLite format 3\x00" + b"\0" * 100
    yield "other backend's format", tmp_path / "other.bak", other
    if BACKEND == "sqlite":
        damaged = bytearray(data)
        for i in range(4096 * 2, min(len(damaged), 4096 * 6)):
            damaged[i] ^= 0x5A
        yield "flipped bytes", tmp_path / "flipped.bak", bytes(damaged)


def test_bad_backup_files_are_refused_and_change_nothing(populated, tmp_path):
    url, engine, _w = populated
    good = backup_database(url, tmp_path / "good.bak").path
    before = full_dump(engine)
    tried = 0
    for label, path, content in _garbage_files(tmp_path, good):
        path.write_bytes(content)
        with pytest.raises(BackupError) as info:
            restore_database(url, path)
        for lang in ("zh", "en"):
            assert info.value.message(lang).strip(), label
        assert info.value.message("zh") != info.value.message("en")
        assert full_dump(engine) == before, label
        tried += 1
    assert tried >= 4


@pytest.mark.skipif(BACKEND != "sqlite", reason="the online backup API is SQLite's")
def test_sqlite_online_backup_while_writing_is_consistent(populated, tmp_path):
    """A backup taken while another connection commits scenarios is a consistent snapshot."""
    url, engine, w = populated
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 200:
            written.append(_add_scenario(engine, w, f"并发写入中的场景需求{n:03d}"))
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.01)
        paths = [backup_database(url, tmp_path / f"online-{i}.db").path for i in range(3)]
    finally:
        stop.set()
        thread.join()
    for path in paths:
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            n_scenarios = conn.execute("SELECT count(*) FROM scenario").fetchone()[0]
            n_created = conn.execute(
                "SELECT count(*) FROM audit_event WHERE event = 'scenario.created'"
            ).fetchone()[0]
            n_logged = conn.execute(
                "SELECT count(*) FROM change_log WHERE object_type='scenario'"
            ).fetchone()[0]
        finally:
            conn.close()
        assert n_scenarios == n_created >= 5 + 5  # each scenario with its audit row, never one without
        assert n_logged >= n_scenarios
    check = make_engine(f"sqlite:///{paths[-1]}")
    try:
        assert consistency_problems(check) == []
    finally:
        check.dispose()
