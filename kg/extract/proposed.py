"""Proposed flag: one paper's entity (its spans in the Doc) in, "is this the paper's own contribution?" out.

A logistic regression over general cues (no names), each alone and each pair together (being in the
title says more for a Method than for a Task): where the entity stands (title prefix,
title, right after "we propose / introduce / present", in the sentence after it, in a sentence
about parts: "consists of", "module"), how it is named (acronym defined here, a proper name,
"called X", a word rare in arXiv abstracts), whether it is already established (in the gazetteer,
annotated in several training papers, a common acronym, a name other arXiv abstracts use), and its type.
Weights are learnt by ``training/train_proposed.py`` from the training gold and shipped in
``kg/data/proposed.json``.
"""
from __future__ import annotations

import itertools
import json
import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np
from spacy.tokens import Doc, Span, Token

from ..model import ENTITY_TYPES
from .components import DATA_DIR, Found, doc_text, has_capital_or_digit

__all__ = ["FEATURES", "WEIGHT_NAMES", "CONTRIBUTION_CUE", "PaperFacts", "features", "with_pairs", "ProposedScorer",
           "WEIGHTS_PATH", "logistic"]

WEIGHTS_PATH = DATA_DIR / "proposed.json"

# The two cues below are matched in lower-cased text, without a leading \b (it would stop Python's
# regex engine from skipping ahead to the first letters, and costs 3x); `word_starts` checks the start.
CONTRIBUTION_CUE = re.compile(
    r"(?:we|this (?:paper|work)|here we|in this (?:paper|work),? we)\s+(?:\w+ly\s+)?"
    r"(?:propose|proposes|introduce|introduces|present|presents|develop|develops|design|designs|"
    r"call|term|dub|name|release|releases|construct|build|curate|contribute|create|devise|put forward)\b")
NAMING_CUE = re.compile(r"\b(?:called|named|dubbed|termed|coined)\s*$", re.I)
NOVELTY_WORDS = re.compile(r"\b(?:novel|new|our|proposed|first)\b[^.]{0,40}$", re.I)
PARTS_CUE = re.compile(r"(?:consists?|consisting|comprises?|comprising|composed|modules?|components?|stages?)\b")
EXISTING_CUE = re.compile(r"\b(?:such as|including|like|e\.g\.|baselines?|existing|prior|previous|standard|popular|outperform\w*|than)\b[^.]{0,30}$", re.I)

FEATURES = (
    "bias", "in_title_prefix", "in_title", "after_cue", "first_after_cue", "acronym_here",
    "proper_name", "naming_cue", "novelty_before", "existing_before", "in_gazetteer", "mentions_log",
    "first_position", "in_title_and_abstract", "is_title_prefix", "after_cue_proper", "acronym_after_cue",
    "established_name", "common_acronym", "rare_word", "near_cue", "in_parts_sentence", "widely_used",
    *(f"type_{label}" for label in ENTITY_TYPES),
)

# Every pair of features but the bias, weighed together: the product of the two values.
PAIRS = tuple(itertools.combinations(range(1, len(FEATURES)), 2))
WEIGHT_NAMES = (*FEATURES, *(f"{FEATURES[i]}*{FEATURES[j]}" for i, j in PAIRS))


def with_pairs(vectors: np.ndarray) -> np.ndarray:
    """Feature vectors (rows, in FEATURES order) followed by the products of each pair of features (WEIGHT_NAMES order).

    >>> with_pairs(np.array([[1.0] + [2.0] * (len(FEATURES) - 1)])).shape == (1, len(WEIGHT_NAMES))
    True
    """
    left, right = (list(side) for side in zip(*PAIRS))
    return np.hstack([vectors, vectors[:, left] * vectors[:, right]])


def title_name_end(title: str) -> int:
    """End offset of a "Name: subtitle" title prefix (0 when the title has none)."""
    head, colon, _ = title.partition(":")
    return len(head) if colon and 0 < len(head.split()) <= 6 else 0


