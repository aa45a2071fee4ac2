"""How fast a new portal process is ready on a database of N embedded offers.

``python -m benchmarks.replica --offers 10000`` fills a fresh database with N synthetic offers (texts
composed from the taxonomy's sectors and keywords, regions and functions), embeds their texts once
with the fast encoder in batches of 256 and bulk-inserts the vectors into ``record_vector`` (as
``reindex`` would have stored them), then starts a second process on the database with an empty
``PORTAL_VAR_DIR`` (no snapshot, no embedding cache) and measures the wall time from its start to its
first answered search. Prints one JSON line::

    {"offers": N, "ready_s": …, "embedded": <texts the new process embedded>, …}

Options: ``--database-url`` (default: a SQLite file in a temporary folder), ``--embedder`` (default
``use-m3``; both processes use it), ``--distinct`` (default 10,000: how many offer texts the
filler embeds; beyond them offer ``i`` stores the vector of offer ``i % distinct`` under its own
content hash), ``--keep`` (keep the temporary folder). The replica's work does not depend on it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS = [
    "guiyang",
    "zunyi",
    "anshun",
    "bijie",
    "tongren",
    "liupanshui",
    "qiandongnan",
    "qiannan",
    "qianxinan",
]
FUNCTIONS = [
    "数据汇聚与治理平台",
    "智能预警与处置系统",
    "可视化指挥调度大屏",
    "移动端便民服务应用",
    "AI图像识别与分析",
    "物联网感知终端接入",
    "大模型辅助决策助手",
    "多源数据融合分析",
]
TECH = ["边缘计算", "知识图谱", "数字孪生", "隐私计算", "北斗定位", "5G专网", "低代码", "时空大数据"]


def _texts(n: int, seed: int = 7) -> list[tuple[str, str, list[str]]]:
    sectors = json.loads((ROOT / "data" / "taxonomies" / "sectors.json").read_text(encoding="utf-8"))
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        s = rnd.choice(sectors)
        kw = rnd.sample(s["keywords_zh"], k=min(3, len(s["keywords_zh"])))
        fn, tech = rnd.choice(FUNCTIONS), rnd.choice(TECH)
        title = f"{s['zh']}{fn}（方案{i}）"
        desc = (
            f"面向{rnd.choice(['省级', '市州', '区县', '乡镇'])}{s['zh']}场景，基于{tech}提供{fn}，"
            f"覆盖{'、'.join(kw)}等业务，支持与现有系统对接，已在{rnd.randint(1, 30)}个单位试点，"
            f"平均处理时效提升{rnd.randint(10, 60)}%。"
        )
        out.append((title, desc, [s["code"]]))
    return out


def fill(url: str, n: int, embedder: str, distinct: int) -> dict[str, float]:
    """Create the schema, N offers of 20 vendors, and their vectors; returns timings.

    The first ``distinct`` offer texts are embedded; offer ``i`` beyond them stores the vector of
    offer ``i % distinct`` under its own content hash (a real encoder output, so the replica's work
    is the same, without an hour of embedding on 2 cores at 100k).
    """
    from sqlalchemy import insert

    from matching import create_encoder
    from matching.lexical import load_domain
    from matching.records import content_hash, document_text
    from matching.store import StoredVector
    from portal import clock
    from portal.config import DATA_DIR, load_settings
    from portal.db import make_engine
    from portal.migrations_runner import upgrade_to_head
    from portal.models import Offer, Organization
    from portal.services import match_engine
    from portal.services.vector_store import DatabaseVectorStore

    t0 = time.monotonic()
    engine = make_engine(url)
    upgrade_to_head(engine)
    now = clock.now()
    with engine.begin() as conn:
        conn.execute(
            insert(Organization.__table__),  # type: ignore[attr-defined]
            [
                {
                    "name": f"基准测试供应商{v}",
                    "name_en": "",
                    "region": REGIONS[v % len(REGIONS)],
                    "sectors": [],
                    "description": "",
                    "contact_name": "",
                    "contact_phone": "",
                    "contact_email": "",
                    "service_regions": [],
                    "kind": "vendor",
                    "verification": "verified",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for v in range(20)
            ],
        )
        vendor_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM organization ORDER BY id")]
        rows = [
            {
                "title": title,
                "description": desc,
                "sectors": sectors,
                "regions": [REGIONS[i % len(REGIONS)]],
                "reference_cases": [],
                "maturity": "pilot",
                "language": "zh",
                "vendor_org_id": vendor_ids[i % len(vendor_ids)],
                "status": "active",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for i, (title, desc, sectors) in enumerate(_texts(n))
        ]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Offer.__table__), rows[start : start + 5000])  # type: ignore[attr-defined]
    t_rows = time.monotonic()

    encoder = create_encoder(embedder)
    labels = load_domain(DATA_DIR / "taxonomies" / "sectors.json").sector_labels
    os.environ["PORTAL_DATABASE_URL"] = url
    from portal.db import session_scope

    with session_scope(engine) as session:
        records = match_engine._offer_records(session)
    store = DatabaseVectorStore(url, engine=engine)
    computed: list = []  # type: ignore[type-arg]
    for start in range(0, len(records), 256):
        part = records[start : start + 256]
        texts = [document_text(r, labels) for r in part]
        if start < distinct:
            vectors = encoder.encode_passages(texts)
            computed.extend(vectors)
        else:
            vectors = [computed[(start + j) % len(computed)] for j in range(len(part))]
        store.put(
            encoder.model_id,
            "offer",
            [
                StoredVector(r.id, content_hash(t, encoder.model_id), v, None)
                for r, t, v in zip(part, texts, vectors, strict=True)
            ],
        )
    match_engine.mark_ready(load_settings(), encoder.model_id, embedder, encoder.dim, len(records))
    engine.dispose()
    return {"rows_s": round(t_rows - t0, 2), "embed_s": round(time.monotonic() - t_rows, 2)}


def serve() -> None:
    """The second process: build the engine from the database, answer one search, report."""
    t_start = float(os.environ["REPLICA_T0"])
    from portal.db import session_scope
    from portal.services import match_engine

    t_import = time.time()
    with session_scope() as session:
        engine = match_engine._engine(session)
    t_sync = time.time()
    hits = engine.search("智慧停车 诱导 数据平台", "offer", k=10)
    t_ready = time.time()
    portal = match_engine.portal_engine()
    print(
        json.dumps(
            {
                "ready_s": round(t_ready - t_start, 2),
                "import_s": round(t_import - t_start, 2),
                "sync_s": round(t_sync - t_import, 2),
                "first_search_s": round(t_ready - t_sync, 2),
                "embedded": portal.embedded_texts,
                "hits": len(hits),
                "indexed": engine.count("offer"),
                "without_vector": engine.missing_vectors("offer"),
            }
        ),
        flush=True,
    )
    match_engine.reset_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--embedder", default="use-m3")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--distinct", type=int, default=10_000, help="offer texts actually embedded")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    tmp = Path(tempfile.mkdtemp(prefix="replica-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'portal.db'}"
    os.environ.update(PORTAL_VAR_DIR=str(tmp / "filler"), PORTAL_EMBEDDER=args.embedder)
    filled = fill(url, args.offers, args.embedder, args.distinct)
    env = dict(
        os.environ,
        PORTAL_DATABASE_URL=url,
        PORTAL_VAR_DIR=str(tmp / "replica"),
        PORTAL_EMBED_CACHE=str(tmp / "replica" / "embed-cache.sqlite"),
        PORTAL_EMBEDDER=args.embedder,
        PORTAL_SWEEP_REMINDERS_SECONDS="0",
        PORTAL_SWEEP_DIGESTS_SECONDS="0",
        PORTAL_SWEEP_DELIVERY_SECONDS="0",
    )
    env["REPLICA_T0"] = repr(time.time())
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.replica", "--serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    child = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        json.dumps(
            {
                "offers": args.offers,
                "ready_s": child.pop("ready_s"),
                "embedded": child.pop("embedded"),
                "backend": url.split(":", 1)[0],
                "embedder": args.embedder,
                "distinct_embedded_by_filler": min(args.offers, args.distinct),
                **child,
                "fill": filled,
            }
        )
    )
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
