"""Mine common acronyms from unlabelled abstracts: which long form an acronym usually stands for.

    python training/build_acronyms.py      # about a minute

In:  training/data/arxiv_sample.jsonl.gz (40,000 unlabelled arXiv titles + abstracts).
Out: kg/data/acronyms.json: {normalised short form: normalised long form} for every acronym defined
     ("long form (SF)", found by the extractor's own Schwartz-Hearst rule) in at least MIN_PAPERS
     abstracts, where one long form accounts for at least MIN_SHARE of its definitions.

The extractor uses it to join an acronym and its long form that a paper writes without defining
("LLMs" and "large language models"), so they become one entity with two names.
"""
from __future__ import annotations

import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import spacy

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg.extract.components import find_acronym_pairs  # noqa: E402
from kg.extract.pipeline import ACRONYMS_PATH, adjust_tokenizer, normalise_name  # noqa: E402

SOURCE = HERE / "data" / "arxiv_sample.jsonl.gz"
MIN_PAPERS = 3
MIN_SHARE = 0.6


def main() -> None:
    nlp = spacy.blank("en")
    adjust_tokenizer(nlp)
    with gzip.open(SOURCE, "rt", encoding="utf-8") as handle:
        texts = [row["title"] + " " + row["abstract"] for row in map(json.loads, handle)]
    definitions: dict[str, Counter] = defaultdict(Counter)
    for doc in nlp.tokenizer.pipe(texts, batch_size=256):
        pairs_here = {(normalise_name(short.text), normalise_name(long.text)) for long, short in find_acronym_pairs(doc)}
        for short, long in pairs_here:
            definitions[short][long] += 1
    acronyms = {}
    for short, longs in sorted(definitions.items()):
        long, n = longs.most_common(1)[0]
        if n >= MIN_PAPERS and n >= MIN_SHARE * sum(longs.values()) and short != long:
            acronyms[short] = long
    ACRONYMS_PATH.write_text(json.dumps({"source": SOURCE.name, "min_papers": MIN_PAPERS, "min_share": MIN_SHARE,
                                         "acronyms": acronyms}, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {ACRONYMS_PATH}: {len(acronyms)} acronyms from {len(texts)} abstracts")


if __name__ == "__main__":
    main()
