"""Count which names other papers already use: the names the extractor finds in unlabelled abstracts.

    python training/build_used_names.py      # about 4 minutes on 2 cores; rerun after changing the NER or rules

In:  training/data/arxiv_sample.jsonl.gz (40,000 unlabelled arXiv titles + abstracts), run through the
     default extraction pipeline (kg/data/ner and the rules; only the entities' names are read, so the
     proposed-flag weights and the current used_names.json it also loads make no difference).
Out: kg/data/used_names.json: every name (normalised as the scorer compares names) that the pipeline
     finds in at least MIN_PAPERS of those abstracts.

The proposed flag reads it (`widely_used`): a name already in use across other papers is rarely the
paper's own contribution ("knowledge graph", "Adam"), while a new one ("Graph Structure Aligner") is in
none. Three papers, not one, because a paper in the sample counts its own names once.
"""
from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg.extract import Extractor, normalise_name  # noqa: E402
from kg.extract.pipeline import USED_NAMES_PATH  # noqa: E402
from kg.model import Paper  # noqa: E402

SOURCE = HERE / "data" / "arxiv_sample.jsonl.gz"
MIN_PAPERS = 3


def main() -> None:
    with gzip.open(SOURCE, "rt", encoding="utf-8") as handle:
        papers = [Paper(id=row["arxiv"], title=row.get("title") or "", abstract=row["abstract"]) for row in map(json.loads, handle)]
    papers_using = Counter()
    for done, extraction in enumerate(Extractor(mode="default", n_process=2).extract(papers), 1):
        papers_using.update({normalise_name(name) for entity in extraction.entities for name in (entity.text, *entity.aliases)})
        if done % 1000 == 0 or done == len(papers):
            print(f"\r{done} / {len(papers)} abstracts", end="", flush=True)
    print()
    names = sorted(name for name, n in papers_using.items() if n >= MIN_PAPERS and name)
    USED_NAMES_PATH.write_text(json.dumps({"source": SOURCE.name, "min_papers": MIN_PAPERS, "names": names},
                                          indent=0) + "\n", encoding="utf-8")
    print(f"wrote {USED_NAMES_PATH}: {len(names)} names used in at least {MIN_PAPERS} of {len(papers)} abstracts")


if __name__ == "__main__":
    main()
