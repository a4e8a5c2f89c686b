"""Validate: an RDF export (file or rdflib Graph) in; a SHACL conformance report out.

The shapes are ``ontology/shapes.ttl``; ``ontology/kg.ttl`` is mixed in so ``sh:class kg:Entity``
accepts a ``kg:Method`` (pySHACL, no other inference).

>>> from rdflib import Graph
>>> report = validate_rdf(Graph().parse(data='''
...     @prefix kg: <https://w3id.org/mlkg/ontology#> .
...     <https://example.org/e> a kg:Method .''', format="turtle"))
>>> report.conforms, report.violations
(False, 3)
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.namespace import SH

from .errors import ExportError

__all__ = ["ValidationReport", "validate_rdf", "load_export"]

RDF_FORMAT_BY_SUFFIX = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".jsonld": "json-ld", ".json": "json-ld"}


@dataclass
class ValidationReport:
    conforms: bool
    violations: int
    text: str  # pySHACL's report, readable


def ontology_file(name: str) -> Graph:
    return Graph().parse(data=resources.files("kg").joinpath(f"data/ontology/{name}").read_text(encoding="utf-8"),
                         format="turtle")


def load_export(path: Path | str) -> Graph:
    """Parse an export file (format from its suffix); the named graphs of TriG are merged."""
    path = Path(path)
    rdf_format = RDF_FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if rdf_format is None:
        raise ExportError(f"{path}: unknown RDF file type {path.suffix!r}; use one of {', '.join(RDF_FORMAT_BY_SUFFIX)}")
    if not path.is_file():
        raise ExportError(f"{path}: no such file")
    try:
        if rdf_format == "trig":
            dataset = Dataset()
            dataset.parse(path, format="trig")
            graph = Graph()
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
            return graph
        return Graph().parse(path, format=rdf_format)
    except Exception as error:  # each rdflib parser raises its own types
        raise ExportError(f"{path}: cannot parse as {rdf_format}: {error}") from error


def validate_rdf(data: Graph | Path | str) -> ValidationReport:
    """Check `data` (a Graph or an export file) against the kg SHACL shapes."""
    import pyshacl  # imported here: it takes a second to load and only validation needs it

    graph = data if isinstance(data, Graph) else load_export(data)
    conforms, results, text = pyshacl.validate(graph, shacl_graph=ontology_file("shapes.ttl"),
                                               ont_graph=ontology_file("kg.ttl"), inference="none",
                                               allow_warnings=True)
    violations = len(set(results.subjects(SH.resultSeverity, SH.Violation)))
    return ValidationReport(conforms=bool(conforms), violations=violations, text=text)
