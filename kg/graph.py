"""Graph: extractions in, a NetworkX MultiDiGraph out (and node-link JSON to save and load it).

Nodes are ``paper/<id>`` (kind "Paper": title, abstract, date, arxiv, authors, source, and the
sentence spans of title + " " + abstract) and
``<type>/<slug>`` entity nodes (kind "Entity": type, label, aliases, type_votes, and pwc_id, pwc_url,
link_source when Papers with Code knows the thing). Each Paper -> entity edge
is keyed by its relation (usesMethod, usesModel, usesDataset, evaluatesOn, addressesTask,
reportsMetric, proposes) and carries its evidence: ``mentions`` (start, end, text, confidence,
source component, section) and ``confidence`` (the best mention's). ``G.graph["merges"]`` is the
merge log: one row per surface form (form, node, rule, papers).

Entity -> entity edges are keyed by the relation kind (appliedTo, datasetForTask, evaluatedOn,
instanceOf, hasPart; see `kg.relate`) and carry ``support`` (number of papers stating it),
``papers``, ``confidence`` (noisy-or of the per-paper confidences: 1 - prod(1 - c)) and
``evidence`` (paper, sentence start and end, rule, confidence per statement). A relation is kept
only when the resolved (voted) types of both ends still fit its domain.

``G.graph["run"]`` records the extraction run (its provenance in RDF): id, software and version,
extraction mode, start and end times (``SOURCE_DATE_EPOCH`` fixes them for reproducible
exports), and the input files with their SHA-256.

Each paper node has ``results``: the numeric results its abstract reports (value as a decimal
string, unit, kind absolute/delta, metric/dataset/subject as entity node ids or None, the raw
text and its offsets, the sentence offsets, and the metric's direction "higher"/"lower"/None).

>>> from kg.model import Paper, PaperExtraction, ExtractedEntity, Mention
>>> paper = Paper(id="p1", title="", abstract="We fine-tune BERT.")
>>> bert = ExtractedEntity("Model", "BERT", (), (Mention(14, 18, "BERT", 0.9, "ner"),))
>>> G = build_graph([PaperExtraction(paper, (bert,))])
>>> sorted(G.edges(keys=True))
[('paper/p1', 'model/bert', 'usesModel')]
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable

import networkx as nx

from .links import pwc_links
from .model import PROPOSES, RELATION_FOR_TYPE, PaperExtraction
from .relate import RELATION_DOMAINS, metric_direction
from .resolve import Overrides, resolve_entities

__all__ = ["build_graph", "describe_run", "now_iso", "paper_node", "paper_text", "papers_of", "entity_relations", "write_graph_json", "read_graph_json",
           "write_merge_log", "graph_stats", "atomic_write"]


NODE_KEY = "node"  # node-link JSON field for the node id ("id" is a paper attribute)


def paper_node(paper_id: str) -> str:
    return f"paper/{paper_id}"


def paper_text(G: nx.MultiDiGraph, node: str) -> str:
    """The text a paper node's offsets point into: title + " " + abstract (as `Paper.text`)."""
    return G.nodes[node]["title"] + " " + G.nodes[node]["abstract"]


def papers_of(G: nx.MultiDiGraph, node: str) -> list[str]:
    """The paper nodes linked to an entity node, sorted."""
    return sorted({source for source, _ in G.in_edges(node) if G.nodes[source]["kind"] == "Paper"})


def entity_relations(G: nx.MultiDiGraph, node: str | None = None):
    """Yield (source, target, kind, data) for entity -> entity relations (of one node, either end, if given)."""
    edges = G.edges(keys=True, data=True) if node is None else \
        [*G.out_edges(node, keys=True, data=True), *G.in_edges(node, keys=True, data=True)]
    for source, target, kind, data in edges:
        if G.nodes[source]["kind"] == "Entity":
            yield source, target, kind, data


