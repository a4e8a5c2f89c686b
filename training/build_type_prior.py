"""Learn a type prior for names from the training annotations: which type annotators give a name.

In:  training/data/train.jsonl (all 1,518 gold training papers; ../shared/gold/dev.jsonl is never used).
Out: kg/data/type_prior.json: for each name (normalised as the scorer compares names) annotated at
     least MIN_PAPERS times, the number of papers per type ("names"); and for each head word (the last
     word of a name of two words or more) found in at least MIN_HEAD_NAMES annotated names, the number
     of names per type ("heads").

The extractor uses it where its components disagree with how the annotators type a frequent name
(they make "domain adaptation" a Task), unless the text itself says the type ("the X benchmark");
failing that, the head word's type decides between Method, Task and Metric ("... detection" -> Task).
It also lists the names annotators mark where they write them ("marked"): each form found, as written, in
the text of at least MIN_PAPERS training papers and annotated in at least MARKED_SHARE of them, with one
clear type (80% of those annotations), as [type, papers marking it, papers writing it]. The extractor adds
such names where no component found them (`components.AnnotatedNames`: "sample complexity", "throughput",
"few-shot prompting"), each mode at its own share (`pipeline.MARKED_MIN_SHARE`).
Pass --exclude-held-out to leave out the held-out tenth (to measure the prior on it).
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import spacy
from spacy.matcher import PhraseMatcher

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from kg.extract.components import whole_word_matches  # noqa: E402
from kg.extract.pipeline import TYPE_PRIOR_PATH, adjust_tokenizer, head_word, normalise_name  # noqa: E402
from prepare import split_training_papers  # noqa: E402

MIN_PAPERS = 2
MIN_HEAD_NAMES = 8
MARKED_SHARE = 0.5  # the lowest share a mode asks for
MARKED_TYPE_SHARE = 0.8


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
    return {"min_papers": MIN_PAPERS, "min_head_names": MIN_HEAD_NAMES, "source": source, "names": prior, "heads": heads,
            "marked_share": MARKED_SHARE, "marked": marked_names(papers)}


def marked_names(papers: list[dict]) -> dict[str, list]:
    """{form: [type, papers marking it, papers writing it]} of the forms annotators mark in at least MARKED_SHARE
    of the training papers whose text has them, as written (the extraction pipeline's tokens, case-exact, as
    `components.AnnotatedNames` matches them)."""
    nlp = spacy.blank("en")
    adjust_tokenizer(nlp)
    labels: dict[str, Counter] = defaultdict(Counter)
    for paper in papers:
        for entity in paper["entities"]:
            for form in entity["forms"]:
                labels[form][entity["label"]] += 1
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for form in labels:
        matcher.add(form, [nlp.make_doc(form)])
    written, marked = Counter(), Counter()
    for paper in papers:
        doc = nlp.make_doc((paper.get("title") or "") + " " + paper["abstract"])
        annotated = {form for entity in paper["entities"] for form in entity["forms"]}
        for form in {form for form, _, _ in whole_word_matches(matcher, doc)}:
            written[form] += 1
            marked[form] += form in annotated
    found = {}
    for form, papers_with_it in written.items():
        label, times = labels[form].most_common(1)[0]
        if papers_with_it >= MIN_PAPERS and marked[form] >= MARKED_SHARE * papers_with_it \
                and times >= MARKED_TYPE_SHARE * sum(labels[form].values()):
            found[form] = [label, marked[form], papers_with_it]
    return dict(sorted(found.items()))


def main(exclude_held_out: bool = False) -> None:
    train, held_out = split_training_papers()
    papers = train if exclude_held_out else train + held_out
    source = "training/data/train.jsonl" + (" without the held-out tenth" if exclude_held_out else "")
    prior = build_prior(papers, source)
    TYPE_PRIOR_PATH.write_text(json.dumps(prior, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TYPE_PRIOR_PATH}: {len(prior['names'])} names, {len(prior['heads'])} head words, "
          f"{len(prior['marked'])} marked names")


if __name__ == "__main__":
    main(exclude_held_out="--exclude-held-out" in sys.argv[1:])
