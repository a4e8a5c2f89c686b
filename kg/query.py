"""Query: SPARQL text (or a .rq file) and an RDF store in; a table of rows out (text, CSV or JSON).

Queries run on pyoxigraph (Oxigraph's SPARQL 1.1 engine): an export of a few hundred thousand
triples loads in well under a second and typical queries answer in milliseconds, where rdflib
takes seconds (``python bench/sparql.py`` measures both). The prefixes kg:, oa:, dcterms:, skos:,
prov:, mls:, schema:, rdfs:, xsd: are predeclared. Named graphs (TriG) are queried as one union
graph unless the query says ``GRAPH``.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x")))
>>> result = run_query(store, "SELECT ?o WHERE { ?s ?p ?o }")
>>> result.columns, result.rows
(['o'], [['x']])
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from .errors import QueryError
from .rdf import PREFIXES

__all__ = ["QueryResult", "run_query", "load_store", "store_from_quads", "read_query_text", "format_result",
           "FORMATS", "EXPORT_FILES"]

FORMATS = ("table", "csv", "json")
OXIGRAPH_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
                    ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML}
EXPORT_FILES = ("graph.nt", "graph.ttl", "graph.trig", "graph.jsonld")  # looked for in a build directory
QUERY_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


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


def export_file(path: Path | str) -> Path:
    """The RDF file to load for `path`: the file itself, or the first export found in a build directory."""
    path = Path(path)
    if path.is_dir():
        for name in EXPORT_FILES:
            if (path / name).is_file():
                return path / name
        raise QueryError(f"{path} holds no RDF export ({', '.join(EXPORT_FILES)}); run 'kg build -o {path}' first")
    if not path.is_file():
        raise QueryError(f"graph file {path} does not exist; build one with 'kg build' (it writes exports/graph.ttl)")
    return path


def load_store(path: Path | str) -> ox.Store:
    """Load an RDF export (or a build directory's export) into an in-memory Oxigraph store."""
    path = export_file(path)
    rdf_format = OXIGRAPH_FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise QueryError(f"{path}: unknown RDF file type {path.suffix!r}; use one of {', '.join(OXIGRAPH_FORMATS)}")
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=rdf_format)
    except (SyntaxError, ValueError, OSError) as error:
        raise QueryError(f"cannot parse {path} as RDF: {error}") from error
    return store


def store_from_quads(quads: Iterable[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(quads)
    return store


def term_text(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def run_query(store: ox.Store, sparql: str) -> QueryResult:
    """Run a query: SELECT gives its variables, ASK one "ask" cell, CONSTRUCT/DESCRIBE (s, p, o) rows."""
    try:
        result = store.query(sparql, prefixes=QUERY_PREFIXES, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(["ask"], [["true" if bool(result) else "false"]])
        if isinstance(result, ox.QueryTriples):
            return QueryResult(["subject", "predicate", "object"],
                               [[term_text(t.subject), term_text(t.predicate), term_text(t.object)] for t in result])
        columns = [variable.value for variable in result.variables]
        return QueryResult(columns, [[term_text(solution[name]) for name in columns] for solution in result])
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from error
    except (OSError, ValueError, RuntimeError) as error:
        raise QueryError(f"SPARQL error: {error}") from error


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
