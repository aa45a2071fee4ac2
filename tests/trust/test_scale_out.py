"""Scale-out on PostgreSQL: two real portal processes, each with its own vector index, one database.

A scenario published through process A must appear in process B's search within 5 seconds without a
restart (each process applies the database's change log to its own index), and the other way round;
a cancellation through A must disappear from B's results within 5 seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.trust.conftest import BACKEND

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "postgresql", reason="several processes share one PostgreSQL database"),
]
ROOT = Path(__file__).resolve().parents[2]
LIMIT_S = 5.0


class Portal:
    """A portal process driven through stdin/stdout (see ``scaleout_worker``)."""

    def __init__(self, name: str, var_dir: Path):
        env = dict(os.environ, PORTAL_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.trust.scaleout_worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        assert line.strip() == "READY", f"{name} did not start: {line!r}"

    def ask(self, **cmd) -> dict:  # type: ignore[no-untyped-def]
        self.proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"{self.name} died (exit {self.proc.poll()})"
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def test_two_processes_see_each_others_changes_within_5_seconds(engine, session, world, tmp_path, capsys):
    session.commit()
    a = Portal("A", tmp_path / "a")
    b = Portal("B", tmp_path / "b")
    try:
        assert a.proc.pid != b.proc.pid
        t1 = "黔东南州苗侗村寨古建筑火灾智能预警"
        created = a.ask(op="create", title=t1)
        seen = b.ask(op="wait", query=t1, id=created["id"], present=True, timeout=10)
        assert seen["ok"] and seen["seconds"] <= LIMIT_S, seen

        t2 = "六盘水市煤矿井下人员定位数据融合分析"
        created2 = b.ask(op="create", title=t2)
        seen2 = a.ask(op="wait", query=t2, id=created2["id"], present=True, timeout=10)
        assert seen2["ok"] and seen2["seconds"] <= LIMIT_S, seen2

        a.ask(op="cancel", id=created["id"])
        gone = b.ask(op="wait", query=t1, id=created["id"], present=False, timeout=10)
        assert gone["ok"] and gone["seconds"] <= LIMIT_S, gone
        with capsys.disabled():
            print(
                f"\nscale-out: A→B {seen['seconds']} s, B→A {seen2['seconds']} s, cancel A→B {gone['seconds']} s"
            )
    finally:
        a.close()
        b.close()
