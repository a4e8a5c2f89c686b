"""API: input files in, a `KnowledgeGraph` out, with the read methods users need.

>>> kg = build([default_inputs()[0]])  # the 10-paper arXiv listing
>>> len(kg.papers())
10
>>> [p["id"] for p in kg.papers_mentioning("HIR")]
['2302.05206']
"""
from __future__ import annotations

import time
from collections import Counter
from html import escape as html_escape
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import networkx as nx
import pyoxigraph as ox
from rdflib import Graph

from .errors import KgError
from .extract import Extractor
from .graph import (build_graph, describe_run, entity_relations, graph_stats, now_iso, paper_node, paper_text,
                    papers_of, read_graph_json, write_graph_json, write_merge_log)
from .html import entity_page, generate_html, paper_page, write_html
from .ingest import DEFAULT_MAX_ABSTRACT_CHARS, Problem, input_files, read_papers
from .model import PaperExtraction
from .query import QueryResult, run_query, store_from_quads
from .rdf import DEFAULT_FORMATS, oxigraph_quads, to_rdf, write_rdf
from .resolve import read_overrides

__all__ = ["KnowledgeGraph", "BuildReport", "InlineView", "build", "load", "default_inputs", "DEFAULT_OUTPUT_DIR"]

SEEDS_DIR = Path(__file__).resolve().parent / "data" / "seeds"
DEFAULT_OUTPUT_DIR = Path("exports")
GRAPH_JSON, GRAPH_HTML, MERGES_CSV = "graph.json", "graph.html", "merges.csv"
Progress = Callable[[Iterable[PaperExtraction], int], Iterator[PaperExtraction]]


def default_inputs() -> list[Path]:
    """The bundled seed listings that `kg build` reads when given no input."""
    return sorted(SEEDS_DIR.glob("*.txt"))


@dataclass
class BuildReport:
    """What a build did: counts, problems met, files written, seconds taken."""

    stats: dict
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


