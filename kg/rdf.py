"""RDF: the NetworkX graph in; RDF under ``ontology/kg.ttl`` out, in five formats.

``rdf_quads(G)`` yields every statement once, with the named graph it belongs to: one graph per
paper (the paper, its links to entities, its mentions and results), one for the entities and
the relations between them, and one for provenance (the extraction run). From that stream:

- Turtle (``graph.ttl``, the default) and JSON-LD (``graph.jsonld``, flattened, with the
  context of ``ontology/context.jsonld`` inlined) hold the union as one graph;
- N-Triples (``graph.nt``) is written line by line as the stream goes (so are Turtle and TriG),
  for graphs too large to hold in memory;
- TriG (``graph.trig``) keeps the named graphs;
- VoID (``void.ttl``) describes the dataset: triple counts, classes, properties, dumps.

IRIs are derived from ids only (``<base>paper/<id>``, ``<base>entity/<type>/<slug>``,
``<base>mention/<paper>/<start>-<end>/<type>/<slug>``, ``<base>result/<paper>/<n>``,
``<base>relation/<kind>/<source>/<target>``), so the same input gives the same IRIs and, with
``SOURCE_DATE_EPOCH`` fixing the run time, byte-identical files on every run.

Each mention is a Web Annotation (``oa:Annotation``): ``oa:hasBody`` the entity, a target whose
source is the paper with a TextPositionSelector (start, end) and a TextQuoteSelector (exact), a
confidence, the section and ``prov:wasGeneratedBy`` the run. Results are ML-Schema model
evaluations (``mls:hasValue`` an ``xsd:decimal``, ``mls:specifiedBy`` the metric).
"""
from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, VOID

from .errors import ExportError
from .graph import atomic_write, paper_node, paper_text

__all__ = ["KG", "OA", "FABIO", "MLS", "SCHEMA", "PREFIXES", "DEFAULT_BASE", "RDF_FORMATS", "rdf_quads",
           "oxigraph_quads", "to_rdf", "write_rdf", "paper_iri", "entity_iri", "jsonld_context"]

