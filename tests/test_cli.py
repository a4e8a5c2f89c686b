"""CLI: `kg build`, `kg extract`, `kg query` as a user runs them (click's CliRunner, real files)."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli import cli

from .conftest import QUERIES_DIR, ROOT, SHARED

PAPERS = [
    {"id": "a1", "title": "LoRA for Everyone", "abstract": "We fine-tune BERT with Low-Rank Adaptation (LoRA) on the GLUE benchmark and report accuracy."},
    {"id": "a2", "title": "", "abstract": "LoRA adapters make GPT-3 cheaper to adapt for sentiment analysis on the SST-2 dataset."},
]


@pytest.fixture()
def papers_file(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in PAPERS) + "\n{oops\n")
    return path


def test_build_writes_outputs_and_summary(papers_file, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(papers_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"warning: {papers_file}:3: not valid JSON" in result.output
    assert "Built from 1 file(s): 2 papers," in result.output
    assert "entities: " in result.output and "edges: " in result.output and "problems: 1" in result.output
    for name in ("graph.ttl", "graph.html", "graph.json", "merges.csv"):
        assert (out / name).stat().st_size > 0


def test_build_with_nothing_readable_fails_cleanly(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = CliRunner().invoke(cli, ["build", str(empty), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == "Error: no readable papers in the input; nothing written"
    assert not (tmp_path / "out").exists()


def test_build_strict_stops_at_the_bad_record(papers_file, tmp_path):
    result = CliRunner().invoke(cli, ["build", str(papers_file), "-o", str(tmp_path / "out"), "--strict"])
    assert result.exit_code == 1
    assert f"Error: {papers_file}:3: not valid JSON" in result.output


def test_extract_writes_the_scorer_format(papers_file, tmp_path):
    pred = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(cli, ["extract", str(papers_file), "-o", str(pred)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in pred.read_text().splitlines()]
    assert [row["id"] for row in rows] == ["a1", "a2"]
    for row, paper in zip(rows, PAPERS):
        text = paper["title"] + " " + paper["abstract"]
        for entity in row["entities"]:
            assert set(entity) == {"label", "text", "aliases", "proposed", "confidence", "spans"}
            assert {text[s:e] for s, e in entity["spans"]} <= {entity["text"], *entity["aliases"]}
    lora = next(e for e in rows[0]["entities"] if "LoRA" in [e["text"], *e["aliases"]])
    assert lora["text"] == "Low-Rank Adaptation" and lora["label"] == "Method"


def test_build_with_min_confidence_keeps_only_confident_mentions_and_records_it(papers_file, tmp_path):
    from rdflib import Graph
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(papers_file), "-o", str(out), "--min-confidence", "0.5"])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(out / "graph.ttl")
    prefixes = "PREFIX kg: <https://w3id.org/mlkg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#> "
    [(threshold,)] = graph.query(prefixes + "SELECT ?t WHERE { ?run a kg:ExtractionRun ; kg:minConfidence ?t }")
    assert float(threshold) == 0.5
    [(mentions, lowest)] = graph.query(prefixes + "SELECT (COUNT(?m) AS ?n) (MIN(?c) AS ?low) "
                                       "WHERE { ?m a kg:Mention ; kg:confidence ?c }")
    assert int(mentions) > 0 and float(lowest) >= 0.5
    result = CliRunner().invoke(cli, ["build", str(papers_file), "-o", str(out), "--min-confidence", "2"])
    assert result.exit_code == 2 and "2.0 is not in the range 0.0<=x<=1.0" in result.output


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    papers = out / "papers.jsonl"
    papers.write_text("\n".join(json.dumps(p) for p in PAPERS) + "\n")
    assert CliRunner().invoke(cli, ["build", str(papers), "-o", str(out)]).exit_code == 0
    return out / "graph.ttl"


def test_query_formats(small_build):
    query = "SELECT ?label WHERE { ?e a kg:Model ; rdfs:label ?label } ORDER BY ?label"
    table = CliRunner().invoke(cli, ["query", str(small_build), query])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].strip() == "label" and "BERT" in table.output and "(2 rows)" in table.output
    as_csv = CliRunner().invoke(cli, ["query", str(small_build), query, "--format", "csv"])
    assert as_csv.output.splitlines() == ["label", "BERT", "GPT-3"]
    as_json = CliRunner().invoke(cli, ["query", str(small_build), query, "--format", "json"])
    assert json.loads(as_json.output) == [{"label": "BERT"}, {"label": "GPT-3"}]


def test_query_from_file(small_build):
    result = CliRunner().invoke(cli, ["query", str(small_build), str(QUERIES_DIR / "most_used_methods.rq"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "method,papers"


def test_query_errors_are_one_line(tmp_path, small_build):
    missing = CliRunner().invoke(cli, ["query", str(tmp_path / "none.ttl"), "SELECT * WHERE {?s ?p ?o}"])
    assert missing.exit_code == 1
    assert missing.output == f"Error: graph file {tmp_path / 'none.ttl'} does not exist; build one with 'kg build' (it writes exports/graph.ttl)\n"
    broken = CliRunner().invoke(cli, ["query", str(small_build), "SELECT ?x WHERE {"])
    assert broken.exit_code == 1 and broken.output.startswith("Error: SPARQL syntax error:")


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for command in cli.commands:
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output
        assert f"kg {command}" in readme, f"README does not document 'kg {command}'"


@pytest.mark.skipif(not (SHARED / "gold" / "dev.jsonl").exists(), reason="../shared/gold is not beside this checkout")
def test_extract_then_score_on_the_dev_gold(tmp_path):
    pred = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(cli, ["extract", str(SHARED / "gold" / "dev.jsonl"), "-o", str(pred)])
    assert result.exit_code == 0, result.output
    scored = subprocess.run([sys.executable, str(SHARED / "gold" / "score.py"), str(SHARED / "gold" / "dev.jsonl"),
                             str(pred), "--json"], capture_output=True, text=True, check=True)
    scores = json.loads(scored.stdout)
    assert scores["papers_predicted"] == 60
    # A floor that catches a broken pipeline; the measured scores are in the README.
    assert scores["strict_typed"]["f1"] >= 0.55


def test_build_with_aliases_forces_and_forbids_merges(papers_file, tmp_path):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("form,action,target\nLoRA adapters,merge,Low-Rank Adaptation\nBERT,split,\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(papers_file), "-o", str(out), "--aliases", str(aliases)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "merges.csv").open()))
    overridden = [row for row in rows if row["rule"].startswith("user override")]
    assert overridden and all(row["rule"] == f"user override ({aliases})" for row in overridden)


def test_a_bad_aliases_file_is_a_clear_error(papers_file, tmp_path):
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("form,action,target\nBERT,delete,\n")
    result = CliRunner().invoke(cli, ["build", str(papers_file), "-o", str(tmp_path / "out"), "--aliases", str(aliases)])
    assert result.exit_code == 1
    assert f"Error: {aliases}:2: expected 'FORM,merge,TARGET' or 'FORM,split,'" in result.output
