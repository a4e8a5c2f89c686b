"""Serve: an RDF export in; a read-only SPARQL 1.1 Protocol endpoint on loopback out.

``kg serve exports/`` answers ``GET /sparql?query=…`` and ``POST /sparql`` (form-encoded or
``application/sparql-query``) with the standard result formats (JSON, XML, CSV, TSV for SELECT
and ASK; Turtle or N-Triples for CONSTRUCT and DESCRIBE), chosen by the Accept header.

Guarantees, each tested in tests/test_serve.py:

- bound to 127.0.0.1 unless ``--host`` says otherwise;
- read-only: SPARQL Update is refused (403) whichever way it is sent;
- ``SERVICE`` is refused (403) after parsing and before evaluation, so the endpoint never calls out;
- every query runs in a worker process; one that outlives ``--timeout`` is stopped and answered
  with 503, never with a truncated 200 (the worker is replaced);
- a result larger than ``--max-rows`` rows (or triples) is answered with 413 and a hint to add LIMIT;
- no CORS headers unless ``--cors ORIGIN`` is given.
"""
from __future__ import annotations

import csv
import io
import json
import multiprocessing
import queue
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

import pyoxigraph as ox
from pyparsing import ParseResults

from .errors import QueryError
from .query import QUERY_PREFIXES, export_file, load_store

__all__ = ["EndpointConfig", "make_server", "check_query"]

DEFAULT_PORT = 7878
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}


@dataclass(frozen=True)
class EndpointConfig:
    graph: Path  # an export file or a build directory
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    timeout: float = 10.0  # seconds per query
    max_rows: int = 10_000
    cors_origin: str | None = None
    workers: int = 2


