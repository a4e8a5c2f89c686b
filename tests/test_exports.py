"""RDF exports: every format parses back with rdflib to the same statements and passes the SHACL shapes."""
from __future__ import annotations

import json

import pytest
from rdflib import RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, VOID

import kg
from kg.rdf import KG, RDF_FORMATS, jsonld_context, write_rdf
from kg.validate import load_export, validate_rdf

from .conftest import ROOT


@pytest.fixture(scope="module")
def small_exports(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    write_rdf(kg.build([kg.api.default_inputs()[0]]).to_networkx(), out, RDF_FORMATS)
    return out


@pytest.mark.parametrize("name", [name for name, _ in RDF_FORMATS.values()])
def test_every_format_of_a_small_build_conforms_to_the_shapes(small_exports, name):
    report = validate_rdf(small_exports / name)
    assert report.conforms, report.text


def test_the_seeds_export_conforms_to_the_shapes(seeds_dir, seeds_rdf):
    report = validate_rdf(seeds_rdf)
    assert report.conforms, report.text[:5000]
    assert validate_rdf(seeds_dir / "void.ttl").conforms


@pytest.mark.parametrize("name", ["graph.nt", "graph.jsonld", "graph.trig"])
def test_every_seeds_format_holds_the_same_statements_as_the_turtle(seeds_dir, seeds_rdf, name):
    assert set(load_export(seeds_dir / name)) == set(seeds_rdf)


def test_shapes_catch_broken_data(seeds_rdf):
    broken = Graph()
    mention = next(seeds_rdf.subjects(RDF.type, KG.Mention))
    for triple in seeds_rdf.triples((mention, None, None)):
        broken.add(triple)
    broken.set((mention, KG.confidence, Literal("1.5", datatype=XSD.decimal)))  # out of [0, 1]
    entity = URIRef("https://w3id.org/mlkg/resource/entity/method/x")
    broken.add((entity, RDF.type, KG.Method))  # no label
    report = validate_rdf(broken)
    assert not report.conforms
    assert "kg:confidence" in report.text or "confidence" in report.text
    assert "rdfs:label" in report.text or "label" in report.text


def test_trig_has_a_graph_per_paper_plus_entities_and_provenance(seeds_dir, seeds_kg):
    dataset = Dataset()
    dataset.parse(seeds_dir / "graph.trig", format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    papers = {n for n in names if "/graph/paper/" in n}
    assert len(papers) == len(seeds_kg.papers()) == 438
    assert {"https://w3id.org/mlkg/resource/graph/entities", "https://w3id.org/mlkg/resource/graph/provenance"} <= names
    provenance = dataset.graph(URIRef("https://w3id.org/mlkg/resource/graph/provenance"))
    run = next(provenance.subjects(RDF.type, KG.ExtractionRun))
    assert len(list(provenance.objects(run, PROV.used))) == 5  # the five seed listings, with their SHA-256
    assert provenance.value(run, PROV.startedAtTime).datatype == XSD.dateTime


def test_ntriples_and_turtle_have_plain_literals(seeds_dir):
    for name in ("graph.nt", "graph.ttl"):
        text = (seeds_dir / name).read_text(encoding="utf-8")
        assert "XMLSchema#string" not in text and "xsd:string" not in text, name


def test_jsonld_uses_the_published_context(seeds_dir):
    document = json.loads((seeds_dir / "graph.jsonld").read_text(encoding="utf-8"))
    published = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"] == jsonld_context()["@context"]
    assert any("kg:Paper" in node.get("@type", []) for node in document["@graph"])


def test_void_counts_match_the_export(seeds_dir, seeds_rdf):
    void = Graph().parse(seeds_dir / "void.ttl")
    dataset = next(void.subjects(RDF.type, VOID.Dataset))
    assert int(void.value(dataset, VOID.triples)) == len(seeds_rdf)
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
                  for p in void.objects(dataset, VOID.classPartition)}
    assert partitions[KG.Paper] == 438
    assert partitions[KG.Result] == len(set(seeds_rdf.subjects(RDF.type, KG.Result)))
    dumps = {str(d).rsplit("/", 1)[-1] for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {"graph.ttl", "graph.nt", "graph.trig", "graph.jsonld"}


def test_every_mention_is_a_web_annotation_generated_by_the_run(seeds_rdf):
    mentions = set(seeds_rdf.subjects(RDF.type, KG.Mention))
    run = next(seeds_rdf.subjects(RDF.type, KG.ExtractionRun))
    assert mentions and all((m, RDF.type, URIRef("http://www.w3.org/ns/oa#Annotation")) in seeds_rdf for m in mentions)
    assert all((m, PROV.wasGeneratedBy, run) in seeds_rdf for m in mentions)


def test_the_ontology_declares_every_class_and_property_the_export_uses(seeds_rdf):
    ontology = Graph().parse(ROOT / "ontology" / "kg.ttl")
    declared = set(ontology.subjects())
    used = {p for p in seeds_rdf.predicates() if str(p).startswith(str(KG))}
    used |= {o for o in seeds_rdf.objects(None, RDF.type) if str(o).startswith(str(KG))}
    assert used - declared == set()


def test_the_ontology_diagram_is_current():
    import subprocess
    import sys
    result = subprocess.run([sys.executable, str(ROOT / "ontology" / "diagram.py"), "--check"], capture_output=True)
    assert result.returncode == 0, "ontology/README.md is out of date: run python ontology/diagram.py"
