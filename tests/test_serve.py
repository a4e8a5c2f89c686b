"""`kg serve`: a real endpoint process on loopback, checked request by request."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def start_endpoint(graph, *options):
    """Start `kg serve` on a free loopback port; return (process, endpoint URL)."""
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", str(graph), "--port", "0", *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "Serving" not in line:
        process.kill()
        raise AssertionError(f"server did not start: {line}{process.stderr.read()}")
    return process, line.split(" at ")[1].split()[0]


@pytest.fixture(scope="module")
def endpoint(seeds_dir):
    process, url = start_endpoint(seeds_dir, "--timeout", "2", "--max-rows", "500")
    yield url
    process.terminate()
    process.wait(10)


def request(url, *, query=None, data=None, content_type=None, accept=None, method=None, origin=None):
    if query is not None:
        url = f"{url}?{urllib.parse.urlencode({'query': query})}"
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    if origin:
        headers["Origin"] = origin
    req = urllib.request.Request(url, data=data.encode() if isinstance(data, str) else data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_bound_to_loopback_by_default(endpoint):
    assert endpoint.startswith("http://127.0.0.1:") and endpoint.endswith("/sparql")


def test_select_over_get_and_post(endpoint):
    query = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
    status, headers, body = request(endpoint, query=query)
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "438"
    status, _, body = request(endpoint, data=query, content_type="application/sparql-query", accept="text/csv")
    assert status == 200 and body.splitlines() == ["n", "438"]
    status, _, body = request(endpoint, data=urllib.parse.urlencode({"query": query}),
                              content_type="application/x-www-form-urlencoded", accept="application/sparql-results+xml")
    assert status == 200 and "<literal datatype=\"http://www.w3.org/2001/XMLSchema#integer\">438</literal>" in body


def test_construct_returns_turtle(endpoint):
    status, headers, body = request(endpoint, query="CONSTRUCT { ?p a kg:Paper } WHERE { ?p a kg:Paper } LIMIT 2")
    assert status == 200 and headers["Content-Type"] == "text/turtle" and "Paper" in body


def test_timeout_is_an_error_status_and_the_endpoint_recovers(endpoint):
    started = time.monotonic()
    status, _, body = request(endpoint, query=HEAVY)
    assert status == 503 and "timeout" in body
    assert time.monotonic() - started < 15
    status, _, _ = request(endpoint, query="ASK { ?s ?p ?o }")
    assert status == 200


def test_results_over_the_cap_are_refused_not_truncated(endpoint):
    status, _, body = request(endpoint, query="SELECT ?s WHERE { ?s ?p ?o }")
    assert status == 413 and "LIMIT" in body
    status, _, body = request(endpoint, query="SELECT ?s WHERE { ?s ?p ?o } LIMIT 500")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 500


@pytest.mark.parametrize("how", ["form", "content-type", "query-param", "get-update"])
def test_updates_are_refused(endpoint, how):
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    if how == "form":
        status, _, body = request(endpoint, data=urllib.parse.urlencode({"update": update}),
                                  content_type="application/x-www-form-urlencoded")
    elif how == "content-type":
        status, _, body = request(endpoint, data=update, content_type="application/sparql-update")
    elif how == "query-param":
        status, _, body = request(endpoint, query=update)
    else:
        status, _, body = request(f"{endpoint}?{urllib.parse.urlencode({'update': update})}")
    assert status == 403 and "read-only" in body
    assert request(endpoint, query="ASK { <urn:a> <urn:b> <urn:c> }")[2].find("false") >= 0


def test_service_is_refused_before_evaluation(endpoint):
    hits = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    remote = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=remote.serve_forever, daemon=True).start()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{remote.server_address[1]}/sparql> {{ ?s ?p ?o }} }}"
        status, _, body = request(endpoint, query=query)
        assert status == 403 and "SERVICE" in body
        query = f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ service <http://127.0.0.1:{remote.server_address[1]}/> {{ ?s ?p ?o }} }} }}"
        assert request(endpoint, query=query)[0] == 403
        assert hits == []
    finally:
        remote.shutdown()


def test_no_cors_headers_unless_asked(endpoint, seeds_dir):
    _, headers, _ = request(endpoint, query="ASK { ?s ?p ?o }", origin="https://example.org")
    assert not any(name.lower().startswith("access-control-") for name in headers)
    process, url = start_endpoint(seeds_dir / "graph.nt", "--cors", "https://example.org")
    try:
        _, headers, _ = request(url, query="ASK { ?s ?p ?o }", origin="https://example.org")
        assert headers["Access-Control-Allow-Origin"] == "https://example.org"
        status, headers, _ = request(url, method="OPTIONS", origin="https://example.org")
        assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    finally:
        process.terminate()
        process.wait(10)


def test_bad_queries_and_paths(endpoint):
    status, _, body = request(endpoint, query="SELECT ?x WHERE {")
    assert status == 400 and "syntax" in body
    assert request(endpoint)[0] == 400
    assert request(endpoint.replace("/sparql", "/other"))[0] == 404


def test_a_missing_graph_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg", "serve", str(tmp_path / "nothing"), "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Error: cannot serve" in result.stderr and "Traceback" not in result.stderr
