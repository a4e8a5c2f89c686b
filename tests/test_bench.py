"""bench/quality.py: the bootstrap interval of the scores, with the official scorer on the dev gold."""
from __future__ import annotations

import importlib.util
import json

import pytest

from .conftest import ROOT, SHARED

GOLD = SHARED / "gold"
pytestmark = pytest.mark.skipif(not (GOLD / "dev.jsonl").exists(), reason="../shared/gold is not beside this checkout")


def load_quality():
    spec = importlib.util.spec_from_file_location("quality", ROOT / "bench" / "quality.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_predictions(rows):
    return [{"id": row["id"], "entities": [{"label": e["label"], "text": e["forms"][0], "aliases": e["forms"][1:],
                                            "proposed": bool(e.get("proposed"))} for e in row["entities"]]}
            for row in rows]


def test_the_bootstrap_interval_brackets_the_score_and_is_a_point_when_every_paper_is_right():
    quality = load_quality()
    score = quality.load_scorer(GOLD / "score.py")  # the official scorer, loaded as bench/quality.py loads it
    rows = [json.loads(line) for line in (GOLD / "dev.jsonl").open(encoding="utf-8")]
    perfect = as_predictions(rows)
    assert quality.bootstrap_intervals(score, rows, perfect, 200)["strict_typed"] == (1.0, 1.0)
    half = perfect[::2]  # every other paper predicted, the rest left empty
    whole, _ = score.score(rows, half)
    low, high = quality.bootstrap_intervals(score, rows, half, 500)["strict_typed"]
    assert 0.0 < low < whole["strict_typed"]["f1"] < high < 1.0
    assert quality.bootstrap_intervals(score, rows, half, 500) == quality.bootstrap_intervals(score, rows, half, 500)