KG = Namespace("https://w3id.org/mlkg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
FABIO = Namespace("http://purl.org/spar/fabio/")
MLS = Namespace("http://www.w3.org/ns/mls#")
SCHEMA = Namespace("https://schema.org/")
DEFAULT_BASE = "https://w3id.org/mlkg/resource/"
ONTOLOGY_IRI = URIRef("https://w3id.org/mlkg/ontology")
CONTEXT_URL = "https://w3id.org/mlkg/context.jsonld"
PREFIXES = {"kg": KG, "oa": OA, "fabio": FABIO, "mls": MLS, "schema": SCHEMA, "dcterms": DCTERMS, "skos": SKOS,
            "prov": PROV, "rdfs": RDFS, "xsd": XSD, "void": VOID, "owl": OWL}

# format name -> (file name, what it holds)
RDF_FORMATS = {
    "ttl": ("graph.ttl", "Turtle, the whole graph"),
    "nt": ("graph.nt", "N-Triples, streamed line by line"),
    "trig": ("graph.trig", "TriG, one named graph per paper plus entities and provenance"),
    "jsonld": ("graph.jsonld", "JSON-LD with the kg context inlined"),
    "void": ("void.ttl", "VoID description: counts, classes, properties, dumps"),
}
DEFAULT_FORMATS = ("ttl",)

Quad = tuple[URIRef, URIRef, object, URIRef]


def paper_iri(paper_id: str, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}paper/{quote(paper_id, safe='')}")


def entity_iri(node_id: str, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}entity/{quote(node_id, safe='/')}")


def graph_iri(name: str, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}graph/{name}")


def run_iri(run: dict, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}run/{run['id']}")


def decimal(value: float) -> Literal:
    return Literal(f"{value:.3f}", datatype=XSD.decimal)


def rdf_quads(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> Iterator[Quad]:
    """Every statement of the export, each with its named graph (see the module docstring)."""
    run = run_iri(G.graph["run"], base)
    yield from provenance_quads(G, base)
    entities = graph_iri("entities", base)
    for node, data in sorted(G.nodes(data=True)):
        if data["kind"] == "Entity":
            yield from ((s, p, o, entities) for s, p, o in entity_triples(node, data, base))
    for source, target, kind, data in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
        if G.nodes[source]["kind"] == "Entity":
            yield from ((s, p, o, entities) for s, p, o in relation_triples(G, source, target, kind, data, base))
    for node, data in sorted(G.nodes(data=True)):
        if data["kind"] == "Paper":
            graph = graph_iri(f"paper/{quote(data['id'], safe='')}", base)
            yield from ((s, p, o, graph) for s, p, o in paper_triples(G, node, data, run, base))


def provenance_quads(G: nx.MultiDiGraph, base: str) -> Iterator[Quad]:
    from . import __version__

    info = G.graph["run"]
    graph, run = graph_iri("provenance", base), run_iri(info, base)
    software = URIRef(f"{base}software/kg/{quote(info.get('version', __version__), safe='')}")
    triples = [
        (run, RDF.type, KG.ExtractionRun),
        (run, RDFS.label, Literal(f"kg {info['mode']} extraction run {info['id']}")),
        (run, KG.mode, Literal(info["mode"])),
        (run, KG.minConfidence, decimal(info.get("min_confidence", 0.0))),
        (run, PROV.startedAtTime, Literal(info["started"], datatype=XSD.dateTime)),
        (run, PROV.endedAtTime, Literal(info["ended"], datatype=XSD.dateTime)),
        (run, PROV.wasAssociatedWith, software),
        (software, RDF.type, PROV.SoftwareAgent),
        (software, RDFS.label, Literal(f"{info['software']} {info['version']}")),
        (software, KG.softwareVersion, Literal(info["version"])),
    ]
    for item in info["inputs"]:
        source = URIRef(f"{base}input/{item['sha256']}")
        triples += [(run, PROV.used, source), (source, RDF.type, PROV.Entity),
                    (source, DCTERMS.title, Literal(item["name"])), (source, KG.sha256, Literal(item["sha256"]))]
    yield from ((s, p, o, graph) for s, p, o in triples)


def entity_triples(node: str, data: dict, base: str):
    subject = entity_iri(node, base)
    yield subject, RDF.type, KG[data["type"]]
    yield subject, RDFS.label, Literal(data["label"])
    yield subject, SKOS.prefLabel, Literal(data["label"])
    for alias in data.get("aliases", []):
        yield subject, SKOS.altLabel, Literal(alias)
    if data.get("pwc_url"):
        link = SKOS.exactMatch if data["type"] in ("Method", "Task", "Metric") else SCHEMA.sameAs
        yield subject, link, URIRef(data["pwc_url"])
        yield subject, KG.linkSource, Literal(data["link_source"])


def text_target(annotation: URIRef, paper: URIRef, start: int, end: int, exact: str):
    """Point `annotation` at characters start..end of the paper's text (title + " " + abstract)."""
    target, position, quote_selector = (URIRef(f"{annotation}#{part}") for part in ("target", "position", "quote"))
    yield annotation, OA.hasTarget, target
    yield target, RDF.type, OA.SpecificResource
    yield target, OA.hasSource, paper
    yield target, OA.hasSelector, position
    yield target, OA.hasSelector, quote_selector
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)
    yield position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)
    yield quote_selector, RDF.type, OA.TextQuoteSelector
    yield quote_selector, OA.exact, Literal(exact)


def annotation_triples(annotation: URIRef, kind: URIRef, motivation: URIRef, body: URIRef, confidence: float):
    """A Web Annotation of `kind` (kg:Mention, kg:Evidence) whose body is `body`, with its confidence."""
    yield annotation, RDF.type, kind
    yield annotation, RDF.type, OA.Annotation
    yield annotation, OA.motivatedBy, motivation
    yield annotation, OA.hasBody, body
    yield annotation, KG.confidence, decimal(confidence)