class KnowledgeGraph:
    """A built graph and the questions users ask of it.

    Entities are named by node id ("method/low-rank-adaptation"), label or alias (any case);
    papers by id or node id.
    """

    def __init__(self, G: nx.MultiDiGraph, report: BuildReport | None = None):
        self.G = G
        self.report = report
        self._rdf: Graph | None = None
        self._store: ox.Store | None = None
        self._names: dict[str, str] | None = None

    def __repr__(self) -> str:
        stats = graph_stats(self.G)
        return f"<KnowledgeGraph {stats['papers']} papers, {stats['entities']} entities, {stats['edges']} edges>"

    # --- lookups -----------------------------------------------------------------------
    def entity_node(self, entity: str) -> str:
        """The node id of an entity given by node id, label or alias; KgError when unknown."""
        if entity in self.G and self.G.nodes[entity]["kind"] == "Entity":
            return entity
        if self._names is None:
            names: dict[str, str] = {}
            by_support = sorted((n for n, d in self.G.nodes(data=True) if d["kind"] == "Entity"),
                                key=lambda n: (len(papers_of(self.G, n)), n))
            for node in by_support:  # the best-supported node wins a shared name
                for name in [self.G.nodes[node]["label"], *self.G.nodes[node].get("aliases", [])]:
                    names[name.lower()] = node
            self._names = names
        try:
            return self._names[entity.lower()]
        except KeyError:
            raise KgError(f"no entity named {entity!r}; list them with entities()") from None

    def paper_node(self, paper: str) -> str:
        node = paper if paper.startswith("paper/") else paper_node(paper)
        if node not in self.G:
            raise KgError(f"no paper with id {paper!r}; list them with papers()")
        return node

    # --- reads -------------------------------------------------------------------------
    def papers(self) -> list[dict]:
        """Every paper: id, title, date, arxiv, authors, abstract."""
        return [self._paper(n) for n, d in sorted(self.G.nodes(data=True)) if d["kind"] == "Paper"]

    def entities(self, type: str | None = None) -> list[dict]:
        """Entities (of one type if given), most-mentioned first: id, type, label, aliases, papers, type_votes."""
        rows = [self._entity(n) for n, d in self.G.nodes(data=True)
                if d["kind"] == "Entity" and (type is None or d["type"].lower() == type.lower())]
        return sorted(rows, key=lambda row: (-row["papers"], row["label"].lower()))

    def papers_mentioning(self, entity: str) -> list[dict]:
        """Papers linked to the entity, each with the relation(s) and the best confidence."""
        node = self.entity_node(entity)
        rows: dict[str, dict] = {}
        for paper, _, relation, data in self.G.in_edges(node, keys=True, data=True):
            if self.G.nodes[paper]["kind"] != "Paper":
                continue
            row = rows.setdefault(paper, {**self._paper(paper), "relations": [], "confidence": 0.0})
            row["relations"].append(relation)
            row["confidence"] = max(row["confidence"], data["confidence"])
        return sorted(rows.values(), key=lambda row: row["id"])

    def entities_of(self, paper: str) -> list[dict]:
        """The entities of one paper, with relation, confidence and the mentions as evidence."""
        node = self.paper_node(paper)
        return [{**self._entity(entity), "relation": relation, "confidence": data["confidence"],
                 "mentions": data["mentions"]}
                for _, entity, relation, data in sorted(self.G.out_edges(node, keys=True, data=True))]

    def proposed_by(self, paper: str) -> list[dict]:
        """What the paper itself proposes."""
        return [row for row in self.entities_of(paper) if row["relation"] == "proposes"]

    def neighbours(self, entity: str, *, limit: int | None = None) -> list[dict]:
        """Entities that share papers with this one, with the number of shared papers."""
        node = self.entity_node(entity)
        counts: Counter[str] = Counter()
        for paper in papers_of(self.G, node):
            counts.update({other for _, other in self.G.out_edges(paper) if self.G.nodes[other]["kind"] == "Entity"} - {node})
        rows = [{**self._entity(other), "shared_papers": n} for other, n in counts.items()]
        rows.sort(key=lambda row: (-row["shared_papers"], row["label"].lower()))
        return rows[:limit] if limit else rows

    def related(self, entity: str, *, kind: str | None = None) -> list[dict]:
        """Relations the papers state between this entity and others (appliedTo, evaluatedOn, ...).

        Each row: kind, direction ("out" when this entity is the source), the other entity, support
        (papers stating it), confidence, the papers and the evidence (paper, sentence offsets, rule).
        """
        node = self.entity_node(entity)
        rows = []
        for source, target, relation, data in entity_relations(self.G, node):
            if kind is not None and relation != kind:
                continue
            other = target if source == node else source
            rows.append({"kind": relation, "direction": "out" if source == node else "in", "other": self._entity(other),
                         "support": data["support"], "confidence": data["confidence"], "papers": data["papers"],
                         "evidence": [{**item, "sentence": self._sentence(item["paper"], item["start"], item["end"])}
                                      for item in data["evidence"]]})
        return sorted(rows, key=lambda row: (-row["support"], -row["confidence"], row["kind"], row["other"]["label"]))

    def results(self, *, dataset: str | None = None, metric: str | None = None, subject: str | None = None,
                paper: str | None = None) -> list[dict]:
        """Numeric results the papers report, filtered by dataset/benchmark, metric, model/method or paper.

        Each row: paper, value (a Decimal), unit, kind ("absolute" or "delta"), direction of the metric
        ("higher"/"lower" is better, or None), the metric, dataset and subject labels (None where the
        sentence names none), the raw text and the sentence it comes from.
        """
        wanted = {"dataset": dataset, "metric": metric, "subject": subject}
        wanted = {part: self.entity_node(name) for part, name in wanted.items() if name is not None}
        papers = [self.paper_node(paper)] if paper else [n for n, d in sorted(self.G.nodes(data=True)) if d["kind"] == "Paper"]
        rows = []
        for node in papers:
            for result in self.G.nodes[node].get("results", []):
                if any(result[part] != target for part, target in wanted.items()):
                    continue
                labels = {part: self.G.nodes[result[part]]["label"] if result[part] else None
                          for part in ("metric", "dataset", "subject")}
                rows.append({"paper": self.G.nodes[node]["id"], "value": Decimal(result["value"]), "unit": result["unit"],
                             "kind": result["kind"], "direction": result["direction"], **labels,
                             "text": result["text"],
                             "sentence": self._sentence(node, result["sentence_start"], result["sentence_end"])})
        return rows

    def html(self, *, entity: str | None = None, paper: str | None = None) -> str:
        """One self-contained page: the whole site, or one entity's or one paper's view."""
        if entity is not None:
            return entity_page(self.G, self.entity_node(entity))
        if paper is not None:
            return paper_page(self.G, self.paper_node(paper))
        return generate_html(self.G)

    def show(self, entity: str | None = None, *, paper: str | None = None, height: int = 640) -> "InlineView":
        """Display a view inline in Jupyter (the whole site, or one entity's or paper's view).

        The page runs in a sandboxed iframe, so its scripts and its Content-Security-Policy stay its own.
        """
        return InlineView(self.html(entity=entity, paper=paper), height)

    def stats(self) -> dict:
        return graph_stats(self.G)

    # --- conversions -------------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """The underlying NetworkX graph (not a copy)."""
        return self.G

    def to_rdflib(self) -> Graph:
        """The graph as rdflib triples (built once, then cached)."""
        if self._rdf is None:
            self._rdf = to_rdf(self.G)
        return self._rdf

    def query(self, sparql: str) -> QueryResult:
        """Run SPARQL (on pyoxigraph, over the same statements as the exports); the prefixes kg:, oa:,
        dcterms:, skos:, prov:, mls:, schema:, rdfs:, xsd: are predeclared."""
        if self._store is None:
            self._store = store_from_quads(oxigraph_quads(self.G))
        return run_query(self._store, sparql)

    def write(self, output_dir: Path | str = DEFAULT_OUTPUT_DIR, *, formats: Iterable[str] = DEFAULT_FORMATS) -> list[Path]:
        """Write the RDF `formats` (see `kg.rdf.RDF_FORMATS`; Turtle by default), graph.html, graph.json
        and merges.csv into `output_dir`; return their paths."""
        output_dir = Path(output_dir)
        paths = write_rdf(self.G, output_dir, formats)
        write_html(self.G, output_dir / GRAPH_HTML)
        write_graph_json(self.G, output_dir / GRAPH_JSON)
        write_merge_log(self.G, output_dir / MERGES_CSV)
        return [*paths, output_dir / GRAPH_HTML, output_dir / GRAPH_JSON, output_dir / MERGES_CSV]

    def _sentence(self, paper: str, start: int, end: int) -> str:
        return paper_text(self.G, self.paper_node(paper))[start:end]

    def _paper(self, node: str) -> dict:
        data = self.G.nodes[node]
        return {key: data.get(key) for key in ("id", "title", "date", "arxiv", "authors", "abstract")}

    def _entity(self, node: str) -> dict:
        data = self.G.nodes[node]
        return {"id": node, "type": data["type"], "label": data["label"], "aliases": list(data.get("aliases", [])),
                "papers": len(papers_of(self.G, node)), "type_votes": dict(data.get("type_votes", {})),
                "pwc_url": data.get("pwc_url")}


