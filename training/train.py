"""Rebuild kg's trained NER from the data shipped in training/data (reproducible, CPU only).

    python training/train.py            # about 40 minutes on 2 cores

Steps: training/prepare.py turns training/data/train.jsonl into spaCy DocBins (a fixed 10% held
out for early stopping), `spacy train` fits training/config.cfg (seed 0), and the best
checkpoint is copied to kg/data/ner, where `kg.extract` loads it.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent / "kg" / "data" / "ner"


def main() -> None:
    subprocess.run([sys.executable, str(HERE / "prepare.py")], check=True)
    run_dir = HERE / "runs" / "ner"
    subprocess.run([sys.executable, "-m", "spacy", "train", str(HERE / "config.cfg"),
                    "--paths.train", str(HERE / "corpus" / "train.spacy"),
                    "--paths.dev", str(HERE / "corpus" / "dev.spacy"),
                    "--output", str(run_dir)], check=True)
    shutil.rmtree(TARGET, ignore_errors=True)
    shutil.copytree(run_dir / "model-best", TARGET)
    print(f"trained NER copied to {TARGET}")


if __name__ == "__main__":
    main()
