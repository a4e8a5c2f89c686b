"""Derive kg's gazetteer from the Papers with Code names shipped in training/data/pwc.

In:  training/data/pwc (CC BY-SA 4.0, see LICENSE_NOTE.md there).
Out: kg/data/gazetteer.tsv (CC BY-SA 4.0, attribution in kg/data/GAZETTEER_LICENSE.md):
     one row per name: label, name, Papers with Code URL slug ("" when none), origin.

Cleaning, in order:
- leaderboard names lose split suffixes ("COCO test-dev" -> "COCO");
- names that are not names are dropped: empty, over 6 words, no letter, URLs, sentence
  punctuation, and bare generic words (the guidelines' "leave out" list);
- metrics are kept only when used by at least two tasks, start with two letters and have at
  most three words (the column is noisy);
- tasks need two words or more (one-word tasks such as "regression" are too often plain words);
- dataset, benchmark and model names must look like proper names (a digit, an inner capital, or
  several capitalised words) and be longer than two characters, so "Knowledge" or "Web" never match;
- metrics must carry a measurement word (accuracy, score, error, BLEU, ...) or be an acronym;
- trailing parentheticals are dropped ("Ghostbuster (All Domains)" -> "Ghostbuster");
- methods are sorted into Model (a named network, e.g. "ResNet-50", "BERT") and Method
  (techniques and architecture classes, e.g. "Adam", "Transformer") from their PwC collection
  and the shape of the name.
Rows are sorted so the file is byte-identical on every run.
"""
from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
PWC = HERE / "data" / "pwc"
OUT = HERE.parent / "kg" / "data" / "gazetteer.tsv"

SPLIT_SUFFIX = re.compile(
    r"[\s\-_(]*\b(test|dev|val|valid|validation|train|test-dev|test-std|testdev|teststd|minival|"
    r"full|hard|easy|medium|clean|other|unseen|seen|public|private|leaderboard|"
    r"\d+(?:\.\d+)?%?\s*(?:labels?|labeled|shot)?)\)?$",
    re.I,
)
GENERIC = {
    "learning", "training", "model", "models", "algorithm", "optimization", "data", "performance",
    "task", "tasks", "method", "methods", "network", "networks", "system", "framework", "approach",
    "dataset", "benchmark", "other", "none", "score", "loss", "time", "error", "n/a", "general",
}
MODEL_COLLECTIONS = re.compile(
    r"(Convolutional Neural Networks|Image Models|Language Models|Object Detection Models|"
    r"Semantic Segmentation Models|Instance Segmentation Models|Vision Transformers|"
    r"Autoencoding Transformers|Autoregressive Transformers|Vision and Language Pre-Trained Models|"
    r"Text-to-Speech Models|Generative Audio Models|Video-Text Retrieval Models|Passage Re-Ranking Models|"
    r"One-Stage Object Detection Models|Sequence To Sequence Models|Generative Adversarial Networks)"
)


def clean(name: str) -> str:
    name = re.sub(r"\s*\([^)]*\)\s*$", "", " ".join(name.replace("\u00a0", " ").split())).strip(" ,;:")
    previous = None
    while previous != name:
        previous, name = name, SPLIT_SUFFIX.sub("", name).strip(" ,;:-")
    return name


def is_name(name: str) -> bool:
    return (
        bool(name)
        and len(name.split()) <= 6
        and len(name) >= 2
        and re.search(r"[A-Za-z]", name) is not None
        and "://" not in name
        and not re.search(r"[.;!?]\s|[\[\]{}<>|@#=]", name)
        and name.lower() not in GENERIC
    )


METRIC_WORDS = re.compile(
    r"(acc|score|error|rate|precision|recall|f1|f-measure|auc|roc|map|iou|bleu|rouge|meteor|cider|"
    r"spice|loss|perplexity|reward|return|correlation|distance|mse|mae|rmse|psnr|ssim|fid|lpips|"
    r"ndcg|mrr|hit|pass@|latency|throughput|fps|win|em\b|exact match|dice|auroc|top-)",
    re.I,
)


def is_proper_name(name: str) -> bool:
    """A name that cannot be an ordinary word: a capital inside, a digit, or several capitalised words."""
    words = name.split()
    return bool(re.search(r"\d|.[A-Z]", name)) or (len(words) > 1 and all(w[:1].isupper() for w in words))


def is_named_model(method: dict) -> bool:
    """A PwC method that the guidelines call a Model: a proper-named network in a model collection."""
    name = method["name"]
    collections = " ".join(c.get("collection") or "" for c in method.get("collections", []))
    proper = bool(re.search(r"\d", name) or re.search(r"[a-z][A-Z]|^[A-Z]{2,}", name))
    return proper and " " not in name.strip() and bool(MODEL_COLLECTIONS.search(collections))


def slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""


def method_rows():
    with gzip.open(PWC / "methods_2022-06.json.gz", "rt", encoding="utf-8") as handle:
        methods = json.load(handle)
    for method in methods:
        label = "Model" if is_named_model(method) else "Method"
        for name in {method.get("name") or "", method.get("full_name") or ""}:
            name = clean(name)
            if is_name(name) and len(name) > 2 and (label == "Method" or is_proper_name(name)):
                yield label, name, slug(method.get("url", "")), "pwc-methods-2022-06"


def split_cell(cell: str) -> list[str]:
    return [clean(part) for part in (cell or "").split(";")]


def task_table_rows():
    metric_tasks: Counter[str] = Counter()
    for path in sorted((PWC / "world-snapshot").glob("results_*_tasks_detailed.csv")):
        with path.open(encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                for name in split_cell(record.get("Common Datasets (Top 10)", "")) + split_cell(record.get("Benchmarks", "")):
                    if is_name(name) and is_proper_name(name) and len(name) > 2:
                        label = "Benchmark" if re.search(r"bench|arena|suite|leaderboard", name, re.I) else "Dataset"
                        yield label, name, "", "pwc-world-snapshot-2025-07"
                for name in set(split_cell(record.get("SOTA Metrics", ""))):
                    if is_name(name) and len(name.split()) <= 3 and re.match(r"[A-Za-z][A-Za-z]", name):
                        metric_tasks[name] += 1
    for name, tasks in metric_tasks.items():
        if tasks >= 2 and (METRIC_WORDS.search(name) or (name.isupper() and len(name) > 2)):
            yield "Metric", name, "", "pwc-world-snapshot-2025-07"


def task_rows():
    for line in (PWC / "world-snapshot" / "data_all_tasks.txt").read_text(encoding="utf-8").splitlines():
        name = clean(line.strip().strip('"'))
        if is_name(name) and " " in name:
            yield "Task", name, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"), "pwc-world-snapshot-2025-07"


def main() -> None:
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for row in [*method_rows(), *task_table_rows(), *task_rows()]:
        rows.setdefault((row[0], row[1]), row)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        handle.write("label\tname\tpwc_slug\torigin\n")
        for row in sorted(rows.values()):
            handle.write("\t".join(row) + "\n")
    print(f"{len(rows)} names -> {OUT}: {dict(Counter(label for label, _ in rows))}")


if __name__ == "__main__":
    main()
