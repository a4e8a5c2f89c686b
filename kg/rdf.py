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
        paper = paper_iri(G.nodes[source]["id"], base)
        entity = entity_iri(target, base)
        add((paper, KG[relation], entity))
        if relation == "proposes":
            continue  # the mentions are already attached to the typed relation
        for mention in data["mentions"]:
            add_mention(rdf_graph, paper, entity, target, G.nodes[source]["id"], mention, base)
    return rdf_graph


def add_mention(rdf_graph: Graph, paper: URIRef, entity: URIRef, node_id: str, paper_id: str, mention: dict, base: str) -> None:
    annotation = URIRef(f"{base}mention/{quote(paper_id, safe='')}/{mention['start']}-{mention['end']}/{quote(node_id, safe='/')}")
    target, position, quote_selector = (URIRef(f"{annotation}#{part}") for part in ("target", "position", "quote"))
    add = rdf_graph.add
    add((annotation, RDF.type, KG.Mention))
    add((annotation, OA.hasBody, entity))
    add((annotation, OA.hasTarget, target))
    add((annotation, KG.confidence, Literal(f"{mention['confidence']:.3f}", datatype=XSD.decimal)))
    add((annotation, KG.section, Literal(mention["section"])))
    add((annotation, KG.foundBy, Literal(mention["source"])))
    add((target, RDF.type, OA.SpecificResource))
    add((target, OA.hasSource, paper))
    add((target, OA.hasSelector, position))
    add((target, OA.hasSelector, quote_selector))
    add((position, RDF.type, OA.TextPositionSelector))
    add((position, OA.start, Literal(mention["start"], datatype=XSD.nonNegativeInteger)))
    add((position, OA.end, Literal(mention["end"], datatype=XSD.nonNegativeInteger)))
    add((quote_selector, RDF.type, OA.TextQuoteSelector))
    add((quote_selector, OA.exact, Literal(mention["text"])))


def write_turtle(G: nx.MultiDiGraph, path: Path, *, base: str = DEFAULT_BASE) -> Graph:
    """Write the graph as Turtle (atomically) and return the rdflib graph."""
    rdf_graph = to_rdf(G, base=base)
    text = rdf_graph.serialize(format="turtle")
    atomic_write(path, lambda handle: handle.write(text))
    return rdf_graph
