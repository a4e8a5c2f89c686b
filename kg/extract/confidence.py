"""Entity confidence: one paper's entity (its type, mentions and proposed-flag features) in, the probability
that it is right (a gold entity of that paper, with that type) out.

A logistic regression over what the pipeline already knows about the entity: the proposed flag's cues
(where it stands, how it is named, whether it is established; `proposed.FEATURES`), which components
found it, its shape (lowercase, how many words) and how the training annotations type it and its head
word (`type_prior`). Weights are learnt per mode by ``training/calibrate.py`` on held-out training
papers the NER never saw, and shipped in ``kg/data/confidence.json``. Every mention of the entity
carries this confidence.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .components import DATA_DIR, Found, has_capital_or_digit
from .proposed import FEATURES as PROPOSED_FEATURES, logistic

__all__ = ["CONFIDENCE_FEATURES", "CONFIDENCE_PATH", "SOURCES", "ConfidenceModel", "confidence_features", "roc_auc"]

CONFIDENCE_PATH = DATA_DIR / "confidence.json"
# The components a mention can come from (`components.mention_source`).
SOURCES = ("ner", "agreed", "gazetteer", "annotated", "acronym", "context", "shape", "name-shape")

CONFIDENCE_FEATURES = (
    *PROPOSED_FEATURES[1:],  # not the bias: the model has its own
    *(f"found_by_{source}" for source in SOURCES),
    "lowercase", "words", "one_lowercase_word",
    "annotated_papers_log", "annotated_as_this_type", "head_names_log", "head_as_this_type",
)


def confidence_features(label: str, found: list[Found], proposed_features: list[float],
                        annotated: dict[str, dict[str, int]], heads: dict[str, dict[str, int]],
                        keys: set[str], head_words: set[str]) -> list[float]:
    """The feature vector (CONFIDENCE_FEATURES order) of one entity typed `label`, with mentions `found`.

    `annotated` / `heads`: how the training annotations type names / head words ({key: {label: count}},
    from `type_prior`); `keys` / `head_words`: the entity's normalised names and their head words.

    >>> from spacy.tokens import Span
    >>> import spacy
    >>> doc = spacy.blank("en")("We study domain adaptation .")
    >>> vector = confidence_features("Task", [Found.of(Span(doc, 2, 4, label="Task"))], [0.0] * len(PROPOSED_FEATURES),
    ...                              {"domainadaptation": {"Task": 3, "Method": 1}}, {}, {"domainadaptation"}, {"adaptation"})
    >>> dict(zip(CONFIDENCE_FEATURES, vector))["annotated_as_this_type"]
    0.75
    """
    sources = {mention.source for mention in found}
    texts = {mention.text for mention in found}
    lowercase = not any(map(has_capital_or_digit, texts))
    words = max(len(text.split()) for text in texts)
    return [
        *proposed_features[1:],
        *(float(source in sources) for source in SOURCES),
        float(lowercase), float(words), float(lowercase and words == 1),
        *most_annotated(annotated, keys, label),
        *most_annotated(heads, head_words, label),
    ]


def most_annotated(counts_of: dict[str, dict[str, int]], keys: set[str], label: str) -> tuple[float, float]:
    """log(1 + the most annotations any of `keys` has in `counts_of`), and the largest share of a key's
    annotations that give it `label`.

    >>> most_annotated({"a": {"Task": 3, "Method": 1}, "b": {"Method": 1}}, {"a", "b", "c"}, "Method")
    (1.6094379124341003, 1.0)
    """
    most, share = 0, 0.0
    for key in keys:
        if counts := counts_of.get(key):
            total = sum(counts.values())
            most, share = max(most, total), max(share, counts.get(label, 0) / total)
    return math.log1p(most), share


def roc_auc(right: Sequence[float], wrong: Sequence[float]) -> float:
    """How well confidences tell right entities from wrong ones: the chance that a right entity's confidence
    is above a wrong one's (ties count half; 0.5 is chance). The training and bench scripts report it.

    >>> roc_auc([0.9, 0.6], [0.6, 0.2])
    0.875
    """
    right_scores, wrong_scores = np.asarray(right, dtype=float)[:, None], np.asarray(wrong, dtype=float)[None, :]
    above = (right_scores > wrong_scores).sum() + 0.5 * (right_scores == wrong_scores).sum()
    return float(above / (right_scores.size * wrong_scores.size))


class ConfidenceModel:
    """Probability that an entity is right, from its `confidence_features`.

    >>> model = ConfidenceModel({"lowercase": -2.0}, intercept=1.0)
    >>> [round(p, 3) for p in model.probabilities([[0.0] * len(CONFIDENCE_FEATURES)])]
    [0.731]
    """

    def __init__(self, weights: dict[str, float], intercept: float):
        self.weights = np.array([weights.get(name, 0.0) for name in CONFIDENCE_FEATURES])
        self.intercept = intercept

    @classmethod
    @lru_cache(maxsize=2)
    def load(cls, mode: str, path: Path = CONFIDENCE_PATH) -> "ConfidenceModel":
        model = json.loads(Path(path).read_text(encoding="utf-8"))["modes"][mode]
        return cls(model["weights"], model["intercept"])

    def probabilities(self, vectors: list[list[float]]) -> list[float]:
        return logistic(np.array(vectors, dtype=float).reshape(len(vectors), len(CONFIDENCE_FEATURES)) @ self.weights
                        + self.intercept)