@dataclass(frozen=True)
class PaperFacts:
    """What the features read about the whole paper, worked out once per paper.

    `title_length`: where the title ends in the text; `title_name_end`: where its "Name: subtitle" prefix
    ends (0 without one); `acronym_forms`: the short and long forms of the acronyms the paper defines;
    `has_vectors`: whether the pipeline has word vectors (the fast mode has none); `of_token`: each
    token's sentence number; `cue_end`: for a sentence with a contribution cue, the character offset
    where its first cue ends; `about_parts`: sentences that describe parts ("consists of", "module");
    `first_after_cue`: token index of the first entity after each cue.
    """
    title_length: int
    title_name_end: int
    acronym_forms: frozenset[str]
    has_vectors: bool
    of_token: list[int]
    cue_end: dict[int, int]
    about_parts: frozenset[int]
    first_after_cue: frozenset[int]

    @classmethod
    def of(cls, doc: Doc, ents: list[Span], title_length: int) -> "PaperFacts":
        """The facts of the paper whose text is in `doc` (the title its first `title_length` characters)
        and whose entities are `ents`."""
        text = doc_text(doc)
        sents = list(doc.sents)
        of_token = [0] * len(doc)
        for number, sent in enumerate(sents):
            of_token[sent.start:sent.end] = [number] * (sent.end - sent.start)
        starts = [sent.start_char for sent in sents]
        lowered = lower_keeping_offsets(text)
        about_parts = {bisect_right(starts, match.start()) - 1 for match in word_starts(PARTS_CUE, lowered)}
        cue_end: dict[int, int] = {}
        for match in word_starts(CONTRIBUTION_CUE, lowered):
            cue_end.setdefault(bisect_right(starts, match.start()) - 1, match.end())
        first_after_cue = {}
        for ent in ents:
            number = of_token[ent.start]
            if number in cue_end and number not in first_after_cue and ent.start_char >= cue_end[number]:
                first_after_cue[number] = ent.start
        acronyms = doc._.acronyms or {}
        return cls(title_length, title_name_end(text[:title_length]), frozenset(acronyms) | frozenset(acronyms.values()),
                   doc.vocab.vectors.size > 0, of_token, cue_end, frozenset(about_parts),
                   frozenset(first_after_cue.values()))

    def after_cue(self, span: Span) -> bool:
        number = self.of_token[span.start]
        return number in self.cue_end and span.start_char >= self.cue_end[number]

    def near_cue(self, span: Span) -> bool:
        """In a sentence with a contribution cue or in the sentence after it."""
        number = self.of_token[span.start]
        return number in self.cue_end or number - 1 in self.cue_end

    def in_parts_sentence(self, span: Span) -> bool:
        return self.of_token[span.start] in self.about_parts


