"""Shared test data and helpers for the matching tests (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from matching.encoders import Encoder  # noqa: E402
from matching.engine import EngineConfig  # noqa: E402
from matching.records import Record  # noqa: E402

SECTORS = ROOT / "data" / "taxonomies" / "sectors.json"
TODAY = dt.date(2026, 11, 20)


class CountingEncoder(Encoder):
    """The real encoder, counting how many passages it embedded."""

    def __init__(self, inner: Encoder, model_id: str | None = None):
        self.inner = inner
        self.dim = inner.dim
        self.model_id = model_id or inner.model_id
        self.passages = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages += len(texts)
        return self.inner.encode_passages(texts)


def make_config(state_dir: Path, **kwargs) -> EngineConfig:
    return EngineConfig(Path(state_dir), domain_dict=SECTORS, today=lambda: TODAY, **kwargs)


OFFERS = [
    Record(
        1,
        "offer",
        "路口信号自适应控制系统",
        "雷达和视频检测实时车流，动态调整信号灯配时，缓解路口交通拥堵。",
        sectors=("smart-transport",),
        regions=("province",),
        owner_id=101,
        price=80.0,
    ),
    Record(
        2,
        "offer",
        "互联网医院一体化平台",
        "在线复诊、电子处方流转、医保移动支付结算。",
        sectors=("smart-health",),
        regions=("guiyang",),
        owner_id=102,
        price=200.0,
    ),
    Record(
        3,
        "offer",
        "Smart parking guidance",
        "Parking occupancy sensors and app guidance to free parking spaces.",
        sectors=("smart-transport",),
        regions=("zunyi",),
        owner_id=103,
        language="en",
        verified=False,
    ),
    Record(
        4,
        "offer",
        "水质自动监测站",
        "河流断面水质自动监测和污染溯源分析平台。",
        sectors=("eco-environment",),
        regions=("qiandongnan",),
        owner_id=104,
    ),
    Record(
        5,
        "offer",
        "5G通信基站信号覆盖优化",
        "基站信号弱、掉话问题的天线调优和网络覆盖规划。",
        sectors=("compute-energy",),
        regions=("province",),
        owner_id=105,
    ),
    Record(
        6,
        "offer",
        "独居老人智能监护",
        "智能手环、跌倒检测和一键紧急呼叫，异常通知家属。",
        sectors=("smart-elderly",),
        regions=("guiyang",),
        owner_id=101,
    ),
]

SCENARIOS = [
    Record(
        11,
        "scenario",
        "主城区路口信号配时优化",
        "高峰时段路口排队长，需要信号灯自适应配时缓解交通拥堵。",
        sectors=("smart-transport",),
        regions=("guiyang",),
        status="published",
        owner_id=1,
        budget_max=100.0,
        closing_date=dt.date(2026, 12, 31),
    ),
    Record(
        12,
        "scenario",
        "县域互联网医院建设",
        "建设县级互联网医院，支持在线复诊和医保结算。",
        sectors=("smart-health",),
        regions=("zunyi",),
        status="published",
        owner_id=2,
        closing_date=dt.date(2026, 11, 1),
    ),
    Record(
        13,
        "scenario",
        "河流水质监测与污染溯源",
        "布设水质自动监测站，快速定位排污源。",
        sectors=("eco-environment",),
        regions=("qiandongnan",),
        status="draft",
        owner_id=3,
    ),
    Record(
        14,
        "scenario",
        "独居老人居家安全",
        "独居老人跌倒检测和紧急呼叫，通知家属和网格员。",
        sectors=("smart-elderly",),
        regions=("guiyang",),
        status="published",
        owner_id=1,
        eligibility="invited",
        invited=(101,),
    ),
    Record(
        15,
        "scenario",
        "城市停车难治理",
        "老城区停车位紧张，需要停车诱导和泊位共享。",
        sectors=("smart-transport",),
        regions=("zunyi",),
        status="published",
        owner_id=2,
    ),
]
