"""A short tour of the Python API on a build (run `kg build` first, then `python examples/explore.py`)."""
from __future__ import annotations

import sys

import kg


def summarise(graph: kg.KnowledgeGraph) -> dict:
    """A few questions users ask, answered with the API."""
    return {
        "papers": len(graph.papers()),
        "top_methods": [(e["label"], e["papers"]) for e in graph.entities(type="Method")[:5]],
        "top_datasets": [(e["label"], e["papers"]) for e in graph.entities(type="Dataset")[:5]],
    }


def main(build_dir: str = "exports") -> None:
    graph = kg.load(build_dir)  # or kg.build(["papers.jsonl"]) to build in memory
    print(graph)
    for key, value in summarise(graph).items():
        print(f"{key}: {value}")

    paper = graph.papers_mentioning("GSM8K")[0]
    print(f"\nA paper using GSM8K: {paper['title'] or paper['id']}")
    for row in graph.entities_of(paper["id"]):
        first = row["mentions"][0]
        print(f"  {row['relation']:14} {row['label']:40} {first['start']}-{first['end']} "
              f"confidence {row['confidence']:.2f}")

    print("\nEntities that co-occur with DPO:", [row["label"] for row in graph.neighbours("DPO", limit=5)])
    result = graph.query("SELECT (COUNT(?m) AS ?mentions) WHERE { ?m a kg:Mention }")
    print("Mentions in the RDF:", result.rows[0][0])


if __name__ == "__main__":
    main(*sys.argv[1:])
