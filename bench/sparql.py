"""SPARQL speed: every example query on a graph of about a million triples, pyoxigraph vs rdflib.

    python bench/sparql.py                       # builds the seeds, scales them to ~1M triples
    python bench/sparql.py --copies 7 --rdflib-timeout 60

The graph is the seeds export repeated `--copies` times with each copy's resource IRIs moved to
``<base>copyN/`` (ontology terms and literals stay), so it has the real shape of a build at
seven times the size. Each query runs on pyoxigraph (as `kg query` and `kg serve` run it) and
on plain rdflib; an rdflib query that overruns `--rdflib-timeout` is stopped and shown as ">N".
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg  # noqa: E402
from kg.query import QUERY_PREFIXES, load_store, run_query  # noqa: E402
from kg.rdf import DEFAULT_BASE  # noqa: E402

QUERIES = Path(__file__).resolve().parent.parent / "examples" / "queries"


def scaled_ntriples(source: Path, target: Path, copies: int) -> int:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    with target.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            moved = DEFAULT_BASE if copy == 0 else f"{DEFAULT_BASE}copy{copy}/"
            out.writelines(line.replace(DEFAULT_BASE, moved) for line in lines)
    return len(lines) * copies


def time_rdflib(graph, text: str, timeout: float) -> float | None:
    """Seconds rdflib takes for `text`, or None when it overruns `timeout` (run in a forked child)."""
    def child(connection):
        started = time.perf_counter()
        rows = list(graph.query(text, initNs=QUERY_PREFIXES))
        connection.send((time.perf_counter() - started, len(rows)))

    context = multiprocessing.get_context("fork")
    parent, child_end = context.Pipe()
    process = context.Process(target=child, args=(child_end,))
    process.start()
    if parent.poll(timeout):
        seconds, _ = parent.recv()
        process.join()
        return seconds
    process.kill()
    process.join()
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=7, help="copies of the seeds export (7 x ~156k = ~1.1M triples)")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0)
    parser.add_argument("--skip-rdflib", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        graph = kg.build(n_process=os.cpu_count() or 1)
        graph.write(tmp, formats=["nt"])
        path = tmp / "scaled.nt"
        triples = scaled_ntriples(tmp / "graph.nt", path, args.copies)
        started = time.perf_counter()
        store = load_store(path)
        print(f"{triples:,} triples ({args.copies} copies of the seeds); pyoxigraph loads them in "
              f"{time.perf_counter() - started:.1f} s")
        rdf_graph = None
        if not args.skip_rdflib:
            from rdflib import Graph
            started = time.perf_counter()
            rdf_graph = Graph().parse(path, format="nt")
            print(f"rdflib loads them in {time.perf_counter() - started:.1f} s")
        print(f"\n{'query':30} {'rows':>6} {'pyoxigraph s':>13} {'rdflib s':>10} {'ratio':>8}")
        for query_file in sorted(QUERIES.glob("*.rq")):
            text = query_file.read_text(encoding="utf-8")
            started = time.perf_counter()
            rows = len(run_query(store, text).rows)
            fast = time.perf_counter() - started
            slow = time_rdflib(rdf_graph, text, args.rdflib_timeout) if rdf_graph is not None else None
            slow_text = "-" if rdf_graph is None else (f">{args.rdflib_timeout:g}" if slow is None else f"{slow:.2f}")
            ratio = "-" if rdf_graph is None else (f">{args.rdflib_timeout / fast:.0f}x" if slow is None else f"{slow / fast:.0f}x")
            print(f"{query_file.stem:30} {rows:>6} {fast:>13.3f} {slow_text:>10} {ratio:>8}")


if __name__ == "__main__":
    main()
