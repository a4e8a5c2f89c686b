"""Shared fixtures: one real build of the bundled seeds, reused by every test that needs it."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

import kg
from kg.query import load_store
from kg.rdf import RDF_FORMATS

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
QUERIES_DIR = ROOT / "examples" / "queries"


@pytest.fixture(scope="session")
def seeds_dir(tmp_path_factory) -> Path:
    """The bundled seeds built with the default pipeline, every RDF format, into a temporary directory."""
    out = tmp_path_factory.mktemp("exports")
    graph = kg.build()
    graph.write(out, formats=list(RDF_FORMATS))
    return out


@pytest.fixture(scope="session")
def seeds_store(seeds_dir):
    """The seeds export loaded into pyoxigraph, as `kg query` loads it."""
    return load_store(seeds_dir / "graph.ttl")


@pytest.fixture(scope="session")
def seeds_kg(seeds_dir) -> kg.KnowledgeGraph:
    return kg.load(seeds_dir)


@pytest.fixture(scope="session")
def seeds_rdf(seeds_dir) -> Graph:
    rdf_graph = Graph()
    rdf_graph.parse(seeds_dir / "graph.ttl")
    return rdf_graph


@pytest.fixture(autouse=True)
def doctest_namespace_kg(doctest_namespace):
    doctest_namespace["kg"] = kg
