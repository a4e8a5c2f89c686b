"""RDF: the NetworkX graph in, an rdflib Graph and Turtle out, under the ontology in ``ontology/kg.ttl``.

IRIs are derived from ids only (``<base>paper/<id>``, ``<base>entity/<type>/<slug>``,
``<base>mention/<paper>/<start>-<end>/<type>/<slug>``), so the same input gives the same IRIs and,
since the Turtle writer sorts subjects and predicates, byte-identical files on every run.
Each mention is a Web Annotation: ``oa:hasBody`` the entity, a target whose source is the
paper, with a TextPositionSelector (start, end) and a TextQuoteSelector (exact). Entities that
Papers with Code knows link to it (``skos:exactMatch`` for Method/Task/Metric, ``schema:sameAs``
for Model/Dataset/Benchmark) with ``kg:linkSource`` naming where the link came from.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import networkx as nx
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .graph import atomic_write

__all__ = ["KG", "OA", "FABIO", "DEFAULT_BASE", "to_rdf", "write_turtle", "paper_iri", "entity_iri"]

KG = Namespace("https://w3id.org/mlkg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
FABIO = Namespace("http://purl.org/spar/fabio/")
SCHEMA = Namespace("https://schema.org/")
DEFAULT_BASE = "https://w3id.org/mlkg/resource/"
PREFIXES = {"kg": KG, "oa": OA, "fabio": FABIO, "schema": SCHEMA, "dcterms": DCTERMS, "skos": SKOS, "prov": PROV, "rdfs": RDFS, "xsd": XSD}


def paper_iri(paper_id: str, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}paper/{quote(paper_id, safe='')}")


def entity_iri(node_id: str, base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base}entity/{quote(node_id, safe='/')}")


def to_rdf(G: nx.MultiDiGraph, *, base: str = DEFAULT_BASE) -> Graph:
    """Translate the graph into RDF triples (papers, entities, relations, mention annotations)."""
    rdf_graph = Graph()
    for prefix, namespace in PREFIXES.items():
        rdf_graph.bind(prefix, namespace)
    add = rdf_graph.add
    for node, data in G.nodes(data=True):
        if data["kind"] == "Paper":
            subject = paper_iri(data["id"], base)
            add((subject, RDF.type, KG.Paper))
            add((subject, DCTERMS.identifier, Literal(data["id"])))
            if data.get("title"):
                add((subject, DCTERMS.title, Literal(data["title"])))
            add((subject, DCTERMS.abstract, Literal(data["abstract"])))
            if data.get("date"):
                add((subject, DCTERMS.date, Literal(data["date"], datatype=XSD.date)))
            if data.get("arxiv"):
                add((subject, KG.arxivId, Literal(data["arxiv"])))
                add((subject, RDFS.seeAlso, URIRef(f"https://arxiv.org/abs/{data['arxiv']}")))
            if data.get("authors") is not None:
                add((subject, KG.authorCount, Literal(data["authors"], datatype=XSD.integer)))
        else:
            subject = entity_iri(node, base)
            add((subject, RDF.type, KG[data["type"]]))
            add((subject, RDFS.label, Literal(data["label"])))
            add((subject, SKOS.prefLabel, Literal(data["label"])))
            for alias in data.get("aliases", []):
                add((subject, SKOS.altLabel, Literal(alias)))
            if data.get("pwc_url"):
                link = SKOS.exactMatch if data["type"] in ("Method", "Task", "Metric") else SCHEMA.sameAs
                add((subject, link, URIRef(data["pwc_url"])))
                add((subject, KG.linkSource, Literal(data["link_source"])))
    for source, target, relation, data in G.edges(keys=True, data=True):
        if G.nodes[source]["kind"] == "Entity":
            add_relation(rdf_graph, G, source, target, relation, data, base)
            continue
        paper = paper_iri(G.nodes[source]["id"], base)
        entity = entity_iri(target, base)
        add((paper, KG[relation], entity))
        if relation == "proposes":
            continue  # the mentions are already attached to the typed relation
        for mention in data["mentions"]:
            annotation = URIRef(f"{base}mention/{quote(G.nodes[source]['id'], safe='')}/{mention['start']}-{mention['end']}/"
                                f"{quote(target, safe='/')}")
            add((annotation, RDF.type, KG.Mention))
            add((annotation, OA.hasBody, entity))
            add((annotation, KG.confidence, decimal(mention["confidence"])))
            add((annotation, KG.section, Literal(mention["section"])))
            add((annotation, KG.foundBy, Literal(mention["source"])))
            add_text_target(rdf_graph, annotation, paper, mention["start"], mention["end"], mention["text"])
    for node, data in G.nodes(data=True):
        for index, result in enumerate(data.get("results", [])):
            add_result(rdf_graph, G, node, index, result, base)
    return rdf_graph


def decimal(value: float) -> Literal:
    return Literal(f"{value:.3f}", datatype=XSD.decimal)


def add_text_target(rdf_graph: Graph, annotation: URIRef, paper: URIRef, start: int, end: int, exact: str) -> None:
    """Point `annotation` at characters start..end of the paper's text (title + " " + abstract)."""
    target, position, quote_selector = (URIRef(f"{annotation}#{part}") for part in ("target", "position", "quote"))
    add = rdf_graph.add
    add((annotation, OA.hasTarget, target))
    add((target, RDF.type, OA.SpecificResource))
    add((target, OA.hasSource, paper))
    add((target, OA.hasSelector, position))
    add((target, OA.hasSelector, quote_selector))
    add((position, RDF.type, OA.TextPositionSelector))
    add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    add((quote_selector, RDF.type, OA.TextQuoteSelector))
    add((quote_selector, OA.exact, Literal(exact)))