@dataclass
class InlineView:
    """What `KnowledgeGraph.show` returns: Jupyter displays it through ``_repr_html_``."""

    page: str
    height: int = 640

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html_escape(self.page, quote=True)}" sandbox="allow-scripts" '
                f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #ddd"></iframe>')


def build(inputs: Iterable[Path | str] | None = None, *, mode: str = "default", strict: bool = False,
          max_abstract_chars: int = DEFAULT_MAX_ABSTRACT_CHARS, n_process: int = 1, min_confidence: float = 0.0,
          aliases: Path | str | None = None, progress: Progress | None = None) -> KnowledgeGraph:
    """Read, extract, resolve and link: the whole pipeline up to the in-memory graph.

    Parameters
    ----------
    inputs : files to read; the bundled seed listings when None.
    mode : "default" (trained NER + rules) or "fast" (rules only).
    strict : stop at the first bad record instead of skipping it.
    min_confidence : leave out entities whose confidence (the learnt probability that the entity is right) is lower.
    aliases : a CSV of ``form,action,target`` rows forcing (merge) or forbidding (split) merges.
    progress : wraps the stream of extractions, e.g. to draw a progress bar: ``progress(items, total)``.
    """
    started, started_at = time.perf_counter(), now_iso()
    overrides = read_overrides(Path(aliases)) if aliases else None  # read first: a bad file fails fast
    inputs = default_inputs() if inputs is None else list(inputs)
    papers, problems = read_papers(inputs, strict=strict, max_abstract_chars=max_abstract_chars)
    stream = Extractor(mode=mode, n_process=n_process, min_confidence=min_confidence).extract(papers)
    extractions = list(progress(stream, len(papers)) if progress else stream)
    run = describe_run(input_files(inputs), mode=mode, started=started_at, min_confidence=min_confidence)
    G = build_graph(extractions, overrides=overrides, run=run)
    report = BuildReport(stats=graph_stats(G), problems=problems, seconds=time.perf_counter() - started)
    return KnowledgeGraph(G, report)


def load(path: Path | str = DEFAULT_OUTPUT_DIR) -> KnowledgeGraph:
    """Load a built graph: a build directory (its graph.json) or a graph.json file."""
    path = Path(path)
    path = path / GRAPH_JSON if path.is_dir() else path
    if not path.is_file():
        raise KgError(f"no graph at {path}; run 'kg build' first (it writes {GRAPH_JSON} into exports/)")
    return KnowledgeGraph(read_graph_json(path))