class Refused(Exception):
    """A request the endpoint will not evaluate; carries the HTTP status and the reason."""

    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def check_query(text: str) -> None:
    """Parse `text` and refuse what a read-only, closed endpoint must not run.

    >>> check_query("SELECT * WHERE { ?s ?p ?o }")
    >>> check_query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    Traceback (most recent call last):
    ...
    kg.serve.Refused: this endpoint is read-only: SPARQL Update is refused
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    kg.serve.Refused: SERVICE is refused: this endpoint does not call other endpoints
    """
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except Exception as query_error:  # pyparsing's ParseException and friends
        try:
            parseUpdate(text)
        except Exception:
            raise Refused(HTTPStatus.BAD_REQUEST, f"SPARQL syntax error: {query_error}") from None
        raise Refused(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL Update is refused") from None
    if contains_service(parsed):
        raise Refused(HTTPStatus.FORBIDDEN, "SERVICE is refused: this endpoint does not call other endpoints")


def contains_service(node) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):  # rdflib's CompValue
        return any(contains_service(value) for value in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(contains_service(item) for item in node)
    return False


# --- workers: each owns a store and runs one query at a time --------------------------------

def worker_main(path: str, connection) -> None:
    store = load_store(path)
    connection.send(("ready", None, None))
    while True:
        request = connection.recv()
        if request is None:
            return
        connection.send(evaluate(store, *request))


def evaluate(store: ox.Store, text: str, accept: str, max_rows: int) -> tuple[int, str, bytes]:
    """(status, content type, body) for one query; only refusals and results, never a partial body."""
    try:
        result = store.query(text, prefixes=QUERY_PREFIXES, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            content_type = next((t for t in GRAPH_TYPES if t in accept), "text/turtle")
            triples = []
            for triple in result:
                triples.append(triple)
                if len(triples) > max_rows:
                    return too_large(max_rows)
            return 200, content_type, ox.serialize(triples, format=GRAPH_TYPES[content_type], prefixes=QUERY_PREFIXES)
        content_type = next((t for t in RESULT_TYPES if t in accept), "application/sparql-results+json")
        if isinstance(result, ox.QueryBoolean):
            return 200, content_type, result.serialize(format=RESULT_TYPES[content_type])
        variables, rows = result.variables, []
        for solution in result:
            rows.append(solution)
            if len(rows) > max_rows:
                return too_large(max_rows)
        return 200, content_type, serialise_solutions(variables, rows, RESULT_TYPES[content_type])
    except SyntaxError as error:
        return 400, "text/plain; charset=utf-8", f"SPARQL syntax error: {error}\n".encode()
    except (OSError, ValueError, RuntimeError) as error:
        return 400, "text/plain; charset=utf-8", f"SPARQL error: {error}\n".encode()


def too_large(max_rows: int) -> tuple[int, str, bytes]:
    return (413, "text/plain; charset=utf-8",
            f"the result has more than {max_rows} rows; add LIMIT (and OFFSET to page) or ask for less\n".encode())


def serialise_solutions(variables, rows, result_format) -> bytes:
    """SPARQL results (JSON, XML, CSV or TSV) for solutions already collected and counted."""
    names = [variable.value for variable in variables]
    if result_format == ox.QueryResultsFormat.JSON:
        bindings = [{name: json_term(row[name]) for name in names if row[name] is not None} for row in rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
    if result_format == ox.QueryResultsFormat.XML:
        return xml_results(names, rows)
    if result_format == ox.QueryResultsFormat.TSV:  # terms in N-Triples syntax, as the TSV format says
        lines = ["\t".join("?" + name for name in names)]
        lines += ["\t".join("" if row[name] is None else str(row[name]) for name in names) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    buffer = io.StringIO()  # CSV: plain values
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([["" if row[name] is None else csv_value(row[name]) for name in names] for row in rows])
    return buffer.getvalue().encode()


def json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    item = {"type": "literal", "value": term.value}
    if term.language:
        item["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        item["datatype"] = term.datatype.value
    return item


def csv_value(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def xml_results(names: list[str], rows) -> bytes:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f'<variable name="{escape(name)}"/>' for name in names]
    out += ["</head>", "<results>"]
    for row in rows:
        out.append("<result>")
        for name in names:
            term = row[name]
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                value = f"<uri>{escape(term.value)}</uri>"
            elif isinstance(term, ox.BlankNode):
                value = f"<bnode>{escape(term.value)}</bnode>"
            elif term.language:
                value = f'<literal xml:lang="{escape(term.language)}">{escape(term.value)}</literal>'
            else:
                value = f'<literal datatype="{escape(term.datatype.value)}">{escape(term.value)}</literal>'
            out.append(f'<binding name="{escape(name)}">{value}</binding>')
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out).encode()


class WorkerPool:
    """Worker processes with a store each; a query that overstays its timeout kills its worker."""

    def __init__(self, path: Path, size: int):
        self.path = str(path)
        self.context = multiprocessing.get_context("spawn")  # no fork from a threaded server
        self.idle: queue.Queue = queue.Queue()
        for _ in range(size):
            self.idle.put(self.start_worker())

    def start_worker(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=worker_main, args=(self.path, child), daemon=True)
        process.start()
        status = parent.recv()
        if status[0] != "ready":  # pragma: no cover - the store loaded in the parent first
            raise QueryError(f"worker could not load {self.path}")
        return process, parent

    def run(self, text: str, accept: str, max_rows: int, timeout: float) -> tuple[int, str, bytes]:
        process, connection = self.idle.get()
        connection.send((text, accept, max_rows))
        if connection.poll(timeout):
            answer = connection.recv()
            self.idle.put((process, connection))
            return answer
        process.kill()
        process.join()
        self.idle.put(self.start_worker())
        return (503, "text/plain; charset=utf-8",
                f"query stopped after the {timeout:g} s timeout; narrow it or add LIMIT\n".encode())

    def close(self) -> None:
        while not self.idle.empty():
            process, connection = self.idle.get()
            process.kill()


class SparqlHandler(BaseHTTPRequestHandler):
    server: "SparqlServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    def do_OPTIONS(self):
        self.reply(HTTPStatus.NO_CONTENT, "text/plain", b"")

    def do_GET(self):
        url = urlparse(self.path)
        if url.path in ("/", ""):
            return self.reply(HTTPStatus.OK, "text/plain; charset=utf-8", self.server.help_text().encode())
        if url.path != "/sparql":
            return self.reply(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found; the endpoint is /sparql\n")
        params = parse_qs(url.query)
        if "update" in params:
            return self.refuse(Refused(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL Update is refused"))
        self.answer(params.get("query", [None])[0])

    def do_POST(self):
        url = urlparse(self.path)
        if url.path != "/sparql":
            return self.reply(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found; the endpoint is /sparql\n")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            return self.refuse(Refused(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL Update is refused"))
        if content_type == "application/sparql-query":
            return self.answer(body)
        params = parse_qs(body)
        if "update" in params:
            return self.refuse(Refused(HTTPStatus.FORBIDDEN, "this endpoint is read-only: SPARQL Update is refused"))
        self.answer(params.get("query", [None])[0])

    def answer(self, text: str | None) -> None:
        if not text:
            return self.refuse(Refused(HTTPStatus.BAD_REQUEST, "no query: pass it as ?query=... or in a POST body"))
        try:
            check_query(text)
        except Refused as refusal:
            return self.refuse(refusal)
        config = self.server.config
        status, content_type, body = self.server.pool.run(text, self.headers.get("Accept") or "", config.max_rows,
                                                          config.timeout)
        self.reply(HTTPStatus(status), content_type, body)

    def refuse(self, refusal: Refused) -> None:
        self.reply(refusal.status, "text/plain; charset=utf-8", f"{refusal}\n".encode())

    def reply(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        origin = self.server.config.cors_origin
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.end_headers()
        self.wfile.write(body)


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, config: EndpointConfig, *, verbose: bool = False):
        self.config = config
        self.verbose = verbose
        self.graph_file = export_file(config.graph)
        load_store(self.graph_file)  # fail here, with a clear message, if the file does not load
        self.pool = WorkerPool(self.graph_file, config.workers)
        super().__init__((config.host, config.port), SparqlHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sparql"

    def help_text(self) -> str:
        c = self.config
        return (f"kg SPARQL endpoint (read-only) over {self.graph_file.name}\n"
                f"GET or POST {self.url} with query=...; timeout {c.timeout:g} s, at most {c.max_rows} rows\n")

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def make_server(config: EndpointConfig, *, verbose: bool = False) -> SparqlServer:
    """A ready server (workers started, socket bound); call ``serve_forever()`` on it."""
    return SparqlServer(config, verbose=verbose)
