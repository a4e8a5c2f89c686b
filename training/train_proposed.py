"""Learn the proposed-flag weights (kg/data/proposed.json) from the training gold.

    python training/train_proposed.py      # under a minute

Runs the extraction pipeline over training/data/train.jsonl, labels each extracted entity 1 when
one of its names equals, once normalised, a form of an entity the gold marks `proposed`, and fits a
logistic regression over the features and each pair of them (`with_pairs`; numpy, L2, full-batch
gradient descent, deterministic) on the same 90% of
papers the NER trains on. An entity is flagged at or above a threshold; in a paper where none is,
the likeliest entity is flagged if it reaches a lower fallback (most papers propose something).
Both are the pair that maximises (smoothed over neighbouring thresholds), on the held-out 10%, the
proposed F1 as ../shared/gold/score.py counts it: per paper, each gold entity matched at most once,
by an equal name or one whose words run inside the other's; gold entities the extractor missed
count as misses.
../shared/gold/dev.jsonl is never used.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.extract import Extractor, normalise_name  # noqa: E402
from kg.extract.pipeline import name_words  # noqa: E402
from kg.extract.proposed import WEIGHT_NAMES, WEIGHTS_PATH, flags_from_probabilities, with_pairs  # noqa: E402
from kg.model import Paper  # noqa: E402
from prepare import split_training_papers  # noqa: E402

L2 = 1e-3
STEPS = 3000
LEARNING_RATE = 0.5


def names_match(ours: list[str], theirs: list[str]) -> bool:
    """Same name once normalised (case, hyphens, plural, article): partial overlaps do not count."""
    return bool({normalise_name(n) for n in ours} & {normalise_name(n) for n in theirs})


def examples(extractor: Extractor, papers: list[dict]):
    """Feature rows (with the pairs' products) and 0/1 labels for every extracted entity of the given
    gold papers, with, per paper, the names of each extracted entity and the forms of each gold
    proposed entity."""
    rows, labels, extracted, proposed_gold = [], [], [], []
    for paper in papers:
        record = Paper(id=paper["id"], title=paper.get("title") or "", abstract=paper["abstract"])
        doc = extractor.annotate(record)
        proposed = [e["forms"] for e in paper["entities"] if e.get("proposed")]
        names_here = []
        for _, found, vector, _ in extractor.entity_features(doc, record):
            names = [mention.text for mention in found]
            rows.append(vector)
            labels.append(float(any(names_match(names, forms) for forms in proposed)))
            names_here.append(names)
        extracted.append(names_here)
        proposed_gold.append(proposed)
    return with_pairs(np.array(rows)), np.array(labels), extracted, proposed_gold


def runs_inside(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when the words of `b` are a contiguous run of the words of `a`."""
    return bool(b) and any(a[i:i + len(b)] == b for i in range(len(a) - len(b) + 1))


def matched(predicted: list[list[str]], gold: list[list[str]]) -> int:
    """One-to-one matches between flagged entities and gold proposed entities of one paper:
    equal names first, then names whose words run inside each other's (the scorer's lenient rule)."""
    pairs = []
    for g, forms in enumerate(gold):
        gold_keys, gold_words = {normalise_name(f) for f in forms}, [tuple(name_words(f)) for f in forms]
        for p, names in enumerate(predicted):
            if gold_keys & {normalise_name(n) for n in names}:
                pairs.append((0, g, p))
            elif any(runs_inside(a, b) or runs_inside(b, a) for a in gold_words for b in map(tuple, map(name_words, names))):
                pairs.append((1, g, p))
    used_gold, used_pred = set(), set()
    for _, g, p in sorted(pairs):
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
    return len(used_gold)


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    weights = np.zeros(x.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-x @ weights))
        gradient = x.T @ (p - y) / len(y) + L2 * weights
        weights -= LEARNING_RATE * gradient
    return weights


THRESHOLDS = np.round(np.arange(0.2, 0.8, 0.02), 2)
FALLBACKS = (*np.round(np.arange(0.1, 0.8, 0.05), 2), 1.0)
SMOOTHING = 2  # thresholds either side averaged in
# Pairs whose smoothed F1 is this close to the best are as good, within what ~250 gold contributions can tell
# apart; of those, the highest threshold is taken: a wrong "this paper proposes X" misleads more than a miss.
TIE = 0.005


def proposed_f1(p: np.ndarray, extracted: list[list[list[str]]], gold: list[list[list[str]]],
                threshold: float, fallback: float) -> float:
    """Paper-level proposed F1 of flagging at (threshold, fallback) the entities with probabilities `p`."""
    tp = n_flagged = 0
    starts = np.cumsum([0] + [len(names_here) for names_here in extracted])
    for names_here, gold_here, start in zip(extracted, gold, starts):
        flags = flags_from_probabilities(list(p[start:start + len(names_here)]), threshold, fallback)
        flagged = [names for names, flag in zip(names_here, flags) if flag]
        tp += matched(flagged, gold_here)
        n_flagged += len(flagged)
    n_gold = sum(len(forms) for forms in gold)
    return 2 * tp / (n_flagged + n_gold) if tp else 0.0


def best_thresholds(p: np.ndarray, extracted: list[list[list[str]]], gold: list[list[list[str]]]) -> tuple[float, float, float]:
    """The (threshold, fallback) pair with the best paper-level proposed F1, and that F1.

    Each pair is judged by its F1 averaged with the neighbouring thresholds' (SMOOTHING either side,
    same fallback): on a couple of hundred gold contributions a lone peak is more likely luck than a
    better setting. Among pairs within TIE of the best, the highest threshold (then fallback) wins.
    """
    f1 = np.array([[proposed_f1(p, extracted, gold, threshold, fallback) for fallback in FALLBACKS]
                   for threshold in THRESHOLDS])
    smoothed = np.array([f1[max(0, i - SMOOTHING):i + SMOOTHING + 1].mean(axis=0) for i in range(len(THRESHOLDS))])
    near_best = zip(*np.nonzero(smoothed >= smoothed.max() - TIE))
    i, j = max(near_best, key=lambda pair: (THRESHOLDS[pair[0]], FALLBACKS[pair[1]]))
    return float(THRESHOLDS[i]), float(FALLBACKS[j]), round(float(f1[i, j]), 4)


def main() -> None:
    extractor = Extractor(mode="default")
    train, held_out = split_training_papers()
    x, y, _, _ = examples(extractor, train)
    weights = fit(x, y)
    hx, _, extracted, gold = examples(extractor, held_out)
    threshold, fallback, f1 = best_thresholds(1.0 / (1.0 + np.exp(-hx @ weights)), extracted, gold)
    WEIGHTS_PATH.write_text(json.dumps({
        "weights": {name: round(float(w), 4) for name, w in zip(WEIGHT_NAMES, weights)},
        "threshold": threshold,
        "fallback": fallback,
        "trained_on": f"training/data/train.jsonl: {len(train)} papers, {len(y)} entities ({int(y.sum())} proposed)",
        "held_out_proposed_f1": f1,
    }, indent=1) + "\n", encoding="utf-8")
    print(f"{len(y)} training entities ({int(y.sum())} proposed); held-out proposed F1 {f1} at threshold {threshold}, "
          f"fallback {fallback} -> {WEIGHTS_PATH}")


if __name__ == "__main__":
    main()
