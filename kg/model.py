"""The records that flow between pipeline stages: Paper -> PaperExtraction -> graph.

Every stage takes and returns these frozen dataclasses, so a newcomer can read the
whole data model here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .relate import Relation, Result


class EntityType(str, Enum):
    """The six entity types of the annotation guidelines."""

    METHOD = "Method"
    MODEL = "Model"
    DATASET = "Dataset"
    BENCHMARK = "Benchmark"
    TASK = "Task"
    METRIC = "Metric"


ENTITY_TYPES: tuple[str, ...] = tuple(t.value for t in EntityType)

# The Paper -> entity relation used for each type (also the RDF property name).
RELATION_FOR_TYPE: dict[str, str] = {
    "Method": "usesMethod",
    "Model": "usesModel",
    "Dataset": "usesDataset",
    "Benchmark": "evaluatesOn",
    "Task": "addressesTask",
    "Metric": "reportsMetric",
}
PROPOSES = "proposes"


@dataclass(frozen=True)
class Paper:
    """One paper as read from an input file.

    ``text`` (title + " " + abstract) is what extraction offsets point into.
    """

    id: str
    title: str
    abstract: str
    arxiv: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when the input gives a full date
    authors: int | None = None  # number of authors, when the listing says it
    source: str = ""  # "file:line" the record was read from

    @property
    def text(self) -> str:
        return self.title + " " + self.abstract


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in a paper's text: `text` is `paper.text[start:end]`, exactly (the entity's
    names read LaTeX formatting inside a name as one space: "HD \\textbf{Map}" is named "HD Map")."""

    start: int
    end: int
    text: str
    confidence: float
    source: str  # which component found it: "ner", "gazetteer", "annotated", "acronym", "context", "shape",
    # "name-shape" (fast mode), or "agreed" (NER and gazetteer)


@dataclass(frozen=True)
class ExtractedEntity:
    """One entity of one paper: every form the paper uses for it, with its mentions."""

    label: str
    text: str  # the preferred form (long form when the paper defines an acronym)
    aliases: tuple[str, ...]
    mentions: tuple[Mention, ...]
    proposed: bool = False

    @property
    def confidence(self) -> float:
        return max(m.confidence for m in self.mentions)

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.text, *self.aliases)


@dataclass(frozen=True)
class PaperExtraction:
    """What the extractor found in one paper."""

    paper: Paper
    entities: tuple[ExtractedEntity, ...] = field(default_factory=tuple)
    sentences: tuple[tuple[int, int], ...] = field(default_factory=tuple)  # (start, end) in paper.text
    relations: tuple[Relation, ...] = field(default_factory=tuple)  # entity indices into `entities`
    results: tuple[Result, ...] = field(default_factory=tuple)
