"""CLI: the `kg` command. Parses arguments, calls the library, prints; nothing else lives here."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .api import DEFAULT_OUTPUT_DIR, build as build_graph_from_inputs
from .errors import KgError
from .extract import Extractor
from .graph import atomic_write
from .ingest import DEFAULT_MAX_ABSTRACT_CHARS, read_papers
from .query import FORMATS, format_result, load_rdf, read_query_text, run_query

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
MAX_PROBLEMS_SHOWN = 20

mode_option = click.option("--mode", type=click.Choice(["default", "fast"]), default="default", show_default=True,
                           help="default: trained NER + rules; fast: rules only (about 10x faster, lower recall).")
strict_option = click.option("--strict", is_flag=True, help="Stop at the first bad record instead of skipping it.")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="CPU count",
                           help="Extraction processes (used from 257 papers on).")
max_chars_option = click.option("--max-abstract-chars", type=click.IntRange(min=1), default=DEFAULT_MAX_ABSTRACT_CHARS,
                                show_default=True, help="Longer abstracts are reported and skipped.")


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
@strict_option
@max_chars_option
@jobs_option
@click.option("--aliases", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of form,action,target rows: 'merge' joins a form to a name, 'split' keeps it apart.")
def build(inputs, output, mode, strict, max_abstract_chars, jobs, aliases):
    """Build the graph from INPUTS (the bundled seed listings when none are given).

    INPUTS may be JSON Lines, JSON arrays, CSV, or plain-text listings (arXiv-style,
    title/abstract pairs, daily-papers pages); the layout of each is detected.

    \b
    Example:
        kg build                      # the bundled seeds -> exports/
        kg build papers.jsonl -o out/
        kg build --aliases my_aliases.csv   # rows: RLHF,merge,Reinforcement Learning from Human Feedback
    """
    started = time.perf_counter()
    try:
        kg = build_graph_from_inputs(list(inputs) or None, mode=mode, strict=strict,
                                     max_abstract_chars=max_abstract_chars, n_process=jobs, aliases=aliases,
                                     progress=progress_bar("Extracting"))
        report_problems(kg.report.problems)
        if not kg.report.stats["papers"]:
            raise KgError("no readable papers in the input; nothing written")
        files = kg.write(output)
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
@strict_option
@max_chars_option
@jobs_option
def extract(inputs, output, mode, strict, max_abstract_chars, jobs):
    """Extract entities from INPUTS and write one JSON line per paper.

    Offsets in "spans" point into title + " " + abstract.

    \b
    Example:
        kg extract ../shared/gold/dev.jsonl -o pred.jsonl
    """
    try:
        papers, problems = read_papers(inputs, strict=strict, max_abstract_chars=max_abstract_chars)
        report_problems(problems)
        extractor = Extractor(mode=mode, n_process=jobs)
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
    """Run a SPARQL QUERY (inline text or a .rq file) over GRAPH (e.g. exports/graph.ttl).

    The prefixes kg:, oa:, dcterms:, skos:, prov:, rdfs:, xsd: are predeclared.

    \b
    Example:
        kg query exports/graph.ttl examples/queries/most_used_methods.rq --format csv
    """
    try:
        result = run_query(load_rdf(graph), read_query_text(query))
    except KgError as error:
        raise click.ClickException(str(error)) from error
    click.echo(format_result(result, fmt))


def main():  # pragma: no cover - console-script entry point
    try:
        cli()
    except KeyboardInterrupt:
        click.echo("\nInterrupted; files written by earlier runs are left as they were.", err=True)
        sys.exit(130)


__all__ = ["cli"]
