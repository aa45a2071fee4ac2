"""One portal process of the stored-vector tests: the shared database, its own ``PORTAL_VAR_DIR``.

Run as ``python -m tests.trust.vector_worker``. It builds its engine (the same ``portal_engine`` a
serving process uses, background thread included), prints ``READY``, then answers one JSON command
per stdin line with one JSON line:

* ``{"op": "stats"}`` → ``{"embedded": <record texts this process handed to its encoder>, "model": …,
  "building": …, "missing": …, "waiting": …, "pid": …}``
* ``{"op": "apply"}`` → apply the change log now (``sync_changes``), as a search does; ``{"applied": n}``.
* ``{"op": "apply_async"}`` → the same on a thread (it may block in a slow encoder); answers at once.
* ``{"op": "settle", "timeout": s}`` → wait until every record has its vector here; ``{"ok", "seconds"}``.
* ``{"op": "search", "queries": [...]}`` → ``{"results": [[[id, score], …], …]}`` (top 10 scenarios).
* ``{"op": "search_loop", "query": q, "until_model": m, "timeout": s}`` → search through
  ``matchmaking.search_scenarios`` every 0.05 s until ``m`` serves; counts answers, empty answers,
  errors and the models that served.

``VECTOR_WORKER_DELAY`` (seconds) makes each passage-embedding call of this process sleep first,
so a test can kill it in the middle of a batch or watch a model switch in progress.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from matching import Encoder
from portal.db import session_scope
from portal.permissions import ANONYMOUS
from portal.services import match_engine, matchmaking

DELAY = float(os.environ.get("VECTOR_WORKER_DELAY") or 0)


class Slow(Encoder):
    """The real encoder, each passage call delayed by ``DELAY`` seconds."""

    def __init__(self, inner: Encoder):
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim

    def encode_queries(self, texts):  # type: ignore[no-untyped-def]
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts):  # type: ignore[no-untyped-def]
        time.sleep(DELAY)
        return self.inner.encode_passages(texts)


if DELAY:
    _real = match_engine._Portal._encoder
    match_engine._Portal._encoder = lambda self, name: Slow(_real(self, name))  # type: ignore[method-assign]


def _portal() -> match_engine._Portal:
    return match_engine.portal_engine()


def stats() -> dict:
    p = _portal()
    return {
        "embedded": p.embedded_texts,
        "model": p.engine.encoder.model_id,
        "building": p.building.encoder.model_id if p.building is not None else None,
        "missing": sum(e.missing_vectors(k) for e in p.engines for k in match_engine.KINDS),
        "waiting": sum(e.waiting(k) for e in p.engines for k in match_engine.KINDS),
        "pid": os.getpid(),
        "holder": p.store.holder,
    }


def apply() -> int:
    with session_scope() as s:
        return _portal().sync_changes(s, force=True)


def handle(cmd: dict) -> dict:
    op = cmd["op"]
    if op == "stats":
        return stats()
    if op == "apply":
        return {"applied": apply()}
    if op == "apply_async":
        threading.Thread(target=apply, daemon=True).start()
        return {"started": True}
    if op == "settle":
        start = time.monotonic()
        while time.monotonic() - start < cmd.get("timeout", 60):
            apply()
            s = stats()
            if not s["missing"] and s["building"] is None:
                return {"ok": True, "seconds": round(time.monotonic() - start, 3)}
            time.sleep(0.1)
        return {"ok": False, **stats()}
    if op == "search":
        results = []
        for q in cmd["queries"]:
            with session_scope() as s:
                engine = match_engine._engine(s)
            results.append([[m.id, round(m.score, 4)] for m in engine.search(q, "scenario", k=10)])
        return {"results": results}
    if op == "search_loop":
        start, answers, empty, errors, served = time.monotonic(), 0, 0, [], {}
        while time.monotonic() - start < cmd.get("timeout", 120):
            model = _portal().engine.encoder.model_id
            try:
                with session_scope() as s:
                    hits = matchmaking.search_scenarios(ANONYMOUS, cmd["query"], session=s, k=5)
                answers += 1
                empty += not hits
                served[model] = served.get(model, 0) + 1
            except Exception as exc:  # noqa: BLE001 - the test reports every failure
                errors.append(repr(exc)[:200])
            if model == cmd["until_model"] and served.get(model, 0) >= 3:
                break
            time.sleep(0.05)
        return {"answers": answers, "empty": empty, "errors": errors, "served": served, **stats()}
    raise ValueError(op)


def main() -> None:
    with session_scope() as s:
        matchmaking.search_scenarios(ANONYMOUS, "预热", session=s, k=1)  # builds and syncs the engine
    print("READY", flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(handle(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