def paper_triples(G: nx.MultiDiGraph, node: str, data: dict, run: URIRef, base: str):
    paper = paper_iri(data["id"], base)
    yield paper, RDF.type, KG.Paper
    yield paper, DCTERMS.identifier, Literal(data["id"])
    if data.get("title"):
        yield paper, DCTERMS.title, Literal(data["title"])
    yield paper, DCTERMS.abstract, Literal(data["abstract"])
    if data.get("date"):
        yield paper, DCTERMS.date, Literal(data["date"], datatype=XSD.date)
    if data.get("arxiv"):
        yield paper, KG.arxivId, Literal(data["arxiv"])
        yield paper, RDFS.seeAlso, URIRef(f"https://arxiv.org/abs/{data['arxiv']}")
    if data.get("authors") is not None:
        yield paper, KG.authorCount, Literal(data["authors"], datatype=XSD.integer)
    for _, target, relation, edge in sorted(G.out_edges(node, keys=True, data=True)):
        entity = entity_iri(target, base)
        yield paper, KG[relation], entity
        if relation == "proposes":
            continue  # the mentions are already attached to the typed relation
        for mention in edge["mentions"]:
            annotation = URIRef(f"{base}mention/{quote(data['id'], safe='')}/{mention['start']}-{mention['end']}/"
                                f"{quote(target, safe='/')}")
            yield from annotation_triples(annotation, KG.Mention, OA.identifying, entity, mention["confidence"])
            yield annotation, KG.section, Literal(mention["section"])
            yield annotation, KG.foundBy, Literal(mention["source"])
            yield annotation, PROV.wasGeneratedBy, run
            yield from text_target(annotation, paper, mention["start"], mention["end"], mention["text"])
    for index, result in enumerate(data.get("results", [])):
        yield from result_triples(G, node, paper, index, result, run, base)


def result_triples(G: nx.MultiDiGraph, node: str, paper: URIRef, index: int, result: dict, run: URIRef, base: str):
    subject = URIRef(f"{base}result/{quote(G.nodes[node]['id'], safe='')}/{index}")
    yield paper, KG.reportsResult, subject
    yield subject, RDF.type, KG.Result
    yield subject, MLS.hasValue, Literal(result["value"], datatype=XSD.decimal)
    yield subject, KG.resultKind, Literal(result["kind"])
    if result["unit"]:
        yield subject, KG.unit, Literal(result["unit"])
    if result["direction"]:
        yield subject, KG.higherIsBetter, Literal(result["direction"] == "higher")
    for part, predicate in (("metric", MLS.specifiedBy), ("dataset", KG.onDataset), ("subject", KG.resultOf)):
        if result[part]:
            yield subject, predicate, entity_iri(result[part], base)
    yield subject, KG.sentence, Literal(paper_text(G, node)[result["sentence_start"]:result["sentence_end"]])
    yield subject, PROV.wasGeneratedBy, run
    yield from text_target(subject, paper, result["start"], result["end"], result["text"])


