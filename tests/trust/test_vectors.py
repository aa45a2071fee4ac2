"""Vectors stored once in PostgreSQL, shared by several real portal processes (``vector_worker``).

* two processes embed each change exactly once between them (encoder calls counted in each process);
* a process started later embeds nothing and serves the same results;
* killing the embedding process in the middle of a batch loses nothing: its lease expires and the
  other process embeds the batch;
* a model switch (``PORTAL_EMBEDDER`` changed) completes in the background while searches answer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from portal.models import EmbedLease, RecordVector, VectorModel
from portal.services import scenarios
from tests.factories import scenario_data
from tests.trust.conftest import BACKEND

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "postgresql", reason="several processes share one PostgreSQL database"),
]
ROOT = Path(__file__).resolve().parents[2]
TITLES = [
    "黔东南州苗侗村寨古建筑火灾智能预警",
    "六盘水市煤矿井下人员定位数据融合分析",
    "遵义市红色旅游景区客流预测与疏导",
    "毕节市山区学校营养餐配送路径优化",
    "安顺市黄果树景区停车诱导与智慧停车",
    "铜仁市梵净山森林防火卫星遥感监测",
    "黔南州惠水县乡村医生远程问诊辅助",
    "贵阳市老旧小区独居老人智能看护",
    "凯里市农产品冷链物流温度追溯",
    "都匀市毛尖茶园病虫害图像识别",
    "兴义市万峰林景区多语种智能导览",
    "清镇市职教城学生就业能力画像",
]


class Worker:
    """A portal process driven through stdin/stdout."""

    def __init__(self, name: str, var_dir: Path, **env: str):
        self.name = name
        full = dict(os.environ, PORTAL_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", **env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.trust.vector_worker"],
            cwd=ROOT,
            env=full,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        assert line.strip() == "READY", f"{name} did not start: {line!r}"

    def send(self, **cmd) -> None:  # type: ignore[no-untyped-def]
        self.proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def read(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, f"{self.name} died (exit {self.proc.poll()})"
        return json.loads(line)

    def ask(self, **cmd) -> dict:  # type: ignore[no-untyped-def]
        self.send(**cmd)
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def publish(session, world, titles: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for title in titles:
        sc = scenarios.create_scenario(
            world.dept_a.actor, scenario_data(title=title, summary=title + "：场景摘要说明"), session=session
        )
        scenarios.submit_scenario(world.dept_a.actor, sc.id, session=session)
        scenarios.publish_scenario(world.authority.actor, sc.id, session=session)
        ids.append(sc.id)
    session.commit()
    return ids


def stored(session, model: str | None = None) -> dict[int, str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    q = select(RecordVector).where(RecordVector.kind == "scenario")
    if model:
        q = q.where(RecordVector.model_id == model)
    return {r.record_id: r.content_hash for r in session.exec(q).all()}


def both(a: Worker, b: Worker, **cmd) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Send the same command to both processes at once (so they race), then read both answers."""
    a.send(**cmd)
    b.send(**cmd)
    return a.read(), b.read()


