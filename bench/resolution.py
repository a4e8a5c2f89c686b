"""Counts before and after cross-paper resolution, and the top entities to check by hand.

    python bench/resolution.py             # the bundled seeds
    python bench/resolution.py --top 50 FILE...
    python bench/resolution.py --typing    # what resolution does to the types of annotated papers

Before: one entity per paper and name, one relation per paper statement. After: graph nodes and
entity -> entity edges (relations whose resolved types no longer fit their domain are dropped).

--typing builds one graph from the annotated papers (the held-out tenth of training/data/train.jsonl and
../shared/gold/dev.jsonl) together with the bundled seeds (more papers, so more entities meet across
papers), and scores each annotated paper's entities (../shared/gold/score.py, strict and lenient typed F1)
twice: typed as the extractor typed them in that paper, and typed as their graph node is.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.api import KnowledgeGraph, default_inputs  # noqa: E402
from kg.extract import Extractor  # noqa: E402
from kg.graph import build_graph, entity_relations, graph_stats, paper_node  # noqa: E402
from kg.ingest import read_papers  # noqa: E402
from kg.model import PROPOSES, Paper  # noqa: E402
from kg.relate import RELATION_KINDS  # noqa: E402
from quality import SHARED_GOLD, as_prediction, load_scorer  # noqa: E402


def as_in_graph(G, paper_id: str) -> list[dict]:
    """The paper's entities, in the scorer's format, as the graph holds them: one per node, typed as the node."""
    entities = []
    for _, node, relation, edge in G.out_edges(paper_node(paper_id), keys=True, data=True):
        if relation != PROPOSES:
            forms = list(dict.fromkeys(mention["text"] for mention in edge["mentions"]))
            entities.append({"label": G.nodes[node]["type"], "text": forms[0], "aliases": forms[1:], "proposed": False})
    return entities


def typing_scores() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))
    from prepare import split_training_papers
    score = load_scorer(SHARED_GOLD / "score.py")
    gold = {"held-out tenth": split_training_papers()[1],
            "dev": [json.loads(line) for line in (SHARED_GOLD / "dev.jsonl").open(encoding="utf-8") if line.strip()]}
    papers = [Paper(id=f"{name}:{row['id']}", title=row.get("title") or "", abstract=row["abstract"])
              for name, rows in gold.items() for row in rows]
    seeds, _ = read_papers(default_inputs())
    extractions = {ex.paper.id: ex for ex in Extractor(n_process=2).extract(papers + seeds)}
    G = build_graph(extractions.values())
    for name, rows in gold.items():
        for view, entities_of in (("as extracted", lambda pid: [as_prediction(e) for e in extractions[pid].entities]),
                                  ("as in the graph", lambda pid: as_in_graph(G, pid))):
            predictions = [{"id": str(row["id"]), "entities": entities_of(f"{name}:{row['id']}")} for row in rows]
            result, _ = score.score(rows, predictions)
            print(f"{name:15} {view:16} strict typed F1 {result['strict_typed']['f1']:.4f}, "
                  f"lenient typed F1 {result['lenient_typed']['f1']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--typing", action="store_true", help="score annotated papers typed as extracted and as in the graph")
    args = parser.parse_args()
    if args.typing:
        typing_scores()
        return
    papers, _ = read_papers(args.inputs or default_inputs())
    extractions = list(Extractor(n_process=2).extract(papers))
    G = build_graph(extractions)
    before_types = Counter(e.label for ex in extractions for e in ex.entities)
    before_relations = Counter(r.kind for ex in extractions for r in ex.relations)
    after = graph_stats(G)
    after_relations = Counter(kind for _, _, kind, _ in entity_relations(G))
    print(f"{'':16}{'before':>8}{'after':>8}")
    for label in sorted(before_types):
        print(f"{label:16}{before_types[label]:>8}{after['entities_by_type'].get(label, 0):>8}")
    print(f"{'entities':16}{sum(before_types.values()):>8}{after['entities']:>8}")
    for kind in RELATION_KINDS:
        print(f"{kind:16}{before_relations[kind]:>8}{after_relations[kind]:>8}")
    print(f"{'results':16}{sum(len(ex.results) for ex in extractions):>8}{after['results']:>8}")
    print(f"\nTop {args.top} entities by papers:")
    for row in KnowledgeGraph(G).entities()[: args.top]:
        aliases = "; ".join(row["aliases"][:6])
        print(f"{row['papers']:4}  {row['type']:9}  {row['label']}  [{aliases}]  votes {row['type_votes']}")


if __name__ == "__main__":
    main()
