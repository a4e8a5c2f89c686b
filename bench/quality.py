"""Extraction quality against a gold file: the scorer's table, then the most frequent error classes.

    python bench/quality.py [GOLD.jsonl] [--mode default|fast] [--scorer PATH] [--top 15]
    python bench/quality.py --held-out [--source seeds|arxiv]

GOLD defaults to ../shared/gold/dev.jsonl and the scorer to ../shared/gold/score.py (the official
one, imported as is). Error classes, from the strict typed matching:
- type confusion: the name is right but the label is not (gold label -> predicted label);
- boundary: the label is right, the span only overlaps (lenient match, not strict);
- missed / spurious: nothing of the other side overlaps; with the most frequent surface forms;
- proposed: the paper's own contributions found (true positives) and missed or invented.
Then the entity confidence: how often a right entity (strict typed match) has a higher confidence than a
wrong one (ROC AUC), and the scores when entities below a confidence are left out (`--min-confidence`).
With `--bootstrap N`, also how far the F1 scores could move on another draw of as many papers: the 95%
interval over N resamples of the papers (with replacement, seed 0).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from kg.extract import Extractor
from kg.extract.confidence import roc_auc
from kg.model import ExtractedEntity, Paper

SHARED_GOLD = Path(__file__).resolve().parent.parent.parent / "shared" / "gold"


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONFIDENCE_STEPS = (0.3, 0.4, 0.5, 0.6, 0.7)


def as_prediction(entity: ExtractedEntity) -> dict:
    """One extracted entity in the scorer's format, with its confidence."""
    return {"label": entity.label, "text": entity.text, "aliases": list(entity.aliases),
            "proposed": entity.proposed, "confidence": entity.confidence}


def predict(gold_rows: list[dict], mode: str) -> list[dict]:
    papers = [Paper(id=str(r["id"]), title=r.get("title") or "", abstract=r["abstract"]) for r in gold_rows]
    return [{"id": ex.paper.id, "entities": [as_prediction(e) for e in ex.entities]}
            for ex in Extractor(mode=mode).extract(papers)]


def confident(predictions: list[dict], min_confidence: float) -> list[dict]:
    """The predictions without the entities whose confidence is below `min_confidence`."""
    return [{**row, "entities": [e for e in row["entities"] if e["confidence"] >= min_confidence]} for row in predictions]


def confidence_auc(score, gold_rows: list[dict], predictions: list[dict]) -> float:
    """The chance that a right entity (strict typed match) has a higher confidence than a wrong one (ties half)."""
    by_id = {row["id"]: row["entities"] for row in predictions}
    right, wrong = [], []
    for row in gold_rows:
        entities = by_id.get(str(row["id"]), [])
        matched = {p for _, p in score.match([score.prep_gold(e) for e in row["entities"]],
                                             [score.prep_pred(e) for e in entities], True, False)}
        for index, entity in enumerate(entities):
            (right if index in matched else wrong).append(entity["confidence"])
    return roc_auc(right, wrong) if right and wrong else float("nan")


INTERVAL_MODES = ("strict_typed", "lenient_typed", "proposed")


def bootstrap_intervals(score, gold_rows: list[dict], predictions: list[dict], resamples: int,
                        seed: int = 0) -> dict[str, tuple[float, float]]:
    """The 2.5th and 97.5th percentiles of each F1 in INTERVAL_MODES over `resamples` draws of the papers with
    replacement: each paper is scored once by the official scorer, and a draw sums its papers' counts.

    >>> import types
    >>> fake = types.SimpleNamespace(score=lambda gold, pred: ({m: {"tp": 1, "fp": 0, "fn": 0} for m in INTERVAL_MODES}, []))
    >>> bootstrap_intervals(fake, [{"id": "a"}, {"id": "b"}], [], 10)["proposed"]
    (1.0, 1.0)
    """
    by_id = {str(row["id"]): row for row in predictions}
    counts = np.zeros((len(INTERVAL_MODES), len(gold_rows), 3))
    for index, row in enumerate(gold_rows):
        result, _ = score.score([row], [by_id.get(str(row["id"]), {"id": row["id"], "entities": []})])
        for mode_index, mode in enumerate(INTERVAL_MODES):
            counts[mode_index, index] = [result[mode][key] for key in ("tp", "fp", "fn")]
    draws = np.random.default_rng(seed).integers(0, len(gold_rows), size=(resamples, len(gold_rows)))
    intervals = {}
    for mode_index, mode in enumerate(INTERVAL_MODES):
        tp, fp, fn = counts[mode_index][draws].sum(axis=1).T
        f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)
        intervals[mode] = (float(np.percentile(f1, 2.5)), float(np.percentile(f1, 97.5)))
    return intervals


