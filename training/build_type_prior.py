"""Learn a type prior for names from the training annotations: which type annotators give a name.

In:  training/data/train.jsonl (all 1,518 gold training papers; ../shared/gold/dev.jsonl is never used).
Out: kg/data/type_prior.json: for each name (normalised as the scorer compares names) annotated at
     least MIN_PAPERS times, the number of papers per type ("names"); and for each head word (the last
     word of a name of two words or more) found in at least MIN_HEAD_NAMES annotated names, the number
     of names per type ("heads").

The extractor uses it where its components disagree with how the annotators type a frequent name
(they make "domain adaptation" a Task), unless the text itself says the type ("the X benchmark");
failing that, the head word's type decides between Method, Task and Metric ("... detection" -> Task).
Pass --exclude-held-out to leave out the held-out tenth (to measure the prior on it).
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from kg.extract.pipeline import TYPE_PRIOR_PATH, head_word, normalise_name  # noqa: E402
from prepare import split_training_papers  # noqa: E402

MIN_PAPERS = 2
MIN_HEAD_NAMES = 8


def build_prior(papers: list[dict], source: str) -> dict:
    """The type prior of `papers` (gold training papers), as kg/data/type_prior.json holds it."""
    votes: dict[str, Counter] = defaultdict(Counter)
    head_votes: dict[str, Counter] = defaultdict(Counter)
    for paper in papers:
        labels_here: dict[str, str] = {}
        for entity in paper["entities"]:
            for form in entity["forms"]:
                labels_here[normalise_name(form)] = entity["label"]
        for key, label in labels_here.items():
            votes[key][label] += 1
        heads_here = {(head_word(form), form.lower()): entity["label"]
                      for entity in paper["entities"] for form in entity["forms"] if head_word(form)}
        for (head, _), label in heads_here.items():
            head_votes[head][label] += 1
    prior = {key: dict(sorted(counts.items())) for key, counts in sorted(votes.items())
             if sum(counts.values()) >= MIN_PAPERS}
    heads = {head: dict(sorted(counts.items())) for head, counts in sorted(head_votes.items())
             if sum(counts.values()) >= MIN_HEAD_NAMES}
    return {"min_papers": MIN_PAPERS, "min_head_names": MIN_HEAD_NAMES, "source": source, "names": prior, "heads": heads}


def main(exclude_held_out: bool = False) -> None:
    train, held_out = split_training_papers()
    papers = train if exclude_held_out else train + held_out
    source = "training/data/train.jsonl" + (" without the held-out tenth" if exclude_held_out else "")
    prior = build_prior(papers, source)
    TYPE_PRIOR_PATH.write_text(json.dumps(prior, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TYPE_PRIOR_PATH}: {len(prior['names'])} names, {len(prior['heads'])} head words")


if __name__ == "__main__":
    main(exclude_held_out="--exclude-held-out" in sys.argv[1:])
