"""Count which names other papers already use: the names the extractor finds in unlabelled abstracts.

    python training/build_used_names.py      # about 4 minutes on 2 cores; rerun after changing the NER or rules

In:  training/data/arxiv_sample.jsonl.gz (40,000 unlabelled arXiv titles + abstracts), run through the
     default extraction pipeline (kg/data/ner and the rules).
Out: kg/data/used_names.json: every name (normalised as the scorer compares names) that the pipeline
     finds in at least MIN_PAPERS of those abstracts.

The proposed flag reads it (`widely_used`): a name already in use across other papers is rarely the
paper's own contribution ("knowledge graph", "Adam"), while a new one ("Graph Structure Aligner") is in
none. Three papers, not one, because a paper in the sample counts its own names once.
"""
from __future__ import annotations

import gzip
import json
import multiprocessing
import sys
from collections import Counter
from pathlib import Path

from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kg.extract import Extractor, normalise_name  # noqa: E402
from kg.extract.components import span_text  # noqa: E402
from kg.extract.pipeline import USED_NAMES_PATH  # noqa: E402
from kg.model import Paper  # noqa: E402

SOURCE = HERE / "data" / "arxiv_sample.jsonl.gz"
MIN_PAPERS = 3
CHUNK = 1000  # papers per worker task


def names_in(papers: list[Paper]) -> list[set[str]]:
    """The normalised names the default pipeline finds in each paper."""
    docs = EXTRACTOR.nlp.pipe(map(EXTRACTOR.make_doc, papers), batch_size=64)
    return [{normalise_name(span_text(ent)) for ent in doc.ents} for doc in docs]


EXTRACTOR = Extractor(mode="default")  # built before the workers fork, so they share it


def main() -> None:
    with gzip.open(SOURCE, "rt", encoding="utf-8") as handle:
        papers = [Paper(id=row["arxiv"], title=row.get("title") or "", abstract=row["abstract"]) for row in map(json.loads, handle)]
    papers_using = Counter()
    chunks = [papers[i:i + CHUNK] for i in range(0, len(papers), CHUNK)]
    # one BLAS thread per worker process, as Extractor.extract runs them
    with threadpool_limits(limits=1, user_api="blas"), multiprocessing.get_context("fork").Pool(2) as pool:
        for done, names_per_paper in enumerate(pool.imap(names_in, chunks), 1):
            for names in names_per_paper:
                papers_using.update(names)
            print(f"\r{min(done * CHUNK, len(papers))} / {len(papers)} abstracts", end="", flush=True)
    print()
    names = sorted(name for name, n in papers_using.items() if n >= MIN_PAPERS and name)
    USED_NAMES_PATH.write_text(json.dumps({"source": SOURCE.name, "min_papers": MIN_PAPERS, "names": names},
                                          indent=0) + "\n", encoding="utf-8")
    print(f"wrote {USED_NAMES_PATH}: {len(names)} names used in at least {MIN_PAPERS} of {len(papers)} abstracts")


if __name__ == "__main__":
    main()