def relation_triples(G: nx.MultiDiGraph, source: str, target: str, kind: str, data: dict, base: str):
    """The relation as a triple, plus a statement carrying its support, confidence and evidence."""
    subject, obj = entity_iri(source, base), entity_iri(target, base)
    statement = URIRef(f"{base}relation/{kind}/{quote(source, safe='/')}/{quote(target, safe='/')}")
    yield subject, KG[kind], obj
    yield statement, RDF.type, KG.RelationStatement
    yield statement, RDF.subject, subject
    yield statement, RDF.predicate, KG[kind]
    yield statement, RDF.object, obj
    yield statement, KG.support, Literal(data["support"], datatype=XSD.integer)
    yield statement, KG.confidence, decimal(data["confidence"])
    for paper_id in data["papers"]:
        yield statement, PROV.wasDerivedFrom, paper_iri(paper_id, base)
    for item in data["evidence"]:
        evidence = URIRef(f"{statement}/evidence/{quote(item['paper'], safe='')}/{item['start']}-{item['end']}")
        yield from annotation_triples(evidence, KG.Evidence, OA.assessing, statement, item["confidence"])
        yield evidence, KG.rule, Literal(item["rule"])
        sentence = paper_text(G, paper_node(item["paper"]))[item["start"]:item["end"]]
        yield from text_target(evidence, paper_iri(item["paper"], base), item["start"], item["end"], sentence)


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def to_rdf(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> Graph:
    """All statements as one rdflib Graph (the union of the named graphs)."""
    rdf_graph = bind_prefixes(Graph())
    for s, p, o, _ in rdf_quads(G, base=base):
        rdf_graph.add((s, p, o))
    return rdf_graph


def jsonld_context() -> dict:
    """The JSON-LD context published with the ontology (``ontology/context.jsonld``)."""
    return json.loads(resources.files("kg").joinpath("data/ontology/context.jsonld").read_text(encoding="utf-8"))


@lru_cache(maxsize=1 << 16)
def named_node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)  # cached: predicates, classes and entities recur on every paper


