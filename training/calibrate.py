"""Measure how often each extraction component is right, and ship that as mention confidence.

    python training/calibrate.py      # under a minute; rerun after retraining the NER

Runs each mode's pipeline over the held-out tenth of training/data/train.jsonl (papers the NER
never trained on) and counts, per component that found a mention (ner, gazetteer, acronym, context,
shape, name-shape in the fast mode, and "agreed" when the NER and the gazetteer found the same span),
the share of mentions whose text and label match a gold entity of that paper. The same component is
not equally right in both modes: in the default mode the gazetteer only adds what the NER left out.
Writes kg/data/calibration.json, which kg.extract reads as each mention's confidence.
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


def measure(mode: str, papers: list[dict]) -> tuple[dict[str, float], Counter]:
    """Per component: the share of its mentions in `papers` that are right, and how many there were."""
    extractor = Extractor(mode=mode)
    right, total = Counter(), Counter()
    for paper in papers:
        doc = extractor.annotate(Paper(id=paper["id"], title=paper.get("title") or "", abstract=paper["abstract"]))
        gold = {(e["label"], normalise_name(form)) for e in paper["entities"] for form in e["forms"]}
        for ent in doc.ents:
            source = mention_source(ent)
            total[source] += 1
            right[source] += (ent.label_, normalise_name(ent.text)) in gold
    return {source: round(right[source] / total[source], 3) for source in sorted(total)}, total


def main() -> None:
    _, held_out = split_training_papers()
    measured = {mode: measure(mode, held_out) for mode in ("default", "fast")}
    CALIBRATION_PATH.write_text(json.dumps({
        "precision_by_source": {mode: precision for mode, (precision, _) in measured.items()},
        "mentions_by_source": {mode: dict(sorted(total.items())) for mode, (_, total) in measured.items()},
        "measured_on": f"held-out tenth of training/data/train.jsonl ({len(held_out)} papers)",
    }, indent=1) + "\n", encoding="utf-8")
    for mode, (precision, _) in measured.items():
        print(f"{mode}: {precision}")
    print(f"-> {CALIBRATION_PATH}")


if __name__ == "__main__":
    main()
