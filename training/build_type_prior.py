"""Learn a type prior for names from the training annotations: which type annotators give a name.

In:  training/data/train.jsonl (all 1,518 gold training papers; ../shared/gold/dev.jsonl is never used).
Out: kg/data/type_prior.json: for each name (normalised as the scorer compares names) annotated at
     least MIN_PAPERS times, the number of papers per type.

The extractor uses it where its components disagree with how the annotators type a frequent name
("reinforcement learning" as Method or Task), unless the text itself says the type ("the X benchmark").
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg.extract.pipeline import TYPE_PRIOR_PATH, normalise_name  # noqa: E402

MIN_PAPERS = 2


def main() -> None:
    votes: dict[str, Counter] = defaultdict(Counter)
    with (HERE / "data" / "train.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line)
            labels_here: dict[str, str] = {}
            for entity in paper["entities"]:
                for form in entity["forms"]:
                    labels_here[normalise_name(form)] = entity["label"]
            for key, label in labels_here.items():
                votes[key][label] += 1
    prior = {key: dict(sorted(counts.items())) for key, counts in sorted(votes.items())
             if sum(counts.values()) >= MIN_PAPERS}
    TYPE_PRIOR_PATH.write_text(json.dumps({"min_papers": MIN_PAPERS, "source": "training/data/train.jsonl",
                                           "names": prior}, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TYPE_PRIOR_PATH}: {len(prior)} names")


if __name__ == "__main__":
    main()