def lower_keeping_offsets(text: str) -> str:
    """`text` lower-cased character by character (a few characters lower-case to two, "İ")."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def word_starts(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    """The matches of `pattern` in `text` that start a word.

    >>> [match.group() for match in word_starts(re.compile("we propose"), "twe propose, we propose")]
    ['we propose']
    """
    return (match for match in pattern.finditer(text) if not text[match.start() - 1: match.start()].isalnum())


def features(doc: Doc, found: list[Found], *, label: str, known: bool, established: bool, common_acronym: bool,
             widely_used: bool, paper: PaperFacts) -> list[float]:
    """The feature vector (in FEATURES order) of one entity of one paper.

    `known`: the gazetteer has it; `established`: annotators named it in several training papers;
    `common_acronym`: it is, or spells out, an acronym common in arXiv abstracts; `widely_used`: the extractor
    finds it in at least three of 40,000 unlabelled arXiv abstracts (other papers use it). A "rare word" is one
    without a word vector (fewer than five uses in the unlabelled abstracts the vectors were trained on);
    the rules-only fast mode has no vectors and counts none.
    """
    text, title_length, prefix_end = doc_text(doc), paper.title_length, paper.title_name_end
    spans = [mention.span for mention in found]
    texts = {mention.text for mention in found}
    acronym_here = bool(texts & paper.acronym_forms)
    proper_name = any(has_capital_or_digit(name) for name in texts)
    after_cue = any(paper.after_cue(span) for span in spans)
    in_title = any(span.end_char <= title_length for span in spans)
    in_abstract = any(span.start_char > title_length for span in spans)
    first = min(spans, key=lambda span: span.start_char)
    before = text[max(0, first.start_char - 60): first.start_char]
    values = {
        "bias": 1.0,
        "in_title_prefix": float(any(span.end_char <= prefix_end for span in spans)),
        "in_title": float(in_title),
        "after_cue": float(after_cue),
        "first_after_cue": float(any(span.start in paper.first_after_cue for span in spans)),
        "acronym_here": float(acronym_here),
        "proper_name": float(proper_name),
        "naming_cue": float(any(NAMING_CUE.search(text[max(0, s.start_char - 12): s.start_char]) for s in spans)),
        "novelty_before": float(bool(NOVELTY_WORDS.search(before))),
        "existing_before": float(bool(EXISTING_CUE.search(before))),
        "in_gazetteer": float(known),
        "mentions_log": math.log1p(len(spans)),
        "first_position": first.start_char / max(1, len(text)),
        "in_title_and_abstract": float(in_title and in_abstract),
        "is_title_prefix": float(prefix_end > 0 and any(text[:prefix_end].strip() == name for name in texts)),
        "after_cue_proper": float(after_cue and proper_name),
        "acronym_after_cue": float(after_cue and acronym_here),
        "established_name": float(established),
        "common_acronym": float(common_acronym),
        "rare_word": float(paper.has_vectors and any(is_rare_word(token) for span in spans for token in span)),
        "near_cue": float(any(paper.near_cue(span) for span in spans)),
        "in_parts_sentence": float(any(paper.in_parts_sentence(span) for span in spans)),
        "widely_used": float(widely_used),
    }
    for entity_type in ENTITY_TYPES:
        values[f"type_{entity_type}"] = float(label == entity_type)
    return [values[name] for name in FEATURES]


def is_rare_word(token: Token) -> bool:
    return any(ch.isalpha() for ch in token.text) and token.orth not in token.vocab.vectors.key2row


class ProposedScorer:
    """Probability that an entity is the paper's own contribution, and the paper's flags.

    >>> scorer = ProposedScorer({"bias": 1.0}, threshold=0.9, fallback=0.5)
    >>> vector = [1.0] + [0.0] * (len(FEATURES) - 1)
    >>> scorer.flags([vector, [0.0] * len(FEATURES)])  # none reaches 0.9: the likeliest (0.73) is taken
    [True, False]
    """

    def __init__(self, weights: dict[str, float], threshold: float, fallback: float):
        # z = v·single + v·(pair v), the pair weights in a matrix: the same sum as `with_pairs(v) @ weights`
        # (tested), in 10 us a paper against 50 (fancy indexing)
        self.single = np.array([weights.get(name, 0.0) for name in FEATURES])
        self.pair = np.zeros((len(FEATURES), len(FEATURES)))
        for (i, j), name in zip(PAIRS, WEIGHT_NAMES[len(FEATURES):]):
            self.pair[i, j] = weights.get(name, 0.0)
        self.threshold = threshold
        self.fallback = fallback

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls, path: Path = WEIGHTS_PATH) -> "ProposedScorer":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["weights"], data["threshold"], data["fallback"])

    def probabilities(self, vectors: list[list[float]]) -> list[float]:
        v = np.array(vectors, dtype=float).reshape(len(vectors), len(FEATURES))
        return logistic(v @ self.single + ((v @ self.pair) * v).sum(axis=1))

    def probability(self, vector: list[float]) -> float:
        return self.probabilities([vector])[0]

    def flags(self, vectors: list[list[float]]) -> list[bool]:
        """Which of one paper's entities it proposes: those at or above the threshold; when none is,
        the likeliest one if its probability reaches `fallback` (most papers propose something)."""
        return flags_from_probabilities(self.probabilities(vectors), self.threshold, self.fallback)


def logistic(scores: np.ndarray) -> list[float]:
    """1 / (1 + e^-score) for each score, the scores clipped to +-30 so that `math.exp` never overflows.

    >>> [round(p, 6) for p in logistic(np.array([0.0, 2.0, -1000.0]))]
    [0.5, 0.880797, 0.0]
    """
    return [1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, value)))) for value in scores.tolist()]


def flags_from_probabilities(probabilities: list[float], threshold: float, fallback: float) -> list[bool]:
    """`ProposedScorer.flags` from the probabilities (training/train_proposed.py tunes the two thresholds with it)."""
    flags = [p >= threshold for p in probabilities]
    if probabilities and not any(flags):
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        flags[best] = probabilities[best] >= fallback
    return flags
