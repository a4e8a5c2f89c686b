"""Every example query runs on the seeds export (pyoxigraph, as `kg query` runs it) and returns the
rows the Python API says it should: each expected answer is computed independently from NetworkX."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from kg.errors import QueryError
from kg.query import run_query

from .conftest import QUERIES_DIR

TESTED = {
    "datasets_for_task.rq", "paper_proposes.rq", "papers_using_both.rq", "most_used_methods.rq",
    "entities_of_type.rq", "evidence_for_fact.rq", "best_result_on_dataset.rq", "papers_per_month.rq",
    "duplicate_candidates.rq", "evaluated_on_benchmark.rq", "papers_on_two_benchmarks.rq", "relation_evidence.rq",
}


def run(store, name):
    result = run_query(store, (QUERIES_DIR / name).read_text())
    return [dict(zip(result.columns, row)) for row in result.rows]


def forms_of(entity: dict) -> set[str]:
    return {entity["label"], *entity["aliases"]}


def papers_with(seeds_kg, name: str, relations: set[str] | None = None) -> set[str]:
    node = seeds_kg.entity_node(name)
    return {p["id"] for p in seeds_kg.papers_mentioning(node) if relations is None or set(p["relations"]) & relations}


def test_every_example_query_is_tested():
    assert {p.name for p in QUERIES_DIR.glob("*.rq")} == TESTED
    assert len(TESTED) >= 10
    for path in QUERIES_DIR.glob("*.rq"):
        assert path.read_text().startswith("#"), f"{path.name} must open with a comment saying what it answers"


def test_datasets_for_task(seeds_store, seeds_kg):
    rows = run(seeds_store, "datasets_for_task.rq")
    task_papers = papers_with(seeds_kg, "mathematical reasoning", {"addressesTask"})
    expected = Counter()
    for paper in task_papers:
        for entity in seeds_kg.entities_of(paper):
            if entity["relation"] in ("usesDataset", "evaluatesOn"):
                expected[entity["label"]] += 1
    assert {row["data"]: int(row["papers"]) for row in rows} == dict(expected)
    assert {"GSM8K", "MATH"} <= {row["data"] for row in rows}
    counts = [int(row["papers"]) for row in rows]
    assert counts == sorted(counts, reverse=True)


def test_paper_proposes(seeds_store, seeds_kg):
    rows = run(seeds_store, "paper_proposes.rq")
    assert {row["entity"] for row in rows} == {e["label"] for e in seeds_kg.proposed_by("2302.05206")}
    assert {"entity": "Hindsight Instruction Relabeling", "type": "Method", "forms": "HIR"} in rows


def test_papers_using_both(seeds_store, seeds_kg):
    rows = run(seeds_store, "papers_using_both.rq")
    assert len(rows) >= 3
    expected = {p["id"] for p in seeds_kg.papers()
                if {"RLHF", "DPO"} <= {f for e in seeds_kg.entities_of(p["id"]) for f in forms_of(e)}}
    assert {row["id"] for row in rows} == expected


def test_most_used_methods(seeds_store, seeds_kg):
    rows = run(seeds_store, "most_used_methods.rq")
    methods = [e for e in seeds_kg.entities("Method")]
    used = {e["label"]: len(papers_with(seeds_kg, e["id"], {"usesMethod"})) for e in methods}
    assert len(rows) == 20
    assert rows[0]["method"] == "large language models"
    assert all(int(row["papers"]) == used[row["method"]] for row in rows)
    assert int(rows[-1]["papers"]) >= sorted(used.values(), reverse=True)[19]


def test_entities_of_type(seeds_store, seeds_kg):
    rows = run(seeds_store, "entities_of_type.rq")
    expected = {e["label"]: e["papers"] for e in seeds_kg.entities("Task")}
    assert {row["entity"]: int(row["papers"]) for row in rows} == expected
    assert "continual learning" in [row["entity"] for row in rows][:10]


def test_evidence_for_fact(seeds_store, seeds_kg):
    rows = run(seeds_store, "evidence_for_fact.rq")
    assert {row["paperId"] for row in rows} == papers_with(seeds_kg, "GSM8K")
    for row in rows:
        paper = seeds_kg.G.nodes[f"paper/{row['paperId']}"]
        text = paper["title"] + " " + paper["abstract"]
        assert text[int(row["start"]):int(row["end"])] == row["exact"]
        assert 0 < float(row["confidence"]) <= 1 and row["section"] in ("title", "abstract")


def test_best_result_on_dataset(seeds_store, seeds_kg):
    rows = run(seeds_store, "best_result_on_dataset.rq")
    expected = sorted((r["value"] for r in seeds_kg.results(dataset="GSM8K", metric="accuracy")
                       if r["kind"] == "absolute"), reverse=True)
    assert [Decimal(row["value"]) for row in rows] == expected
    assert rows and rows[0]["value"] == "81.8" and "81.8%" in rows[0]["sentence"]


def test_papers_per_month(seeds_store, seeds_kg):
    rows = run(seeds_store, "papers_per_month.rq")
    dated = {p["id"]: p["date"][:7] for p in seeds_kg.papers() if p["date"]}
    expected = Counter(dated[p] for p in papers_with(seeds_kg, "large language models") if p in dated)
    assert {row["month"]: int(row["papers"]) for row in rows} == dict(expected)
    assert [row["month"] for row in rows] == sorted(expected)


def test_duplicate_candidates(seeds_store, seeds_kg):
    rows = run(seeds_store, "duplicate_candidates.rq")
    names: dict[str, set[str]] = {}
    for entity in seeds_kg.entities():
        for form in forms_of(entity):
            names.setdefault(form.lower(), set()).add(entity["id"])
    shared = {name: len(nodes) for name, nodes in names.items() if len(nodes) > 1}
    assert {row["name"]: int(row["entities"]) for row in rows} == shared
    assert all(len(row["labels"].split(" | ")) >= 1 for row in rows)


def test_evaluated_on_benchmark(seeds_store, seeds_kg):
    rows = run(seeds_store, "evaluated_on_benchmark.rq")
    expected = {r["other"]["label"]: r["support"] for r in seeds_kg.related("GSM8K", kind="evaluatedOn")}
    assert {row["evaluated"]: int(row["support"]) for row in rows} == expected
    assert rows and all(row["type"] in ("Model", "Method") for row in rows)


def test_papers_on_two_benchmarks(seeds_store, seeds_kg):
    rows = run(seeds_store, "papers_on_two_benchmarks.rq")
    data = {"usesDataset", "evaluatesOn"}
    expected = papers_with(seeds_kg, "GSM8K", data) & papers_with(seeds_kg, "MATH", data)
    assert {row["id"] for row in rows} == expected and len(expected) >= 3


def test_relation_evidence(seeds_store, seeds_kg):
    rows = run(seeds_store, "relation_evidence.rq")
    related = seeds_kg.related("GPT-4")
    expected = {(r["kind"], r["other"]["label"], e["paper"], e["sentence"]) for r in related for e in r["evidence"]}
    assert {(row["relation"], row["other"], row["paperId"], row["sentence"]) for row in rows} == expected
    assert rows


@pytest.mark.parametrize("bad", ["SELECT ?x WHERE { ?x ", "SELECT * WHERE { ?s ?p ?o } GROUP BY"])
def test_bad_queries_are_clear_errors(seeds_store, bad):
    with pytest.raises(QueryError, match="SPARQL"):
        run_query(seeds_store, bad)


def test_construct_and_ask(seeds_store):
    assert run_query(seeds_store, "ASK { ?p a kg:Paper }").rows == [["true"]]
    triples = run_query(seeds_store, "CONSTRUCT { ?p a kg:Paper } WHERE { ?p a kg:Paper } LIMIT 3")
    assert triples.columns == ["subject", "predicate", "object"] and len(triples.rows) == 3