def oxigraph_term(term):
    """An rdflib term as the pyoxigraph term that writes and queries it."""
    if isinstance(term, URIRef):
        return named_node(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None and term.datatype != XSD.string:
        return ox.Literal(str(term), datatype=named_node(str(term.datatype)))
    return ox.Literal(str(term))


def oxigraph_quads(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> Iterator[ox.Quad]:
    """`rdf_quads` as pyoxigraph quads (for the writers and the query engine)."""
    for s, p, o, g in rdf_quads(G, base=base):
        yield ox.Quad(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o), oxigraph_term(g))


def compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def jsonld_document(triples: Iterable[ox.Triple]) -> dict:
    """A flattened JSON-LD document (one node object per subject) under the published context.

    Property and class IRIs are compacted with the context's prefixes; resources keep full IRIs.
    """
    context = jsonld_context()["@context"]
    prefixes = {prefix: namespace for prefix, namespace in context.items() if isinstance(namespace, str)}
    nodes: dict[str, dict] = {}
    for quad in triples:
        node = nodes.setdefault(quad.subject.value, {"@id": quad.subject.value})
        if quad.predicate.value == str(RDF.type):
            node.setdefault("@type", []).append(compact_iri(quad.object.value, prefixes))
            continue
        obj = quad.object
        if isinstance(obj, ox.NamedNode):
            value = {"@id": obj.value}
        elif obj.language:
            value = {"@value": obj.value, "@language": obj.language}
        elif obj.datatype.value != str(XSD.string):
            value = {"@value": obj.value, "@type": compact_iri(obj.datatype.value, prefixes)}
        else:
            value = obj.value
        node.setdefault(compact_iri(quad.predicate.value, prefixes), []).append(value)
    return {"@context": context, "@graph": list(nodes.values())}


class StatementCounts:
    """Counts for the VoID description, gathered while the statements stream past."""

    def __init__(self):
        self.triples = 0
        self.classes: Counter[str] = Counter()
        self.properties: Counter[str] = Counter()
        self.subjects: set[str] = set()
        self.typed: set[str] = set()

    def count(self, triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
        rdf_type = str(RDF.type)
        for triple in triples:
            self.triples += 1
            self.properties[triple.predicate.value] += 1
            self.subjects.add(triple.subject.value)
            if triple.predicate.value == rdf_type:
                self.classes[triple.object.value] += 1
                self.typed.add(triple.subject.value)
            yield triple


def void_description(counts: StatementCounts, files: Iterable[str], run: dict, base: str) -> list[tuple]:
    """A VoID description of the export: sizes, class and property partitions, dumps, vocabularies."""
    dataset = URIRef(f"{base}void#dataset")
    count = lambda n: Literal(n, datatype=XSD.integer)  # noqa: E731
    void = [
        (dataset, RDF.type, VOID.Dataset),
        (dataset, DCTERMS.title, Literal("kg knowledge graph of machine-learning papers")),
        (dataset, DCTERMS.created, Literal(run["ended"], datatype=XSD.dateTime)),
        (dataset, PROV.wasGeneratedBy, run_iri(run, base)),
        (dataset, VOID.uriSpace, Literal(base)),
        (dataset, VOID.triples, count(counts.triples)),
        (dataset, VOID.entities, count(len(counts.typed))),
        (dataset, VOID.distinctSubjects, count(len(counts.subjects))),
        (dataset, VOID.properties, count(len(counts.properties))),
        (dataset, VOID.classes, count(len(counts.classes))),
    ]
    void += [(dataset, VOID.vocabulary, URIRef(str(ns))) for ns in (KG, OA, DCTERMS, SKOS, PROV, MLS, SCHEMA)]
    void += [(dataset, VOID.dataDump, URIRef(base + name)) for name in files]  # written relative to the file
    for index, (cls, n) in enumerate(sorted(counts.classes.items())):
        partition = URIRef(f"{base}void#class-{index}")
        void += [(dataset, VOID.classPartition, partition), (partition, VOID["class"], URIRef(cls)),
                 (partition, VOID.entities, count(n))]
    for index, (prop, n) in enumerate(sorted(counts.properties.items())):
        partition = URIRef(f"{base}void#property-{index}")
        void += [(dataset, VOID.propertyPartition, partition), (partition, VOID.property, URIRef(prop)),
                 (partition, VOID.triples, count(n))]
    return void


def oxigraph_triples(G: nx.MultiDiGraph, base: str) -> Iterator[ox.Triple]:
    return (ox.Triple(q.subject, q.predicate, q.object) for q in oxigraph_quads(G, base=base))


def write_rdf(G: nx.MultiDiGraph, output_dir: Path, formats: Iterable[str] = DEFAULT_FORMATS, *,
              base: str = DEFAULT_BASE) -> list[Path]:
    """Write the chosen RDF formats into `output_dir` (each file atomically); return their paths.

    Turtle, N-Triples and TriG are written by pyoxigraph's serialisers as the statements stream
    past (each statement is emitted once, so nothing needs holding); JSON-LD groups the statements
    by subject in memory; the VoID counts are taken on the first pass.
    """
    formats = list(dict.fromkeys(formats))
    unknown = [name for name in formats if name not in RDF_FORMATS]
    if unknown:
        raise ExportError(f"unknown RDF format(s) {', '.join(unknown)}; choose from {', '.join(RDF_FORMATS)}")
    output_dir = Path(output_dir)
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    counts = StatementCounts() if "void" in formats else None
    paths = []

    def statements(name: str):
        stream = oxigraph_quads(G, base=base) if name == "trig" else oxigraph_triples(G, base)
        if counts is not None and counts.triples == 0 and name != "trig":
            return counts.count(stream)
        return stream

    for name in formats:
        path = output_dir / RDF_FORMATS[name][0]
        if name in ("ttl", "nt", "trig"):
            rdf_format = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG}[name]
            paths.append(write_bytes(path, lambda handle: ox.serialize(statements(name), handle, format=rdf_format,
                                                                       prefixes=prefixes)))
        elif name == "jsonld":
            document = jsonld_document(statements(name))
            paths.append(write_bytes(path, lambda handle: handle.write(
                json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))))
    if counts is not None:
        if counts.triples == 0:  # VoID asked for alone
            for _ in counts.count(oxigraph_triples(G, base)):
                pass
        dumps = [RDF_FORMATS[name][0] for name in formats if name != "void"]
        void = bind_prefixes(Graph())
        for triple in void_description(counts, dumps, G.graph["run"], base):
            void.add(triple)
        text = void.serialize(format="turtle", base=base)  # small; rdflib writes the dumps relative to the file
        paths.append(write_bytes(output_dir / RDF_FORMATS["void"][0], lambda handle: handle.write(text.encode("utf-8"))))
    return paths


def write_bytes(path: Path, write) -> Path:
    atomic_write(path, write, binary=True)
    return path