def error_classes(score, gold_rows: list[dict], predictions: list[dict]) -> dict[str, Counter]:
    by_id = {row["id"]: [score.prep_pred(e) for e in row["entities"]] for row in predictions}
    classes = {name: Counter() for name in ("type confusion", "boundary", "missed", "spurious",
                                             "proposed missed", "proposed spurious")}
    for row in gold_rows:
        gold = [score.prep_gold(e) for e in row["entities"]]
        pred = by_id.get(str(row["id"]), [])
        strict = score.match(gold, pred, True, False)
        loose = score.match(gold, pred, False, True)
        strict_gold, strict_pred = {g for g, _ in strict}, {p for _, p in strict}
        for g, p in loose:
            if g in strict_gold or p in strict_pred:
                continue
            if gold[g]["label"] != pred[p]["label"]:
                classes["type confusion"][f"{gold[g]['label']} -> {pred[p]['label']}"] += 1
            else:
                classes["boundary"][f"{gold[g]['names'][0]!r} vs {pred[p]['names'][0]!r}"] += 1
        loose_gold, loose_pred = {g for g, _ in loose}, {p for _, p in loose}
        for g, entity in enumerate(gold):
            if g not in loose_gold:
                classes["missed"][f"{entity['label']}: {entity['names'][0]}"] += 1
        for p, entity in enumerate(pred):
            if p not in loose_pred:
                classes["spurious"][f"{entity['label']}: {entity['names'][0]}"] += 1
        gold_proposed = [g for g in gold if g["proposed"]]
        pred_proposed = [p for p in pred if p["proposed"]]
        matched = score.match(gold_proposed, pred_proposed, False, True)
        for g, entity in enumerate(gold_proposed):
            if g not in {m for m, _ in matched}:
                classes["proposed missed"][f"{row['id']}: {entity['names'][0]}"] += 1
        for p, entity in enumerate(pred_proposed):
            if p not in {m for _, m in matched}:
                classes["proposed spurious"][f"{row['id']}: {entity['names'][0]}"] += 1
    return classes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=SHARED_GOLD / "dev.jsonl")
    parser.add_argument("--mode", choices=["default", "fast"], default="default")
    parser.add_argument("--scorer", type=Path, default=SHARED_GOLD / "score.py")
    parser.add_argument("--top", type=int, default=15, help="rows per error class (default 15)")
    parser.add_argument("--held-out", action="store_true",
                        help="score the held-out tenth of training/data/train.jsonl (papers the NER never trained on) "
                             "instead of GOLD: for development without looking at the dev set")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="N",
                        help="also print the 95%% interval of each F1 over N resamples of the papers (e.g. 1000)")
    parser.add_argument("--source", choices=["seeds", "arxiv"],
                        help="only the gold papers from the seed listings (where dev.jsonl comes from) or only the "
                             "recent arXiv ones (three quarters of the training set)")
    args = parser.parse_args()
    score = load_scorer(args.scorer)
    if args.held_out:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))
        from prepare import split_training_papers
        gold_rows = split_training_papers()[1]
    else:
        gold_rows = [json.loads(line) for line in args.gold.open(encoding="utf-8") if line.strip()]
    if args.source:
        gold_rows = [row for row in gold_rows if (row.get("source") == "arxiv") == (args.source == "arxiv")]
    print(f"{len(gold_rows)} papers, {sum(len(row['entities']) for row in gold_rows)} gold entities")
    predictions = predict(gold_rows, args.mode)
    result, _ = score.score(gold_rows, predictions)
    for mode in ("strict_typed", "strict_untyped", "lenient_typed", "lenient_untyped", "proposed"):
        r = result[mode]
        print(f"{mode:16} P={r['p']:.3f} R={r['r']:.3f} F1={r['f1']:.3f}  (tp={r['tp']} fp={r['fp']} fn={r['fn']})")
    for label, r in result["strict_typed"]["per_label"].items():
        print(f"  {label:10} P={r['p']:.3f} R={r['r']:.3f} F1={r['f1']:.3f}  (tp={r['tp']} fp={r['fp']} fn={r['fn']})")
    if args.bootstrap:
        intervals = bootstrap_intervals(score, gold_rows, predictions, args.bootstrap)
        print(f"95% interval over {args.bootstrap} resamples of the {len(gold_rows)} papers: " + ", ".join(
            f"{mode} F1 {low:.3f}-{high:.3f}" for mode, (low, high) in intervals.items()))
    for name, counter in error_classes(score, gold_rows, predictions).items():
        print(f"\n{name} ({sum(counter.values())}):")
        for key, count in counter.most_common(args.top):
            print(f"  {count:3}  {key}")
    print(f"\nentity confidence: right above wrong (ROC AUC) {confidence_auc(score, gold_rows, predictions):.3f}")
    for min_confidence in CONFIDENCE_STEPS:
        kept = confident(predictions, min_confidence)
        result, _ = score.score(gold_rows, kept)
        print(f"  --min-confidence {min_confidence}: {sum(len(row['entities']) for row in kept)} entities; " + ", ".join(
            f"{mode} P={result[mode]['p']:.3f} R={result[mode]['r']:.3f} F1={result[mode]['f1']:.3f}"
            for mode in ("strict_typed", "lenient_typed", "proposed")))


if __name__ == "__main__":
    main()