def now_iso() -> str:
    """The current UTC time, or ``SOURCE_DATE_EPOCH`` when set (for byte-identical rebuilds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch and epoch.isdigit() \
        else datetime.datetime.now(datetime.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def describe_run(inputs: Iterable[Path], *, mode: str, started: str, min_confidence: float = 0.0) -> dict:
    """The provenance record of one build: what ran (mode, the confidence below which entities were left out),
    when, on which files (name and SHA-256)."""
    from . import __version__

    files = []
    for path in inputs:
        digest = hashlib.sha256()
        with Path(path).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        files.append({"name": Path(path).name, "sha256": digest.hexdigest()})
    run_id = hashlib.sha256(json.dumps([mode, min_confidence, __version__, files, started]).encode()).hexdigest()[:16]
    return {"id": run_id, "software": "kg", "version": __version__, "mode": mode, "min_confidence": min_confidence,
            "started": started, "ended": now_iso(), "inputs": files}


def build_graph(extractions: Iterable[PaperExtraction], *, overrides: Overrides | None = None,
                run: dict | None = None) -> nx.MultiDiGraph:
    """Resolve entities across papers (with a user's `overrides`), link each paper to its entities,
    and add the relations and results the papers state. `run` is the provenance record
    (`describe_run`); a run with no input files is recorded when it is not given."""
    started = now_iso()
    extractions = list(extractions)
    items = [(ex.paper.id, entity) for ex in extractions for entity in ex.entities]
    resolution = resolve_entities(items, overrides=overrides)
    G = nx.MultiDiGraph()
    G.graph["run"] = run or describe_run([], mode="unknown", started=started)
    for ex in sorted(extractions, key=lambda ex: ex.paper.id):
        paper = ex.paper
        G.add_node(paper_node(paper.id), kind="Paper", id=paper.id, title=paper.title, abstract=paper.abstract,
                   date=paper.date, arxiv=paper.arxiv, authors=paper.authors, source=paper.source,
                   sentences=[list(span) for span in ex.sentences])
    links = pwc_links((node_id, e.label, [e.name, *e.aliases]) for node_id, e in resolution.entities.items())
    for node_id, entity in sorted(resolution.entities.items()):
        G.add_node(node_id, kind="Entity", type=entity.label, label=entity.name, aliases=entity.aliases,
                   type_votes=entity.type_votes, **links.get(node_id, {}))
    G.graph["merges"] = [{"form": m.form, "node": m.node_id, "rule": m.rule, "papers": m.papers}
                         for m in sorted(resolution.merges, key=lambda m: (m.node_id, m.form))]
    title_length = {ex.paper.id: len(ex.paper.title) for ex in extractions}
    for (paper_id, entity), node_id in zip(items, resolution.node_ids):
        mentions = [{"start": m.start, "end": m.end, "text": m.text, "confidence": m.confidence,
                     "source": m.source, "section": "title" if m.end <= title_length[paper_id] else "abstract"}
                    for m in entity.mentions]
        node_type = resolution.entities[node_id].label  # the voted type, not this paper's label
        relations = [RELATION_FOR_TYPE[node_type]] + ([PROPOSES] if entity.proposed else [])
        for relation in relations:
            source = paper_node(paper_id)
            if G.has_edge(source, node_id, key=relation):  # two spellings of one node in one paper
                edge = G.edges[source, node_id, relation]
                edge["mentions"] = sorted(edge["mentions"] + mentions, key=lambda m: (m["start"], m["end"]))
                edge["confidence"] = max(edge["confidence"], entity.confidence)
            else:
                G.add_edge(source, node_id, key=relation, relation=relation, confidence=entity.confidence,
                           mentions=sorted(mentions, key=lambda m: (m["start"], m["end"])))
    node_of = {(paper_id, index): node_id for (paper_id, index), node_id in zip(
        ((ex.paper.id, i) for ex in extractions for i in range(len(ex.entities))), resolution.node_ids)}
    add_relations(G, extractions, node_of)
    add_results(G, extractions, node_of)
    return G


def add_relations(G: nx.MultiDiGraph, extractions: list[PaperExtraction], node_of: dict) -> None:
    for ex in sorted(extractions, key=lambda ex: ex.paper.id):
        for relation in ex.relations:
            source, target = node_of[ex.paper.id, relation.source], node_of[ex.paper.id, relation.target]
            sources, targets = RELATION_DOMAINS[relation.kind]
            if source == target or G.nodes[source]["type"] not in sources or G.nodes[target]["type"] not in targets:
                continue
            evidence = {"paper": ex.paper.id, "start": relation.start, "end": relation.end, "rule": relation.rule,
                        "confidence": relation.confidence}
            if G.has_edge(source, target, key=relation.kind):
                G.edges[source, target, relation.kind]["evidence"].append(evidence)
            else:
                G.add_edge(source, target, key=relation.kind, relation=relation.kind, evidence=[evidence])
    for _, _, _, data in entity_relations(G):
        best = {}  # per paper, its most confident statement
        for item in data["evidence"]:
            best[item["paper"]] = max(best.get(item["paper"], 0.0), item["confidence"])
        doubt = 1.0
        for confidence in best.values():
            doubt *= 1.0 - confidence
        data.update(papers=sorted(best), support=len(best), confidence=round(1.0 - doubt, 3))


RESULT_PART_TYPES = {"metric": {"Metric"}, "dataset": {"Dataset", "Benchmark"}, "subject": {"Model", "Method"}}


def add_results(G: nx.MultiDiGraph, extractions: list[PaperExtraction], node_of: dict) -> None:
    for ex in extractions:
        rows = []
        for result in ex.results:
            parts = {part: node_of[ex.paper.id, getattr(result, part)] if getattr(result, part) is not None else None
                     for part in RESULT_PART_TYPES}
            parts = {part: node if node and G.nodes[node]["type"] in RESULT_PART_TYPES[part] else None
                     for part, node in parts.items()}  # a part whose node was voted another type is dropped
            metric_name = G.nodes[parts["metric"]]["label"] if parts["metric"] else None
            rows.append({"value": result.value, "unit": result.unit, "kind": result.kind, **parts,
                         "direction": metric_direction(metric_name), "text": result.text, "start": result.start,
                         "end": result.end, "sentence_start": result.sentence_start,
                         "sentence_end": result.sentence_end})
        G.nodes[paper_node(ex.paper.id)]["results"] = rows


def graph_stats(G: nx.MultiDiGraph) -> dict:
    """Counts a build summary shows: papers, entities per type, edges per relation, results."""
    kinds = Counter(data["kind"] for _, data in G.nodes(data=True))
    types = Counter(data["type"] for _, data in G.nodes(data=True) if data["kind"] == "Entity")
    relations = Counter(key for _, _, key in G.edges(keys=True))
    results = sum(len(data.get("results", [])) for _, data in G.nodes(data=True))
    return {"papers": kinds["Paper"], "entities": kinds["Entity"], "entities_by_type": dict(sorted(types.items())),
            "edges": G.number_of_edges(), "edges_by_relation": dict(sorted(relations.items())), "results": results}


def atomic_write(path: Path, write, *, binary: bool = False) -> None:
    """Call ``write(handle)`` on a temporary file beside `path`, then move it into place.

    A run killed half-way leaves the previous file intact. The handle is text (UTF-8) unless `binary`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("wb" if binary else "w", encoding=None if binary else "utf-8",
                                         dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            write(handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # NamedTemporaryFile creates 0600 files
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def write_graph_json(G: nx.MultiDiGraph, path: Path) -> None:
    """Save the graph as node-link JSON (what `kg.load` reads back)."""
    data = nx.node_link_data(G, edges="edges", name=NODE_KEY)
    atomic_write(path, lambda handle: json.dump(data, handle, ensure_ascii=False, sort_keys=True))


def write_merge_log(G: nx.MultiDiGraph, path: Path) -> None:
    """Write the merge log as CSV (form, node, rule, papers) for a user to review."""
    def write(handle):
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["form", "node", "rule", "papers"])
        for row in G.graph.get("merges", []):
            writer.writerow([row["form"], row["node"], row["rule"], " ".join(row["papers"])])
    atomic_write(path, write)


def read_graph_json(path: Path) -> nx.MultiDiGraph:
    """Load a graph saved by `write_graph_json`."""
    with Path(path).open(encoding="utf-8") as handle:
        return nx.node_link_graph(json.load(handle), directed=True, multigraph=True, edges="edges", name=NODE_KEY)