def test_two_processes_embed_each_change_once_and_a_late_process_embeds_nothing(
    engine, session, world, tmp_path, capsys
):
    session.commit()
    a, b = Worker("A", tmp_path / "a"), Worker("B", tmp_path / "b")
    c = None
    try:
        before = a.ask(op="stats")["embedded"], b.ask(op="stats")["embedded"]
        assert before == (0, 0)  # an empty catalogue
        for round_ in range(3):  # changes arrive while both processes follow the change log
            ids = publish(session, world, TITLES[4 * round_ : 4 * round_ + 4])
            both(a, b, op="apply")
            sa, sb = both(a, b, op="settle", timeout=60)
            assert sa["ok"] and sb["ok"], (sa, sb)
            assert set(ids) <= set(stored(session))
        ea, eb = a.ask(op="stats")["embedded"], b.ask(op="stats")["embedded"]
        assert ea + eb == len(TITLES), (ea, eb)  # each change embedded exactly once between them
        assert len(stored(session)) == len(TITLES)

        # a draft, then an edit of it: each new text embedded once in total
        draft = scenarios.create_scenario(
            world.dept_a.actor,
            scenario_data(title="草稿：乡镇污水处理站远程运维", summary="草稿摘要说明"),
            session=session,
        )
        session.commit()
        both(a, b, op="apply")
        both(a, b, op="settle", timeout=60)
        scenarios.save_scenario(
            world.dept_a.actor,
            draft.id,
            {"summary": "草稿摘要说明（补充）增加夜间巡检"},
            expected_version=draft.version,
            session=session,
        )
        session.commit()
        both(a, b, op="apply")
        both(a, b, op="settle", timeout=60)
        ea2, eb2 = a.ask(op="stats")["embedded"], b.ask(op="stats")["embedded"]
        assert (ea2 + eb2) - (ea + eb) == 2, (ea2, eb2)

        c = Worker("C", tmp_path / "c")
        assert c.ask(op="stats")["embedded"] == 0  # everything loaded from the database
        queries = ["古建筑火灾预警", "smart parking", "独居老人看护", "茶园病虫害识别", "客流预测"]
        ra, rc = a.ask(op="search", queries=queries), c.ask(op="search", queries=queries)
        assert ra["results"] == rc["results"]
        assert all(ra["results"]), ra
        assert c.ask(op="stats")["embedded"] == 0
        with capsys.disabled():
            print(f"\nstored vectors: A embedded {ea2}, B embedded {eb2}, late C embedded 0")
    finally:
        for w in (a, b, c):
            if w is not None:
                w.close()


def test_killing_the_embedder_mid_batch_loses_nothing(engine, session, world, tmp_path, capsys):
    session.commit()
    lease = {"PORTAL_EMBED_LEASE_SECONDS": "3"}
    a = Worker("A", tmp_path / "a", VECTOR_WORKER_DELAY="60", **lease)  # hangs inside the encoder
    b = Worker("B", tmp_path / "b", **lease)
    try:
        holder = a.ask(op="stats")["holder"]
        ids = publish(session, world, TITLES[:5])
        a.ask(op="apply_async")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # A has claimed the batch and is embedding it
            session.expire_all()
            held = session.exec(select(EmbedLease).where(EmbedLease.holder == holder)).all()
            if len(held) == len(ids):
                break
            time.sleep(0.1)
        assert {lease.record_id for lease in held} == set(ids)
        assert b.ask(op="apply")["applied"] >= 1
        assert b.ask(op="stats")["waiting"] == len(ids)  # B serves them lexically and waits for A
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        killed = time.monotonic()
        settled = b.ask(op="settle", timeout=60)
        assert settled["ok"], settled
        assert set(ids) <= set(stored(session))
        assert b.ask(op="stats")["embedded"] == len(ids)
        session.expire_all()
        assert session.exec(select(EmbedLease)).all() == []
        hits = b.ask(op="search", queries=TITLES[:5])["results"]
        assert [r[0][0] for r in hits] == ids
        with capsys.disabled():
            print(f"\nkill mid-batch: B finished A's batch {time.monotonic() - killed:.1f} s after the kill")
    finally:
        a.close()
        b.close()


def test_model_switch_completes_in_the_background_without_a_gap(engine, session, world, tmp_path, capsys):
    session.commit()
    ids = publish(session, world, TITLES)
    old = Worker("old", tmp_path / "old")  # the default model embeds the catalogue
    try:
        assert old.ask(op="settle", timeout=120)["ok"]
        old_model = old.ask(op="stats")["model"]
    finally:
        old.close()
    new = Worker("new", tmp_path / "new", PORTAL_EMBEDDER="use-m3", VECTOR_WORKER_DELAY="0.3")
    try:
        first = new.ask(op="stats")
        assert first["model"] == old_model and first["building"] == "use-m3", first
        out = new.ask(op="search_loop", query="古建筑火灾预警", until_model="use-m3", timeout=180)
        assert out["errors"] == [] and out["empty"] == 0, out
        assert out["served"].get(old_model, 0) >= 3, out  # the old vectors served while embedding
        assert out["model"] == "use-m3" and out["building"] is None, out
        assert set(stored(session, "use-m3")) == set(ids)
        session.expire_all()
        states = {m.model_id: m.state for m in session.exec(select(VectorModel)).all()}
        assert states == {old_model: "retired", "use-m3": "ready"}
        with capsys.disabled():
            print(
                f"\nmodel switch: {out['answers']} searches answered during the switch, served {out['served']}"
            )
    finally:
        new.close()
