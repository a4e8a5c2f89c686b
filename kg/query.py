"""Query: SPARQL text (or a .rq file) and an RDF graph in, a table of rows out (text, CSV or JSON).

>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
>>> result = run_query(g, "SELECT ?o WHERE { ?s ?p ?o }")
>>> result.columns, result.rows
(['o'], [['x']])
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.query import ResultException

from .errors import QueryError
from .rdf import PREFIXES

__all__ = ["QueryResult", "run_query", "load_rdf", "read_query_text", "format_result"]

FORMATS = ("table", "csv", "json")


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[str | None]]  # each cell as text; None where the variable is unbound


def read_query_text(query_or_file: str) -> str:
    """A SPARQL query given inline, or the contents of the file it names."""
    path = Path(query_or_file)
    if query_or_file.endswith((".rq", ".sparql")) or (len(query_or_file) < 4096 and "\n" not in query_or_file and path.is_file()):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise QueryError(f"cannot read query file {query_or_file}: {error.strerror or error}") from error
    return query_or_file


def load_rdf(path: Path | str) -> Graph:
    """Parse an RDF file (format from its extension: .ttl, .nt, .trig, .jsonld, .rdf)."""
    path = Path(path)
    if not path.is_file():
        raise QueryError(f"graph file {path} does not exist; build one with 'kg build' (it writes exports/graph.ttl)")
    rdf_graph = Graph()
    try:
        rdf_graph.parse(path)
    except Exception as error:  # rdflib raises many parser-specific types
        raise QueryError(f"cannot parse {path} as RDF: {error}") from error
    return rdf_graph


def run_query(rdf_graph: Graph, sparql: str) -> QueryResult:
    """Run a SELECT or ASK query; the kg, oa, dcterms, skos, prov, rdfs, xsd prefixes are predeclared."""
    try:
        result = rdf_graph.query(sparql, initNs=PREFIXES)
    except Exception as error:  # pyparsing and rdflib evaluation errors
        raise QueryError(f"SPARQL error: {error}") from error
    if result.type == "ASK":
        return QueryResult(["ask"], [["true" if result.askAnswer else "false"]])
    if result.type != "SELECT":
        raise QueryError(f"only SELECT and ASK queries are supported here, not {result.type}")
    columns = [str(v) for v in result.vars]
    try:
        rows = [[None if cell is None else str(cell) for cell in row] for row in result]
    except ResultException as error:
        raise QueryError(f"SPARQL error: {error}") from error
    return QueryResult(columns, rows)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render rows as an aligned text table, CSV, or JSON (a list of objects)."""
    if fmt == "json":
        return json.dumps([dict(zip(result.columns, row)) for row in result.rows], ensure_ascii=False, indent=1)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([["" if cell is None else cell for cell in row] for row in result.rows])
        return buffer.getvalue().rstrip("\n")
    if fmt != "table":
        raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    cells = [[("" if c is None else c).replace("\n", " ") for c in row] for row in result.rows]
    widths = [min(60, max([len(col)] + [len(row[i]) for row in cells])) for i, col in enumerate(result.columns)]
    clip = lambda text, width: text if len(text) <= width else text[: width - 1] + "…"  # noqa: E731
    lines = ["  ".join(col.ljust(w) for col, w in zip(result.columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(clip(c, w).ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)
