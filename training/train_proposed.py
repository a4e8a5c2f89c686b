"""Learn the proposed-flag weights (kg/data/proposed.json) from the training gold.

    python training/train_proposed.py      # under a minute

Runs the extraction pipeline over training/data/train.jsonl, labels each extracted entity 1 when
one of its names equals, once normalised, a form of an entity the gold marks `proposed`, and fits a logistic regression (numpy, L2, full-batch gradient descent, deterministic)
on the same 90% of papers the NER trains on. The decision threshold is the one that maximises F1
on the held-out 10%. ../shared/gold/dev.jsonl is never used.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.extract import Extractor, normalise_name  # noqa: E402
from kg.extract.proposed import FEATURES, WEIGHTS_PATH  # noqa: E402
from kg.model import Paper  # noqa: E402
from prepare import split_training_papers  # noqa: E402

L2 = 1e-3
STEPS = 3000
LEARNING_RATE = 0.5


def names_match(ours: list[str], theirs: list[str]) -> bool:
    """Same name once normalised (case, hyphens, plural, article): partial overlaps do not count."""
    return bool({normalise_name(n) for n in ours} & {normalise_name(n) for n in theirs})


def examples(extractor: Extractor, papers: list[dict]):
    """Feature rows and 0/1 labels for every extracted entity of the given gold papers."""
    rows, labels = [], []
    for paper in papers:
        record = Paper(id=paper["id"], title=paper.get("title") or "", abstract=paper["abstract"])
        doc = extractor.nlp(record.text)
        proposed = [e["forms"] for e in paper["entities"] if e.get("proposed")]
        for _, spans, vector in extractor.entity_features(doc, record):
            rows.append(vector)
            labels.append(float(any(names_match([s.text for s in spans], forms) for forms in proposed)))
    return np.array(rows), np.array(labels)


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    weights = np.zeros(x.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-x @ weights))
        gradient = x.T @ (p - y) / len(y) + L2 * weights
        weights -= LEARNING_RATE * gradient
    return weights


def best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    best = (0.5, 0.0)
    for threshold in np.arange(0.2, 0.8, 0.02):
        predicted = p >= threshold
        tp = float((predicted & (y == 1)).sum())
        f1 = 2 * tp / (predicted.sum() + (y == 1).sum()) if tp else 0.0
        if f1 > best[1]:
            best = (round(float(threshold), 2), round(f1, 4))
    return best


def main() -> None:
    extractor = Extractor(mode="default")
    train, held_out = split_training_papers()
    x, y = examples(extractor, train)
    weights = fit(x, y)
    hx, hy = examples(extractor, held_out)
    threshold, f1 = best_threshold(1.0 / (1.0 + np.exp(-hx @ weights)), hy)
    WEIGHTS_PATH.write_text(json.dumps({
        "weights": {name: round(float(w), 4) for name, w in zip(FEATURES, weights)},
        "threshold": threshold,
        "trained_on": f"training/data/train.jsonl: {len(train)} papers, {len(y)} entities ({int(y.sum())} proposed)",
        "held_out_entity_f1": f1,
    }, indent=1) + "\n", encoding="utf-8")
    print(f"{len(y)} training entities ({int(y.sum())} proposed); held-out F1 {f1} at threshold {threshold} -> {WEIGHTS_PATH}")


if __name__ == "__main__":
    main()
