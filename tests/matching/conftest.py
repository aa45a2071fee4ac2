"""Fixtures: one real encoder per session, small real corpora (data in support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.encoders import Encoder, create_encoder
from matching.engine import MatchingEngine
from tests.matching.support import OFFERS, SCENARIOS, CountingEncoder, make_config


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return create_encoder("e5-small-q4")


@pytest.fixture
def counting(encoder: Encoder) -> CountingEncoder:
    return CountingEncoder(encoder)


@pytest.fixture
def engine(tmp_path: Path, counting: CountingEncoder) -> MatchingEngine:
    eng = MatchingEngine(make_config(tmp_path), encoder=counting)
    eng.upsert(OFFERS + SCENARIOS)
    yield eng
    eng.close()
