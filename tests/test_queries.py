"""Every example query runs on the seeds build and returns the rows a user would expect."""
from __future__ import annotations

import pytest

from kg.query import run_query

from .conftest import QUERIES_DIR


def run(seeds_rdf, name):
    result = run_query(seeds_rdf, (QUERIES_DIR / name).read_text())
    return [dict(zip(result.columns, row)) for row in result.rows]


def test_every_example_query_is_tested():
    tested = {"datasets_for_task.rq", "paper_proposes.rq", "papers_using_both.rq", "most_used_methods.rq",
              "entities_of_type.rq", "evidence_for_fact.rq"}
    assert {p.name for p in QUERIES_DIR.glob("*.rq")} == tested
    for path in QUERIES_DIR.glob("*.rq"):
        assert path.read_text().startswith("#"), f"{path.name} must open with a comment saying what it answers"


def test_datasets_for_task(seeds_rdf):
    rows = run(seeds_rdf, "datasets_for_task.rq")
    assert {"GSM8K", "MATH"} <= {row["data"] for row in rows}
    assert {row["type"] for row in rows} <= {"Dataset", "Benchmark"}
    counts = [int(row["papers"]) for row in rows]
    assert counts == sorted(counts, reverse=True)


def test_paper_proposes(seeds_rdf):
    rows = run(seeds_rdf, "paper_proposes.rq")
    assert {"entity": "Hindsight Instruction Relabeling", "type": "Method", "forms": "HIR"} in rows


def test_papers_using_both(seeds_rdf, seeds_kg):
    rows = run(seeds_rdf, "papers_using_both.rq")
    assert len(rows) >= 3
    for row in rows:
        forms = {name for e in seeds_kg.entities_of(row["id"]) for name in [e["label"], *e["aliases"]]}
        assert {"RLHF", "DPO"} <= forms, row


def test_most_used_methods(seeds_rdf, seeds_kg):
    rows = run(seeds_rdf, "most_used_methods.rq")
    assert len(rows) == 20
    assert rows[0]["method"] == "large language models"
    assert int(rows[0]["papers"]) == len(seeds_kg.papers_mentioning("method/large-language-models"))
    counts = [int(row["papers"]) for row in rows]
    assert counts == sorted(counts, reverse=True)


def test_entities_of_type(seeds_rdf):
    rows = run(seeds_rdf, "entities_of_type.rq")
    labels = [row["entity"] for row in rows]
    assert "continual learning" in labels[:10]
    assert all(int(row["papers"]) >= 1 for row in rows)


def test_evidence_for_fact(seeds_rdf, seeds_kg):
    rows = run(seeds_rdf, "evidence_for_fact.rq")
    assert len(rows) >= 5
    for row in rows:
        paper = seeds_kg.G.nodes[f"paper/{row['paperId']}"]
        text = paper["title"] + " " + paper["abstract"]
        assert text[int(row["start"]):int(row["end"])] == row["exact"]
        assert 0 < float(row["confidence"]) <= 1


@pytest.mark.parametrize("bad", ["SELECT ?x WHERE { ?x ", "DESCRIBE <urn:x>"])
def test_bad_queries_are_clear_errors(seeds_rdf, bad):
    from kg.errors import QueryError
    with pytest.raises(QueryError):
        run_query(seeds_rdf, bad)
