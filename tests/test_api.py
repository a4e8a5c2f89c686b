"""Python API: build/load and the read methods on the seeds build."""
from __future__ import annotations

import networkx as nx
import pytest
from rdflib import Graph

import kg


def test_load_round_trips_the_build(seeds_kg):
    assert isinstance(seeds_kg.to_networkx(), nx.MultiDiGraph)
    assert len(seeds_kg.papers()) == 438
    assert seeds_kg.stats()["papers"] == 438


def test_entities_by_type_are_ranked(seeds_kg):
    tasks = seeds_kg.entities(type="Task")
    assert tasks and all(e["type"] == "Task" for e in tasks)
    counts = [e["papers"] for e in tasks]
    assert counts == sorted(counts, reverse=True)
    assert seeds_kg.entities(type="task") == tasks  # type names are case-insensitive


def test_papers_mentioning_by_label_alias_or_id(seeds_kg):
    by_alias = seeds_kg.papers_mentioning("HIR")
    by_label = seeds_kg.papers_mentioning("hindsight instruction relabeling")
    assert by_alias == by_label and [p["id"] for p in by_alias] == ["2302.05206"]
    assert "proposes" in by_alias[0]["relations"]


def test_entities_of_a_paper_carry_evidence(seeds_kg):
    rows = seeds_kg.entities_of("2302.05206")
    paper = seeds_kg.G.nodes["paper/2302.05206"]
    text = paper["title"] + " " + paper["abstract"]
    forms = {name for row in rows for name in [row["label"], *row["aliases"]]}
    assert {"Hindsight Instruction Relabeling", "HIR", "BigBench"} <= forms
    for row in rows:
        for mention in row["mentions"]:
            assert text[mention["start"]:mention["end"]] == mention["text"]
    assert [row["label"] for row in seeds_kg.proposed_by("2302.05206")][0] == "Hindsight Instruction Relabeling"


def test_neighbours_share_papers(seeds_kg):
    rows = seeds_kg.neighbours("DPO", limit=5)
    assert len(rows) == 5
    assert all(row["shared_papers"] >= 1 for row in rows)
    assert "method/direct-preference-optimization" not in {row["id"] for row in rows}


def test_rdflib_and_query(seeds_kg):
    assert isinstance(seeds_kg.to_rdflib(), Graph)
    result = seeds_kg.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }")
    assert result.rows == [["438"]]


def test_unknown_names_are_clear_errors(seeds_kg, tmp_path):
    with pytest.raises(kg.KgError, match="no entity named 'no such thing'"):
        seeds_kg.papers_mentioning("no such thing")
    with pytest.raises(kg.KgError, match="no paper with id 'nope'"):
        seeds_kg.entities_of("nope")
    with pytest.raises(kg.KgError, match="run 'kg build' first"):
        kg.load(tmp_path)


def test_example_script_runs(seeds_dir):
    import runpy
    from .conftest import ROOT
    namespace = runpy.run_path(str(ROOT / "examples" / "explore.py"), run_name="not_main")
    summary = namespace["summarise"](kg.load(seeds_dir))
    assert summary["papers"] == 438 and summary["top_methods"]
