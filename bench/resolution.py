"""Counts before and after cross-paper resolution, and the top entities to check by hand.

    python bench/resolution.py             # the bundled seeds
    python bench/resolution.py --top 50 FILE...

Before: one entity per paper and name, one relation per paper statement. After: graph nodes and
entity -> entity edges (relations whose resolved types no longer fit their domain are dropped).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.api import KnowledgeGraph, default_inputs  # noqa: E402
from kg.extract import Extractor  # noqa: E402
from kg.graph import build_graph, entity_relations, graph_stats  # noqa: E402
from kg.ingest import read_papers  # noqa: E402
from kg.relate import RELATION_KINDS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--top", type=int, default=50)
    args = parser.parse_args()
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
