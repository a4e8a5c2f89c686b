"""Rebuild every trained part of kg from the data shipped in training/data (CPU only, seed 0).

    pip install -e . gensim && python training/train.py      # about 35 minutes on 2 cores

Steps:
1. build_vectors.py: word2vec vectors from 40,000 unlabelled arXiv abstracts (training/vectors/);
2. prepare.py: the gold training set as spaCy DocBins, a fixed tenth held out (training/corpus/);
3. build_type_prior.py: how the training annotations type frequent names, and which names they mark where
   they write them (kg/data/type_prior.json);
4. build_acronyms.py: common acronyms and their long forms, mined from the unlabelled abstracts
   (kg/data/acronyms.json);
5. `spacy train training/config.cfg` (tok2vec with those static vectors + NER), early-stopped on
   the held-out tenth; the best checkpoint is copied to kg/data/ner;
6. build_used_names.py: the names the new pipeline finds in at least 3 of the unlabelled abstracts
   (kg/data/used_names.json, a cue of the proposed flag);
7. train_proposed.py: the proposed-flag weights (kg/data/proposed.json);
8. calibrate.py: the entity-confidence weights, per mode (kg/data/confidence.json).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent / "kg" / "data" / "ner"


def run(*args: str) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run([sys.executable, *args], check=True)


def main() -> None:
    run(str(HERE / "build_vectors.py"))
    run(str(HERE / "prepare.py"))
    run(str(HERE / "build_type_prior.py"))  # these two do not depend on the NER, the next steps use them
    run(str(HERE / "build_acronyms.py"))
    run_dir = HERE / "runs" / "ner"
    run("-m", "spacy", "train", str(HERE / "config.cfg"),
        "--paths.train", str(HERE / "corpus" / "train.spacy"), "--paths.dev", str(HERE / "corpus" / "dev.spacy"),
        "--paths.vectors", str(HERE / "vectors" / "spacy"), "--output", str(run_dir))
    shutil.rmtree(TARGET, ignore_errors=True)
    shutil.copytree(run_dir / "model-best", TARGET)
    run(str(HERE / "build_used_names.py"))
    run(str(HERE / "train_proposed.py"))
    run(str(HERE / "calibrate.py"))
    print(f"done: {TARGET}, kg/data/proposed.json, kg/data/confidence.json, kg/data/type_prior.json, "
          "kg/data/acronyms.json, kg/data/used_names.json")


if __name__ == "__main__":
    main()