def paper_text(G: nx.MultiDiGraph, node: str) -> str:
    return G.nodes[node]["title"] + " " + G.nodes[node]["abstract"]


def add_relation(rdf_graph: Graph, G: nx.MultiDiGraph, source: str, target: str, kind: str, data: dict, base: str) -> None:
    """The relation as a triple, plus a statement node carrying its support, confidence and evidence."""
    subject, obj = entity_iri(source, base), entity_iri(target, base)
    statement = URIRef(f"{base}relation/{kind}/{quote(source, safe='/')}/{quote(target, safe='/')}")
    add = rdf_graph.add
    add((subject, KG[kind], obj))
    add((statement, RDF.type, KG.RelationStatement))
    add((statement, RDF.subject, subject))
    add((statement, RDF.predicate, KG[kind]))
    add((statement, RDF.object, obj))
    add((statement, KG.support, Literal(data["support"], datatype=XSD.integer)))
    add((statement, KG.confidence, decimal(data["confidence"])))
    for paper_id in data["papers"]:
        add((statement, PROV.wasDerivedFrom, paper_iri(paper_id, base)))
    for item in data["evidence"]:
        paper_node = f"paper/{item['paper']}"
        evidence = URIRef(f"{statement}/evidence/{quote(item['paper'], safe='')}/{item['start']}-{item['end']}")
        add((evidence, RDF.type, KG.Evidence))
        add((evidence, OA.hasBody, statement))
        add((evidence, KG.confidence, decimal(item["confidence"])))
        add((evidence, KG.rule, Literal(item["rule"])))
        add_text_target(rdf_graph, evidence, paper_iri(item["paper"], base), item["start"], item["end"],
                        paper_text(G, paper_node)[item["start"]:item["end"]])


def add_result(rdf_graph: Graph, G: nx.MultiDiGraph, node: str, index: int, result: dict, base: str) -> None:
    paper_id = G.nodes[node]["id"]
    paper = paper_iri(paper_id, base)
    subject = URIRef(f"{base}result/{quote(paper_id, safe='')}/{index}")
    add = rdf_graph.add
    add((paper, KG.reportsResult, subject))
    add((subject, RDF.type, KG.Result))
    add((subject, KG.value, Literal(result["value"], datatype=XSD.decimal)))
    add((subject, KG.resultKind, Literal(result["kind"])))
    if result["unit"]:
        add((subject, KG.unit, Literal(result["unit"])))
    if result["direction"]:
        add((subject, KG.direction, Literal(result["direction"])))
    for part, predicate in (("metric", KG.onMetric), ("dataset", KG.onDataset), ("subject", KG.ofEntity)):
        if result[part]:
            add((subject, predicate, entity_iri(result[part], base)))
    add((subject, KG.sentence, Literal(paper_text(G, node)[result["sentence_start"]:result["sentence_end"]])))
    add_text_target(rdf_graph, subject, paper, result["start"], result["end"], result["text"])


def write_turtle(G: nx.MultiDiGraph, path: Path, *, base: str = DEFAULT_BASE) -> Graph:
    """Write the graph as Turtle (atomically) and return the rdflib graph."""
    rdf_graph = to_rdf(G, base=base)
    text = rdf_graph.serialize(format="turtle")
    atomic_write(path, lambda handle: handle.write(text))
    return rdf_graph
