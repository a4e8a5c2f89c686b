"""CLI: the `kg` command. Parses arguments, calls the library, prints; nothing else lives here."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .api import DEFAULT_OUTPUT_DIR, build as build_graph_from_inputs, load as load_graph
from .errors import KgError
from .extract import Extractor
from .graph import atomic_write
from .html import DEFAULT_MAX_NODES, MAX_VIEW_NODES, entity_page, generate_html, paper_page
from .ingest import DEFAULT_MAX_ABSTRACT_CHARS, read_papers
from .query import FORMATS, format_result, load_store, read_query_text, run_query
from .rdf import RDF_FORMATS
from .resolve import slugify
from .serve import DEFAULT_PORT, EndpointConfig, make_server
from .validate import validate_rdf

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
MAX_PROBLEMS_SHOWN = 20

mode_option = click.option("--mode", type=click.Choice(["default", "fast"]), default="default", show_default=True,
                           help="default: trained NER + rules; fast: rules only (about 10x faster, lower recall).")
strict_option = click.option("--strict", is_flag=True, help="Stop at the first bad record instead of skipping it.")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="CPU count",
                           help="Extraction processes (used from 257 papers on).")
min_confidence_option = click.option(
    "--min-confidence", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
    help="Leave out entities less likely than this to be right (each entity's confidence, learnt on annotated "
         "papers): higher means fewer, more precise entities.")
max_chars_option = click.option("--max-abstract-chars", type=click.IntRange(min=1), default=DEFAULT_MAX_ABSTRACT_CHARS,
                                show_default=True, help="Longer abstracts are reported and skipped.")


def parse_formats(value: str) -> list[str]:
    names = list(RDF_FORMATS) if value.strip() == "all" else [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in RDF_FORMATS]
    if unknown or not names:
        raise click.BadParameter(f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from "
                                 f"{', '.join(RDF_FORMATS)} or 'all'")
    return names


def progress_bar(label: str):
    """A progress wrapper for library calls; drawn on stderr only when it is a terminal."""
    def wrap(items, total):
        with click.progressbar(items, length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield from bar
    return wrap


def report_problems(problems) -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"warning: {problem}", err=True)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        click.echo(f"warning: ... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems", err=True)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="kg")
def cli():
    """Turn machine-learning paper abstracts into a knowledge graph you can query and browse."""


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUTPUT_DIR,
              show_default=True, help="Directory for graph.ttl, graph.html and graph.json.")
@mode_option
@min_confidence_option
@strict_option
@max_chars_option
@jobs_option
@click.option("--aliases", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of form,action,target rows: 'merge' joins a form to a name, 'split' keeps it apart.")
@click.option("--formats", default="ttl", show_default=True, callback=lambda ctx, param, value: parse_formats(value),
              help=f"RDF formats to write, comma-separated, or 'all': {', '.join(RDF_FORMATS)}.")
def build(inputs, output, mode, min_confidence, strict, max_abstract_chars, jobs, aliases, formats):
    """Build the graph from INPUTS (the bundled seed listings when none are given).

    INPUTS may be JSON Lines, JSON arrays, CSV, or plain-text listings (arXiv-style,
    title/abstract pairs, daily-papers pages); the layout of each is detected.

    \b
    Example:
        kg build                      # the bundled seeds -> exports/
        kg build papers.jsonl -o out/
        kg build --aliases my_aliases.csv   # rows: RLHF,merge,Reinforcement Learning from Human Feedback
        kg build --formats all        # Turtle, N-Triples, TriG, JSON-LD and VoID
        kg build --min-confidence 0.5 # fewer, more precise entities
    """
    started = time.perf_counter()
    try:
        kg = build_graph_from_inputs(list(inputs) or None, mode=mode, strict=strict,
                                     max_abstract_chars=max_abstract_chars, n_process=jobs,
                                     min_confidence=min_confidence, aliases=aliases, progress=progress_bar("Extracting"))
        report_problems(kg.report.problems)
        if not kg.report.stats["papers"]:
            raise KgError("no readable papers in the input; nothing written")
        files = kg.write(output, formats=formats)
    except KgError as error:
        raise click.ClickException(str(error)) from error
    stats, seconds = kg.report.stats, time.perf_counter() - started
    from_where = "bundled seeds" if not inputs else f"{len(inputs)} file(s)"
    click.echo(f"Built from {from_where}: {stats['papers']} papers, {stats['entities']} entities, "
               f"{stats['edges']} edges in {seconds:.1f} s")
    click.echo("  entities: " + ", ".join(f"{k} {v}" for k, v in stats["entities_by_type"].items()))
    click.echo("  edges:    " + ", ".join(f"{k} {v}" for k, v in stats["edges_by_relation"].items()))
    click.echo(f"  results:  {stats['results']} numeric results (kg.results() in Python, kg:Result in the RDF)")
    if kg.report.problems:
        click.echo(f"  problems: {len(kg.report.problems)} (see warnings above)")
    click.echo("  wrote:    " + ", ".join(str(path) for path in files))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON Lines file of predictions (the format ../shared/gold/score.py reads).")
@mode_option
@min_confidence_option
@strict_option
@max_chars_option
@jobs_option
def extract(inputs, output, mode, min_confidence, strict, max_abstract_chars, jobs):
    """Extract entities from INPUTS and write one JSON line per paper.

    Offsets in "spans" point into title + " " + abstract.

    \b
    Example:
        kg extract ../shared/gold/dev.jsonl -o pred.jsonl
    """
    try:
        papers, problems = read_papers(inputs, strict=strict, max_abstract_chars=max_abstract_chars)
        report_problems(problems)
        extractor = Extractor(mode=mode, n_process=jobs, min_confidence=min_confidence)
        lines = []
        for extraction in progress_bar("Extracting")(extractor.extract(papers), len(papers)):
            lines.append(json.dumps({"id": extraction.paper.id, "entities": [
                {"label": e.label, "text": e.text, "aliases": list(e.aliases), "proposed": e.proposed,
                 "confidence": e.confidence, "spans": [[m.start, m.end] for m in e.mentions]}
                for e in extraction.entities]}, ensure_ascii=False))
        atomic_write(output, lambda handle: handle.write("".join(line + "\n" for line in lines)))
    except KgError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote {len(lines)} papers to {output}", err=True)


@cli.command()
@click.argument("graph", type=click.Path(path_type=Path))
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output as an aligned table, CSV, or JSON.")
def query(graph, query, fmt):
    """Run a SPARQL QUERY (inline text or a .rq file) over GRAPH: an export (.ttl, .nt, .trig, .jsonld)
    or a build directory.

    The prefixes kg:, oa:, dcterms:, skos:, prov:, mls:, schema:, rdfs:, xsd: are predeclared.

    \b
    Example:
        kg query exports examples/queries/most_used_methods.rq --format csv
    """
    try:
        result = run_query(load_store(graph), read_query_text(query))
    except KgError as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_result(result, fmt))


@cli.command()
@click.argument("graph", type=click.Path(path_type=Path), default=DEFAULT_OUTPUT_DIR)
@click.option("--entity", metavar="NAME", help="Render this entity's view (label, alias or node id).")
@click.option("--paper", metavar="ID", help="Render this paper's view.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the page [default: <graph>/entity-<name>.html, paper-<id>.html or graph.html].")
@click.option("--max-nodes", type=click.IntRange(1, MAX_VIEW_NODES), default=DEFAULT_MAX_NODES, show_default=True,
              help=f"Nodes in the overview graph (at most {MAX_VIEW_NODES}).")
def html(graph, entity, paper, output, max_nodes):
    """Render HTML views of a build (GRAPH: a build directory or its graph.json): the whole site, or
    one entity's or paper's view as a page of its own.

    \b
    Example:
        kg html --entity LoRA                # exports/entity-lora.html
        kg html --paper 2302.05206 -o hir.html
        kg html --max-nodes 1000             # the site again, with a larger overview
    """
    try:
        kg = load_graph(graph)
        if entity and paper:
            raise KgError("give --entity or --paper, not both")
        if entity:
            node = kg.entity_node(entity)
            page, default_name = entity_page(kg.G, node), f"entity-{slugify(kg.G.nodes[node]['label'])}.html"
        elif paper:
            node = kg.paper_node(paper)
            page, default_name = paper_page(kg.G, node), f"paper-{slugify(kg.G.nodes[node]['id'])}.html"
        else:
            page, default_name = generate_html(kg.G, max_nodes=max_nodes), "graph.html"
        target = output or (graph if graph.is_dir() else graph.parent) / default_name
        atomic_write(target, lambda handle: handle.write(page))
    except KgError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Wrote {target}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--show-report", is_flag=True, help="Print pySHACL's full report for files that do not conform.")
def validate(files, show_report):
    """Check RDF exports (FILES: .ttl, .nt, .trig, .jsonld) against the SHACL shapes in ontology/shapes.ttl.

    Exits with status 1 when any file does not conform.

    \b
    Example:
        kg validate exports/graph.ttl exports/void.ttl
    """
    failed = 0
    for path in files:
        try:
            report = validate_rdf(path)
        except KgError as error:
            click.echo(f"{path}: error: {error}", err=True)
            failed += 1
            continue
        if report.conforms:
            click.echo(f"{path}: conforms")
        else:
            failed += 1
            click.echo(f"{path}: {report.violations} violation(s)")
            if show_report:
                click.echo(report.text)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("graph", type=click.Path(path_type=Path), default=DEFAULT_OUTPUT_DIR)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; anything but loopback exposes the endpoint to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="0 picks a free port.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a query may run before it is stopped (answered with 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Larger results are refused with 413 (add LIMIT).")
@click.option("--cors", "cors_origin", metavar="ORIGIN", help="Allow browser pages from ORIGIN (e.g. '*'); off by default.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Query worker processes.")
@click.option("-v", "--verbose", is_flag=True, help="Log each request.")
def serve(graph, host, port, timeout, max_rows, cors_origin, workers, verbose):
    """Serve GRAPH (a build directory or an export file) as a read-only SPARQL endpoint.

    SPARQL 1.1 Protocol at /sparql: GET ?query=... or POST. Updates and SERVICE are refused.

    \b
    Example:
        kg serve exports/ --port 7878
        curl 'http://127.0.0.1:7878/sparql' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5'
    """
    config = EndpointConfig(graph=graph, host=host, port=port, timeout=timeout, max_rows=max_rows,
                            cors_origin=cors_origin, workers=workers)
    try:
        server = make_server(config, verbose=verbose)
    except (KgError, OSError) as error:
        raise click.ClickException(f"cannot serve {graph}: {error}") from error
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: bound to {host}: other machines can reach this endpoint", err=True)
    click.echo(f"Serving {server.graph_file} read-only at {server.url} (Ctrl-C stops)", err=False)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main():  # pragma: no cover - console-script entry point
    try:
        cli()
    except KeyboardInterrupt:
        click.echo("\nInterrupted; files written by earlier runs are left as they were.", err=True)
        sys.exit(130)


__all__ = ["cli"]
