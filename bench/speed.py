"""Extraction and build speed, in abstracts per second, for both modes.

    python bench/speed.py [--n 2000] [--jobs 2] [--modes default,fast]

Reads the first N abstracts of ../shared/data/arxiv/abstracts.jsonl.gz (recent arXiv papers; the
bundled seeds, repeated, when ../shared is absent), builds a new pipeline for each mode and process
count, warms it up on 50 of them, then times `Extractor.extract` over all N and prints one line each.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import time
from pathlib import Path

from kg.api import default_inputs
from kg.extract import Extractor, make_nlp
from kg.ingest import read_papers
from kg.model import Paper

ARXIV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "arxiv" / "abstracts.jsonl.gz"


def load_abstracts(n: int) -> tuple[list[Paper], str]:
    if ARXIV.exists():
        with gzip.open(ARXIV, "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in itertools.islice(handle, n)]
        return [Paper(id=r["arxiv"], title=r.get("title") or "", abstract=r["abstract"]) for r in rows], str(ARXIV)
    seeds, _ = read_papers(default_inputs())
    return list(itertools.islice(itertools.cycle(seeds), n)), "bundled seeds (repeated)"


def measure(papers: list[Paper], mode: str, jobs: int) -> float:
    make_nlp.cache_clear()  # a new pipeline: the tokenizer has not cached these abstracts' words in an earlier run
    extractor = Extractor(mode=mode, n_process=jobs)
    list(extractor.extract(papers[:50]))
    started = time.perf_counter()
    count = sum(1 for _ in extractor.extract(papers))
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="abstracts to time (default 2000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the multi-process run (default 2)")
    parser.add_argument("--modes", default="default,fast", help="modes to time, comma-separated (default both)")
    args = parser.parse_args()
    modes = args.modes.split(",")
    if unknown := set(modes) - {"default", "fast"}:
        parser.error(f"unknown mode(s) {', '.join(sorted(unknown))}; use default and/or fast")
    papers, source = load_abstracts(args.n)
    words = sum(len(p.text.split()) for p in papers) / len(papers)
    print(f"{len(papers)} abstracts from {source}, {words:.0f} words each on average")
    for mode in modes:
        for jobs in sorted({1, args.jobs}):
            print(f"{mode:8} jobs={jobs}: {measure(papers, mode, jobs):8.1f} abstracts/s")


if __name__ == "__main__":
    main()
