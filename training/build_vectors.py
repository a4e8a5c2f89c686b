"""Train the word vectors the NER uses, from unlabelled arXiv abstracts shipped in training/data.

    python training/build_vectors.py      # a few minutes on 2 cores

In:  training/data/arxiv_sample.jsonl.gz (40,000 recent arXiv titles + abstracts, unlabelled).
Out: training/vectors/ (a spaCy vectors table: the 20,000 most frequent words, 100 dimensions;
     rarer words map to their nearest kept word), used by training/config.cfg.

Words are tokenized by spacy.blank("en"), the tokenizer of the extraction pipeline, and case is
kept. Skip-gram word2vec (gensim) with a fixed seed and one worker thread, so reruns give the same
vectors.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import spacy
from gensim.models import Word2Vec

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "data" / "arxiv_sample.jsonl.gz"
OUT = HERE / "vectors"
DIMENSIONS = 100
KEPT_ROWS = 20_000


def sentences() -> list[list[str]]:
    tokenizer = spacy.blank("en").tokenizer
    with gzip.open(SOURCE, "rt", encoding="utf-8") as handle:
        texts = [(row["title"] + " " + row["abstract"]) for row in map(json.loads, handle)]
    return [[token.text for token in doc] for doc in tokenizer.pipe(texts, batch_size=256)]


def main() -> None:
    corpus = sentences()
    model = Word2Vec(corpus, vector_size=DIMENSIONS, window=5, min_count=5, sg=1, workers=1, seed=0, epochs=5)
    OUT.mkdir(parents=True, exist_ok=True)
    text_vectors = OUT / "vectors.txt"
    model.wv.save_word2vec_format(str(text_vectors))
    subprocess.run([sys.executable, "-m", "spacy", "init", "vectors", "en", str(text_vectors), str(OUT / "spacy"),
                    "--prune", str(KEPT_ROWS)], check=True)
    text_vectors.unlink()
    print(f"{len(model.wv)} words trained, {KEPT_ROWS} kept -> {OUT / 'spacy'}")


if __name__ == "__main__":
    main()
