"""How the extractor does on text from another corpus: the SciERC dev split (50 AI abstracts).

    python bench/scierc.py [--mode default|fast]

SciERC's labels are mapped to ours (Method -> Method or Model, Task -> Task, Metric -> Metric,
Material -> Dataset or Benchmark; Generic and OtherScientificTerm are dropped), and mentions are
compared by character span: strict (same start and end) and lenient (overlapping), typed under
that mapping and untyped. SciERC also marks unnamed mentions ("our approach", "prediction
accuracy") that our guidelines leave out, so its recall is a loose upper view and precision the
more telling number.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from kg.extract import Extractor
from kg.model import Paper

SCIERC = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "corpora" / "scierc_train_dev.jsonl"
OURS_FOR = {"Method": {"Method", "Model"}, "Task": {"Task"}, "Metric": {"Metric"}, "Material": {"Dataset", "Benchmark"}}


def prf(tp: int, n_pred: int, n_gold: int) -> str:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P={p:.3f} R={r:.3f} F1={f:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["default", "fast"], default="default")
    args = parser.parse_args()
    docs = [json.loads(line) for line in SCIERC.open(encoding="utf-8")]
    docs = [d for d in docs if d["split"] == "dev"]
    papers = [Paper(id=d["id"], title="", abstract=d["text"]) for d in docs]
    counts = dict.fromkeys(("strict_typed", "strict_untyped", "lenient_typed", "lenient_untyped"), 0)
    n_gold = n_pred = 0
    for doc, extraction in zip(docs, Extractor(mode=args.mode).extract(papers)):
        offset = 1  # our text is title + " " + abstract, with an empty title
        gold = [(e["start"], e["end"], e["label"]) for e in doc["entities"] if e["label"] in OURS_FOR]
        pred = [(m.start - offset, m.end - offset, entity.label) for entity in extraction.entities for m in entity.mentions]
        n_gold += len(gold)
        n_pred += len(pred)
        for name, same_span in (("strict", lambda a, b: a[:2] == b[:2]), ("lenient", lambda a, b: a[0] < b[1] and b[0] < a[1])):
            for typed in (True, False):
                used: set[int] = set()
                for p in pred:
                    for index, g in enumerate(gold):
                        if index not in used and same_span(p, g) and (not typed or p[2] in OURS_FOR[g[2]]):
                            used.add(index)
                            break
                counts[f"{name}_{'typed' if typed else 'untyped'}"] += len(used)
    print(f"SciERC dev: {len(docs)} abstracts, {n_gold} gold mentions (mapped labels), {n_pred} predicted")
    for key, tp in counts.items():
        print(f"{key:16} {prf(tp, n_pred, n_gold)}  (tp={tp})")


if __name__ == "__main__":
    main()
