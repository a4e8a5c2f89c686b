"""Learn, per mode, each entity's confidence: the probability that it is right, on papers the NER never saw.

    python training/calibrate.py      # about a minute; rerun after retraining the NER

Runs each mode's pipeline over the held-out tenth of training/data/train.jsonl (papers the NER never
trained on), with the type prior built from the other nine tenths, as it is for a new paper (these
papers' own annotations must not vote on their names). Each extracted entity is labelled 1 when one of
its names, normalised, is a form of a gold entity of that paper with the same type. A logistic
regression over `kg.extract.confidence.CONFIDENCE_FEATURES` (standardised, with L2; numpy full-batch
gradient descent, deterministic) is fitted to them, and its standardisation folded into the weights.
Five-fold cross-validation over the papers reports how well it tells right entities from wrong ones
(ROC AUC) and its Brier score. Writes kg/data/confidence.json, which kg.extract reads.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_type_prior import build_prior  # noqa: E402
from kg.extract import Extractor, normalise_name  # noqa: E402
from kg.extract.confidence import CONFIDENCE_FEATURES, CONFIDENCE_PATH, ConfidenceModel, roc_auc  # noqa: E402
from kg.model import Paper  # noqa: E402
from prepare import split_training_papers  # noqa: E402
from train_proposed import fit  # noqa: E402

FOLDS = 5


def examples(mode: str, papers: list[dict], prior: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confidence features, right/wrong labels and paper numbers of every entity extracted from `papers`."""
    extractor = Extractor(mode=mode, prior=prior)
    rows, labels, paper_numbers = [], [], []
    for number, paper in enumerate(papers):
        record = Paper(id=paper["id"], title=paper.get("title") or "", abstract=paper["abstract"])
        gold = {(e["label"], normalise_name(form)) for e in paper["entities"] for form in e["forms"]}
        for entity in extractor.entity_features(extractor.annotate(record), record):
            rows.append(entity.confidence)
            labels.append(float(any((entity.label, normalise_name(m.text)) in gold for m in entity.found)))
            paper_numbers.append(number)
    return np.array(rows), np.array(labels), np.array(paper_numbers)


def fit_standardised(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and intercept of a logistic regression fitted on standardised features, for the raw features."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    weights = fit(np.hstack([np.ones((len(x), 1)), (x - mean) / scale]), y)
    raw = weights[1:] / scale
    return raw, float(weights[0] - mean @ raw)


def cross_validated(x: np.ndarray, y: np.ndarray, paper_numbers: np.ndarray) -> np.ndarray:
    """Each entity's probability from the model fitted on the other folds' papers."""
    fold = paper_numbers % FOLDS
    p = np.zeros(len(y))
    for k in range(FOLDS):
        weights, intercept = fit_standardised(x[fold != k], y[fold != k])
        model = ConfidenceModel(dict(zip(CONFIDENCE_FEATURES, weights)), intercept)
        p[fold == k] = model.probabilities(x[fold == k].tolist())
    return p


def main() -> None:
    train, held_out = split_training_papers()
    prior = build_prior(train, "training/data/train.jsonl without the held-out tenth")
    modes = {}
    for mode in ("default", "fast"):
        x, y, paper_numbers = examples(mode, held_out, prior)
        p = cross_validated(x, y, paper_numbers)
        weights, intercept = fit_standardised(x, y)
        modes[mode] = {
            "weights": {name: round(float(w), 4) for name, w in zip(CONFIDENCE_FEATURES, weights)},
            "intercept": round(intercept, 4),
            "entities": len(y), "right": int(y.sum()),
            "cross_validated_auc": round(roc_auc(p[y == 1], p[y == 0]), 3),
            "cross_validated_brier": round(float(((p - y) ** 2).mean()), 3),
        }
        print(f"{mode}: {len(y)} entities, {int(y.sum())} right; {FOLDS}-fold AUC {modes[mode]['cross_validated_auc']}, "
              f"Brier {modes[mode]['cross_validated_brier']}")
    CONFIDENCE_PATH.write_text(json.dumps({
        "modes": modes,
        "trained_on": f"held-out tenth of training/data/train.jsonl ({len(held_out)} papers)",
    }, indent=1) + "\n", encoding="utf-8")
    print(f"-> {CONFIDENCE_PATH}")


if __name__ == "__main__":
    main()
