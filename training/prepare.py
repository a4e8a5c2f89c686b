"""Turn the shipped gold annotations into spaCy training data.

In:  training/data/train.jsonl (gold entities as surface forms, see GUIDELINES.md).
Out: training/corpus/train.spacy and training/corpus/dev.spacy (DocBin files with
     character-aligned entity spans); 10% of the papers, chosen by a fixed hash of
     their id, are held out for early stopping. ../shared/gold/dev.jsonl is never used.

Every occurrence of every gold form becomes a span (whole words only); where two
occurrences overlap, the longer one wins.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.util import filter_spans

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.extract.pipeline import adjust_tokenizer  # noqa: E402

HERE = Path(__file__).resolve().parent
TRAIN_PATH = HERE / "data" / "train.jsonl"


def form_occurrences(text: str, form: str):
    """Yield (start, end) of `form` in `text` where it stands as whole words."""
    pattern = r"(?<![0-9A-Za-z])" + re.escape(form) + r"(?![0-9A-Za-z])"
    for match in re.finditer(pattern, text):
        yield match.start(), match.end()


def paper_to_doc(nlp, paper: dict):
    text = (paper.get("title") or "") + " " + paper["abstract"]
    doc = nlp.make_doc(text)
    spans = []
    for entity in paper["entities"]:
        for form in entity["forms"]:
            for start, end in form_occurrences(text, form):
                span = doc.char_span(start, end, label=entity["label"], alignment_mode="expand")
                if span is not None:
                    spans.append(span)
    doc.ents = filter_spans(spans)
    return doc


def is_held_out(paper_id: str) -> bool:
    return int(hashlib.sha1(paper_id.encode()).hexdigest(), 16) % 10 == 0


def split_training_papers(source: Path = TRAIN_PATH) -> tuple[list[dict], list[dict]]:
    """The gold training papers as (training part, held-out tenth), split by `is_held_out`."""
    with source.open(encoding="utf-8") as lines:
        papers = [json.loads(line) for line in lines if line.strip()]
    return [p for p in papers if not is_held_out(p["id"])], [p for p in papers if is_held_out(p["id"])]


def main(source: Path = TRAIN_PATH, out_dir: Path = HERE / "corpus") -> None:
    nlp = spacy.blank("en")
    adjust_tokenizer(nlp)  # the tokenizer the extraction pipeline runs with
    train, held_out = DocBin(), DocBin()
    train_papers, held_out_papers = split_training_papers(source)
    for paper in train_papers:
        train.add(paper_to_doc(nlp, paper))
    for paper in held_out_papers:
        held_out.add(paper_to_doc(nlp, paper))
    out_dir.mkdir(parents=True, exist_ok=True)
    train.to_disk(out_dir / "train.spacy")
    held_out.to_disk(out_dir / "dev.spacy")
    print(f"{len(train)} training docs, {len(held_out)} held-out docs -> {out_dir}")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:]))
