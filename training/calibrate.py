"""Measure how often each extraction component is right, and ship that as mention confidence.

    python training/calibrate.py      # under a minute; rerun after retraining the NER

Runs the default pipeline over the held-out tenth of training/data/train.jsonl (papers the NER
never trained on) and counts, per component that found a mention (ner, gazetteer, acronym, and
"agreed" when the NER and the gazetteer found the same span), the share of mentions whose text
and label match a gold entity of that paper. Writes kg/data/calibration.json, which
kg.extract reads as each mention's confidence.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.extract import Extractor, normalise_name  # noqa: E402
from kg.extract.pipeline import CALIBRATION_PATH, mention_source  # noqa: E402
from kg.model import Paper  # noqa: E402
from prepare import split_training_papers  # noqa: E402


def main() -> None:
    _, held_out = split_training_papers()
    extractor = Extractor(mode="default")
    right, total = Counter(), Counter()
    for paper in held_out:
        doc = extractor.annotate(Paper(id=paper["id"], title=paper.get("title") or "", abstract=paper["abstract"]))
        gold = {(e["label"], normalise_name(form)) for e in paper["entities"] for form in e["forms"]}
        for ent in doc.ents:
            source = mention_source(ent)
            total[source] += 1
            right[source] += (ent.label_, normalise_name(ent.text)) in gold
    precision = {source: round(right[source] / total[source], 3) for source in sorted(total)}
    CALIBRATION_PATH.write_text(json.dumps({
        "precision_by_source": precision,
        "mentions_by_source": dict(sorted(total.items())),
        "measured_on": f"held-out tenth of training/data/train.jsonl ({len(held_out)} papers)",
    }, indent=1) + "\n", encoding="utf-8")
    print(f"{precision} -> {CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
