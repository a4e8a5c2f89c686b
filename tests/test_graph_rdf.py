"""Graph and RDF: the Turtle parses back with rdflib, its counts match NetworkX, output is stable."""
from __future__ import annotations

import json

import networkx as nx
from rdflib import RDF, XSD, Graph
from rdflib.compare import isomorphic

import kg
from kg.graph import read_graph_json, write_graph_json
from kg.model import ENTITY_TYPES
from kg.rdf import KG, OA, RDF_FORMATS, write_rdf


def test_turtle_counts_match_networkx(seeds_kg, seeds_rdf):
    G = seeds_kg.to_networkx()
    papers = [n for n, d in G.nodes(data=True) if d["kind"] == "Paper"]
    assert len(set(seeds_rdf.subjects(RDF.type, KG.Paper))) == len(papers) == 438
    for entity_type in ENTITY_TYPES:
        in_graph = sum(1 for _, d in G.nodes(data=True) if d["kind"] == "Entity" and d["type"] == entity_type)
        assert len(set(seeds_rdf.subjects(RDF.type, KG[entity_type]))) == in_graph > 0, entity_type
    for relation in ("usesMethod", "usesModel", "usesDataset", "evaluatesOn", "addressesTask", "reportsMetric", "proposes"):
        in_graph = sum(1 for _, _, key in G.edges(keys=True) if key == relation)
        assert len(list(seeds_rdf.triples((None, KG[relation], None)))) == in_graph > 0, relation
    mentions = sum(len(d.get("mentions", [])) for _, _, key, d in G.edges(keys=True, data=True) if key != "proposes")
    assert len(set(seeds_rdf.subjects(RDF.type, KG.Mention))) == mentions
    for kind in ("appliedTo", "datasetForTask", "evaluatedOn", "instanceOf"):
        in_graph = sum(1 for _, _, key in G.edges(keys=True) if key == kind)
        assert len(list(seeds_rdf.triples((None, KG[kind], None)))) == in_graph > 0, kind
    results = sum(len(d.get("results", [])) for _, d in G.nodes(data=True))
    assert len(set(seeds_rdf.subjects(RDF.type, KG.Result))) == results > 50


def test_relation_statements_carry_support_and_evidence(seeds_kg, seeds_rdf):
    rows = list(seeds_rdf.query("""
        SELECT ?s ?support ?confidence (COUNT(DISTINCT ?paper) AS ?papers) (COUNT(DISTINCT ?e) AS ?evidence) WHERE {
          ?s a kg:RelationStatement ; kg:support ?support ; kg:confidence ?confidence ; prov:wasDerivedFrom ?paper .
          ?e oa:hasBody ?s ; oa:hasTarget/oa:hasSelector/oa:exact ?sentence .
        } GROUP BY ?s ?support ?confidence""", initNs={"kg": KG, "oa": OA, "prov": "http://www.w3.org/ns/prov#"}))
    assert rows
    for _, support, confidence, papers, evidence in rows:
        assert int(support) == int(papers) <= int(evidence)
        assert 0 < float(confidence) <= 1


def test_mentions_quote_the_paper_text(seeds_kg, seeds_rdf):
    rows = seeds_rdf.query("""
        SELECT ?id ?start ?end ?exact WHERE {
          ?m oa:hasTarget ?t . ?t oa:hasSource ?p ; oa:hasSelector ?pos, ?q .
          ?pos oa:start ?start ; oa:end ?end . ?q oa:exact ?exact . ?p dcterms:identifier ?id .
        } LIMIT 300""", initNs={"oa": OA, "dcterms": "http://purl.org/dc/terms/"})
    rows = list(rows)
    assert len(rows) == 300
    for paper_id, start, end, exact in rows:
        paper = seeds_kg.G.nodes[f"paper/{paper_id}"]
        assert (paper["title"] + " " + paper["abstract"])[int(start):int(end)] == str(exact)


def test_literals_are_typed_where_it_matters(seeds_rdf):
    dates = list(seeds_rdf.objects(None, kg.rdf.DCTERMS.date))
    assert dates and all(d.datatype == XSD.date for d in dates)
    assert all(c.datatype == XSD.decimal for c in seeds_rdf.objects(None, KG.confidence))
    titles = list(seeds_rdf.objects(None, kg.rdf.DCTERMS.title))
    assert titles and all(t.datatype is None for t in titles)


def small_graph():
    return kg.build([kg.api.default_inputs()[0]]).to_networkx()


def test_exports_are_byte_identical_across_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the run time is the only thing that changes
    write_rdf(small_graph(), tmp_path / "a", RDF_FORMATS)
    write_rdf(small_graph(), tmp_path / "b", RDF_FORMATS)
    for name, _ in RDF_FORMATS.values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert isomorphic(Graph().parse(tmp_path / "a" / "graph.ttl"), Graph().parse(tmp_path / "b" / "graph.ttl"))


def test_node_link_round_trip(tmp_path):
    G = small_graph()
    write_graph_json(G, tmp_path / "graph.json")
    H = read_graph_json(tmp_path / "graph.json")
    assert nx.is_isomorphic(G, H)
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert json.loads((tmp_path / "graph.json").read_text())["directed"] is True


def test_edges_carry_evidence(seeds_kg):
    G = seeds_kg.G
    for source, _, key, data in G.edges(keys=True, data=True):
        assert 0 < data["confidence"] <= 1
        if G.nodes[source]["kind"] == "Paper":
            assert data["mentions"], key
            assert all(m["section"] in ("title", "abstract") for m in data["mentions"])
        else:  # an entity -> entity relation: each statement points at a sentence of a paper it names
            assert data["support"] == len(data["papers"]) == len({e["paper"] for e in data["evidence"]})
            assert all(e["end"] > e["start"] for e in data["evidence"])


def test_lora_long_form_and_acronym_resolve_to_one_node():
    from kg.model import ExtractedEntity, Mention, Paper, PaperExtraction
    from kg.graph import build_graph
    mention = (Mention(0, 4, "x", 0.9, "ner"),)
    extractions = [
        PaperExtraction(Paper("p1", "", "a"), (ExtractedEntity("Method", "Low-Rank Adaptation", ("LoRA",), mention),)),
        PaperExtraction(Paper("p2", "", "b"), (ExtractedEntity("Method", "LoRA", (), mention),)),
        PaperExtraction(Paper("p3", "", "c"), (ExtractedEntity("Method", "low-rank adaptations", (), mention),)),
    ]
    G = build_graph(extractions)
    entity_nodes = [n for n, d in G.nodes(data=True) if d["kind"] == "Entity"]
    assert entity_nodes == ["method/low-rank-adaptation"]
    assert G.in_degree("method/low-rank-adaptation") == 3


def test_papers_with_code_links_carry_their_source(seeds_kg, seeds_rdf):
    from rdflib.namespace import SKOS
    linked = [e for e in seeds_kg.entities() if e["pwc_url"]]
    assert len(linked) >= 20
    adam = next(e for e in linked if e["label"] == "Adam")
    assert adam["pwc_url"] == "https://paperswithcode.com/method/adam"
    subject = kg.rdf.entity_iri(adam["id"])
    assert (subject, SKOS.exactMatch, kg.rdf.URIRef(adam["pwc_url"])) in seeds_rdf
    assert str(seeds_rdf.value(subject, KG.linkSource)).startswith("Papers with Code methods dump")
    assert all(str(p).startswith("https://arxiv.org/abs/") for p in seeds_rdf.objects(None, kg.rdf.RDFS.seeAlso))
